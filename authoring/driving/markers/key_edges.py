"""Sub-pixel sides of a key-colour marker from intensity profiles across its edges.

The mask outline the key-colour fit starts from is quantised to whole pixels and frays under
noise, blur and JPEG chroma subsampling. Here each side is re-measured on a measure linear in
the pixel colour (its component along the key's chroma direction), so an anti-aliased or
blurred edge pixel sits between the marker's and the background's levels in proportion to
coverage: along normals across the side, the edge is where the profile crosses halfway
between its inside and outside levels. A line is fitted through those crossings (one pass
of outlier rejection, for occluders across a side) and neighbouring lines are intersected.
"""
from __future__ import annotations

import numpy as np

from .fit import corners_from_lines

STEPS = np.arange(-5.0, 5.01, 0.25)  # px along the outward normal
MAX_MOVE = 3.0  # px: a refined corner further than this from the outline fit is not trusted


def chroma_map(frame_bgr: np.ndarray, key_rgb) -> np.ndarray:
    key = np.asarray(key_rgb[::-1], np.float32)  # BGR
    u = key - key.mean()
    norm = float(np.linalg.norm(u))
    if norm < 1e-6:
        raise ValueError(f"key colour {tuple(key_rgb)} is grey; choose a saturated colour")
    return frame_bgr.astype(np.float32) @ (u / norm)


def _crossings(chroma: np.ndarray, a: np.ndarray, b: np.ndarray, min_contrast: float):
    """Per normal profile across side a->b (middle 70%): the signed offset of the halfway
    crossing nearest the side (nan where the profile has no contrast or no crossing), the
    profiles' base points on the side and the outward normal."""
    import cv2

    d = b - a
    length = float(np.hypot(*d))
    d = d / max(length, 1e-9)
    n = np.array([d[1], -d[0]])  # outward for a clockwise quad in image coordinates
    t = np.linspace(0.15, 0.85, max(8, int(0.7 * length)))
    base = a + np.outer(t * length, d)
    xy = (base[:, None, :] + STEPS[None, :, None] * n - 0.5).astype(np.float32)  # pixel-centre coordinates
    prof = cv2.remap(chroma, xy[..., 0], xy[..., 1], cv2.INTER_LINEAR, borderMode=cv2.BORDER_REPLICATE)
    inside = np.median(prof[:, STEPS <= -3], axis=1)
    outside = np.median(prof[:, STEPS >= 3], axis=1)
    offsets = np.full(len(t), np.nan)
    for i in np.flatnonzero(inside - outside > min_contrast):
        f = (prof[i] - (inside[i] + outside[i]) / 2) / (inside[i] - outside[i])  # > 0 inside, < 0 outside
        cross = np.flatnonzero((f[:-1] > 0) & (f[1:] <= 0))
        if len(cross):
            j = cross[np.argmin(np.abs(STEPS[cross]))]
            offsets[i] = STEPS[j] + (STEPS[j + 1] - STEPS[j]) * f[j] / (f[j] - f[j + 1])
    return offsets, base, n


def _side_line(chroma: np.ndarray, a: np.ndarray, b: np.ndarray, min_contrast: float):
    if float(np.hypot(*(b - a))) < 8:
        return None
    offsets, base, n = _crossings(chroma, a, b, min_contrast)
    ok = np.isfinite(offsets)
    if ok.sum() < 5:
        return None
    p = base[ok] + offsets[ok, None] * n
    for _ in range(2):
        mean = p.mean(0)
        direction = np.linalg.svd(p - mean)[2][0]
        normal = np.array([-direction[1], direction[0]])
        resid = np.abs((p - mean) @ normal)
        keep = resid < max(0.7, 2.5 * float(np.median(resid)))
        if keep.sum() < 5:
            return None
        p = p[keep]
    mean = p.mean(0)
    return mean, np.linalg.svd(p - mean)[2][0]


def side_support(frame_bgr: np.ndarray, quad: np.ndarray, key_rgb, key_level: float) -> list[float]:
    """Per side (top, right, bottom, left): the share of profiles across it whose key-colour
    edge lies within 1.5 px of the side. A correct fit scores near 1 except where something
    stands across the side; a quad bent towards another key-coloured object scores low."""
    chroma = chroma_map(frame_bgr, key_rgb)
    out = []
    for k in range(4):
        offsets, _, _ = _crossings(chroma, quad[k], quad[(k + 1) % 4], 0.25 * key_level)
        out.append(float(np.mean(np.abs(np.nan_to_num(offsets, nan=99.0)) <= 1.5)))
    return out


def refine_key_quad(frame_bgr: np.ndarray, quad: np.ndarray, key_rgb, key_level: float) -> np.ndarray:
    """``quad`` (TL, TR, BR, BL, clockwise) with its sides re-measured; sides that cannot be
    measured keep the outline fit, and the whole refinement is dropped if a corner moves
    more than MAX_MOVE."""
    chroma = chroma_map(frame_bgr, key_rgb)
    lines = []
    for k in range(4):
        line = _side_line(chroma, quad[k], quad[(k + 1) % 4], 0.25 * key_level)
        if line is None:
            a, b = quad[k], quad[(k + 1) % 4]
            line = (a, (b - a) / max(float(np.hypot(*(b - a))), 1e-9))
        lines.append(line)
    out = corners_from_lines(lines)
    if out is None:
        return quad
    return out if np.linalg.norm(out - quad, axis=1).max() <= MAX_MOVE else quad
