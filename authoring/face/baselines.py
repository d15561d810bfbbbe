"""Simple honest baseline submissions for a face bundle.

- ``unchanged``: the originals as they are (should score about 0).
- ``naive_patch``: paste the target's eye and mouth regions onto the original (3 rectangles,
  within the 5-region / 1254-pixel budget).
- ``compare``: every image replaced by its target (breaks the budget; for scorer checks only).
"""
from __future__ import annotations

import io
import zipfile
from pathlib import Path

import numpy as np

from evaluators.face.bundle import FaceBundle, compare_rel, original_rel
from evaluators.face.perturbation import check_budget, perturbation_mask

# (x1, y1, x2, y2) around the ArcFace template's eyes and mouth: 448 + 448 + 336 = 1232 pixels.
PATCH_RECTS = [(24, 44, 52, 60), (59, 44, 87, 60), (44, 85, 68, 99)]
KINDS = ("unchanged", "naive_patch", "compare")


def naive_patch(orig: np.ndarray, target: np.ndarray, *, max_components: int = 5, max_pixels: int = 1254,
                connectivity: int = 8) -> np.ndarray:
    """Paste target rectangles, dropping the last ones until the result fits the budget."""
    for n in range(len(PATCH_RECTS), 0, -1):
        out = orig.copy()
        for x1, y1, x2, y2 in PATCH_RECTS[:n]:
            out[y1:y2, x1:x2] = target[y1:y2, x1:x2]
        if check_budget(perturbation_mask(out, orig), connectivity=connectivity,
                        max_components=max_components, max_pixels=max_pixels).ok:
            return out
    return orig.copy()


def baseline_images(bundle: FaceBundle, kind: str) -> dict[str, np.ndarray]:
    if kind not in KINDS:
        raise ValueError(f"unknown baseline {kind!r}; choose from {', '.join(KINDS)}")
    out = {}
    for pid in bundle.ids:
        orig, target = bundle.read(original_rel(pid)), bundle.read(compare_rel(pid))
        out[pid] = {"unchanged": orig, "compare": target}.get(kind) if kind != "naive_patch" else naive_patch(orig, target)
    return out


def write_submission(images: dict[str, np.ndarray], out_zip: str | Path) -> Path:
    """Zip {pair id: 112x112x3 uint8} as 0001.png.. (deterministic bytes)."""
    from PIL import Image

    p = Path(out_zip)
    p.parent.mkdir(parents=True, exist_ok=True)
    tmp = p.with_suffix(".zip.tmp")
    with zipfile.ZipFile(tmp, "w", zipfile.ZIP_DEFLATED) as zf:
        for pid in sorted(images):
            buf = io.BytesIO()
            Image.fromarray(images[pid], "RGB").save(buf, format="PNG")
            info = zipfile.ZipInfo(f"{pid}.png", date_time=(2022, 1, 1, 0, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            zf.writestr(info, buf.getvalue())
    tmp.replace(p)
    return p


def write_baseline(bundle: FaceBundle, kind: str, out_zip: str | Path) -> Path:
    return write_submission(baseline_images(bundle, kind), out_zip)
