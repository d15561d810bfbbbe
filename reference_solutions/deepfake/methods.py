"""The deepfake track's reference methods for ``reference_solutions.registry``."""
from __future__ import annotations

from pathlib import Path

from ..registry import GenerateRequest, ReferenceMethod
from .public_data import public_inputs
from .recipes import RECIPES

# this package (with app/, the image's code) and the kit's feature code the image ships
SOURCE_PACKAGES = ("reference_solutions.deepfake", "submission_kit.deepfake.baseline")


def _inputs(request: GenerateRequest) -> list[Path]:
    return public_inputs(request.demo_dir)


def _generator(method: str):
    def generate(request: GenerateRequest) -> Path:
        from .generate import generate as run

        # one torch thread whatever request.threads says: the networks are so small that a second
        # thread only adds synchronisation (quick fit on the quick demo, loaded 2-core machine:
        # 1.2 CPU-s with one thread, 13.8 CPU-s with two)
        return run(method, request.demo_dir, request.out_dir, seed=request.seed, budget=request.budget,
                   threads=1, progress=request.progress)
    return generate


METHODS = [
    ReferenceMethod(name=f"deepfake/{r.name}", track="deepfake", team=r.team, summary=r.summary,
                    public_inputs=_inputs, generate=_generator(r.name), source_packages=SOURCE_PACKAGES)
    for r in RECIPES.values()
]
