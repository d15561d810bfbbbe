"""The facial-region mask: where the attack may change pixels.

A saliency map (how much the ensemble loss reacts to each pixel) is smoothed so that it
favours compact blobs, weighted by a prior over the face interior of an aligned 112x112
crop (ArcFace template: eyes near y=52, mouth near y=92), and thresholded so that its
``max_components`` strongest connected components cover as many pixels as the budget allows.
"""
from __future__ import annotations

import numpy as np
from scipy import ndimage

from .budget import FACE_SIZE, MAX_COMPONENTS, MAX_PIXELS, structure


def facial_prior(size: int = FACE_SIZE, center=(56.0, 64.0), radii=(38.0, 46.0)) -> np.ndarray:
    """1 inside an ellipse over the face interior (forehead to chin, cheek to cheek), 0 outside."""
    scale = size / FACE_SIZE
    yy, xx = np.mgrid[0:size, 0:size].astype(np.float64)
    d = ((xx - center[0] * scale) / (radii[0] * scale)) ** 2 + ((yy - center[1] * scale) / (radii[1] * scale)) ** 2
    return (d <= 1.0).astype(np.float64)


def _keep_strongest(binary: np.ndarray, score: np.ndarray, max_components: int, conn: np.ndarray) -> np.ndarray:
    labels, n = ndimage.label(binary, structure=conn)
    if n <= max_components:
        return binary
    mass = ndimage.sum(score, labels, index=np.arange(1, n + 1))
    keep = np.argsort(-mass)[:max_components] + 1
    return np.isin(labels, keep)


def select_mask(saliency: np.ndarray, *, max_pixels: int = MAX_PIXELS, max_components: int = MAX_COMPONENTS,
                connectivity: int = 8, sigma: float = 2.0, prior: np.ndarray | None = None) -> np.ndarray:
    """H x W bool mask with at most ``max_components`` components and ``max_pixels`` pixels."""
    if saliency.ndim != 2:
        raise ValueError(f"saliency must be H x W, got shape {saliency.shape}")
    if max_pixels < 1 or max_components < 1:
        raise ValueError("the budget must allow at least one pixel in one component")
    prior = facial_prior(saliency.shape[0]) if prior is None else prior
    score = ndimage.gaussian_filter(np.abs(saliency).astype(np.float64), sigma) * prior
    conn = structure(connectivity)
    order = np.sort(score[score > 0].ravel())[::-1]
    if order.size == 0:
        raise ValueError("the saliency map is zero everywhere inside the facial region")
    best = np.zeros(score.shape, bool)
    best[np.unravel_index(np.argmax(score), score.shape)] = True
    lo, hi = 1, min(order.size, 4 * max_pixels)
    while lo <= hi:  # largest top-k threshold whose strongest components fit the pixel budget
        k = (lo + hi) // 2
        cand = _keep_strongest(score >= order[k - 1], score, max_components, conn)
        if cand.sum() <= max_pixels:
            best, lo = cand, k + 1
        else:
            hi = k - 1
    return best
