"""XJTU-AISEC: search the mask first, then optimise the pattern, blurred around the warp.

1. warm-up: the pattern is optimised on the full texture for a few steps (vanish loss);
2. random masks of at most 5 shapes under an area ceiling (every other one centred on cells
   drawn by the warm-up's accumulated |gradient|, the texture's salient places) are judged with that pattern by a
   proxy of the score on a fixed set of public crops: white-box suppression (share of crops
   whose best target confidence is under the model's threshold, averaged over the
   white-box models) + 0.2 x uncovered share - 0.5 x mean best confidence (progress
   before any crop is fully suppressed);
3. grow / shrink / prune / add moves on the best mask, each kept when the proxy improves;
4. the pattern is optimised on the chosen mask with Gaussian blur of the texture before the
   warp and of the composited frame after it (robust to resampling and camera blur).
"""
from __future__ import annotations

import numpy as np
import torch

from .mask_search import coverage, moves, random_mask, raster
from .optimise import Context, Schedule, evaluate, optimise
from .pipeline import GRID_H, GRID_W, Augment, gaussian_blur
from .vanish import det_loss, initial_texture


def proxy(ctx: Context, param, mask, eval_samples) -> float:
    ev = evaluate(ctx, param, mask, eval_samples)
    supp = float(np.mean([v["suppressed"] for v in ev.values()]))
    conf = float(np.mean([v["mean_max_conf"] for v in ev.values()]))
    return supp + 0.2 * (1 - float(mask.float().mean())) - 0.5 * conf


def run(ctx: Context, cfg: dict) -> tuple[torch.Tensor, torch.Tensor, dict]:
    param = initial_texture(ctx)
    ceiling = cfg.get("ceiling", 0.85)
    aug = Augment(shade=0.1, noise=2.0, jitter=0.5, blur=1.0, tex_blur=1.0)
    full = torch.ones((GRID_H, GRID_W), dtype=torch.bool)
    warm = Schedule(steps=cfg["warmup"], batch=cfg["batch"], lr=cfg["lr"], mode=cfg.get("mode", "momentum"), tv=cfg.get("tv", 0.1), nps=0.02, aug=aug)
    ctx.saliency = torch.zeros((GRID_H, GRID_W))
    param = optimise(ctx, param, full, det_loss, warm, stage="warm-up", span=(2, 20))
    saliency = gaussian_blur(ctx.saliency[None, None], 3.0)[0, 0].numpy()
    ctx.saliency = None
    pick = ctx.rng.choice(len(ctx.samples), size=min(cfg["eval_crops"], len(ctx.samples)), replace=False)
    eval_samples = [ctx.samples[i] for i in sorted(pick)]
    log = []
    best, best_val = None, -np.inf
    for c in range(cfg["candidates"]):
        shapes = random_mask(ctx.rng, ceiling, saliency if c % 2 == 0 else None)
        val = proxy(ctx, param, raster(shapes), eval_samples)
        log.append({"move": f"candidate {c}", "shapes": len(shapes), "cover": round(coverage(shapes), 4), "proxy": round(val, 4)})
        if val > best_val:
            best, best_val = shapes, val
        ctx.report("mask search", 20 + 15 * (c + 1) / cfg["candidates"])
    for r in range(cfg["rounds"]):
        improved = False
        for name, shapes in moves(best, ctx.rng, ceiling):
            val = proxy(ctx, param, raster(shapes), eval_samples)
            if val > best_val + 1e-9:
                best, best_val, improved = shapes, val, True
                log.append({"move": f"round {r}: {name}", "shapes": len(shapes), "cover": round(coverage(shapes), 4),
                            "proxy": round(val, 4)})
        ctx.report("grow/prune", 35 + 15 * (r + 1) / cfg["rounds"])
        if not improved:
            break
    mask = raster(best)
    sched = Schedule(steps=cfg["steps"], batch=cfg["batch"], lr=cfg["lr"], mode=cfg.get("mode", "momentum"), tv=cfg.get("tv", 0.1), nps=0.02, aug=aug)
    param = optimise(ctx, param, mask, det_loss, sched, stage="optimise", span=(50, 95))
    return param, mask, {"ceiling": ceiling, "mask_cover": round(float(mask.float().mean()), 4),
                         "shapes": [s.__dict__ for s in best], "search": log, "blur": "texture sigma U(0,1) cells, frame sigma U(0,1) px",
                         "loss": "vanish (max + top-8 mean)", "optimiser": sched.mode}
