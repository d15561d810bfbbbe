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
        "quick": {"crop": 256, "every": 4, "steps": 40, "batch": 6, "lr": 0.08},
        "full": {"crop": 256, "every": 2, "steps": 160, "batch": 8, "lr": 0.06},
    },
    "adam": {
        "quick": {"crop": 256, "every": 4, "steps": 30, "batch": 6, "lr": 0.05},
        "full": {"crop": 256, "every": 2, "steps": 120, "batch": 8, "lr": 0.03},
    },
    "aisec": {
        "quick": {"crop": 256, "every": 4, "steps": 40, "batch": 6, "lr": 0.05, "warmup": 12,
                  "candidates": 6, "rounds": 2, "eval_crops": 12},
        "full": {"crop": 256, "every": 2, "steps": 140, "batch": 8, "lr": 0.03, "warmup": 40,
                 "candidates": 12, "rounds": 4, "eval_crops": 32},
    },
}


def budget(method: str, name: str, overrides: dict | None = None) -> dict:
    if name not in ("quick", "full"):
        raise ValueError(f"budget must be 'quick' or 'full', not {name!r}")
    return dict(BUDGETS[method][name], **(overrides or {}))
