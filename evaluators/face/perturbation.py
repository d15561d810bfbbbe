"""The AISC connected-domain rule: at most ``max_components`` perturbed regions covering at most
``max_pixels`` pixels, where a pixel is perturbed if any channel differs from the original."""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class BudgetCheck:
    components: int
    pixels: int
    ok: bool
    reason: str = ""


def perturbation_mask(adv: np.ndarray, orig: np.ndarray) -> np.ndarray:
    """HxW bool: True where any channel of ``adv`` differs from ``orig``."""
    if adv.shape != orig.shape:
        raise ValueError(f"shape {adv.shape} differs from the original's {orig.shape}")
    diff = adv != orig
    return diff.any(axis=2) if diff.ndim == 3 else diff


def count_components(mask: np.ndarray, connectivity: int = 8) -> int:
    """Number of connected regions of True pixels (4- or 8-connectivity)."""
    import cv2

    if connectivity not in (4, 8):
        raise ValueError(f"connectivity must be 4 or 8, not {connectivity!r}")
    if not mask.any():
        return 0
    n, _ = cv2.connectedComponents(mask.astype(np.uint8), connectivity=connectivity)
    return int(n) - 1  # label 0 is the background


def check_budget(mask: np.ndarray, *, connectivity: int = 8, max_components: int = 5,
                 max_pixels: int = 1254) -> BudgetCheck:
    pixels = int(mask.sum())
    comps = count_components(mask, connectivity)
    problems = []
    if comps > max_components:
        problems.append(f"{comps} connected regions (at most {max_components} allowed, "
                        f"{connectivity}-connectivity)")
    if pixels > max_pixels:
        problems.append(f"{pixels} changed pixels (at most {max_pixels} allowed)")
    return BudgetCheck(comps, pixels, not problems, "; ".join(problems))
