"""Deepfake-attribution track (AISC 2022): teams submit a Docker image that ranks gallery
images by forging method for each probe and, in the final phase, estimates novelty.

Registry interface (evaluators.registry):

- ``validate_upload(artifact, bundle_dir, settings)``: ``artifact`` is the team's ``docker
  save`` tarball; cheap pure-Python checks (archive shape, one image, architecture,
  ENTRYPOINT, size cap). No Docker needed.
- ``score(artifact, bundle_dir, settings)``: ``artifact`` is a ``predictions.jsonl`` whose
  ids are the bundle's own probe/gallery ids. The worker (``workers.deepfake_run.
  run_and_score``) produces predictions by running the image in the sandbox on anonymised
  copies of the bundle, translates the ids back and scores with the same code.

Settings keys: see ``evaluators.deepfake.settings``.
"""
from __future__ import annotations

from pathlib import Path

from ..common.result import Progress, Result, report
from .bundle import load_bundle
from .image_archive import check_image_archive
from .scoring import SCORER_VERSION, parse_for_bundle, read_prediction_lines, score_predictions
from .settings import parse_settings

__all__ = ["SCORER_VERSION", "validate_upload", "score"]


def _settings(settings: dict | None):
    try:
        return parse_settings(settings)
    except ValueError as e:
        from ..common.errors import BundleError

        raise BundleError(f"phase settings are invalid: {e}") from e


def validate_upload(artifact: Path, bundle_dir: Path, settings: dict) -> None:
    cfg = _settings(settings)
    check_image_archive(Path(artifact), max_bytes=int(cfg.max_image_mb * 2**20))


def score(artifact: Path, bundle_dir: Path, settings: dict, *, progress: Progress | None = None,
          workdir: Path | None = None) -> Result:
    cfg = _settings(settings)
    report(progress, "load", 0)
    bundle = load_bundle(bundle_dir)
    report(progress, "validate", 30)
    lines = read_prediction_lines(Path(artifact), int(cfg.output_cap_mb * 2**20))
    preds = parse_for_bundle(lines, bundle, cfg)
    return score_predictions(preds, bundle, cfg, progress=progress, workdir=workdir)


