"""Verification thresholds at a stated false-accept rate (FAR).

Given aligned faces in ``<dir>/<identity>/*.png``, every cross-identity pair is an impostor pair
and every same-identity pair a genuine pair. The threshold t (cosine similarity, accept if
sim >= t) is the smallest value accepting at most floor(FAR * n_impostor) impostor pairs; the FAR
and TAR actually measured at t are recorded in the model set next to it.
"""
from __future__ import annotations

import json
import math
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Optional

import numpy as np

from evaluators.common.errors import BundleError
from evaluators.common.result import Progress, report

from .backends import load_backend
from .models import load_face_model_specs, write_model_set


def threshold_at_far(impostor: np.ndarray, genuine: np.ndarray, far: float) -> dict[str, Any]:
    imp = np.sort(np.asarray(impostor, np.float64))[::-1]
    if not 0.0 <= far < 1.0 or len(imp) == 0:
        raise ValueError("need 0 <= far < 1 and at least one impostor pair")
    k = int(math.floor(far * len(imp)))  # impostor pairs we may accept
    t = float(np.nextafter(imp[k], np.inf))  # strictly above the (k+1)-th highest impostor
    gen = np.asarray(genuine, np.float64)
    return {
        "threshold": t,
        "far_target": far,
        "far": float(np.mean(imp >= t)),
        "tar": float(np.mean(gen >= t)) if len(gen) else None,
        "impostor_pairs": int(len(imp)),
        "genuine_pairs": int(len(gen)),
    }


def load_identity_faces(faces_dir: str | Path) -> tuple[np.ndarray, list[str]]:
    from PIL import Image

    root = Path(faces_dir)
    faces, ids = [], []
    for d in sorted(p for p in root.iterdir() if p.is_dir()):
        for f in sorted(d.glob("*.png")):
            with Image.open(f) as im:
                arr = np.asarray(im.convert("RGB"))
            if arr.shape != (112, 112, 3):
                raise BundleError(f"{f} is {arr.shape}; calibration faces must be aligned 112x112 RGB")
            faces.append(arr)
            ids.append(d.name)
    if len(set(ids)) < 2:
        raise BundleError(f"{root}: need aligned faces of at least two identities in <dir>/<identity>/*.png")
    return np.stack(faces), ids


def pair_similarities(emb: np.ndarray, ids: list[str]) -> tuple[np.ndarray, np.ndarray]:
    sims = emb.astype(np.float64) @ emb.astype(np.float64).T
    lab = np.asarray(ids)
    iu = np.triu_indices(len(ids), k=1)
    same = lab[iu[0]] == lab[iu[1]]
    s = sims[iu]
    return s[~same], s[same]


def calibrate_model_set(model_set: str | Path, faces_dir: str | Path, far: float, *,
                        out: Optional[str | Path] = None, progress: Optional[Progress] = None) -> list[dict]:
    """Calibrate every model of a model set and write it (in place unless ``out`` is given)."""
    faces, ids = load_identity_faces(faces_dir)
    specs = load_face_model_specs(model_set, need_thresholds=False)
    raw = json.loads(Path(model_set).read_text())
    results = []
    for i, spec in enumerate(specs):
        report(progress, f"calibrate {spec['name']}", 100.0 * i / len(specs))
        emb = load_backend(spec).embed_batched(faces)
        imp, gen = pair_similarities(emb, ids)
        cal = threshold_at_far(imp, gen, far)
        cal.update(faces=len(ids), identities=len(set(ids)), faces_dir=Path(faces_dir).name,
                   when=datetime.now(timezone.utc).isoformat(timespec="seconds"))
        entry = next(m for m in raw["models"] if m["name"] == spec["name"])
        entry["threshold"] = cal.pop("threshold")
        entry["calibration"] = cal
        results.append({"name": spec["name"], "threshold": entry["threshold"], **cal})
    report(progress, "calibrate", 100.0)
    write_model_set(out or model_set, raw["models"], raw.get("note", ""))
    return results
