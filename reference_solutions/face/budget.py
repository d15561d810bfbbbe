"""The face track's perturbation budget (DESIGN.md section 4): the pixels where the
adversarial image differs from the original in any channel form at most 5 connected
components (8-connectivity unless the phase says 4) covering at most 1254 pixels."""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy import ndimage

FACE_SIZE = 112
MAX_COMPONENTS = 5
MAX_PIXELS = int(FACE_SIZE * FACE_SIZE * 0.1)  # 1254


def structure(connectivity: int) -> np.ndarray:
    if connectivity == 8:
        return np.ones((3, 3), bool)
    if connectivity == 4:
        return ndimage.generate_binary_structure(2, 1)
    raise ValueError(f"connectivity must be 4 or 8, got {connectivity}")


@dataclass(frozen=True)
class BudgetCheck:
    pixels: int
    components: int
    max_pixels: int
    max_components: int

    @property
    def ok(self) -> bool:
        return self.pixels <= self.max_pixels and self.components <= self.max_components


def changed_pixels(original: np.ndarray, adversarial: np.ndarray) -> np.ndarray:
    """H x W bool: pixels that differ in any channel."""
    if original.shape != adversarial.shape:
        raise ValueError(f"shape mismatch: {original.shape} vs {adversarial.shape}")
    return np.any(original != adversarial, axis=-1)


def count_components(mask: np.ndarray, connectivity: int = 8) -> int:
    return int(ndimage.label(mask, structure=structure(connectivity))[1])


def check_budget(original: np.ndarray, adversarial: np.ndarray, *, connectivity: int = 8,
                 max_pixels: int = MAX_PIXELS, max_components: int = MAX_COMPONENTS) -> BudgetCheck:
    diff = changed_pixels(original, adversarial)
    return BudgetCheck(int(diff.sum()), count_components(diff, connectivity), max_pixels, max_components)
