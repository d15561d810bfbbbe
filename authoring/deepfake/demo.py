"""The deepfake track's offline demo: generated data, three phase bundles, the baseline image.

``build_demo(out_dir, quick=False)`` (the platform's demo contract) generates the data set
(``datagen``), builds the debootstrap base image and the baseline submission image from the
submission kit, and returns the phases' bundles and settings plus the baseline tarball.
Needs the Docker Engine (and root for the first debootstrap). Idempotent.
"""
from __future__ import annotations

from pathlib import Path

from .datagen import PHASES, build_dataset

PHASE_SETTINGS = {"time_limit_s": 600, "memory_mb": 2048, "cpus": 2.0, "pids": 128, "output_cap_mb": 16,
                  "log_cap_kb": 64, "log_limit_mb": 16, "tmp_mb": 64, "max_image_mb": 1024, "gpu": False}


def phase_settings(kind: str) -> dict:
    return {"phase_kind": kind, "novelty": kind == "final", "show_logs": kind != "final", **PHASE_SETTINGS}


def build_demo(out_dir: Path, *, quick: bool = False) -> dict:
    from submission_kit.deepfake.build import (
        build_baseline,  # kit code; imported only here
    )

    out_dir = Path(out_dir).resolve()
    data = build_dataset(out_dir / "data", quick=quick)
    baseline = build_baseline(data / "train_labelled", out_dir / "baseline-noise-knn.tar")
    return {
        "phases": {kind: {"bundle": str(data / "phases" / kind), "settings": phase_settings(kind)} for kind in PHASES},
        "baselines": {"noise-knn": str(baseline.resolve())},
    }
