"""What a marker finder returns per frame, and the geometry every marker kind shares.

A finder returns a ``MarkerFit`` (the patch quad TL, TR, BR, BL in the bundle's pixel-edge
convention, plus shading, occluder and the marker's pixels) or a ``Miss`` with the reason
the frame has no trustworthy quad. A quad is only accepted when ``quad_problem`` finds
nothing wrong with it: finite, convex, clockwise on screen (the patch's front face is
towards the camera) and not tiny.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

PATCH_CORNERS_UNIT = np.array([[0.0, 0.0], [1.0, 0.0], [1.0, 1.0], [0.0, 1.0]])


@dataclass
class MarkerFit:
    quad: np.ndarray  # (4, 2) TL, TR, BR, BL of the patch
    shading: float
    occluder: np.ndarray | None  # HxW uint8 (255 = occluded) or None when fully visible
    marker: np.ndarray  # HxW bool: pixels showing the marker (painted out without a clean recording)


@dataclass
class Miss:
    reason: str


def quad_area(quad: np.ndarray) -> float:
    x, y = quad[:, 0], quad[:, 1]
    return 0.5 * float(np.dot(x, np.roll(y, -1)) - np.dot(y, np.roll(x, -1)))


def quad_problem(quad: np.ndarray, min_area: float = 30.0, what: str = "the fitted quad") -> str | None:
    """Why ``quad`` cannot be a patch seen from the front (None when it can)."""
    q = np.asarray(quad, np.float64)
    if q.shape != (4, 2) or not np.isfinite(q).all():
        return f"{what} is not four finite corners"
    edges = np.roll(q, -1, axis=0) - q
    nxt = np.roll(edges, -1, axis=0)
    cross = edges[:, 0] * nxt[:, 1] - edges[:, 1] * nxt[:, 0]
    if (cross <= 0).all():
        mirrored = " (the marker is seen mirrored or from behind)" if what == "the fitted quad" else ""
        return f"{what} runs anticlockwise{mirrored}"
    if not (cross > 0).all():
        return f"{what} is not convex"
    if quad_area(q) < min_area:
        return f"{what} covers {quad_area(q):.0f} px, under the {min_area:.0f} px minimum"
    return None


def homography(src: np.ndarray, dst: np.ndarray) -> np.ndarray:
    """Least-squares homography mapping ``src`` points to ``dst`` points (at least 4)."""
    import cv2

    src, dst = np.asarray(src, np.float64), np.asarray(dst, np.float64)
    if len(src) == 4:
        return cv2.getPerspectiveTransform(src.astype(np.float32), dst.astype(np.float32)).astype(np.float64)
    h, _ = cv2.findHomography(src, dst, 0)
    if h is None:
        raise ValueError("degenerate point set")
    return h


def apply_h(h: np.ndarray, pts: np.ndarray) -> np.ndarray:
    p = np.c_[np.asarray(pts, np.float64), np.ones(len(pts))] @ h.T
    return p[:, :2] / p[:, 2:3]


def order_solid(corners: np.ndarray, prev: np.ndarray | None) -> np.ndarray | Miss:
    """TL, TR, BR, BL of the patch from the 4 clockwise corners of a solid marker.

    A solid colour carries no orientation. Two cues: the patch's long sides (2790 against
    1260) are its top and bottom edges, and its top is the long side higher up in the image
    (holds for in-plane rotations under 90 degrees and moderate perspective; skipped when
    the sides are too alike to tell); and the corner order of the previous kept frame
    (``prev``: the nearest of the four cyclic orders, used when the corners moved less than
    15% of the diagonal and clearly less than under any other order). When both cues exist
    they must agree;
    a frame with no cue, or with cues that disagree, is a miss.
    """
    c = np.asarray(corners, np.float64)
    rolls = [np.roll(c, -k, axis=0) for k in range(4)]
    side = np.linalg.norm(np.roll(c, -1, axis=0) - c, axis=1)  # side k joins corner k and k+1
    long02, long13 = side[0] + side[2], side[1] + side[3]
    ratio = max(long02, long13) / max(min(long02, long13), 1e-9)
    by_shape = by_prev = None
    if ratio >= 1.25:
        first = [k for k in range(4) if (k % 2 == 0) == (long02 > long13)]  # top = side k
        # of the two, the one whose top edge (corners k, k+1) lies higher in the image
        by_shape = min(first, key=lambda k: rolls[k][0, 1] + rolls[k][1, 1] - rolls[k][2, 1] - rolls[k][3, 1])
    if prev is not None:  # conclusive only when the surface moved little since that frame
        d = np.array([np.linalg.norm(r - prev, axis=1).mean() for r in rolls])
        k = int(np.argmin(d))
        if d[k] < 0.15 * np.linalg.norm(c[2] - c[0]) and d[k] < 0.5 * np.partition(d, 1)[1]:
            by_prev = k
    if by_shape is not None and by_prev is not None and by_shape != by_prev:
        return Miss("the marker's shape (long sides = top and bottom) and the previous frame disagree on which "
                    "corner is the patch's top-left; use --marker aruco or checker for strongly turned surfaces")
    if by_shape is None and by_prev is None:
        return Miss(f"the marker's sides are too alike (long/short {ratio:.2f} < 1.25) to tell the patch's top "
                    "edge, and no earlier frame fixes the corner order; use --marker aruco or checker")
    return rolls[by_shape if by_shape is not None else by_prev]


def corners_from_lines(lines: list[tuple[np.ndarray, np.ndarray]]) -> np.ndarray | None:
    """Corner k = the intersection of side k-1 and side k, each side a (point, unit direction);
    None when two neighbouring sides are (nearly) parallel."""
    out = []
    for k in range(4):
        (p1, d1), (p2, d2) = lines[k - 1], lines[k]
        m = np.array([d1, -d2]).T
        if abs(np.linalg.det(m)) < 1e-6:
            return None
        s = np.linalg.solve(m, p2 - p1)
        out.append(p1 + s[0] * d1)
    return np.array(out)
