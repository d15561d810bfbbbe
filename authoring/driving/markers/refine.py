"""Sub-pixel refinement of a printed marker's homography by image alignment (OpenCV ECC).

A detector's corners are accurate to about a pixel; extrapolated from the marker to the
patch's corners, that error grows. ECC aligns the whole patch-area texture (every edge of
every bit or square, not four corners) with the frame, starting from the detector's
homography, and returns the correlation it reached: a low value means the frame does not
show the declared marker there (wrong geometry options, occlusion), and the fit is refused.
"""
from __future__ import annotations

import numpy as np

from .fit import Miss, apply_h, quad_problem
from .texture import PATCH_CORNERS, PATCH_SIZE

_TO_EDGE = np.array([[1, 0, 0.5], [0, 1, 0.5], [0, 0, 1]], np.float64)
_TO_CENTRE = np.linalg.inv(_TO_EDGE)


class EccRefiner:
    def __init__(self, texture_bgr: np.ndarray, min_corr: float = 0.8, iterations: int = 60):
        import cv2

        self.gray = cv2.cvtColor(texture_bgr, cv2.COLOR_BGR2GRAY)
        self.min_corr, self.iterations = min_corr, iterations

    def template(self, quad: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """The texture at about the quad's on-screen size, and its edge-pixel -> patch-pixel scale."""
        import cv2

        sides = np.linalg.norm(np.roll(quad, -1, axis=0) - quad, axis=1)
        tw = int(np.clip(max(sides[0], sides[2]), 32, PATCH_SIZE[0]))
        th = int(np.clip(max(sides[1], sides[3]), 16, PATCH_SIZE[1]))
        t = cv2.resize(self.gray, (tw, th), interpolation=cv2.INTER_AREA)
        return t, np.diag([PATCH_SIZE[0] / tw, PATCH_SIZE[1] / th, 1.0])

    def align(self, gray: np.ndarray, h_patch: np.ndarray, quad: np.ndarray) -> tuple[np.ndarray, float]:
        """(refined patch -> image homography in the edge convention, correlation reached)."""
        import cv2

        t, scale = self.template(quad)
        warp = (_TO_CENTRE @ h_patch @ scale @ _TO_EDGE).astype(np.float32)
        warp /= warp[2, 2]
        criteria = (cv2.TERM_CRITERIA_COUNT | cv2.TERM_CRITERIA_EPS, self.iterations, 1e-5)
        try:
            corr, warp = cv2.findTransformECC(t.astype(np.float32), gray.astype(np.float32), warp,
                                              cv2.MOTION_HOMOGRAPHY, criteria,
                                              np.full(gray.shape, 255, np.uint8), 3)
        except cv2.error:
            return h_patch, 0.0
        h = _TO_EDGE @ warp.astype(np.float64) @ _TO_CENTRE @ np.linalg.inv(scale)
        return h / h[2, 2], float(corr)

    def __call__(self, gray: np.ndarray, h_patch: np.ndarray) -> np.ndarray | Miss:
        """The refined patch quad, or a Miss when the alignment fails or drifts."""
        quad0 = apply_h(h_patch, PATCH_CORNERS)
        h, corr = self.align(gray, h_patch, quad0)
        if corr < self.min_corr:
            return Miss(f"the frame does not match the declared marker texture around the detection "
                        f"(correlation {corr:.2f} < {self.min_corr}); check the marker options or look for an "
                        "occluder")
        quad = apply_h(h, PATCH_CORNERS)
        moved = float(np.linalg.norm(quad - quad0, axis=1).max())
        limit = max(4.0, 0.05 * float(np.linalg.norm(quad0[2] - quad0[0])))
        if moved > limit:
            return Miss(f"aligning the marker texture moved a corner {moved:.1f} px from the detection "
                        f"(limit {limit:.1f})")
        problem = quad_problem(quad)
        return Miss(problem) if problem else quad
