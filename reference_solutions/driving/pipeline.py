"""The differentiable path from patch parameters to detector confidences.

texture parameters (low-res RGB 0..1, upsampled by an integer factor with nearest
neighbours to 2790x1260, so the artifact is exactly what was optimised) -> the scorer's own
mip pyramid and homography warp (``evaluators.driving.render_torch``) into each public
training crop -> the Ultralytics predictor's preprocessing (BGR->RGB, /255, resize by
imgsz / frame long side) -> the white-box head's per-anchor class scores before NMS.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch
import torch.nn.functional as F

from evaluators.driving.render_torch import render_torch
from evaluators.driving.submission import PATCH_H, PATCH_W

from .public_data import Sample
from .whitebox import WhiteBox

SCALE = 10  # texture parameter grid: 279 x 126 cells of 10x10 texels
GRID_H, GRID_W = PATCH_H // SCALE, PATCH_W // SCALE


def full_res(grid: torch.Tensor) -> torch.Tensor:
    """(C, GRID_H, GRID_W) -> (C, PATCH_H, PATCH_W) by nearest-neighbour repetition."""
    return grid.repeat_interleave(SCALE, dim=1).repeat_interleave(SCALE, dim=2)


def texture_bgr255(param: torch.Tensor) -> torch.Tensor:
    """param (3, GRID_H, GRID_W) RGB 0..1 -> full-res (3, H, W) BGR 0..255 for the renderer."""
    return full_res(param.flip(0) * 255.0)


def to_uint8_rgb(param: torch.Tensor) -> np.ndarray:
    """The artifact's texture: (H, W, 3) uint8 RGB."""
    rgb = (param.detach().clamp(0, 1) * 255.0).round().to(torch.uint8)
    return full_res(rgb).permute(1, 2, 0).contiguous().numpy()


def _pool_matrix(n_full: int, k: int) -> torch.Tensor:
    """(ceil(n_full / 2**k), n_full // SCALE): the averaging weights of 2**k-texel blocks over
    grid cells; the last block is padded with transparent texels (weight 0), as the renderer's
    pyramid pads odd sides."""
    b = 2 ** k
    n = -(-n_full // b)
    a = torch.zeros(n, n_full // SCALE)
    texel_cell = torch.arange(n_full) // SCALE
    rows = torch.arange(n_full) // b
    a.index_put_((rows, texel_cell), torch.full((n_full,), 1.0 / b), accumulate=True)
    return a


_SIZE_ONLY = torch.zeros(1, 1, 1).expand(3, PATCH_H, PATCH_W)  # a texture-sized view, no memory
_POOL: dict[tuple[int, int], torch.Tensor] = {}


def level_count(min_side: int = 8) -> int:
    """How many mip levels ``torch_pyramid`` builds for a 2790x1260 texture."""
    n, side = 1, min(PATCH_H, PATCH_W)
    while side // 2 >= min_side:
        side = -(-side // 2)
        n += 1
    return n


def grid_pyramid(tex_grid: torch.Tensor, mask_grid: torch.Tensor, needed: set[int]) -> list:
    """The renderer's premultiplied (colour x mask, mask) mip levels, built straight from the
    grid: level k of the full-res texture is its 2**k-block average (repeated 2x2 pooling
    pads the same trailing texels), a fixed linear map of the grid cells. Levels not in
    ``needed`` stay None. Equal to ``torch_pyramid(full_res(...))`` up to float rounding."""
    x = torch.cat([tex_grid * mask_grid[None], mask_grid[None]], 0)  # (4, GRID_H, GRID_W)
    levels: list = [None] * level_count()
    for k in sorted(needed):
        for n_full in (PATCH_H, PATCH_W):
            if (n_full, k) not in _POOL:
                _POOL[(n_full, k)] = _pool_matrix(n_full, k)
        ah, aw = _POOL[(PATCH_H, k)], _POOL[(PATCH_W, k)]
        levels[k] = torch.einsum("hi,cij,wj->chw", ah, x, aw)[None]
    return levels


def gaussian_blur(x: torch.Tensor, sigma: float) -> torch.Tensor:
    """Separable Gaussian blur of (B, C, H, W) (reflect padding); sigma <= 0 returns x."""
    if sigma <= 0:
        return x
    r = max(1, int(np.ceil(2.5 * sigma)))
    t = torch.arange(-r, r + 1, dtype=x.dtype)
    k = torch.exp(-0.5 * (t / sigma) ** 2)
    k = k / k.sum()
    c = x.shape[1]
    x = F.pad(x, (r, r, r, r), mode="reflect")
    x = F.conv2d(x, k.view(1, 1, 1, -1).repeat(c, 1, 1, 1), groups=c)
    return F.conv2d(x, k.view(1, 1, -1, 1).repeat(c, 1, 1, 1), groups=c)


@dataclass
class Augment:
    """Expectation over transformation, drawn per crop each step."""

    shade: float = 0.1      # shading x U(1 - shade, 1 + shade)
    noise: float = 2.0      # frame noise, std in 0..255 units
    jitter: float = 0.5     # quad corner jitter in pixels
    blur: float = 0.0       # Gaussian blur of the composited crop, sigma ~ U(0, blur)
    tex_blur: float = 0.0   # Gaussian blur of the texture grid before the warp (sigma in cells)


def render_batch(
    param: torch.Tensor, mask_grid: torch.Tensor, samples: list[Sample], rng: np.random.Generator | None,
    aug: Augment | None = None,
) -> torch.Tensor:
    """The patched crops, (B, 3, C, C) BGR 0..255 float, differentiable in ``param``."""
    if aug is not None and aug.tex_blur > 0 and rng is not None:
        param = gaussian_blur(param[None], float(rng.uniform(0, aug.tex_blur)))[0]
    from evaluators.driving.render import choose_level

    tex = param.flip(0) * 255.0
    m = mask_grid.to(tex.dtype)
    quads, shades = [], []
    for s in samples:
        quad, shade = s.quad, s.shading
        if aug is not None and rng is not None:
            quad = quad + rng.uniform(-aug.jitter, aug.jitter, quad.shape)
            shade = shade * float(rng.uniform(1 - aug.shade, 1 + aug.shade))
        quads.append(quad)
        shades.append(shade)
    n_levels = level_count()
    levels = grid_pyramid(tex, m, {choose_level(q, (PATCH_W, PATCH_H), n_levels) for q in quads})
    # render_torch reads only the texture's size (through ``levels``) and the chosen level
    tex = _SIZE_ONLY
    out = []
    for s, quad, shade in zip(samples, quads, shades):
        frame = torch.from_numpy(s.crop).permute(2, 0, 1).to(torch.float32)
        img = _render_window(frame, tex, quad, shade, s.occluder, levels)
        if aug is not None and rng is not None:
            if aug.noise > 0:
                gen = torch.Generator().manual_seed(int(rng.integers(2**31)))
                img = img + aug.noise * torch.randn(img.shape, generator=gen)
            if aug.blur > 0:
                img = gaussian_blur(img[None], float(rng.uniform(0, aug.blur)))[0]
        out.append(img.clamp(0, 255))
    return torch.stack(out)


def _render_window(frame: torch.Tensor, tex, quad: np.ndarray, shade: float, occluder: np.ndarray | None,
                   levels: list) -> torch.Tensor:
    """render_torch on the quad's bounding box only (the patch cannot reach further), pasted
    back into the crop: the same pixels as rendering the whole crop, far cheaper."""
    h, w = frame.shape[-2:]
    x0 = max(int(np.floor(quad[:, 0].min())) - 2, 0)
    y0 = max(int(np.floor(quad[:, 1].min())) - 2, 0)
    x1 = min(int(np.ceil(quad[:, 0].max())) + 3, w)
    y1 = min(int(np.ceil(quad[:, 1].max())) + 3, h)
    if x1 <= x0 or y1 <= y0:
        return frame
    occ = None if occluder is None else torch.from_numpy(np.ascontiguousarray(occluder[y0:y1, x0:x1]))
    win = render_torch(frame[:, y0:y1, x0:x1], tex, tex, quad - np.array([x0, y0], np.float64), shade, occ, levels)
    top = frame[:, :y0]
    mid = torch.cat([frame[:, y0:y1, :x0], win, frame[:, y0:y1, x1:]], 2)
    return torch.cat([top, mid, frame[:, y1:]], 1)


def detector_input(crops_bgr: torch.Tensor, det: WhiteBox, frame_long_side: int, scale: float = 1.0) -> torch.Tensor:
    """Ultralytics preprocessing of crops: RGB 0..1 resized by imgsz / frame long side (x scale),
    sides rounded to the detector's stride."""
    x = crops_bgr.flip(1) / 255.0
    r = det.imgsz / frame_long_side * scale
    side = max(det.stride, int(round(crops_bgr.shape[-1] * r / det.stride)) * det.stride)
    if side != crops_bgr.shape[-1]:
        x = F.interpolate(x, size=(side, side), mode="bilinear", align_corners=False, antialias=False)
    return x


def target_scores(det: WhiteBox, crops_bgr: torch.Tensor, samples: list[Sample], scale: float = 1.0) -> torch.Tensor:
    """Per crop and anchor, the highest confidence over the crop's target classes: (B, N)."""
    scores = det.scores(detector_input(crops_bgr, det, samples[0].frame_long, scale))
    rows = []
    for b, s in enumerate(samples):
        ids = det.class_ids(s.targets)
        rows.append(scores[b, ids].amax(0))
    return torch.stack(rows)
