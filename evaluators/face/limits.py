"""The face track's optional threat-model limits, on top of the connected-domain rule: the L∞
distance (ε, in 0-255 pixel units), SSIM and PSNR of an adversarial face against its original,
and what happens to a sample over a limit (``over_limit`` in the phase settings):

- ``unsuccessful`` (AISC): the sample counts as an unsuccessful attack;
- ``project`` (the ARES contest): the image is clipped back into the ε-ball around the original
  (each channel value to [orig - ⌊ε⌋, orig + ⌊ε⌋]) and the clipped image is scored; SSIM and PSNR
  are measured again on it, and a sample still under their minimum counts as unsuccessful
  (a projection can only repair L∞).

SSIM is scikit-image's ``structural_similarity`` (7x7 uniform window, ``data_range=255``, the
mean over the three channels); PSNR is ``peak_signal_noise_ratio`` with ``data_range=255``, in dB,
reported as ``None`` (infinite) for an unchanged image. L∞ and PSNR cost microseconds and are
always measured; SSIM costs 5-30 ms per 112x112 face, so it is measured only where the phase sets
a limit (its details show ``ssim: None`` otherwise), keeping the default scoring path as fast
as before.
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Optional

import numpy as np


@dataclass(frozen=True)
class Measures:
    """One adversarial face against its original: ``linf`` (int, 0-255), ``ssim`` (float, -1..1;
    None when not measured), ``psnr`` (float dB, ``math.inf`` when the images are equal)."""
    linf: int
    ssim: Optional[float]
    psnr: float

    def as_details(self) -> dict:
        """JSON-safe, rounded to 6 decimals; an infinite PSNR is ``None``."""
        return {"linf": self.linf, "ssim": None if self.ssim is None else round(self.ssim, 6),
                "psnr": None if math.isinf(self.psnr) else round(self.psnr, 6)}


@dataclass(frozen=True)
class Limits:
    """The phase's limits; ``None`` = no limit. ``max_linf`` in 0-255 units, ``min_ssim`` unitless,
    ``min_psnr`` in dB; ``over_limit`` is ``unsuccessful`` or ``project``."""
    max_linf: Optional[float] = None
    min_ssim: Optional[float] = None
    min_psnr: Optional[float] = None
    over_limit: str = "unsuccessful"

    @property
    def any(self) -> bool:
        return self.max_linf is not None or self.min_ssim is not None or self.min_psnr is not None


def measure(adv: np.ndarray, orig: np.ndarray, *, ssim: bool = True) -> Measures:
    """L∞, SSIM (when ``ssim``) and PSNR of two HxWx3 uint8 images of one shape (ValueError otherwise)."""
    from skimage.metrics import peak_signal_noise_ratio, structural_similarity

    if adv.shape != orig.shape or adv.dtype != np.uint8 or orig.dtype != np.uint8:
        raise ValueError(f"expected two uint8 images of one shape, got {adv.shape} {adv.dtype} "
                         f"and {orig.shape} {orig.dtype}")
    diff = np.abs(adv.astype(np.int16) - orig.astype(np.int16))
    linf = int(diff.max()) if diff.size else 0
    s = float(structural_similarity(orig, adv, channel_axis=2 if adv.ndim == 3 else None, data_range=255)) \
        if ssim else None
    psnr = math.inf if linf == 0 else float(peak_signal_noise_ratio(orig, adv, data_range=255))
    return Measures(linf, s, psnr)


def project(adv: np.ndarray, orig: np.ndarray, eps: float) -> np.ndarray:
    """``adv`` clipped into the L∞ ball of radius ⌊eps⌋ around ``orig`` (uint8, same shape).
    A pixel equal to its original stays equal, so the perturbed area can only shrink."""
    e = int(math.floor(eps))
    lo = orig.astype(np.int16) - e
    hi = orig.astype(np.int16) + e
    return np.clip(adv.astype(np.int16), lo, hi).clip(0, 255).astype(np.uint8)


def problems(m: Measures, limits: Limits) -> list[str]:
    """Each limit ``m`` breaks, said plainly (empty when within all of them)."""
    out = []
    if limits.max_linf is not None and m.linf > limits.max_linf:
        out.append(f"L∞ distance {m.linf} is over the limit {limits.max_linf:g} (0-255 units)")
    if limits.min_ssim is not None and m.ssim is not None and m.ssim < limits.min_ssim:
        out.append(f"SSIM {m.ssim:.4f} is under the minimum {limits.min_ssim:g}")
    if limits.min_psnr is not None and m.psnr < limits.min_psnr:
        out.append(f"PSNR {m.psnr:.2f} dB is under the minimum {limits.min_psnr:g} dB")
    return out


@dataclass(frozen=True)
class LimitCheck:
    """What to score: ``image`` (the submitted one, or its projection), ``ok`` (within every
    limit after the policy), ``measured`` (the submitted image), ``scored`` (the projected image's
    measures, or None when nothing was projected), ``reason`` (empty when ok)."""
    image: np.ndarray
    ok: bool
    measured: Measures
    scored: Optional[Measures] = None
    reason: str = ""


def apply_limits(adv: np.ndarray, orig: np.ndarray, limits: Limits) -> LimitCheck:
    """Measure ``adv`` and apply the phase's policy (module docstring)."""
    m = measure(adv, orig, ssim=limits.any)
    broken = problems(m, limits)
    if not broken:
        return LimitCheck(adv, True, m)
    if limits.over_limit != "project" or limits.max_linf is None or m.linf <= limits.max_linf:
        return LimitCheck(adv, False, m, reason="; ".join(broken))
    img = project(adv, orig, limits.max_linf)
    m2 = measure(img, orig, ssim=limits.any)
    still = problems(m2, limits)
    if still:
        return LimitCheck(img, False, m, m2, "after projection into the ε-ball: " + "; ".join(still))
    return LimitCheck(img, True, m, m2)
