"""The track plug-in interface and the registry of tracks.

A track is one package under ``evaluators/`` with a ``track.py`` that defines ``TRACK``, an
object with this interface, plus one line in ``REGISTRY`` below (README, "Adding a track"):

- ``name``: the track's name in competition YAMLs (``face``);
- ``scorer_version``: bump it when scores could change; score rows are tagged with it and the
  leaderboard ranks only rows of the version the workers run (they store it, the API reads it);
- ``settings_model``: a ``TrackSettings`` pydantic model of the phase's ``scoring`` mapping,
  validated when the competition YAML loads; its ``upload_cap(bundle_dir)`` is the upload
  size cap in bytes the API enforces;
- ``validate_upload(artifact, bundle_dir, settings)``: the cheap checks the API runs before
  queueing (seconds, no models, no torch). Raises SubmissionRejected;
- ``sample_strata(bundle_dir)``: ``{sample id: stratum}`` for every scored sample of the
  bundle (face pair ids, driving scene names, deepfake probe ids), cheap; the stratum is a
  grouping both parts of a public/private split must cover ("" for none). The loader splits a
  phase's samples with it (``evaluators.common.parts``);
- ``run(artifact, bundle_dir, settings, *, progress, workdir, device, parts)``: the whole scoring run
  of a stored artifact on a worker (for the deepfake track: the sandboxed container run, then
  scoring). Raises SubmissionRejected (user), SubmissionTimedOut (timeout) or BundleError and
  anything else (infra). ``device`` is the worker's device setting; a phase's own wins.
  ``parts`` (a split phase only: ``{"public": [ids], "private": [ids]}``): the result's
  ``parts`` then holds each part's ``Part`` (score, aggregate columns, n), from the same
  evaluation as the whole, and nothing else in the result (messages, timings, pictures)
  depends on the split.

``settings`` is the phase's ``scoring`` mapping (plain JSON types). Importing a ``track.py``
must stay cheap: heavy imports (torch, detectors, Docker) happen inside ``run``.
"""
from __future__ import annotations

import importlib
from pathlib import Path
from typing import Any, Mapping, Protocol, Sequence

from .common.result import Progress, Result
from .common.settings import TrackSettings, parse_track_settings

REGISTRY = {  # track name -> module defining TRACK
    "face": "evaluators.face.track",
    "driving": "evaluators.driving.track",
    "deepfake": "evaluators.deepfake.track",
}
TRACKS = tuple(REGISTRY)


class Track(Protocol):
    name: str
    settings_model: type[TrackSettings]
    upload_suffixes: tuple[str, ...]  # the file name endings the track takes (the browser's first check)

    @property
    def scorer_version(self) -> str: ...

    def validate_upload(self, artifact: Path, bundle_dir: Path, settings: dict[str, Any]) -> None: ...

    def sample_strata(self, bundle_dir: Path) -> dict[str, str]: ...

    def run(self, artifact: Path, bundle_dir: Path, settings: dict[str, Any], *, progress: Progress | None = None,
            workdir: Path | None = None, device: str = "auto",
            parts: Mapping[str, Sequence[str]] | None = None) -> Result: ...


_installed: dict[str, Track] = {}


def get_track(name: str) -> Track:
    """The registered track ``name``. Raises KeyError naming the known tracks."""
    if name in _installed:
        return _installed[name]
    if name not in REGISTRY:
        raise KeyError(f"unknown track {name!r}; known tracks: {', '.join(TRACKS)}")
    return importlib.import_module(REGISTRY[name]).TRACK


def install(name: str, track: Track | None) -> None:
    """Replace a registered track in this process (tests: a fake scorer); None restores it."""
    if track is None:
        _installed.pop(name, None)
    else:
        _installed[name] = track


def parse_settings(name: str, raw: dict[str, Any] | None) -> TrackSettings:
    """The phase settings of track ``name``, validated. Raises SettingsError."""
    return parse_track_settings(get_track(name).settings_model, raw, name)
