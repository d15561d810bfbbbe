"""The shared optimisation loop and the white-box evaluation of a patch on public crops."""
from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Callable, Optional

import numpy as np
import torch

from .losses import nps_loss, printable_palette, tv_loss
from .pipeline import Augment, render_batch, target_scores
from .public_data import Sample
from .whitebox import WhiteBox

KIND_WEIGHTS = {"truck": 0.8, "mannequin": 0.2}  # the final round's mix (DESIGN.md section 4)
DetLoss = Callable[[list[WhiteBox], torch.Tensor, list[Sample]], torch.Tensor]


@dataclass
class Context:
    samples: list[Sample]           # public training crops
    detectors: list[WhiteBox]       # the white-box models the attack sees
    rng: np.random.Generator
    progress: Optional[Callable[[str, float], None]] = None
    curve: list[dict] = field(default_factory=list)  # every step's losses, all stages
    kind_weights: dict[str, float] = field(default_factory=lambda: dict(KIND_WEIGHTS))
    saliency: Optional[torch.Tensor] = None  # when set, |gradient| per grid cell is summed into it

    def sampling(self) -> np.ndarray:
        """Per-crop sampling probability: each scene kind gets its weight in the final score."""
        kinds = [s.kind for s in self.samples]
        w = np.array([self.kind_weights.get(k, 0.0) / kinds.count(k) for k in kinds])
        return w / w.sum() if w.sum() > 0 else np.full(len(kinds), 1 / len(kinds))

    def report(self, stage: str, pct: float) -> None:
        if self.progress:
            self.progress(stage, pct)


@dataclass
class Schedule:
    steps: int
    batch: int
    lr: float
    mode: str = "momentum"          # "momentum" (MI-FGSM sign steps) or "adam"
    momentum: float = 0.9
    tv: float = 2.5
    nps: float = 0.05
    aug: Augment = field(default_factory=Augment)


def optimise(ctx: Context, param: torch.Tensor, mask_grid: torch.Tensor, det_loss: DetLoss, sched: Schedule,
             stage: str = "optimise", span: tuple[float, float] = (0.0, 100.0)) -> torch.Tensor:
    """Minimise det_loss + tv * TV + nps * NPS over the masked texture cells; returns the new param."""
    param = param.detach().clone().requires_grad_(True)
    palette = printable_palette()
    m = mask_grid.to(torch.float32)
    g_acc = torch.zeros_like(param)
    opt = torch.optim.Adam([param], lr=sched.lr) if sched.mode == "adam" else None
    p = ctx.sampling()
    for step in range(sched.steps):
        idx = ctx.rng.choice(len(ctx.samples), size=min(sched.batch, int((p > 0).sum())), replace=False, p=p)
        batch = [ctx.samples[i] for i in sorted(idx)]
        crops = render_batch(param, mask_grid, batch, ctx.rng, sched.aug)
        d = det_loss(ctx.detectors, crops, batch)
        d_value = float(d.detach())
        masked = param * m + param.detach() * (1 - m)
        tv = tv_loss(masked)
        nps = nps_loss(masked[:, m.bool()][:, :, None], palette) if m.any() else torch.zeros(())
        loss = d + sched.tv * tv + sched.nps * nps
        grad, = torch.autograd.grad(loss, param)
        grad = grad * m
        if ctx.saliency is not None:
            ctx.saliency += grad.abs().sum(0)
        lr = sched.lr * 0.5 * (1 + math.cos(math.pi * step / max(1, sched.steps)))  # cosine decay
        with torch.no_grad():
            if opt is None:
                g_acc.mul_(sched.momentum).add_(grad / (grad.abs().mean() + 1e-12))
                param.sub_(lr * g_acc.sign())
            else:
                for group in opt.param_groups:
                    group["lr"] = lr
                param.grad = grad
                opt.step()
            param.clamp_(0, 1)
        ctx.curve.append({"stage": stage, "det": round(d_value, 5), "tv": round(float(tv.detach()), 5),
                          "nps": round(float(nps.detach()), 5)})
        ctx.report(stage, span[0] + (span[1] - span[0]) * (step + 1) / sched.steps)
    return param.detach()


@torch.no_grad()
def evaluate(ctx: Context, param: torch.Tensor, mask_grid: torch.Tensor, samples: list[Sample] | None = None,
             batch: int = 16) -> dict[str, dict[str, float]]:
    """Per white-box model: share of crops with no target confidence above its threshold
    (what the scorer counts, up to the crop) and the mean of the per-crop maximum."""
    samples = samples if samples is not None else ctx.samples
    maxima: dict[str, list[float]] = {d.name: [] for d in ctx.detectors}
    for start in range(0, len(samples), batch):
        chunk = samples[start:start + batch]
        crops = render_batch(param, mask_grid, chunk, None, None).round()
        for det in ctx.detectors:
            maxima[det.name].extend(target_scores(det, crops, chunk).amax(1).tolist())
    out = {}
    for det in ctx.detectors:
        arr = np.asarray(maxima[det.name])
        out[det.name] = {"suppressed": float(np.mean(arr < det.conf)), "mean_max_conf": float(arr.mean())}
    return out
