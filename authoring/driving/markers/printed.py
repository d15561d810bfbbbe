"""What the printed markers (aruco, checker) share once a detector has given a first
patch -> image homography: ECC refinement against the whole texture (marker_refine), then
shading, occluder and the quiet-zone check (marker_appearance)."""
from __future__ import annotations

import numpy as np

from .appearance import TextureAppearance, check_quiet_zone
from .fit import PATCH_CORNERS_UNIT, MarkerFit, Miss, apply_h, homography
from .refine import EccRefiner
from .texture import PATCH_CORNERS, draw_texture, local_points_to_patch


class PrintedMarkerFinder:
    def __init__(self, spec):
        self.spec = spec
        self.marker_patch = local_points_to_patch(spec, PATCH_CORNERS_UNIT)  # marker corners on the patch
        texture = draw_texture(spec)
        self.appearance = TextureAppearance(texture)
        self.refine = EccRefiner(texture)

    def finish(self, frame_bgr: np.ndarray, gray: np.ndarray, h_patch: np.ndarray) -> MarkerFit | Miss:
        quad = self.refine(gray, h_patch)
        if isinstance(quad, Miss):
            return quad
        marker_quad = apply_h(homography(PATCH_CORNERS, quad), self.marker_patch)
        app = self.appearance(frame_bgr, quad, marker_quad)
        problem = check_quiet_zone(app)
        if problem:
            return Miss(problem)
        return MarkerFit(quad, app.shading, app.occluder, app.filled)
