"""The driving phase's scoring settings (the ``scoring`` mapping of the competition YAML).

Keys:
- ``model_set`` (required): path to the model-set JSON/YAML (backends: ultralytics, onnx).
- ``area_weight`` (0.2): weight of the area term 1 - ||m/255||_1 / (2790*1260).
- ``max_regions`` (5): more connected mask regions than this voids the submission.
- ``connectivity`` (8): 8- or 4-connectivity for counting regions.
- ``final_mix`` (absent): {scene kind: weight}, e.g. {"truck": 0.8, "mannequin": 0.2}.
- ``kinds`` (absent = all): score only scenes of these kinds, e.g. ["truck"].
- ``max_upload_bytes`` (64 MiB), ``pictures`` (true): write result pictures into workdir.
- ``workers`` (0 = one per model): threads running the detectors side by side; 1 runs them
  one after another. The numbers are the same either way.
- ``device`` (``auto``): where the detectors run, ``auto | cpu | cuda | cuda:N``
  (``evaluators.common.device``); the worker sets it from ``AISC_DEVICE`` unless the phase does.
- ``near_threshold_epsilon`` (0.001, confidence units): a frame whose decision rests on a target
  detection with |confidence - conf| below this is *near the threshold*; such frames are counted
  per model and scene in the result (``near_threshold``), since float rounding on another worker
  could flip them (README, "Reproducibility").
"""
from __future__ import annotations

from pathlib import Path
from typing import Literal, Optional

from pydantic import Field, field_validator

from ..common.settings import Bool, Device, Int, Num, TrackSettings, parse_track_settings
from .bundle import SCENE_KINDS


class DrivingSettings(TrackSettings):
    model_set: Optional[str] = None
    area_weight: Num = Field(0.2, ge=0, le=1)
    max_regions: Int = Field(5, ge=1, le=10_000)
    connectivity: Literal[4, 8] = 8
    final_mix: Optional[dict[str, Num]] = None
    kinds: Optional[list[str]] = None
    max_upload_bytes: Int = Field(64 << 20, ge=1024, le=1 << 34)
    pictures: Bool = True
    near_threshold_epsilon: Num = Field(1e-3, ge=0, le=0.5)
    device: Device = "auto"
    workers: Int = Field(0, ge=0, le=64)

    @field_validator("kinds")
    @classmethod
    def _kinds(cls, v: Optional[list[str]]) -> Optional[list[str]]:
        bad = [k for k in v or [] if k not in SCENE_KINDS]
        if bad:
            raise ValueError(f"unknown scene kinds {bad}; kinds are {sorted(SCENE_KINDS)}")
        return v

    @field_validator("final_mix")
    @classmethod
    def _mix(cls, v: Optional[dict[str, float]]) -> Optional[dict[str, float]]:
        bad = [k for k in v or {} if k not in SCENE_KINDS]
        if bad:
            raise ValueError(f"unknown scene kinds {bad}; kinds are {sorted(SCENE_KINDS)}")
        if v and any(w < 0 for w in v.values()):
            raise ValueError("final_mix weights must be >= 0")
        return v

    def upload_cap(self, bundle_dir: Path) -> int:  # noqa: ARG002 - the same for every bundle
        return self.max_upload_bytes


def parse_settings(raw: dict | None) -> DrivingSettings:
    """Validate a phase's settings; a bad value is the organizer's error (SettingsError, a BundleError)."""
    return parse_track_settings(DrivingSettings, raw, "driving")
