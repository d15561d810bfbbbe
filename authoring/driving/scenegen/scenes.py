"""One demo scene: the ego car approaches a stopping truck or a standing mannequin.

Per frame the generator knows exactly where the target and its patch area are, so it
writes the frame, the patch quad, the target box and the patch shading (the frame's
lighting) without any estimation.
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np

from .road import CAM_H, H, W, draw_road, finish_light, random_look
from .sprites import Sprite, load_sprites


@dataclass
class SceneFrames:
    frames: list[str]
    quads: np.ndarray
    boxes: list[list[float]]
    shading: list[float]
    label: str


def _smooth(t: np.ndarray) -> np.ndarray:
    return t * t * (3 - 2 * t)


def _target_quad(u: float, vb: float, h: float, w: float, k: float, flip: bool) -> np.ndarray:
    """Image corners of the sprite rectangle: left edge height h, right edge h*k (yaw)."""
    hl, hr = (h * k, h) if flip else (h, h * k)
    return np.array([[u - w / 2, vb - hl], [u + w / 2, vb - hr], [u + w / 2, vb], [u - w / 2, vb]], np.float64)


def _composite(img: np.ndarray, sprite: Sprite, corners: np.ndarray, flip: bool) -> tuple[np.ndarray, list[float]]:
    """Warp the sprite onto its image corners; return (sprite->image homography, box)."""
    import cv2

    rgba = sprite.rgba[:, ::-1] if flip else sprite.rgba
    target_w = max(2, int(np.ptp(corners[:, 0])))
    scale = min(1.0, target_w / rgba.shape[1])
    if scale < 1.0:
        rgba = cv2.resize(rgba, (max(2, int(rgba.shape[1] * scale)), max(2, int(rgba.shape[0] * scale))), interpolation=cv2.INTER_AREA)
    sh, sw = rgba.shape[:2]
    src = np.array([[0, 0], [sw, 0], [sw, sh], [0, sh]], np.float32)
    hom = cv2.getPerspectiveTransform(src, corners.astype(np.float32))
    x0, y0 = np.floor(corners.min(0)).astype(int) - 1
    x1, y1 = np.ceil(corners.max(0)).astype(int) + 1
    x0, y0, x1, y1 = max(x0, 0), max(y0, 0), min(x1, W), min(y1, H)
    shift = np.array([[1, 0, -x0], [0, 1, -y0], [0, 0, 1]], np.float64)
    warped = cv2.warpPerspective(rgba, shift @ hom, (x1 - x0, y1 - y0), flags=cv2.INTER_LINEAR, borderValue=0)
    a = warped[:, :, 3:].astype(np.float32) / 255
    roi = img[y0:y1, x0:x1]
    roi[:] = np.round(roi * (1 - a) + warped[:, :, :3] * a).astype(np.uint8)
    ys, xs = np.nonzero(warped[:, :, 3] > 96)
    box = [float(xs.min() + x0), float(ys.min() + y0), float(xs.max() + x0 + 1), float(ys.max() + y0 + 1)] if len(xs) else None
    # sprite-pixel coords of the unflipped sprite -> image
    unflip = np.array([[-1, 0, sprite.rgba.shape[1]], [0, 1, 0], [0, 0, 1]], np.float64) if flip else np.eye(3)
    to_small = np.diag([sw / sprite.rgba.shape[1], sh / sprite.rgba.shape[0], 1.0])
    return hom @ to_small @ unflip, box


def render_scene(kind: str, seed: int, n_frames: int, out_dir: Path, *, quality: int = 92) -> SceneFrames:
    import cv2

    rng = np.random.default_rng(seed)
    look = random_look(rng)
    sprite = load_sprites(kind)[int(rng.integers(len(load_sprites(kind))))]
    flip = bool(rng.uniform() < 0.5)
    yaw_k = float(rng.uniform(0.85, 1.0))
    aspect = sprite.rgba.shape[1] / sprite.rgba.shape[0]
    hm = sprite.spec.height_m
    # start and end distances chosen by the target's height in pixels (far: 48-80 px)
    h0, h1 = rng.uniform(48, 80), rng.uniform(120, 175)
    gap0, gap1 = look.focal * hm / h0, look.focal * hm / h1
    if kind == "truck":
        x = float(rng.uniform(-1.0, 1.0))
    else:
        x = float(rng.choice([-1, 1]) * rng.uniform(0.3, 1.8))
    speed = float(rng.uniform(6, 12)) / 24.0
    t = np.linspace(0, 1, n_frames)
    gaps = gap1 + (gap0 - gap1) * (1 - _smooth(t))
    flicker = 1 + 0.04 * np.sin(2 * np.pi * t * rng.uniform(0.5, 2) + rng.uniform(0, 6))
    frames_dir = out_dir / "frames"
    frames_dir.mkdir(parents=True, exist_ok=True)
    names, quads, boxes, shading = [], [], [], []
    noise_rng = np.random.default_rng(seed + 7919)
    for i, gap in enumerate(gaps):
        shake = float(0.8 * np.sin(i * 1.7) + noise_rng.normal(0, 0.3))
        img = draw_road(look, speed * i * (1.5 if kind == "mannequin" else 1.0), shake)
        f = look.focal
        h_px = f * hm / gap
        w_px = h_px * aspect
        u = W / 2 + f * x / gap
        vb = look.horizon + shake + f * CAM_H / gap
        import cv2 as _cv

        _cv.ellipse(img, (int(u), int(vb)), (int(w_px * 0.55), max(1, int(h_px * 0.05))), 0, 0, 360, (35, 35, 35), -1, lineType=_cv.LINE_AA)
        hom, box = _composite(img, sprite, _target_quad(u, vb, h_px, w_px, yaw_k, flip), flip)
        quad = cv2.perspectiveTransform(sprite.patch_px[None].astype(np.float64), hom)[0]
        if flip:  # keep the texture unmirrored: TL is the left-top corner in the image
            quad = quad[[1, 0, 3, 2]]
        lit = look.light * flicker[i]
        img = finish_light(img, RoadLookLight(look, lit), noise_rng)
        name = f"frames/{i:06d}.jpg"
        cv2.imwrite(str(out_dir / name), img, [cv2.IMWRITE_JPEG_QUALITY, quality])
        names.append(name)
        quads.append(quad)
        boxes.append(box)
        shading.append(round(float(lit * np.mean(look.tint)), 4))
    return SceneFrames(names, np.array(quads), boxes, shading, sprite.spec.label)


def RoadLookLight(look, light: float):
    from dataclasses import replace

    return replace(look, light=light)
