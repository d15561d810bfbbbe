"""Scoring and sandbox settings of a deepfake phase (the phase's ``scoring`` mapping).

Keys (all optional; defaults below):

- ``phase_kind``: ``preliminary`` (known methods), ``evaluation`` (plus hidden methods) or
  ``final`` (plus new methods and novelty). Default ``preliminary``.
- ``novelty`` (bool): require ``novel_prob`` and score AUC; default true for ``final``.
- ``subjective_score`` (0..1): the organizers' S_sbj, for CLI scoring. The platform instead adds
  ``subjective_weight`` (0.1) x the per-submission score an admin enters; missing means the
  scorer's total is 0.6 P@5 + 0.3 AUC and the result says so.
- ``time_limit_s`` (600), ``memory_mb`` (4096), ``cpus`` (2.0), ``pids`` (256),
  ``gpu`` (false), ``output_cap_mb`` (64), ``log_cap_kb`` (64, the log tail kept),
  ``log_limit_mb`` (32: more than this in the engine's JSON log of stdout/stderr stops the
  run), ``tmp_mb`` (256, the /tmp tmpfs), ``max_image_mb`` (4096, tarball size cap),
  ``show_logs`` (false: whether the team may see the log tail of runs on this phase's hidden
  data).
"""
from __future__ import annotations

from pathlib import Path
from typing import Any, Literal, Optional

from pydantic import Field, model_validator

from sandbox.limits import Limits

from ..common.settings import Bool, Num, TrackSettings, parse_track_settings

PHASE_KINDS = ("preliminary", "evaluation", "final")


class DeepfakeSettings(TrackSettings, Limits):
    """The sandbox ``Limits`` (defined once, in ``sandbox.limits``) plus the track's own keys."""
    phase_kind: Literal["preliminary", "evaluation", "final"] = "preliminary"
    novelty: Bool = False
    subjective_score: Optional[Num] = Field(None, ge=0, le=1)
    max_image_mb: Num = Field(4096.0, ge=1, le=1 << 24)
    show_logs: Bool = False

    @model_validator(mode="before")
    @classmethod
    def _novelty_default(cls, data: Any) -> Any:
        if isinstance(data, dict) and "novelty" not in data:
            data = {**data, "novelty": data.get("phase_kind") == "final"}
        return data

    def upload_cap(self, bundle_dir: Path) -> int:  # noqa: ARG002 - the same for every bundle
        return int(self.max_image_mb * 2**20)


def parse_settings(raw: dict[str, Any] | None) -> DeepfakeSettings:
    """Validate the phase settings; raise SettingsError (a BundleError and a ValueError)."""
    return parse_track_settings(DeepfakeSettings, raw, "deepfake")
