"""The face track's reference methods for ``regress`` (see reference_solutions/registry.py).

Both read the public pairs of the demo's bundle (through its sha256-verified manifest; never
its labels, never the phase's model set) plus the two surrogate weight files, and write
``face.zip`` (with ``face.json`` and ``face.png`` beside it). Every phase of the face demo uses
the same bundle, so one artifact serves all of them.

Budgets: ``quick`` (CI: few iterations, about a CPU-minute or two on the quick demo's 6 pairs)
and ``full`` (the 80 iterations of the table in reference_solutions/README.md).
"""
from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from ..pinned import run_pinned
from ..registry import GenerateRequest, ReferenceMethod
from .deep_dream import DeepDreamConfig

BUDGETS = {
    "quick": DeepDreamConfig(iterations=12, saliency_samples=2),
    "full": DeepDreamConfig(iterations=80),
}
ARTIFACT = "face.zip"


def _bundle_dir(request: GenerateRequest) -> Path:
    bundles = {str(ph["bundle"]) for ph in request.demo["phases"].values()}
    if len(bundles) != 1:
        raise ValueError(f"the face demo's phases use {len(bundles)} bundles ({sorted(bundles)}); "
                         "the face methods expect one public bundle shared by every phase")
    return Path(bundles.pop())


def config(budget: str, seed: int) -> DeepDreamConfig:
    if budget not in BUDGETS:
        raise ValueError(f"unknown budget {budget!r}; choose one of {', '.join(BUDGETS)}")
    return replace(BUDGETS[budget], seed=seed)


def public_inputs(request: GenerateRequest) -> list[Path]:
    """The pair images listed in the bundle's manifest and the surrogates' weight files."""
    from evaluators.common.manifest import load_manifest

    from .public_bundle import PAIR_RE
    from .surrogates.assets import facenet_graph_pb, mobilefacenet_tflite

    root = _bundle_dir(request)
    files = []
    for rel in sorted(load_manifest(root, "face")["files"]):
        if PAIR_RE.search(rel) or PAIR_RE.search(rel.replace("_compare.png", ".png")):
            files.append(root / rel)
    if not files:
        raise ValueError(f"face bundle {root} lists no NNNN.png / NNNN_compare.png pairs")
    return [*files, mobilefacenet_tflite(), facenet_graph_pb()]


def _generator(method: str):
    """Generation runs in the numerically pinned environment (``reference_solutions.pinned``), as
    the driving methods do: unpinned, another CPU flipped a verification decision of meta_attack."""
    def generate(request: GenerateRequest) -> Path:
        out = Path(request.out_dir) / ARTIFACT
        cfg = config(request.budget, request.seed).to_dict()
        args = [method.replace("_", "-"), "--bundle", str(_bundle_dir(request)), "--out", str(out),
                "--threads", "1", "--progress"]
        for name, value in cfg.items():
            args += [f"--{name.replace('_', '-')}", str(value)]
        run_pinned("reference_solutions.face", args, request.progress)
        return out

    return generate


METHODS = [
    ReferenceMethod(
        name="face/deep_dream", track="face", team="Deep Dream",
        summary="surrogate ensemble with dynamic 1-cos weights, MI-FGSM + DI/TI/SI in random order, "
                "saliency facial-region mask (5 components, 1254 pixels)",
        public_inputs=public_inputs, generate=_generator("deep_dream"),
        source_packages=("reference_solutions.face",)),
    ReferenceMethod(
        name="face/meta_attack", track="face", team="TianQuan & LianYi",
        summary="meta-train (one random surrogate, virtual step) / meta-test (held-out group, "
                "weighted loss) on the Deep Dream machinery",
        public_inputs=public_inputs, generate=_generator("meta_attack"),
        source_packages=("reference_solutions.face",)),
]
