"""The driving track's reference methods behind ``reference_solutions.registry``.

Also ``build_demo(demo_dir, budget)`` for the regression runner: ``quick`` builds the CI
demo (``ci_demo.py``: detectors that really detect, a few CPU-minutes), ``full`` the
evaluators' full driving demo.
"""
from __future__ import annotations

from pathlib import Path

from ..pinned import run_pinned
from ..registry import GenerateRequest, ReferenceMethod
from . import adam, aisec, vanish
from .public_data import public_files

SOURCE = ("reference_solutions.driving", "evaluators.driving")


def _make(short: str):
    """Generation runs in the numerically pinned environment (``reference_solutions.pinned``):
    the optimisers are chaotic, and unpinned, other CPUs made other patches that scored far apart."""
    def gen(request: GenerateRequest) -> Path:
        out = run_pinned("reference_solutions.driving",
                         [short, "--demo", str(request.demo_dir), "--out", str(request.out_dir), "--budget",
                          request.budget, "--seed", str(request.seed), "--threads", "1"], request.progress)
        return Path(out)

    return gen


def _inputs(request: GenerateRequest) -> list[Path]:
    return public_files(request.demo_dir)


METHODS = [
    ReferenceMethod("driving/xjtu_vanish", "driving", "XJTU_Vanish (YouOnlyAttackOnce)",
                    "minimise the white-box target confidence over all public frames; TV + NPS; momentum",
                    _inputs, _make("xjtu_vanish"), SOURCE),
    ReferenceMethod("driving/bjtu_adam", "driving", "BJTU-ADaM",
                    "confident attack-class anchors -> a fixed target class; TV; white-box x scale ensemble",
                    _inputs, _make("bjtu_adam"), SOURCE),
    ReferenceMethod("driving/xjtu_aisec", "driving", "XJTU-AISEC",
                    "mask search (<= 5 random shapes, grow/prune, area ceiling), then the pattern with blur",
                    _inputs, _make("xjtu_aisec"), SOURCE),
]
RUNNERS = {"xjtu_vanish": ("vanish", vanish.run), "bjtu_adam": ("adam", adam.run), "xjtu_aisec": ("aisec", aisec.run)}


def build_demo(demo_dir: Path, budget: str) -> dict:
    if budget == "quick":
        from .ci_demo import build_ci_demo

        return build_ci_demo(Path(demo_dir))
    if budget == "full":
        from authoring.driving.demo import build_demo as full_demo

        return full_demo(Path(demo_dir), quick=False)
    raise ValueError(f"budget must be 'quick' or 'full', not {budget!r}")
