"""Track name -> scorer module. Each track package exposes the same three names:

- ``SCORER_VERSION: str`` -- bump it when scores could change; the leaderboard reads the
  current version and re-scoring writes new rows tagged with it.
- ``validate_upload(artifact: Path, bundle_dir: Path, settings: dict) -> None`` -- the cheap
  checks the API runs before queueing (seconds, no models). Raises SubmissionRejected.
- ``score(artifact: Path, bundle_dir: Path, settings: dict, *, progress=None,
  workdir: Path | None = None) -> Result`` -- the full scoring run. Raises
  SubmissionRejected (user failure) or BundleError (infra failure).

``settings`` is the phase's ``scoring`` mapping from the competition YAML (plain JSON types);
each track documents and validates its own keys.
"""
from __future__ import annotations

import importlib
from types import ModuleType

TRACKS = ("face", "driving", "deepfake")


def scorer(track: str) -> ModuleType:
    if track not in TRACKS:
        raise KeyError(f"unknown track {track!r}; known tracks: {', '.join(TRACKS)}")
    module = importlib.import_module(f"evaluators.{track}")
    for name in ("SCORER_VERSION", "validate_upload", "score"):
        if not hasattr(module, name):
            raise RuntimeError(f"evaluators.{track} does not define {name}")
    return module
