"""Base face images for the offline demo data, from photos shipped inside installed packages
(DESIGN.md section 7): scikit-image's astronaut, matplotlib's grace_hopper, ultralytics'
zidane and bus. Faces are found with dlib's HOG frontal-face detector (built into dlib, no
model download), then cropped with random jitter, scale, flip, rotation and colour changes.
"""
from __future__ import annotations

import os
from functools import lru_cache

import numpy as np
from PIL import Image

from ..common.errors import BundleError


def _photos() -> dict[str, np.ndarray]:
    import matplotlib.cbook
    import skimage.data
    import ultralytics

    assets = os.path.join(os.path.dirname(ultralytics.__file__), "assets")
    out = {"astronaut": skimage.data.astronaut()}
    out["grace_hopper"] = np.asarray(
        Image.open(matplotlib.cbook.get_sample_data("grace_hopper.jpg", asfileobj=False)).convert("RGB"))
    for name in ("zidane", "bus"):
        out[name] = np.asarray(Image.open(os.path.join(assets, f"{name}.jpg")).convert("RGB"))
    return out


@lru_cache(maxsize=1)
def face_sources() -> tuple[tuple[str, np.ndarray, tuple[int, int, int, int]], ...]:
    """(photo name, photo, face box l,t,r,b) for every detected face of at least 40 px."""
    import dlib

    detector = dlib.get_frontal_face_detector()
    faces = []
    for name, img in _photos().items():
        for r in detector(img, 1):
            box = (r.left(), r.top(), r.right(), r.bottom())
            if min(box[2] - box[0], box[3] - box[1]) >= 40:
                faces.append((name, img, box))
    if len(faces) < 3:
        raise BundleError(f"found only {len(faces)} faces in the packaged photos; need at least 3")
    return tuple(faces)


def random_face(rng: np.random.Generator, size: int) -> np.ndarray:
    """One augmented size x size RGB face crop (uint8)."""
    faces = face_sources()
    _name, img, (l, t, r, b) = faces[rng.integers(len(faces))]
    cx, cy = (l + r) / 2, (t + b) / 2
    half = max(r - l, b - t) * rng.uniform(0.6, 0.95)
    cx += rng.uniform(-0.15, 0.15) * half
    cy += rng.uniform(-0.15, 0.15) * half
    box = (int(cx - half), int(cy - half), int(cx + half), int(cy + half))
    crop = Image.fromarray(img).crop(box)
    crop = crop.rotate(float(rng.uniform(-12, 12)), resample=Image.BILINEAR)
    crop = crop.resize((size, size), Image.LANCZOS)
    arr = np.asarray(crop).astype(np.float32)
    if rng.random() < 0.5:
        arr = arr[:, ::-1]
    gain = rng.uniform(0.8, 1.2, size=3) * rng.uniform(0.85, 1.15)
    gamma = rng.uniform(0.8, 1.25)
    arr = 255.0 * np.clip(arr * gain / 255.0, 0, 1) ** gamma
    return np.clip(np.rint(arr), 0, 255).astype(np.uint8)
