"""The demo a track's methods are generated from and scored on.

``evaluators.<track>.demo.build_demo(demo_dir/<track>, quick=(budget == "quick"))``, unless the
track's ``reference_solutions/<track>/methods.py`` exports ``build_demo(demo_dir, budget)``
(e.g. a CI-sized demo whose detectors really detect), which then wins. Builders reuse what is
already built, so a second call costs seconds.

The tracks in ``PINNED_DEMOS`` are built in the numerically pinned environment
(``pinned_demo.py``), like the artifacts: the face demo runs MTCNN detection (torch), alignment
and threshold calibration, and unpinned its crops differed by one grey level between CPUs, which
moved thresholds and flipped a near-threshold decision. The driving CI demo (numpy/OpenCV scenes,
fixed detector files) and the deepfake demo (numpy/PIL/scipy forgeries) run no torch, oneDNN,
MKL or BLAS code that decides their data, so the pinned settings would change nothing there.
"""
from __future__ import annotations

import importlib
from pathlib import Path

from ..registry import BUDGETS

PINNED_DEMOS = frozenset({"face"})


def build_here(track: str, demo_dir: Path, budget: str) -> dict:
    """Build (or reuse) the demo in this process, under whatever numerics it has."""
    if budget not in BUDGETS:
        raise ValueError(f"unknown budget {budget!r}; choose one of {', '.join(BUDGETS)}")
    out = Path(demo_dir) / track
    methods_module = importlib.import_module(f"reference_solutions.{track}.methods")
    override = getattr(methods_module, "build_demo", None)
    if callable(override):
        demo = override(out, budget)
    else:
        demo = importlib.import_module(f"authoring.{track}.demo").build_demo(out, quick=(budget == "quick"))
    if not demo.get("phases"):
        raise ValueError(f"the {track} demo in {out} has no phases; its build_demo must return "
                         "{'phases': {name: {'bundle', 'settings'}}, 'baselines': {name: path}}")
    return demo


def build_track_demo(track: str, demo_dir: Path, budget: str) -> dict:
    if budget not in BUDGETS:
        raise ValueError(f"unknown budget {budget!r}; choose one of {', '.join(BUDGETS)}")
    if track in PINNED_DEMOS:
        from .pinned_demo import build_pinned

        return build_pinned(track, Path(demo_dir), budget)
    return build_here(track, demo_dir, budget)
