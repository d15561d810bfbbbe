"""Verification thresholds at a stated false-accept rate (FAR).

Given aligned faces in ``<dir>/<identity>/*.png``, every cross-identity pair is an impostor pair
and every same-identity pair a genuine pair. The threshold t (cosine similarity, accept if
sim >= t) accepts at most floor(FAR * n_impostor) impostor pairs, and sits in the *middle of the
gap* between the highest similarity it must reject and the next higher similarity of any pair,
never on or next to a data point: a similarity that moves by float rounding on another machine
(other CPU kernels, thread counts, a GPU) cannot cross it unless it moves by half the gap. The
gap, the FAR and the TAR measured at t are recorded in the model set next to it. Similarities come
from ``backends.cosine``, the function the scorer uses, in the same dtype.
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
from evaluators.face.backends import cosine, load_backend
from evaluators.face.models import is_liveness, load_face_model_specs, write_model_set


def threshold_at_far(impostor: np.ndarray, genuine: np.ndarray, far: float) -> dict[str, Any]:
    """Threshold accepting at most floor(far * n_impostor) impostor pairs, in the middle of a gap.

    impostor, genuine: 1-D arrays of cosine similarities (from ``backends.cosine``).
    With impostors sorted high to low, imp[k] (k = floor(far * n)) is the highest similarity that
    must be rejected; the threshold is the midpoint between it and the next higher similarity
    of any pair (impostor or genuine), or between it and 1.0 (the largest cosine) when none is
    higher. Returns {"threshold", "gap": {"below", "above", "width"}, "far_target", "far", "tar",
    "impostor_pairs", "genuine_pairs"}. Raises ValueError for far outside [0, 1) or no impostors.
    """
    imp = np.sort(np.asarray(impostor, np.float64))[::-1]
    if not 0.0 <= far < 1.0 or len(imp) == 0:
        raise ValueError("need 0 <= far < 1 and at least one impostor pair")
    gen = np.asarray(genuine, np.float64)
    k = int(math.floor(far * len(imp)))  # impostor pairs we may accept
    below = float(imp[k])
    everything = np.concatenate([imp, gen])
    higher = everything[everything > below]
    above = float(higher.min()) if len(higher) else max(1.0, below)
    t = below + (above - below) / 2 if above > below else float(np.nextafter(below, np.inf))
    return {
        "threshold": t,
        "gap": {"below": below, "above": above, "width": above - below},
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
    """(impostor, genuine) similarities of every pair of rows of ``emb`` (N x D float32), computed
    by ``backends.cosine``, the scorer's function, so calibration and scoring round alike."""
    lab = np.asarray(ids)
    iu = np.triu_indices(len(ids), k=1)
    same = lab[iu[0]] == lab[iu[1]]
    s = cosine(emb[iu[0]], emb[iu[1]])
    return s[~same], s[same]


def calibrate_model_set(model_set: str | Path, faces_dir: str | Path, far: float, *,
                        out: Optional[str | Path] = None, progress: Optional[Progress] = None) -> list[dict]:
    """Calibrate every model of a model set and write it (in place unless ``out`` is given)."""
    faces, ids = load_identity_faces(faces_dir)
    specs = [s for s in load_face_model_specs(model_set, need_thresholds=False) if not is_liveness(s)]
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
