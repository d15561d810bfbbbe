"""The only place the platform core calls into the tracks (``evaluators.registry``): the
settings check when a competition loads (``parse_settings``: the settings model, whose
``upload_cap`` is the phase's cap; raises SettingsError), and the cheap ``validate_upload``
(seconds, no models) the API runs before a submission is queued, and the bundle's sample ids
for a phase's public/private split (``sample_strata``). The scorers themselves run
on workers only; the current scorer versions come from the database (``core.scorer_versions``),
so the API process never imports a scorer."""
from __future__ import annotations

from pathlib import Path
from evaluators.common.errors import BundleError, SubmissionRejected
from evaluators.common.settings import SettingsError
from evaluators.registry import TRACKS, get_track, parse_settings

__all__ = ["BundleError", "SettingsError", "SubmissionRejected", "TRACKS", "phase_rules", "sample_strata",
           "upload_suffixes", "validate_upload", "parse_settings"]


def phase_rules(track: str, settings: dict | None) -> list[str]:
    """The phase's submission rules said plainly (``TrackSettings.limits_text``; the face track's
    connected-domain rule and threat-model limits), [] for a track without any or settings that
    no longer parse (they were checked when the competition loaded)."""
    try:
        return parse_settings(track, settings).limits_text()
    except (SettingsError, KeyError, BundleError):
        return []


def upload_suffixes(track: str) -> tuple[str, ...]:
    """The file name endings ``track`` takes (the phase page's first, client-side check); () if unknown."""
    try:
        return tuple(getattr(get_track(track), "upload_suffixes", ()))
    except KeyError:
        return ()


def sample_strata(track: str, bundle_dir: Path) -> dict[str, str]:
    """{sample id: stratum} of a phase's bundle, for its public/private split (``Track.sample_strata``).
    Raises BundleError if the bundle cannot be read, NotImplementedError if the track has no split."""
    found = getattr(get_track(track), "sample_strata", None)
    if found is None:
        raise NotImplementedError(f"the {track} track does not support a public/private split")
    return dict(found(Path(bundle_dir)))


def validate_upload(track: str, artifact: Path, bundle_dir: Path, settings: dict) -> None:
    """Raise SubmissionRejected with a message for the team if the upload is malformed."""
    get_track(track).validate_upload(artifact, bundle_dir, settings)

