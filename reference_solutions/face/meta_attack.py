"""The "TianQuan & LianYi" face attack (AISC 2022): meta-train / meta-test over the surrogate pool.

Each step, for each pair, one surrogate drawn at random (from the pair's own generator) is the
meta-train model and the rest of the pool is the held-out (meta-test) group:

1. meta-train: the gradient g_tr of the train model's loss at x gives a virtual step
   x' = x - beta * sign(g_tr) inside the mask;
2. meta-test: the gradient g_te of the held-out group's weighted loss sum_i w_i (1 - cos_i)
   (dynamic weights w_i as in Deep Dream) is taken at x';
3. the update direction is lambda_tr * g_tr + lambda_te * g_te (each L1-normalised), so a
   step is only rewarded when it also transfers to models it was not computed on.

Everything else (mask, MI-FGSM, DI/TI/SI in random order, budget) is the Deep Dream machinery.
"""
from __future__ import annotations

from functools import partial
from typing import Optional, Sequence

import numpy as np
import torch

from .deep_dream import (DeepDreamConfig, Generators, Progress, dynamic_weights, ensemble_cosines,
                         ensemble_gradient, run_deep_dream, transform_chain)
from .surrogates import FaceSurrogate


def _unit(g: torch.Tensor) -> torch.Tensor:
    return g / g.abs().flatten(1).mean(1).clamp_min(1e-12).view(-1, 1, 1, 1)


def _weighted_loss_grad(models, x, targets, cfg, gens: Generators) -> torch.Tensor:
    xv = x.clone().requires_grad_(True)
    xt, copies = transform_chain(xv, cfg, gens)
    cos = ensemble_cosines(models, xt, targets, copies)
    loss = (dynamic_weights(cos) * (1 - cos)).sum()
    return torch.autograd.grad(loss, xv)[0]


def meta_gradient(models: Sequence[FaceSurrogate], x: torch.Tensor, targets: Sequence[torch.Tensor],
                  mask: torch.Tensor, cfg: DeepDreamConfig, gens: Generators, *,
                  inner_step: float = 4.0, train_weight: float = 0.5, test_weight: float = 1.0) -> torch.Tensor:
    """The meta-train / meta-test direction for the N pairs of ``x`` (N x 3 x H x W). Each pair
    draws its train model from its own generator; pairs that drew the same model go through the
    surrogates together."""
    if len(models) < 2:  # no held-out group: plain ensemble gradient
        return ensemble_gradient(models, x, targets, mask, cfg, gens)
    draws = [int(torch.randint(len(models), (1,), generator=g)) for g in gens]
    out = torch.empty_like(x)
    for k in sorted(set(draws)):
        rows = [j for j, d in enumerate(draws) if d == k]
        idx = torch.tensor(rows, device=x.device)
        sub_gens = [gens[j] for j in rows]
        held = [i for i in range(len(models)) if i != k]
        xk = x[idx]
        g_tr = _weighted_loss_grad([models[k]], xk, [targets[k][idx]], cfg, sub_gens)
        x_virtual = (xk - inner_step * g_tr.sign() * mask[idx]).clamp(0, 255)
        g_te = _weighted_loss_grad([models[i] for i in held], x_virtual, [targets[i][idx] for i in held], cfg,
                                   sub_gens)
        out[idx] = train_weight * _unit(g_tr) + test_weight * _unit(g_te)
    return out


def run_meta_attack(models: Sequence[FaceSurrogate], originals: np.ndarray, compares: np.ndarray,
                    cfg: DeepDreamConfig = DeepDreamConfig(), progress: Optional[Progress] = None,
                    **meta) -> tuple[np.ndarray, np.ndarray, list[dict]]:
    return run_deep_dream(models, originals, compares, cfg, progress, gradient=partial(meta_gradient, **meta))
