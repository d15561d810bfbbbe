"""Shading, occluder and quiet-zone check of a printed (black and white) marker once its quad
is known.

The expected look of the patch area is the marker texture rendered onto the fitted quad with
the scorer's own renderer. Shading is the median brightness of the pixels that should be
white (white = 255 in the texture, so a factor above 1 cannot be measured). An occluder is
where the frame and the shaded expected texture differ by more than ``contrast`` of the white
level over blobs at least 3 px wide (thin differences along the black/white edges come from
sub-pixel fit error and are dropped).

The quiet zone (the white part of the patch area around the marker) is the only evidence of
where the patch ends beyond the marker, so at least ``min_white`` of its pixels must look
white: otherwise the declared marker geometry (``--marker-corners``) does not match the
recording, or something hides most of the patch's edge, and the frame is refused.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from evaluators.driving.render import build_pyramid, render_frame

SIDES = ("top", "right", "bottom", "left")


@dataclass
class Appearance:
    shading: float
    occluder: np.ndarray | None  # HxW uint8, 255 = occluded
    filled: np.ndarray  # HxW bool: the patch area's pixels
    edge_white: dict  # side name -> share of the quiet zone along the patch edge that looks white


def _fill(quad: np.ndarray, shape: tuple[int, int]) -> np.ndarray:
    import cv2

    m = np.zeros(shape, np.uint8)
    cv2.fillPoly(m, [np.round((np.asarray(quad) - 0.5) * 16).astype(np.int32)], 1, shift=4)
    return m


class TextureAppearance:
    def __init__(self, texture_bgr: np.ndarray, contrast: float = 0.45, min_pixels: int = 12):
        self.pyramid = build_pyramid(texture_bgr, np.ones(texture_bgr.shape[:2], bool))
        self.contrast, self.min_pixels = contrast, min_pixels

    @staticmethod
    def _edge_white(obs, expected, quad, marker_quad, shading, tol: float = 0.25) -> dict:
        """Per side of the patch: the share of quiet-zone samples 1.5-2.5 px inside the edge that look white."""
        import cv2

        fh, fw = obs.shape[:2]
        near_marker = cv2.dilate(_fill(marker_quad, (fh, fw)), np.ones((7, 7), np.uint8)) > 0
        out = {}
        for k, name in enumerate(SIDES):
            a, d = quad[k], quad[(k + 1) % 4] - quad[k]
            length = float(np.hypot(*d))
            inward = np.array([-d[1], d[0]]) / max(length, 1e-9)
            t = np.linspace(0.05, 0.95, max(8, int(length)))[:, None]
            p = np.concatenate([a + t * d + off * inward for off in (1.5, 2.5)])
            x, y = np.floor(p[:, 0]).astype(int), np.floor(p[:, 1]).astype(int)
            ok = (x >= 0) & (x < fw) & (y >= 0) & (y < fh)
            x, y = x[ok], y[ok]
            use = (expected[y, x].max(axis=1) > 250) & ~near_marker[y, x]
            if use.sum() >= 6:
                dev = np.abs(obs[y[use], x[use]] - 255.0 * shading).max(axis=1)  # every channel near white
                out[name] = float((dev < tol * 255.0 * shading).mean())
        return out

    def __call__(self, frame_bgr: np.ndarray, quad: np.ndarray, marker_quad: np.ndarray | None = None) -> Appearance:
        import cv2

        shape = frame_bgr.shape[:2]
        filled = _fill(quad, shape)
        inside = cv2.erode(filled, np.ones((5, 5), np.uint8)) > 0
        expected = render_frame(np.zeros_like(frame_bgr), self.pyramid, quad, 1.0).astype(np.float32)
        white = inside & (cv2.erode((expected.max(axis=2) > 250).astype(np.uint8), np.ones((3, 3), np.uint8)) > 0)
        obs = frame_bgr.astype(np.float32)
        if white.sum() < 10:
            return Appearance(1.0, None, filled > 0, {})
        shading = float(np.median(obs[white].max(axis=1)) / 255.0)
        edge_white = self._edge_white(obs, expected, quad, marker_quad, shading) if marker_quad is not None else {}
        diff = np.abs(obs - expected * shading).max(axis=2)
        bad = (inside & (diff > self.contrast * 255.0 * max(shading, 0.05))).astype(np.uint8)
        bad = cv2.morphologyEx(bad, cv2.MORPH_OPEN, np.ones((3, 3), np.uint8))
        if int(bad.sum()) < self.min_pixels:
            return Appearance(shading, None, filled > 0, edge_white)
        occ = cv2.dilate(bad, np.ones((3, 3), np.uint8)) & filled
        return Appearance(shading, occ * 255, filled > 0, edge_white)


def check_quiet_zone(app: Appearance, min_white: float = 0.8) -> str | None:
    bad = {k: v for k, v in app.edge_white.items() if v < min_white}
    if not bad:
        return None
    sides = ", ".join(f"{k} {100 * v:.0f}%" for k, v in bad.items())
    return (f"the white quiet zone along the patch's edge does not look white ({sides}; need "
            f"{100 * min_white:.0f}%): the edge is hidden, or --marker-corners do not match the printed texture")
