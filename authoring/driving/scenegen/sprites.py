"""Target sprites cut from real photos that ship in packages.

- ``bus.jpg`` (ultralytics wheel): a bus and standing people.
- ``dog.jpg`` (Debian darknet data): a white pickup truck parked in the street.
- ``person.jpg`` (Debian darknet data): a standing person in a blue jacket.

Each sprite is the photo's object box (as found by a COCO detector), segmented from its
background with GrabCut (deterministic), plus the patch area on the object in box-relative
coordinates (TL, TR, BR, BL) and the object's real height in metres for the projection.
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np

from authoring.settings import authoring_settings

REPO = Path(__file__).resolve().parents[3]


@dataclass(frozen=True)
class SpriteSpec:
    name: str
    photo: str  # "ultralytics:bus.jpg" or "darknet:dog.jpg"
    box: tuple[int, int, int, int]
    label: str  # COCO class name
    kind: str  # scene kind it serves
    height_m: float
    patch: tuple[tuple[float, float], ...]  # patch quad in box-relative coords


SPRITES = (
    SpriteSpec("pickup", "darknet:dog.jpg", (462, 74, 696, 175), "truck", "truck", 1.9,
               ((0.30, 0.38), (0.74, 0.38), (0.74, 0.66), (0.30, 0.66))),
    SpriteSpec("bus", "ultralytics:bus.jpg", (13, 228, 805, 740), "bus", "truck", 3.1,
               ((0.42, 0.30), (0.96, 0.27), (0.96, 0.62), (0.42, 0.64))),
    SpriteSpec("walker", "darknet:person.jpg", (184, 92, 282, 378), "person", "mannequin", 1.75,
               ((0.18, 0.22), (0.82, 0.22), (0.82, 0.44), (0.18, 0.44))),
    SpriteSpec("coat", "ultralytics:bus.jpg", (46, 390, 218, 902), "person", "mannequin", 1.8,
               ((0.22, 0.22), (0.80, 0.22), (0.80, 0.45), (0.22, 0.45))),
    SpriteSpec("shades", "ultralytics:bus.jpg", (215, 399, 351, 859), "person", "mannequin", 1.75,
               ((0.22, 0.20), (0.80, 0.20), (0.80, 0.42), (0.22, 0.42))),
)


def photo_path(ref: str) -> Path:
    source, name = ref.split(":", 1)
    if source == "ultralytics":
        import importlib.util

        spec = importlib.util.find_spec("ultralytics")  # located without importing it
        return Path(spec.submodule_search_locations[0]) / "assets" / name
    base = authoring_settings().darknet_dir()
    p = base / name
    if not p.is_file():
        raise FileNotFoundError(
            f"{p} is missing: run scripts/setup.d/driving.sh (it extracts Debian's darknet photos)"
        )
    return p


@dataclass
class Sprite:
    spec: SpriteSpec
    rgba: np.ndarray  # HxWx4 uint8, BGR + alpha

    @property
    def patch_px(self) -> np.ndarray:
        h, w = self.rgba.shape[:2]
        return np.array(self.spec.patch, np.float64) * [w, h]


def cut_sprite(spec: SpriteSpec) -> Sprite:
    import cv2

    img = cv2.imread(str(photo_path(spec.photo)), cv2.IMREAD_COLOR)
    x0, y0, x1, y1 = spec.box
    pad = 12
    X0, Y0 = max(0, x0 - pad), max(0, y0 - pad)
    X1, Y1 = min(img.shape[1], x1 + pad), min(img.shape[0], y1 + pad)
    crop = np.ascontiguousarray(img[Y0:Y1, X0:X1])
    mask = np.zeros(crop.shape[:2], np.uint8)
    bgd, fgd = np.zeros((1, 65), np.float64), np.zeros((1, 65), np.float64)
    cv2.setRNGSeed(1234)
    cv2.grabCut(crop, mask, (x0 - X0, y0 - Y0, x1 - x0, y1 - y0), bgd, fgd, 4, cv2.GC_INIT_WITH_RECT)
    fg = np.isin(mask, (cv2.GC_FGD, cv2.GC_PR_FGD)).astype(np.uint8) * 255
    fg = cv2.morphologyEx(fg, cv2.MORPH_OPEN, np.ones((3, 3), np.uint8))
    fg = cv2.GaussianBlur(fg, (3, 3), 0)
    rgba = np.dstack([crop, fg])[y0 - Y0 : y1 - Y0, x0 - X0 : x1 - X0]
    return Sprite(spec, np.ascontiguousarray(rgba))


_CACHE: dict[str, Sprite] = {}


def load_sprites(kind: str | None = None) -> list[Sprite]:
    out = []
    for spec in SPRITES:
        if kind and spec.kind != kind:
            continue
        if spec.name not in _CACHE:
            _CACHE[spec.name] = cut_sprite(spec)
        out.append(_CACHE[spec.name])
    return out
