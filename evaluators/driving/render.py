"""Deterministic, anti-aliased rendering of a patch into scene frames.

For each frame: pick a mipmap level of the (texture x mask) from how much the quad shrinks
the texture (2x2 box-filter pyramid, so distant patches do not alias), warp the
premultiplied texture and the mask with the homography that maps the texture's corners to
the quad (bilinear, only inside the quad's bounding box), multiply the colour by the frame's
shading, hide it behind the occluder, and alpha-composite. Same inputs, same bytes.

``render_torch`` is the differentiable twin of this transform.
"""
from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

MARGIN = 2


@dataclass
class Pyramid:
    """Premultiplied (B, G, R, alpha) float32 levels, alpha in 0..1, colour in 0..255."""

    levels: list[np.ndarray]
    size: tuple[int, int]  # full texture (W, H)


def box_down(x: np.ndarray) -> np.ndarray:
    """2x2 box filter; an odd side is padded with one transparent (zero, premultiplied) texel,
    so level k always covers exactly 2**k texels per texel and no row or column is dropped."""
    h, w = -(-x.shape[0] // 2), -(-x.shape[1] // 2)
    if (2 * h, 2 * w) != x.shape[:2]:
        x = np.pad(x, ((0, 2 * h - x.shape[0]), (0, 2 * w - x.shape[1]), (0, 0)))
    return x.reshape(h, 2, w, 2, -1).mean(axis=(1, 3), dtype=np.float32)


def build_pyramid(texture_bgr: np.ndarray, mask: np.ndarray, min_side: int = 8) -> Pyramid:
    """texture HxWx3 uint8 (BGR), mask HxW (0/255 or bool) -> Pyramid."""
    a = (np.asarray(mask) > 0).astype(np.float32)
    lvl = np.dstack([texture_bgr.astype(np.float32) * a[:, :, None], a])
    levels = [lvl]
    while min(lvl.shape[:2]) // 2 >= min_side:
        lvl = box_down(lvl)
        levels.append(lvl)
    return Pyramid(levels, (texture_bgr.shape[1], texture_bgr.shape[0]))


def choose_level(quad: np.ndarray, size: tuple[int, int], n_levels: int) -> int:
    """The mip level whose texel size is closest below the quad's pixel size."""
    x, y = quad[:, 0], quad[:, 1]
    area = 0.5 * abs(np.dot(x, np.roll(y, -1)) - np.dot(y, np.roll(x, -1)))
    ratio = math.sqrt(size[0] * size[1] / max(area, 1e-6))
    return int(min(max(math.floor(math.log2(max(ratio, 1.0))), 0), n_levels - 1))


def level_homography(quad: np.ndarray, size: tuple[int, int], level: int) -> np.ndarray:
    """3x3 matrix from mip ``level`` pixel-centre coords to frame pixel-centre coords (OpenCV
    convention). A texel of level k is exactly 2**k full-resolution texels (``box_down``)."""
    import cv2

    w, h = size
    src = np.array([[0, 0], [w, 0], [w, h], [0, h]], np.float32)
    h_edge = cv2.getPerspectiveTransform(src, np.asarray(quad, np.float32)).astype(np.float64)
    scale = np.diag([2.0 ** level, 2.0 ** level, 1.0])
    to_edge = np.array([[1, 0, 0.5], [0, 1, 0.5], [0, 0, 1]], np.float64)
    from_edge = np.array([[1, 0, -0.5], [0, 1, -0.5], [0, 0, 1]], np.float64)
    return from_edge @ h_edge @ scale @ to_edge


def render_frame(
    frame: np.ndarray,
    pyramid: Pyramid,
    quad: np.ndarray,
    shading: float | np.ndarray = 1.0,
    occluder: np.ndarray | None = None,
) -> np.ndarray:
    """Composite the patch onto a copy of ``frame`` (HxWx3 uint8 BGR)."""
    import cv2

    quad = np.asarray(quad, np.float64)
    fh, fw = frame.shape[:2]
    x0 = max(int(math.floor(quad[:, 0].min() - 0.5)) - MARGIN, 0)
    y0 = max(int(math.floor(quad[:, 1].min() - 0.5)) - MARGIN, 0)
    x1 = min(int(math.ceil(quad[:, 0].max() - 0.5)) + MARGIN + 1, fw)
    y1 = min(int(math.ceil(quad[:, 1].max() - 0.5)) + MARGIN + 1, fh)
    out = frame.copy()
    if x1 <= x0 or y1 <= y0:
        return out
    k = choose_level(quad, pyramid.size, len(pyramid.levels))
    tex = pyramid.levels[k]
    m = level_homography(quad, pyramid.size, k)
    m = np.array([[1, 0, -x0], [0, 1, -y0], [0, 0, 1]], np.float64) @ m
    warped = cv2.warpPerspective(
        tex, m, (x1 - x0, y1 - y0), flags=cv2.INTER_LINEAR, borderMode=cv2.BORDER_CONSTANT, borderValue=0
    )
    colour, alpha = warped[:, :, :3], warped[:, :, 3:]
    if isinstance(shading, np.ndarray):
        colour = colour * shading[y0:y1, x0:x1, None]
    else:
        colour = colour * np.float32(shading)
    if occluder is not None:
        keep = 1.0 - occluder[y0:y1, x0:x1, None].astype(np.float32) / 255.0
        colour, alpha = colour * keep, alpha * keep
    roi = out[y0:y1, x0:x1].astype(np.float32)
    out[y0:y1, x0:x1] = np.clip(np.rint(roi * (1.0 - alpha) + colour), 0, 255).astype(np.uint8)
    return out
