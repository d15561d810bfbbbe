"""What a driving attack may read: the public scenes and the white-box model-set entries.

Never opened here: ``hidden/`` (the scored scenes) and any model whose model-set ``role`` is
not ``white-box`` (the black-box model's file is not even hashed). ``public_files`` lists
exactly what ``load_public`` reads, for the artifact cache key.
"""
from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from evaluators.common.errors import BundleError
from evaluators.common.manifest import sha256_file
from evaluators.driving.bundle import load_bundle

PUBLIC_BUNDLES = ("public_train", "public_val")


@dataclass
class Sample:
    """One public training frame cut to a square window around the patch's target."""

    crop: np.ndarray       # (C, C, 3) uint8 BGR, native resolution
    quad: np.ndarray       # (4, 2) patch quad in crop coordinates
    shading: float
    occluder: np.ndarray | None  # (C, C) uint8 or None
    targets: tuple[str, ...]
    kind: str
    scene: str
    index: int
    frame_long: int        # the full frame's long side (sets the detector's input scale)
    origin: tuple[int, int] = (0, 0)  # the crop's top-left corner in the frame


def white_box_entries(demo_dir: Path) -> list[dict]:
    """The model-set entries whose role is ``white-box`` (files resolved and sha256-checked)."""
    path = Path(demo_dir) / "model_set.json"
    if not path.is_file():
        raise BundleError(f"{path} is missing: build the driving demo first (python -m authoring build-driving-demo)")
    data = json.loads(path.read_text())
    out = []
    for m in data.get("models", []):
        if m.get("role") != "white-box":
            continue
        f = Path(m["file"])
        f = f if f.is_absolute() else (path.parent / f)
        if m.get("sha256") and sha256_file(f) != m["sha256"]:
            raise BundleError(f"white-box model {m['name']!r}: {f} does not match the model set's sha256")
        out.append(dict(m, file=str(f)))
    if not out:
        raise BundleError(f"{path} declares no model with role 'white-box'; a white-box attack needs one")
    return out


def public_files(demo_dir: Path) -> list[Path]:
    demo_dir = Path(demo_dir)
    return [demo_dir / b for b in PUBLIC_BUNDLES] + [demo_dir / "model_set.json"] + [
        Path(m["file"]) for m in white_box_entries(demo_dir)]


def _window(centre: tuple[float, float], size: int, frame_wh: tuple[int, int]) -> tuple[int, int]:
    w, h = frame_wh
    x0 = int(round(centre[0] - size / 2))
    y0 = int(round(centre[1] - size / 2))
    return int(np.clip(x0, 0, max(0, w - size))), int(np.clip(y0, 0, max(0, h - size)))


def load_public(demo_dir: Path, crop: int, every: int = 1, include_patched: bool = False) -> list[Sample]:
    """Every ``every``-th frame of the public scenes, cropped around the target (or the quad).

    Validation scenes that already carry the organizers' example patch are skipped unless
    ``include_patched`` (their pixels show somebody else's patch)."""
    samples: list[Sample] = []
    for name in PUBLIC_BUNDLES:
        root = Path(demo_dir) / name
        if not (root / "manifest.json").is_file():
            continue
        bundle = load_bundle(root)
        for sc in bundle.scenes:
            if sc.name.endswith("_patched") and not include_patched:
                continue
            for i in range(0, len(sc), every):
                frame = sc.frame(i)
                fh, fw = frame.shape[:2]
                if crop > min(fh, fw):
                    raise ValueError(f"crop {crop} is larger than the {fw}x{fh} frames of {root}")
                box = sc.boxes[i] if i < len(sc.boxes) else None
                q = sc.quads[i]
                centre = ((box[0] + box[2]) / 2, (box[1] + box[3]) / 2) if box else tuple(q.mean(0))
                x0, y0 = _window(centre, crop, (fw, fh))
                occ = sc.occluder_at(i)
                shade = sc.shading_at(i)
                samples.append(Sample(
                    np.ascontiguousarray(frame[y0:y0 + crop, x0:x0 + crop]), q - np.array([x0, y0], np.float64),
                    float(shade) if not isinstance(shade, np.ndarray) else float(shade[y0:y0 + crop, x0:x0 + crop].mean()),
                    None if occ is None else np.ascontiguousarray(occ[y0:y0 + crop, x0:x0 + crop]),
                    sc.targets, sc.kind, sc.name, i, max(fw, fh), (x0, y0)))
    if not samples:
        raise BundleError(f"{demo_dir} has no public scenes ({', '.join(PUBLIC_BUNDLES)})")
    return samples
