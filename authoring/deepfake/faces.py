"""Base face images for the offline demo data, from photos shipped inside installed packages
(DESIGN.md section 7): scikit-image's astronaut, matplotlib's grace_hopper, ultralytics'
zidane and bus. Faces are found with dlib's HOG frontal-face detector (built into dlib, no
model download), then cropped with random jitter, scale, flip, rotation and colour changes.
"""
from __future__ import annotations

import hashlib
import importlib.util
import json
from functools import lru_cache
from pathlib import Path

import numpy as np
from PIL import Image

from evaluators.common.errors import BundleError

PHOTOS = {  # package -> file inside it (found without importing the package: imports are slow)
    "astronaut": ("skimage", "data/astronaut.png"),
    "grace_hopper": ("matplotlib", "mpl-data/sample_data/grace_hopper.jpg"),
    "zidane": ("ultralytics", "assets/zidane.jpg"),
    "bus": ("ultralytics", "assets/bus.jpg"),
}


def _package_file(package: str, rel: str) -> Path:
    spec = importlib.util.find_spec(package)
    if spec is None or not spec.submodule_search_locations:
        raise BundleError(f"package {package} is not installed; it ships a base photo ({rel})")
    path = Path(list(spec.submodule_search_locations)[0]) / rel
    if not path.is_file():
        raise BundleError(f"{path} is missing from the installed {package} package")
    return path


def _photos() -> dict[str, np.ndarray]:
    return {name: np.asarray(Image.open(_package_file(*where)).convert("RGB")) for name, where in PHOTOS.items()}


CACHE = Path(__file__).resolve().parents[2] / "var" / "cache" / "deepfake_face_boxes.json"


def _detect(photos: dict[str, np.ndarray]) -> dict[str, list[list[int]]]:
    """Face boxes per photo, cached in var/ (keyed by pixel hash): detection takes seconds."""
    key = hashlib.sha256(b"".join(hashlib.sha256(p.tobytes()).digest() for p in photos.values())).hexdigest()
    try:
        cached = json.loads(CACHE.read_text())
        if cached.get("key") == key:
            return cached["boxes"]
    except (OSError, ValueError):
        pass
    import dlib

    detector = dlib.get_frontal_face_detector()
    boxes = {name: [[r.left(), r.top(), r.right(), r.bottom()] for r in detector(img, 1)]
             for name, img in photos.items()}
    try:
        CACHE.parent.mkdir(parents=True, exist_ok=True)
        CACHE.write_text(json.dumps({"key": key, "boxes": boxes}))
    except OSError:
        pass
    return boxes


@lru_cache(maxsize=1)
def face_sources() -> tuple[tuple[str, np.ndarray, tuple[int, int, int, int]], ...]:
    """(photo name, photo, face box l,t,r,b) for every detected face of at least 40 px."""
    photos = _photos()
    faces = []
    for name, boxes in _detect(photos).items():
        for box in boxes:
            if min(box[2] - box[0], box[3] - box[1]) >= 40:
                faces.append((name, photos[name], tuple(box)))
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
