"""The one result type every scorer returns."""
from __future__ import annotations

import json
import math
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, Callable, Optional

# progress(stage, percent): stage is a short word ("validate", "inference", ...),
# percent is 0..100 over the whole scoring run.
Progress = Callable[[str, float], None]


def no_progress(stage: str, percent: float) -> None:  # noqa: ARG001 - default callback
    return None


@dataclass
class Result:
    track: str
    scorer_version: str
    score: float  # the number the leaderboard ranks by
    # Leaderboard columns besides the total, e.g. {"model:dlib": 0.41, "scene:truck_01": 0.7}.
    columns: dict[str, float] = field(default_factory=dict)
    # True when the submission was scored; False when voided by a rule (score 0, reason in messages).
    valid: bool = True
    # Human-readable notes for the team: rejected samples and why, voiding reasons.
    messages: list[str] = field(default_factory=list)
    # Anything else JSON-serialisable (per-sample records, counts, thresholds used).
    details: dict[str, Any] = field(default_factory=dict)
    # Pictures and other files produced: name -> path (relative to the workdir or absolute).
    artifacts: dict[str, str] = field(default_factory=dict)
    # Seconds per stage.
    timings: dict[str, float] = field(default_factory=dict)
    # A split phase's parts, scored in the same run (``evaluators.common.parts``):
    # {"public": {"score", "columns", "n"}, "private": {...}}; empty when the phase has no split.
    parts: dict[str, dict[str, Any]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if not math.isfinite(self.score):
            raise ValueError(f"score must be finite, got {self.score!r}")

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    def write_json(self, path: str | Path) -> None:
        Path(path).write_text(json.dumps(self.to_dict(), indent=2, sort_keys=True))


def report(progress: Optional[Progress], stage: str, percent: float) -> None:
    """Call a progress callback if one was given, clamping percent to 0..100."""
    if progress is not None:
        progress(stage, max(0.0, min(100.0, float(percent))))
