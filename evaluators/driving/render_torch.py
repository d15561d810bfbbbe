"""The differentiable twin of ``render.render_frame`` (torch + kornia).

Same pyramid (2x2 average pooling, odd sides padded with a transparent texel), same level choice, same homography, bilinear warp with
kornia, same shading/occluder/alpha compositing; gradients flow to the texture and the
mask. Attackers and reference solutions optimise through exactly the scorer's transform.
Tensors: texture (3, H, W) BGR 0..255, mask (1, H, W) 0..1, frame (3, h, w) BGR 0..255.
"""
from __future__ import annotations

import numpy as np
import torch
import torch.nn.functional as F

from .render import choose_level, level_homography


def torch_pyramid(texture: torch.Tensor, mask: torch.Tensor, min_side: int = 8) -> list[torch.Tensor]:
    lvl = torch.cat([texture * mask, mask], 0)[None]  # (1, 4, H, W) premultiplied
    levels = [lvl]
    while min(lvl.shape[-2:]) // 2 >= min_side:
        h, w = lvl.shape[-2:]
        lvl = F.avg_pool2d(F.pad(lvl, (0, w % 2, 0, h % 2)), 2)  # odd side: one transparent texel, as box_down
        levels.append(lvl)
    return levels


def render_torch(
    frame: torch.Tensor,
    texture: torch.Tensor,
    mask: torch.Tensor,
    quad: np.ndarray,
    shading: float | torch.Tensor = 1.0,
    occluder: torch.Tensor | None = None,
    levels: list[torch.Tensor] | None = None,
) -> torch.Tensor:
    """Return the composited frame (3, h, w) float, not rounded, differentiable."""
    from kornia.geometry.transform import warp_perspective

    levels = levels if levels is not None else torch_pyramid(texture, mask)
    size = (texture.shape[-1], texture.shape[-2])
    k = choose_level(np.asarray(quad, np.float64), size, len(levels))
    tex = levels[k]
    m = level_homography(np.asarray(quad, np.float64), size, k)
    m_t = torch.as_tensor(m, dtype=tex.dtype)[None]
    h, w = frame.shape[-2:]
    warped = warp_perspective(tex, m_t, (h, w), mode="bilinear", padding_mode="zeros", align_corners=True)[0]
    colour, alpha = warped[:3], warped[3:]
    colour = colour * shading
    if occluder is not None:
        keep = 1.0 - occluder.to(colour.dtype) / 255.0
        colour, alpha = colour * keep, alpha * keep
    return frame * (1.0 - alpha) + colour
