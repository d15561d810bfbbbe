"""Deepfake-attribution track (AISC 2022): teams submit a Docker image that ranks gallery
images by forging method for each probe and, in the final phase, estimates novelty.

The platform uses ``track.TRACK`` (``evaluators.registry``): ``validate_upload`` checks the
``docker save`` tarball (pure Python), ``run`` runs it in the sandbox (``run.run_and_score``)
and scores its predictions.

As a library, ``score(predictions, bundle_dir, settings)`` scores a ``predictions.jsonl`` whose
ids are the bundle's own probe/gallery ids (what ``python -m evaluators score`` runs).
Settings keys: see ``evaluators.deepfake.settings``.
"""
from __future__ import annotations

from pathlib import Path
from typing import Mapping, Sequence

from ..common.lazy import lazy
from ..common.result import Progress, Result, report

__all__ = ["SCORER_VERSION", "validate_upload", "score"]


def score(artifact: Path, bundle_dir: Path, settings: dict, *, progress: Progress | None = None,
          workdir: Path | None = None, parts: Mapping[str, Sequence[str]] | None = None) -> Result:
    """Score a predictions file; ``parts`` as in ``scoring.score_predictions``. Raises
    SubmissionRejected (bad predictions), BundleError."""
    from .bundle import load_bundle
    from .scoring import parse_for_bundle, read_prediction_lines, score_predictions
    from .settings import parse_settings

    cfg = parse_settings(settings)
    report(progress, "load", 0)
    bundle = load_bundle(bundle_dir)
    report(progress, "validate", 30)
    lines = read_prediction_lines(Path(artifact), int(cfg.output_cap_mb * 2**20))
    preds = parse_for_bundle(lines, bundle, cfg)
    return score_predictions(preds, bundle, cfg, progress=progress, workdir=workdir, parts=parts)


__getattr__ = lazy(__name__, {"SCORER_VERSION": "scoring", "validate_upload": "track"})
