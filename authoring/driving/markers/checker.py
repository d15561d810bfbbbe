"""Checkerboard on the patch area (cv2.findChessboardCornersSB).

The detector returns the board's inner corners as a grid but its start corner may be any of
the grid's four corners. Mirrored orderings are dropped (the patch faces the camera, so its
corners run clockwise on screen); of the two left, the one under which the squares that
should be black are dark wins (the board's top-left square is black, and with one odd and
one even count the board turned by 180 degrees has the colours swapped). A least-squares
homography through all inner corners gives the patch quad, extrapolated to the patch's
corners from the declared board geometry.
"""
from __future__ import annotations

import numpy as np

from .fit import MarkerFit, Miss, apply_h, homography, quad_problem
from .printed import PrintedMarkerFinder
from .texture import PATCH_CORNERS, local_points_to_patch

MAX_RMS = 1.0  # px: an inner corner further than this from the board's homography is an outlier
MIN_INLIERS = 0.6  # share of inner corners that must fit one homography
MIN_CONTRAST = 25.0  # grey levels between the squares that should be white and black


class CheckerFinder(PrintedMarkerFinder):
    def __init__(self, spec):
        super().__init__(spec)
        cols, rows = spec.checker_squares
        self.inner = (cols - 1, rows - 1)
        gx, gy = np.meshgrid(np.arange(1, cols) / cols, np.arange(1, rows) / rows)
        self.inner_patch = local_points_to_patch(spec, np.c_[gx.ravel(), gy.ravel()])
        ii, jj = np.meshgrid(np.arange(cols), np.arange(rows))
        self.centres_patch = local_points_to_patch(spec, np.c_[(ii.ravel() + 0.5) / cols, (jj.ravel() + 0.5) / rows])
        self.white = ((ii + jj) % 2 == 1).ravel()  # the top-left square is black

    def _colour_score(self, gray: np.ndarray, h: np.ndarray) -> float:
        p = np.round(apply_h(h, self.centres_patch) - 0.5).astype(int)
        fh, fw = gray.shape
        ok = (p[:, 0] >= 0) & (p[:, 0] < fw) & (p[:, 1] >= 0) & (p[:, 1] < fh)
        v = np.full(len(p), np.nan)
        v[ok] = gray[p[ok, 1], p[ok, 0]]
        return float(np.nanmean(v[self.white]) - np.nanmean(v[~self.white]))

    def __call__(self, frame_bgr: np.ndarray, prev: np.ndarray | None = None) -> MarkerFit | Miss:
        import cv2

        gray = cv2.cvtColor(frame_bgr, cv2.COLOR_BGR2GRAY)
        flags = cv2.CALIB_CB_EXHAUSTIVE | cv2.CALIB_CB_ACCURACY | cv2.CALIB_CB_NORMALIZE_IMAGE
        found, pts = cv2.findChessboardCornersSB(gray, self.inner, flags=flags)
        if not found or pts is None:
            cols, rows = self.spec.checker_squares
            return Miss(f"checkerboard of {cols}x{rows} squares not found")
        grid = pts.reshape(self.inner[1], self.inner[0], 2).astype(np.float64) + 0.5
        # RANSAC: the detector sometimes misplaces a row of corners at small sizes
        h, inl = cv2.findHomography(self.inner_patch, grid.reshape(-1, 2), cv2.RANSAC, MAX_RMS)
        if h is None or inl.sum() < MIN_INLIERS * len(grid.reshape(-1, 2)):
            return Miss("the checkerboard's corners do not fit one plane "
                        f"({0 if inl is None else int(inl.sum())} of {grid.size // 2} within {MAX_RMS} px)")
        keep = inl.reshape(grid.shape[:2]).astype(bool)
        best = None
        for sl in ((slice(None), slice(None)), (slice(None, None, -1), slice(None, None, -1)),
                   (slice(None, None, -1), slice(None)), (slice(None), slice(None, None, -1))):
            ok = keep[sl].ravel()
            h = homography(self.inner_patch[ok], grid[sl].reshape(-1, 2)[ok])
            if quad_problem(apply_h(h, PATCH_CORNERS)) is not None:
                continue
            score = self._colour_score(gray, h)
            if best is None or score > best[0]:
                best = (score, h)
        if best is None:
            return Miss("the checkerboard's corners give no front-facing quad")
        score, h = best
        if not score >= MIN_CONTRAST:
            return Miss(f"the checkerboard's squares do not show the declared black/white pattern "
                        f"(contrast {score:.0f} < {MIN_CONTRAST:.0f} grey levels)")
        return self.finish(frame_bgr, gray, h)
