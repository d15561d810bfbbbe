"""Recover the patch quad from frames in which the target surface shows a flat key-colour
marker (e.g. CARLA rendered once with a magenta texture on the truck's rear).

Per frame: segment pixels whose hue is close to the key's and that are saturated (so the
detection survives lighting changes), keep the largest region, approximate its outline by
four corners, refit each side as a line through the outline points of its middle part and
intersect neighbouring sides, then re-measure each side to sub-pixel accuracy from colour
profiles across it (markers_key_edges.py). Also reports the marker's shading (its
brightness relative to the key colour) and an occluder mask (non-marker pixels inside the
quad). Corners come back as TL, TR, BR, BL in the bundle's pixel-edge convention; a solid
colour carries no orientation, so ``marker_fit.order_solid`` decides which corner is the
patch's top-left (long sides are top and bottom, top is the higher one). A marker that
touches the frame edge (partly out of view) is a miss, never a clipped quad.
"""
from __future__ import annotations

import numpy as np

from .fit import MarkerFit, Miss, corners_from_lines, order_solid, quad_problem
from .key_edges import refine_key_quad, side_support

SIDES = ("top", "right", "bottom", "left")
MIN_SIDE_SUPPORT = 0.8  # share of each side's edge profiles that must lie on the fitted side

MAGENTA = (255, 0, 255)  # RGB
__all__ = ["MAGENTA", "MarkerFit", "Miss", "fit_marker", "key_mask"]


def key_mask(frame_bgr: np.ndarray, key_rgb=MAGENTA, hue_tol: float = 12, min_sat: float = 0.45) -> np.ndarray:
    import cv2

    hsv = cv2.cvtColor(frame_bgr, cv2.COLOR_BGR2HSV_FULL).astype(np.float32)
    key = cv2.cvtColor(np.uint8([[key_rgb[::-1]]]), cv2.COLOR_BGR2HSV_FULL)[0, 0].astype(np.float32)
    dh = np.abs(hsv[:, :, 0] - key[0])
    dh = np.minimum(dh, 256 - dh) * 360 / 256
    return (dh <= hue_tol) & (hsv[:, :, 1] >= min_sat * 255) & (hsv[:, :, 2] >= 40)


def _order(c: np.ndarray) -> np.ndarray:
    centre = c.mean(0)
    ang = np.arctan2(c[:, 1] - centre[1], c[:, 0] - centre[0])
    c = c[np.argsort(ang)]  # clockwise in image coordinates, starting near -pi (left)
    start = int(np.argmin(c[:, 0] + c[:, 1]))
    return np.roll(c, -start, axis=0)


def _four_corners(contour: np.ndarray) -> np.ndarray:
    import cv2

    peri = cv2.arcLength(contour, True)
    for eps in np.linspace(0.01, 0.1, 19):
        approx = cv2.approxPolyDP(contour, eps * peri, True)
        if len(approx) == 4:
            return approx[:, 0, :].astype(np.float64)
    rect = cv2.minAreaRect(contour)
    return cv2.boxPoints(rect).astype(np.float64)


def _refine(corners: np.ndarray, pts: np.ndarray) -> np.ndarray:
    """Fit a line to the outline points near each side's middle; intersect neighbours."""
    lines = []
    for k in range(4):
        a, b = corners[k], corners[(k + 1) % 4]
        d = b - a
        L = np.linalg.norm(d)
        if L < 4:
            return corners
        t = ((pts - a) @ d) / (L * L)
        dist = np.abs((pts - a) @ np.array([-d[1], d[0]]) / L)
        sel = pts[(t > 0.15) & (t < 0.85) & (dist < 3)]
        if len(sel) < 3:
            return corners
        mean = sel.mean(0)
        _, _, vt = np.linalg.svd(sel - mean)
        direction = vt[0]
        normal = np.array([-direction[1], direction[0]])
        # push the line half a pixel outwards: outline points are boundary pixel centres
        centre = corners.mean(0)
        if (mean - centre) @ normal < 0:
            normal = -normal
        lines.append((mean + 0.5 * normal, direction))
    out = corners_from_lines(lines)
    return corners if out is None else out


def fit_marker(
    frame_bgr: np.ndarray, key_rgb=MAGENTA, min_area: int = 30, prev: np.ndarray | None = None
) -> MarkerFit | Miss:
    """The patch quad in one frame, or a Miss saying why there is none.

    ``prev``: the quad of the previous kept frame (decides the corner order when the
    marker's sides are too alike to tell its top edge).
    """
    import cv2

    m = key_mask(frame_bgr, key_rgb).astype(np.uint8)
    n, labels, stats, _ = cv2.connectedComponentsWithStats(m, connectivity=8)
    if n <= 1:
        return Miss(f"no pixels of the key colour {tuple(key_rgb)}")
    areas = stats[1:, cv2.CC_STAT_AREA]
    if areas.max() < min_area:
        return Miss(f"the largest key-colour region has {int(areas.max())} px, under the {min_area} px minimum")
    # an occluder can split the marker: try every sizeable piece together, then (in case a
    # piece is another key-coloured object) the largest alone
    pieces = 1 + np.flatnonzero(areas >= max(min_area / 3, 0.1 * areas.max()))
    candidates = [pieces] if len(pieces) == 1 else [pieces, [1 + int(np.argmax(areas))]]
    first = None
    for keep in candidates:
        fit = _fit_region(frame_bgr, np.isin(labels, keep).astype(np.uint8), key_rgb, min_area, prev)
        if isinstance(fit, MarkerFit):
            return fit
        first = first or fit
    return first


def _fit_region(frame_bgr, region, key_rgb, min_area, prev) -> MarkerFit | Miss:
    import cv2

    fh, fw = region.shape
    if region[0].any() or region[-1].any() or region[:, 0].any() or region[:, fw - 1].any():
        return Miss("the key-colour marker touches the frame edge (partly out of view)")
    contours, _ = cv2.findContours(region, cv2.RETR_EXTERNAL, cv2.CHAIN_APPROX_NONE)
    pts = np.concatenate([c[:, 0, :] for c in contours])
    hull = cv2.convexHull(pts.astype(np.int32))
    corners = _four_corners(hull)
    hull_pts = pts.astype(np.float64)
    # pixel centres sit at +0.5 in the bundle's edge convention
    quad = order_solid(_order(_refine(corners + 0.5, hull_pts + 0.5)), prev)
    if isinstance(quad, Miss):
        return quad
    v = frame_bgr[region > 0].max(axis=1).astype(np.float64)
    shading = float(np.median(v) / max(key_rgb))
    key_level = shading * float(np.linalg.norm(np.asarray(key_rgb, np.float64) - np.mean(key_rgb)))
    quad = refine_key_quad(frame_bgr, quad, key_rgb, key_level)
    problem = quad_problem(quad, min_area)
    if problem:
        return Miss(problem)
    support = side_support(frame_bgr, quad, key_rgb, key_level)
    weak = [f"{name} {100 * v:.0f}%" for name, v in zip(SIDES, support) if v < MIN_SIDE_SUPPORT]
    if weak:
        return Miss(f"the key-colour outline is not a quadrilateral: too little of its edge lies on the fitted "
                    f"side(s) ({', '.join(weak)}; need {100 * MIN_SIDE_SUPPORT:.0f}%): another key-coloured "
                    "object touches the marker, or something hides much of that side")
    inside = np.zeros_like(region)
    cv2.fillPoly(inside, [np.round((quad - 0.5) * 16).astype(np.int32)], 1, shift=4)
    inside = cv2.erode(inside, np.ones((3, 3), np.uint8))
    occl = (inside > 0) & (region == 0)
    return MarkerFit(quad, shading, (occl.astype(np.uint8) * 255) if occl.sum() > 4 else None, region > 0)
