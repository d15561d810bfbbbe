"""BJTU-ADaM: turn the confident anchors of the attack classes into a fixed target class.

On the confident anchors (the 8 with the highest attack-class confidence above ``tau``,
at least the single most confident one) a cross-entropy pushes the attack classes' confidences to 0 and a fixed
target class's to 1 (truck scenes -> ``person``, mannequin scenes -> ``car``: classes the
scorer does not count there), with total variation, momentum sign steps, ensembled over every white-box
detector the model set declares, each at two input scales (1 and 0.75: the scale ensemble
stands in for the team's several detectors when only one white-box model exists).
"""
from __future__ import annotations

import torch

from .losses import adam_loss
from .optimise import Context, Schedule, optimise
from .pipeline import GRID_H, GRID_W, Augment, detector_input
from .vanish import initial_texture

TARGET_CLASS = {"truck": "person", "mannequin": "car"}
SCALES = (1.0, 0.75)


def make_det_loss(tau: float, target_class: dict[str, str]):
    def det_loss(detectors, crops, samples) -> torch.Tensor:
        total = []
        for d in detectors:
            attack_ids = [d.class_ids(s.targets) for s in samples]
            targets = []
            for s in samples:
                ids = d.class_ids([target_class[s.kind]])
                if not ids:
                    raise ValueError(f"{d.name} has no class {target_class[s.kind]!r} to push {s.kind} scenes toward")
                targets.append(ids[0])
            for scale in SCALES:
                scores = d.scores(detector_input(crops, d, samples[0].frame_long, scale))
                total.append(adam_loss(scores, attack_ids, targets, tau))
        return torch.stack(total).mean()

    return det_loss


def run(ctx: Context, cfg: dict) -> tuple[torch.Tensor, torch.Tensor, dict]:
    param = initial_texture(ctx)
    mask = torch.ones((GRID_H, GRID_W), dtype=torch.bool)
    tau = cfg.get("tau", 0.1)
    sched = Schedule(steps=cfg["steps"], batch=cfg["batch"], lr=cfg["lr"], mode=cfg.get("mode", "momentum"),
                     tv=cfg.get("tv", 0.1), nps=0.0, aug=Augment(shade=0.1, noise=2.0, jitter=0.5))
    param = optimise(ctx, param, mask, make_det_loss(tau, TARGET_CLASS), sched, stage="optimise", span=(5, 95))
    return param, mask, {"loss": f"BCE on anchors with attack-class confidence > {tau}, toward {TARGET_CLASS}",
                         "optimiser": sched.mode, "ensemble": [f"{d.name}@x{s}" for d in ctx.detectors for s in SCALES],
                         "tv": sched.tv, "mask": "full texture"}
