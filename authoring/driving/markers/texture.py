"""The patch-area textures of the printed markers (aruco, checker), and where the marker's
own points sit on the patch.

Coordinates: ``local`` is the marker's unit square (0,0 its top-left outer corner, 1,1 its
bottom-right); ``patch`` is texture pixels of the 2790x1260 patch area in the pixel-edge
convention (0,0 is the texture's top-left corner, W,H its bottom-right).
"""
from __future__ import annotations

import numpy as np

from evaluators.driving.submission import PATCH_H, PATCH_W

from .fit import PATCH_CORNERS_UNIT, apply_h, homography

PATCH_SIZE = (PATCH_W, PATCH_H)
PATCH_CORNERS = PATCH_CORNERS_UNIT * PATCH_SIZE


def local_to_patch(spec) -> np.ndarray:
    """Homography from the marker's unit square to patch texture pixels."""
    return homography(PATCH_CORNERS_UNIT, np.asarray(spec.corners, np.float64) * PATCH_SIZE)


def local_points_to_patch(spec, local: np.ndarray) -> np.ndarray:
    return apply_h(local_to_patch(spec), local)


def marker_local_image(spec, cell: int = 64) -> np.ndarray:
    """The marker alone (uint8 gray, 0 black, 255 white), square cells of ``cell`` pixels."""
    import cv2

    if spec.kind == "aruco":
        from .options import aruco_dictionary

        d = aruco_dictionary(spec.aruco_dict)
        n = d.markerSize + 2
        return cv2.aruco.generateImageMarker(d, spec.aruco_id, n * cell, borderBits=1)
    if spec.kind == "checker":
        cols, rows = spec.checker_squares
        parity = (np.arange(rows)[:, None] + np.arange(cols)[None, :]) % 2  # 0 = black at top-left
        return np.kron((parity * 255).astype(np.uint8), np.ones((cell, cell), np.uint8))
    raise ValueError(f"no printed texture for marker kind {spec.kind!r}")


def draw_texture(spec) -> np.ndarray:
    """2790x1260 BGR uint8: white patch area with the marker warped onto its declared corners."""
    import cv2

    if spec.kind == "keycolor":
        return np.broadcast_to(np.uint8(spec.key_rgb[::-1]), (PATCH_H, PATCH_W, 3)).copy()
    img = marker_local_image(spec)
    h, w = img.shape
    # local unit square -> marker image pixels (edge convention), then to patch pixels
    to_local = np.diag([1.0 / w, 1.0 / h, 1.0])
    m_edge = local_to_patch(spec) @ to_local
    shift = np.array([[1, 0, 0.5], [0, 1, 0.5], [0, 0, 1]], np.float64)  # centre -> edge coordinates
    m = np.linalg.inv(shift) @ m_edge @ shift
    out = cv2.warpPerspective(img, m, PATCH_SIZE, flags=cv2.INTER_NEAREST,
                              borderMode=cv2.BORDER_CONSTANT, borderValue=255)
    return cv2.cvtColor(out, cv2.COLOR_GRAY2BGR)
