"""The only place the platform core calls into the scorers: their cheap checks
(``validate_upload``: seconds, no models) run in the API before a submission is queued,
and the current ``SCORER_VERSION`` the leaderboard reads."""
from __future__ import annotations

from pathlib import Path

from evaluators.common.errors import BundleError, SubmissionRejected
from evaluators.registry import TRACKS, scorer

__all__ = ["BundleError", "SubmissionRejected", "TRACKS", "validate_upload", "scorer_version"]


def validate_upload(track: str, artifact: Path, bundle_dir: Path, settings: dict) -> None:
    """Raise SubmissionRejected with a message for the team if the upload is malformed."""
    scorer(track).validate_upload(artifact, bundle_dir, settings)


def scorer_version(track: str) -> str:
    return str(scorer(track).SCORER_VERSION)
