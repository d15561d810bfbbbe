"""Budgets per method: ``quick`` (CI: a few CPU-minutes for all three methods on the CI demo)
and ``full`` (the figures in reference_solutions/README.md, on the full demo).

- ``crop``: side of the square public-frame window around the target, native pixels
- ``every``: use every n-th public frame
- ``steps`` / ``batch``: optimisation steps and crops per step
- ``lr``: step size (sign steps for momentum, Adam's for adam)
"""
from __future__ import annotations

BUDGETS = {
    "vanish": {
        "quick": {"crop": 192, "every": 4, "steps": 100, "batch": 4, "lr": 0.06},
        "full": {"crop": 256, "every": 2, "steps": 100, "batch": 6, "lr": 0.06},
    },
    "adam": {
        "quick": {"crop": 192, "every": 4, "steps": 60, "batch": 4, "lr": 0.06},
        "full": {"crop": 256, "every": 2, "steps": 80, "batch": 6, "lr": 0.06},
    },
    "aisec": {
        # quick: 24 evaluation crops (a proxy step of 1/24, not 1/12) and 8 candidates, so that the
        # mask choice is not decided by noise; with 12 crops and 6 candidates a last-digit change
        # in the warm-up picked a 36% mask instead of a 68% one and halved the score
        "quick": {"crop": 192, "every": 4, "steps": 80, "batch": 4, "lr": 0.06, "warmup": 60,
                  "candidates": 8, "rounds": 1, "eval_crops": 24},
        "full": {"crop": 256, "every": 2, "steps": 60, "batch": 6, "lr": 0.06, "warmup": 30,
                 "candidates": 8, "rounds": 2, "eval_crops": 24},
    },
}


def budget(method: str, name: str, overrides: dict | None = None) -> dict:
    if name not in ("quick", "full"):
        raise ValueError(f"budget must be 'quick' or 'full', not {name!r}")
    return dict(BUDGETS[method][name], **(overrides or {}))
