"""XJTU_Vanish / "YouOnlyAttackOnce": make the targets vanish for the white-box detector.

Minimise, over all public training frames (random mini-batches), the target-class
confidence of every anchor of the white-box detector(s) -- the maximum per frame (it alone
decides whether the frame has a detection) plus the top-k mean -- with total-variation and
non-printability penalties, by momentum sign steps (MI-FGSM) through the scorer's own
differentiable warp. The mask is the whole texture (the team's choice: strongest attack,
no area bonus).
"""
from __future__ import annotations

import torch

from .losses import vanish_loss
from .optimise import Context, Schedule, optimise
from .pipeline import GRID_H, GRID_W, Augment, target_scores


def initial_texture(ctx: Context) -> torch.Tensor:
    """Mid-grey plus a little seeded noise (breaks symmetry; the seed makes runs differ)."""
    gen = torch.Generator().manual_seed(int(ctx.rng.integers(2**31)))
    return (0.5 + 0.1 * (torch.rand((3, GRID_H, GRID_W), generator=gen) - 0.5)).clamp(0, 1)


def det_loss(detectors, crops, samples) -> torch.Tensor:
    return sum(vanish_loss(target_scores(d, crops, samples)) for d in detectors) / len(detectors)


def run(ctx: Context, cfg: dict) -> tuple[torch.Tensor, torch.Tensor, dict]:
    param = initial_texture(ctx)
    mask = torch.ones((GRID_H, GRID_W), dtype=torch.bool)
    sched = Schedule(steps=cfg["steps"], batch=cfg["batch"], lr=cfg["lr"], mode=cfg.get("mode", "momentum"), momentum=0.9,
                     tv=cfg.get("tv", 0.1), nps=cfg.get("nps", 0.02), aug=Augment(shade=0.1, noise=2.0, jitter=0.5))
    param = optimise(ctx, param, mask, det_loss, sched, stage="optimise", span=(5, 95))
    return param, mask, {"loss": "max + top-8 mean of target-class confidence", "optimiser": "momentum sign steps (mu 0.9)" if sched.mode == "momentum" else sched.mode,
                         "tv": sched.tv, "nps": sched.nps, "mask": "full texture"}
