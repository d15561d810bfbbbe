"""ArUco marker on the patch area (cv2.aruco from opencv-python).

The detector returns the marker's four outer corners in the marker's own order (TL, TR,
BR, BL as drawn), whatever its rotation on screen, so the corner order needs no guessing.
They are mapped to the declared marker corners on the patch area; the patch's own corners
are extrapolated through that homography after ECC alignment of the whole texture
(printed.py). The same id twice in a frame is a miss, not a guess.
"""
from __future__ import annotations

import numpy as np

from .fit import MarkerFit, Miss, apply_h, homography, quad_problem
from .options import aruco_dictionary
from .printed import PrintedMarkerFinder
from .texture import PATCH_CORNERS


class ArucoFinder(PrintedMarkerFinder):
    def __init__(self, spec):
        import cv2

        super().__init__(spec)
        params = cv2.aruco.DetectorParameters()
        params.cornerRefinementMethod = cv2.aruco.CORNER_REFINE_SUBPIX
        params.cornerRefinementWinSize = 4
        params.cornerRefinementMinAccuracy = 0.01
        params.cornerRefinementMaxIterations = 50
        self.detector = cv2.aruco.ArucoDetector(aruco_dictionary(spec.aruco_dict), params)

    def __call__(self, frame_bgr: np.ndarray, prev: np.ndarray | None = None) -> MarkerFit | Miss:
        import cv2

        gray = cv2.cvtColor(frame_bgr, cv2.COLOR_BGR2GRAY)
        corners, ids, _ = self.detector.detectMarkers(gray)
        seen = [] if ids is None else [int(i) for i in ids.ravel()]
        mine = [np.asarray(c, np.float64).reshape(4, 2) for c, i in zip(corners, seen) if i == self.spec.aruco_id]
        if not mine:
            others = f" (ids seen: {sorted(set(seen))})" if seen else ""
            return Miss(f"ArUco marker {self.spec.aruco_dict} id {self.spec.aruco_id} not found{others}")
        if len(mine) > 1:
            return Miss(f"ArUco id {self.spec.aruco_id} appears {len(mine)} times; give every target its own id")
        img_pts = mine[0] + 0.5  # OpenCV pixel centres are at integers; the bundle's at +0.5
        h = homography(self.marker_patch, img_pts)
        problem = quad_problem(apply_h(h, PATCH_CORNERS))
        if problem:
            return Miss(problem)
        return self.finish(frame_bgr, gray, h)
