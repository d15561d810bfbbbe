"""The only place the platform core calls into the tracks (``evaluators.registry``): the
settings check when a competition loads, the upload cap, and the cheap ``validate_upload``
(seconds, no models) the API runs before a submission is queued. The scorers themselves run
on workers only; the current scorer versions come from the database (``core.scorer_versions``),
so the API process never imports a scorer."""
from __future__ import annotations

from pathlib import Path
from typing import Any

from evaluators.common.errors import BundleError, SubmissionRejected
from evaluators.common.settings import SettingsError
from evaluators.registry import TRACKS, get_track, parse_settings

__all__ = ["BundleError", "SettingsError", "SubmissionRejected", "TRACKS", "validate_upload", "settings_problems",
           "upload_cap"]


def validate_upload(track: str, artifact: Path, bundle_dir: Path, settings: dict) -> None:
    """Raise SubmissionRejected with a message for the team if the upload is malformed."""
    get_track(track).validate_upload(artifact, bundle_dir, settings)


def settings_problems(track: str, raw: Any) -> list[tuple[str, str]]:
    """[(key, message)] for a phase's ``scoring`` mapping; empty when valid."""
    try:
        parse_settings(track, raw)
    except SettingsError as e:
        return e.problems
    return []


def upload_cap(track: str, raw: dict, bundle_dir: Path) -> int:
    """The track's upload cap in bytes for valid settings ``raw`` and the phase's bundle."""
    return int(parse_settings(track, raw).upload_cap(Path(bundle_dir)))
