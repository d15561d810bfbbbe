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

import math
from dataclasses import dataclass, fields
from typing import Any

PHASE_KINDS = ("preliminary", "evaluation", "final")


@dataclass(frozen=True)
class DeepfakeSettings:
    phase_kind: str = "preliminary"
    novelty: bool = False
    subjective_score: float | None = None
    time_limit_s: float = 600.0
    memory_mb: int = 4096
    cpus: float = 2.0
    pids: int = 256
    gpu: bool = False
    output_cap_mb: float = 64.0
    log_cap_kb: int = 64
    log_limit_mb: float = 32.0
    tmp_mb: int = 256
    max_image_mb: float = 4096.0
    show_logs: bool = False


_NUMBERS = {
    "time_limit_s": (1, 7 * 24 * 3600),
    "memory_mb": (16, 1 << 20),
    "cpus": (0.05, 1024),
    "pids": (8, 1 << 20),
    "output_cap_mb": (0.01, 1 << 20),
    "log_cap_kb": (1, 1 << 20),
    "log_limit_mb": (0.01, 1 << 20),
    "tmp_mb": (1, 1 << 20),
    "max_image_mb": (1, 1 << 24),
}


def parse_settings(raw: dict[str, Any] | None) -> DeepfakeSettings:
    """Validate the phase settings; unknown keys are ignored (they belong to the platform)."""
    raw = dict(raw or {})
    known = {f.name for f in fields(DeepfakeSettings)}
    values = {k: v for k, v in raw.items() if k in known}
    kind = values.get("phase_kind", "preliminary")
    if kind not in PHASE_KINDS:
        raise ValueError(f"deepfake setting phase_kind={kind!r}: use one of {', '.join(PHASE_KINDS)}")
    values.setdefault("novelty", kind == "final")
    for key in ("novelty", "gpu", "show_logs"):
        if not isinstance(values.get(key, False), bool):
            raise ValueError(f"deepfake setting {key} must be true or false, got {values[key]!r}")
    for key, (lo, hi) in _NUMBERS.items():
        if key in values:
            v = values[key]
            if isinstance(v, bool) or not isinstance(v, (int, float)) or not math.isfinite(v) or not lo <= v <= hi:
                raise ValueError(f"deepfake setting {key} must be a number in [{lo}, {hi}], got {v!r}")
    sbj = values.get("subjective_score")
    if sbj is not None and (
        isinstance(sbj, bool) or not isinstance(sbj, (int, float)) or not 0.0 <= sbj <= 1.0
    ):
        raise ValueError(f"deepfake setting subjective_score must be a number in [0, 1], got {sbj!r}")
    for key in ("memory_mb", "pids", "log_cap_kb", "tmp_mb"):
        if key in values:
            values[key] = int(values[key])
    return DeepfakeSettings(**values)
