"""The deepfake track's reference methods for ``reference_solutions.registry``."""
from __future__ import annotations

from pathlib import Path

from ..registry import GenerateRequest, ReferenceMethod
from .public_data import public_inputs
from .recipes import RECIPES

SOURCE_PACKAGES = ("reference_solutions.deepfake", "reference_solutions.deepfake.app",
                   "submission_kit.deepfake.baseline")


def _inputs(request: GenerateRequest) -> list[Path]:
    return public_inputs(request.demo_dir)


def _generator(method: str):
    def generate(request: GenerateRequest) -> Path:
        from .generate import generate as run

        return run(method, request.demo_dir, request.out_dir, seed=request.seed, budget=request.budget,
                   threads=request.threads, progress=request.progress)
    return generate


METHODS = [
    ReferenceMethod(name=f"deepfake/{r.name}", track="deepfake", team=r.team, summary=r.summary,
                    public_inputs=_inputs, generate=_generator(r.name), source_packages=SOURCE_PACKAGES)
    for r in RECIPES.values()
]
