"""The transfer-attack input transforms of the "Deep Dream" method, for batches of
N x 3 x H x W faces in 0..255. Each call draws its randomness from a torch Generator, so
an attack is reproducible from its seed.

- DI (input diversity): random resize to r in [H, H*(1+ratio)), random zero padding to
  H*(1+ratio), resize back to H (the surrogates take 112x112 crops).
- TI (translation invariance): a random shift of up to ``shift`` pixels (reflect padding)
  on the input, and the Gaussian smoothing of the gradient (``smooth_gradient``).
- SI (scale invariance): the batch is repeated with pixel values scaled by 1/2^i.
"""
from __future__ import annotations

import torch
import torch.nn.functional as F


def _rand_int(gen: torch.Generator, low: int, high: int) -> int:
    return int(torch.randint(low, high + 1, (1,), generator=gen))


def diverse_input(x: torch.Tensor, gen: torch.Generator, ratio: float = 0.1, prob: float = 0.7) -> torch.Tensor:
    if float(torch.rand(1, generator=gen)) >= prob:
        return x
    size = x.shape[-1]
    outer = int(round(size * (1 + ratio)))
    rnd = _rand_int(gen, size, outer - 1)
    y = F.interpolate(x, size=(rnd, rnd), mode="bilinear", align_corners=False)
    left, top = _rand_int(gen, 0, outer - rnd), _rand_int(gen, 0, outer - rnd)
    y = F.pad(y, (left, outer - rnd - left, top, outer - rnd - top))
    return F.interpolate(y, size=(size, size), mode="bilinear", align_corners=False)


def translate(x: torch.Tensor, gen: torch.Generator, shift: int = 3) -> torch.Tensor:
    dx, dy = _rand_int(gen, -shift, shift), _rand_int(gen, -shift, shift)
    if dx == dy == 0:
        return x
    p = shift
    y = F.pad(x, (p, p, p, p), mode="reflect")
    h, w = x.shape[-2:]
    return y[..., p + dy:p + dy + h, p + dx:p + dx + w]


def scale_copies(x: torch.Tensor, copies: int = 2) -> torch.Tensor:
    """SI: [x, x/2, x/4, ...] stacked along the batch (copy-major)."""
    return torch.cat([x / (2 ** i) for i in range(copies)], 0)


def gaussian_kernel(size: int = 5, sigma: float = 1.0) -> torch.Tensor:
    r = torch.arange(size, dtype=torch.float32) - (size - 1) / 2
    g = torch.exp(-(r ** 2) / (2 * sigma ** 2))
    k = torch.outer(g, g)
    return (k / k.sum()).expand(3, 1, size, size).contiguous()


def smooth_gradient(grad: torch.Tensor, kernel: torch.Tensor) -> torch.Tensor:
    """TI: convolve the gradient with a Gaussian kernel, channel by channel."""
    pad = kernel.shape[-1] // 2
    return F.conv2d(F.pad(grad, (pad, pad, pad, pad), mode="reflect"), kernel, groups=3)
