"""Mask search for XJTU-AISEC: masks made of at most 5 random shapes under an area ceiling,
improved by grow / prune / add moves, each mask judged with the current pattern on a fixed
set of public crops by a proxy of the score (white-box suppression + 0.2 x uncovered share).

Shapes live on the texture parameter grid (GRID_H x GRID_W cells); the full-res mask is the
grid repeated 10x10, which keeps the number of connected regions (at most the number of
shapes, since overlapping shapes merge).
"""
from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np
import torch

from .pipeline import GRID_H, GRID_W

MAX_SHAPES = 5


@dataclass(frozen=True)
class Shape:
    kind: str     # "rect" or "ellipse"
    cy: float     # centre and half sizes in grid cells
    cx: float
    hy: float
    hx: float


def raster(shapes: list[Shape]) -> torch.Tensor:
    yy, xx = np.mgrid[0:GRID_H, 0:GRID_W] + 0.5
    m = np.zeros((GRID_H, GRID_W), bool)
    for s in shapes:
        dy, dx = np.abs(yy - s.cy) / max(s.hy, 0.5), np.abs(xx - s.cx) / max(s.hx, 0.5)
        m |= (dy <= 1) & (dx <= 1) if s.kind == "rect" else (dy ** 2 + dx ** 2 <= 1)
    return torch.from_numpy(m)


def coverage(shapes: list[Shape]) -> float:
    return float(raster(shapes).float().mean())


def random_shape(rng: np.random.Generator, max_cover: float) -> Shape:
    frac = rng.uniform(0.25, 1.0) * max_cover          # this shape's share of the texture
    aspect = rng.uniform(0.5, 2.0)
    area = frac * GRID_H * GRID_W
    hy = min(GRID_H / 2, np.sqrt(area / aspect) / 2)
    hx = min(GRID_W / 2, area / (4 * hy))
    kind = "rect" if rng.uniform() < 0.6 else "ellipse"
    return Shape(kind, float(rng.uniform(hy, GRID_H - hy)), float(rng.uniform(hx, GRID_W - hx)), float(hy), float(hx))


def salient_centre(rng: np.random.Generator, saliency: np.ndarray) -> tuple[float, float]:
    """A grid cell drawn with probability proportional to saliency**2 (where the gradient was)."""
    p = saliency.astype(np.float64).ravel() ** 2
    k = int(rng.choice(p.size, p=p / p.sum())) if p.sum() > 0 else int(rng.integers(p.size))
    return k // GRID_W + 0.5, k % GRID_W + 0.5


def random_mask(rng: np.random.Generator, ceiling: float, saliency: np.ndarray | None = None) -> list[Shape]:
    """1-5 random shapes under the ceiling; with ``saliency``, centred on salient cells."""
    n = int(rng.integers(1, MAX_SHAPES + 1))
    shapes: list[Shape] = []
    for _ in range(n):
        s = random_shape(rng, ceiling / n * 1.5)
        if saliency is not None:
            cy, cx = salient_centre(rng, saliency)
            s = replace(s, cy=float(np.clip(cy, s.hy, GRID_H - s.hy)), cx=float(np.clip(cx, s.hx, GRID_W - s.hx)))
        if coverage(shapes + [s]) <= ceiling:
            shapes.append(s)
    return shapes or [random_shape(rng, ceiling * 0.8)]


def moves(shapes: list[Shape], rng: np.random.Generator, ceiling: float) -> list[tuple[str, list[Shape]]]:
    """Neighbouring masks: grow or shrink each shape by 20%, prune it, add a new one."""
    out = []
    for i, s in enumerate(shapes):
        for name, f in (("grow", 1.2), ("shrink", 0.8)):
            t = replace(s, hy=min(GRID_H / 2, s.hy * f), hx=min(GRID_W / 2, s.hx * f))
            out.append((f"{name} {i}", shapes[:i] + [t] + shapes[i + 1:]))
        if len(shapes) > 1:
            out.append((f"prune {i}", shapes[:i] + shapes[i + 1:]))
    if len(shapes) < MAX_SHAPES:
        out.append(("add", shapes + [random_shape(rng, ceiling / 3)]))
    return [(n, m) for n, m in out if 0 < coverage(m) <= ceiling]
