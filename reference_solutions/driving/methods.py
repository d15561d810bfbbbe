"""The driving track's reference methods behind ``reference_solutions.registry``.

Also ``build_demo(demo_dir, budget)`` for the regression runner: ``quick`` builds the CI
demo (``ci_demo.py``: detectors that really detect, a few CPU-minutes), ``full`` the
evaluators' full driving demo.
"""
from __future__ import annotations

from pathlib import Path

from ..registry import GenerateRequest, ReferenceMethod
from . import adam, aisec, vanish
from .generate import generate
from .public_data import public_files

SOURCE = ("reference_solutions.driving", "evaluators.driving")


def _make(key: str, run, short: str):
    def gen(request: GenerateRequest) -> Path:
        return generate(key, run.run, short, request.demo_dir, request.out_dir, seed=request.seed,
                        budget_name=request.budget, progress=request.progress, threads=request.threads)

    return gen


def _inputs(request: GenerateRequest) -> list[Path]:
    return public_files(request.demo_dir)


METHODS = [
    ReferenceMethod("driving/xjtu_vanish", "driving", "XJTU_Vanish (YouOnlyAttackOnce)",
                    "minimise the white-box target confidence over all public frames; TV + NPS; momentum",
                    _inputs, _make("vanish", vanish, "xjtu_vanish"), SOURCE),
    ReferenceMethod("driving/bjtu_adam", "driving", "BJTU-ADaM",
                    "confident attack-class anchors -> a fixed target class; TV; white-box x scale ensemble",
                    _inputs, _make("adam", adam, "bjtu_adam"), SOURCE),
    ReferenceMethod("driving/xjtu_aisec", "driving", "XJTU-AISEC",
                    "mask search (<= 5 random shapes, grow/prune, area ceiling), then the pattern with blur",
                    _inputs, _make("aisec", aisec, "xjtu_aisec"), SOURCE),
]
RUNNERS = {"xjtu_vanish": ("vanish", vanish.run), "bjtu_adam": ("adam", adam.run), "xjtu_aisec": ("aisec", aisec.run)}


def build_demo(demo_dir: Path, budget: str) -> dict:
    if budget == "quick":
        from .ci_demo import build_ci_demo

        return build_ci_demo(Path(demo_dir))
    if budget == "full":
        from evaluators.driving.demo import build_demo as full_demo

        return full_demo(Path(demo_dir), quick=False)
    raise ValueError(f"budget must be 'quick' or 'full', not {budget!r}")
