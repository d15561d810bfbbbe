"""Loss terms of the driving attacks.

- ``vanish_loss``: YOLO-vanish (XJTU_Vanish / "YouOnlyAttackOnce"): the target-class
  confidence of every anchor, pushed down where it matters most (the maximum, which decides
  whether the frame has a detection, plus the mean of the top k).
- ``adam_loss``: BJTU-ADaM: on the *confident* anchors of the attack classes (the k most
  confident ones above ``tau``, at least one), binary cross-entropy toward a fixed target
  class: attack-class confidences to 0, the target class's to 1 (weighted 0.2).
- ``tv_loss``: total variation of the texture grid (smooth, printable patterns).
- ``nps_loss``: non-printability score: distance of each texel to the nearest colour of a
  printable palette (Sharif et al.).
"""
from __future__ import annotations

import itertools

import torch

EPS = 1e-6


def vanish_loss(target_scores: torch.Tensor, topk: int = 8) -> torch.Tensor:
    """target_scores (B, N): per crop, the max target-class confidence over anchors + top-k mean."""
    k = min(topk, target_scores.shape[1])
    top = target_scores.topk(k, dim=1).values
    return (top[:, 0] + top.mean(1)).mean()


def adam_loss(scores: torch.Tensor, attack_ids: list[list[int]], target_ids: list[int], tau: float = 0.1,
              topk: int = 8, target_weight: float = 0.2) -> torch.Tensor:
    """scores (B, nc, N) class confidences; per crop its attack class ids and the fixed target id.
    The confident anchors: attack-class confidence above tau, at most the top k (at least one)."""
    losses = []
    for b in range(scores.shape[0]):
        att = scores[b, attack_ids[b]]                       # (A, N)
        best = att.amax(0)                                   # (N,)
        top = best.topk(min(topk, best.numel())).indices
        keep = top[best[top] > tau]
        keep = keep if keep.numel() else top[:1]
        a = att[:, keep].clamp(EPS, 1 - EPS)
        t = scores[b, target_ids[b], keep].clamp(EPS, 1 - EPS)
        losses.append(-torch.log1p(-a).sum(0).mean() - target_weight * torch.log(t).mean())
    return torch.stack(losses).mean()


def tv_loss(grid: torch.Tensor) -> torch.Tensor:
    """grid (3, h, w) in 0..1: mean absolute difference of neighbouring cells."""
    dx = (grid[:, :, 1:] - grid[:, :, :-1]).abs().mean()
    dy = (grid[:, 1:, :] - grid[:, :-1, :]).abs().mean()
    return dx + dy


def printable_palette(levels: tuple[float, ...] = (0.1, 0.5, 0.9)) -> torch.Tensor:
    """A stand-in for a printer's measured colour chart: 27 colours on a 3-level RGB grid."""
    return torch.tensor(list(itertools.product(levels, repeat=3)), dtype=torch.float32)


def nps_loss(grid: torch.Tensor, palette: torch.Tensor) -> torch.Tensor:
    """Mean over cells of the distance to the nearest printable colour."""
    px = grid.reshape(3, -1).T                                # (P, 3)
    d = torch.cdist(px, palette)                             # (P, K)
    return d.min(1).values.mean()
