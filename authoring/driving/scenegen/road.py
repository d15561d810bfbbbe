"""Procedural road backgrounds seen from an ego car (pinhole camera over a flat ground).

A world point (x lateral m, y up m, z ahead m) projects to u = cx + f x / z,
v = horizon - f (y - cam_h) / z. Everything is drawn with OpenCV polygons, so a frame
costs a few milliseconds, and the same parameters give the same pixels.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

W, H = 640, 360
CAM_H = 1.4


@dataclass
class RoadLook:
    focal: float
    horizon: float
    sky_top: tuple[int, int, int]
    sky_bottom: tuple[int, int, int]
    ground: tuple[int, int, int]
    asphalt: tuple[int, int, int]
    lane_half: float  # half road width, metres
    dash: tuple[float, float]  # dash length, gap (m)
    kerb: tuple[int, int, int]
    buildings: list[tuple[float, float, float, float, tuple[int, int, int]]] = field(default_factory=list)
    trees: list[tuple[float, float, float]] = field(default_factory=list)
    light: float = 1.0
    tint: tuple[float, float, float] = (1.0, 1.0, 1.0)
    noise: float = 2.0


def random_look(rng: np.random.Generator) -> RoadLook:
    day = rng.uniform()
    sky = np.array([235, 200, 150]) * (0.6 + 0.4 * day) if day > 0.25 else np.array([120, 110, 140])
    look = RoadLook(
        focal=float(rng.uniform(480, 560)),
        horizon=float(rng.uniform(0.40, 0.47) * H),
        sky_top=tuple(int(c) for c in np.clip(sky * rng.uniform(0.8, 1.0, 3), 0, 255)),
        sky_bottom=tuple(int(c) for c in np.clip(sky * 1.1 + 20, 0, 255)),
        ground=tuple(int(c) for c in rng.choice([[60, 120, 70], [90, 140, 150], [120, 120, 120], [70, 100, 110]]) * rng.uniform(0.8, 1.1)),
        asphalt=tuple(int(c) for c in np.full(3, rng.uniform(70, 120)) + rng.uniform(-6, 6, 3)),
        lane_half=float(rng.uniform(3.0, 5.5)),
        dash=(float(rng.uniform(2, 4)), float(rng.uniform(4, 8))),
        kerb=tuple(int(c) for c in rng.choice([[200, 200, 200], [150, 150, 160], [60, 60, 200]])),
        light=float(rng.uniform(0.55, 1.2)),
        tint=tuple(float(t) for t in rng.uniform(0.88, 1.08, 3)),
        noise=float(rng.uniform(1.0, 4.0)),
    )
    z = 5.0
    while z < 400:
        side = 1 if rng.uniform() < 0.5 else -1
        depth = rng.uniform(8, 25)
        if rng.uniform() < 0.6:
            x = side * (look.lane_half + rng.uniform(3, 10))
            col = tuple(int(c) for c in rng.uniform(60, 220, 3))
            look.buildings.append((x, z, z + depth, rng.uniform(5, 20), col))
        else:
            look.trees.append((side * (look.lane_half + rng.uniform(1.5, 6)), z, rng.uniform(3, 7)))
        z += depth + rng.uniform(0, 10)
    return look


def project(look: RoadLook, x, y, z) -> np.ndarray:
    z = np.maximum(np.asarray(z, np.float64), 0.5)
    return np.stack([W / 2 + look.focal * np.asarray(x) / z, look.horizon - look.focal * (np.asarray(y) - CAM_H) / z], -1)


def _poly(img, pts, color) -> None:
    import cv2

    cv2.fillPoly(img, [np.round(np.asarray(pts) * 16).astype(np.int32)], color, lineType=cv2.LINE_AA, shift=4)


def draw_road(look: RoadLook, ego_z: float, shake: float = 0.0) -> np.ndarray:
    """The background at ego position ego_z (metres travelled)."""
    hz = look.horizon + shake
    img = np.empty((H, W, 3), np.uint8)
    t = np.clip(np.arange(H) / max(hz, 1), 0, 1)[:, None]
    img[:] = (np.array(look.sky_top) * (1 - t) + np.array(look.sky_bottom) * t)[:, None, :].astype(np.uint8)
    img[int(hz):] = look.ground
    look_h = RoadLook(**{**look.__dict__, "horizon": hz})
    far, near = 600.0, 0.8
    lh = look.lane_half
    _poly(img, project(look_h, [-lh - 0.4, lh + 0.4, lh + 0.4, -lh - 0.4], [0] * 4, [far, far, near, near]), look.kerb)
    _poly(img, project(look_h, [-lh, lh, lh, -lh], [0] * 4, [far, far, near, near]), look.asphalt)
    dash, gap = look.dash
    period = dash + gap
    start = -((ego_z) % period)
    for z0 in np.arange(start, 120, period):
        a, b = max(z0, near), z0 + dash
        if b <= near:
            continue
        _poly(img, project(look_h, [-0.08, 0.08, 0.08, -0.08], [0] * 4, [b, b, a, a]), (230, 230, 230))
    for x, z0, z1, height, col in sorted(look.buildings, key=lambda b: -b[2]):
        a, b = z0 - ego_z, z1 - ego_z
        if b < near or a > 400:
            continue
        a = max(a, near)
        face = project(look_h, [x, x, x, x], [0, height, height, 0], [a, a, b, b])
        _poly(img, face, col)
        for wy in np.arange(2.0, height - 1, 3.0):
            win = project(look_h, [x] * 4, [wy, wy + 1.2, wy + 1.2, wy], [a + 1, a + 1, min(b - 1, a + 3), min(b - 1, a + 3)])
            _poly(img, win, tuple(int(c * 0.5) for c in col))
    for x, z0, height in sorted(look.trees, key=lambda t: -t[1]):
        zz = z0 - ego_z
        if zz < near or zz > 300:
            continue
        trunk = project(look_h, [x - 0.15, x + 0.15, x + 0.15, x - 0.15], [0, 0, height * 0.5, height * 0.5], [zz] * 4)
        _poly(img, trunk, (40, 60, 90))
        import cv2

        c = project(look_h, x, height * 0.7, zz)
        r = max(1, int(look.focal * height * 0.3 / zz))
        cv2.circle(img, (int(c[0]), int(c[1])), r, (40, 110, 50), -1, lineType=cv2.LINE_AA)
    return img


def finish_light(img: np.ndarray, look: RoadLook, rng: np.random.Generator) -> np.ndarray:
    """Global lighting, colour tint and sensor noise (applied after compositing the target)."""
    f = (np.array(look.tint) * look.light).astype(np.float32)
    bank = _noise_bank(look.noise, img.shape)
    noise = bank[int(rng.integers(len(bank)))]
    out = img.astype(np.float32) * f + noise
    return np.clip(np.round(out), 0, 255).astype(np.uint8)


_BANKS: dict = {}


def _noise_bank(sigma: float, shape: tuple[int, ...]) -> np.ndarray:
    """A few fixed sensor-noise fields per noise level (drawing fresh noise per frame is slow)."""
    key = (round(sigma, 3), shape)
    if key not in _BANKS:
        g = np.random.default_rng(int(sigma * 1000))
        _BANKS.clear()
        _BANKS[key] = (g.standard_normal((6, *shape), dtype=np.float32) * sigma)
    return _BANKS[key]
