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

from dataclasses import dataclass
from typing import Any

from ..common.device import check_device
from ..common.errors import BundleError
from .bundle import SCENE_KINDS


@dataclass
class DrivingSettings:
    model_set: str | None
    area_weight: float = 0.2
    max_regions: int = 5
    connectivity: int = 8
    final_mix: dict[str, float] | None = None
    kinds: list[str] | None = None
    max_upload_bytes: int = 64 << 20
    pictures: bool = True
    near_threshold_epsilon: float = 1e-3
    device: str = "auto"
    workers: int = 0


def parse_settings(raw: dict[str, Any] | None) -> DrivingSettings:
    raw = dict(raw or {})
    known = set(DrivingSettings.__dataclass_fields__)
    unknown = set(raw) - known
    if unknown:
        raise BundleError(f"driving settings: unknown keys {sorted(unknown)}; known keys are {sorted(known)}")
    s = DrivingSettings(model_set=raw.pop("model_set", None), **raw)
    if s.connectivity not in (4, 8):
        raise BundleError(f"driving settings: connectivity must be 4 or 8, not {s.connectivity!r}")
    for kinds in (list(s.final_mix or {}), s.kinds or []):
        bad = [k for k in kinds if k not in SCENE_KINDS]
        if bad:
            raise BundleError(f"driving settings: unknown scene kinds {bad}; kinds are {sorted(SCENE_KINDS)}")
    check_device(s.device)
    if isinstance(s.workers, bool) or not isinstance(s.workers, int) or not 0 <= s.workers <= 64:
        raise BundleError(f"driving settings: workers={s.workers!r} must be an integer in [0, 64]")
    eps = s.near_threshold_epsilon
    if isinstance(eps, bool) or not isinstance(eps, (int, float)) or not 0 <= eps <= 0.5:
        raise BundleError(f"driving settings: near_threshold_epsilon={eps!r} must be a number in [0, 0.5]")
    if s.final_mix and any(float(w) < 0 for w in s.final_mix.values()):
        raise BundleError("driving settings: final_mix weights must be >= 0")
    return s
