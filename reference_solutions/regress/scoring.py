"""Score an artifact on one phase exactly as the platform does: through the track's ``run``
(``evaluators.registry``: face and driving call the scorer, deepfake runs the container in
the sandbox and then scores its predictions)."""
from __future__ import annotations

import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Optional

from evaluators.common.errors import SubmissionRejected


@dataclass
class Measured:
    score: Optional[float]          # None when the run failed
    columns: dict = field(default_factory=dict)
    valid: bool = True
    error: str = ""                 # why there is no score (rejected upload, crash)
    seconds: float = 0.0
    decisions: dict = field(default_factory=dict)  # closest_decision(result.details)


def closest_decision(details: dict) -> dict:
    """The decision nearest its threshold and the near-threshold count, from a result whose
    samples carry ``models: {model: {"margin"}}`` (the face scorer); {} for other results.
    ``min_margin`` is signed (similarity - threshold); ``min_margin_at`` is "<sample> <model>"."""
    best = None
    for sample in details.get("samples") or []:
        for model, d in (sample.get("models") or {}).items():
            m = d.get("margin") if isinstance(d, dict) else None
            if isinstance(m, (int, float)) and (best is None or abs(m) < abs(best[0])):
                best = (float(m), f"{sample.get('id')} {model}")
    out: dict = {}
    if best is not None:
        out = {"min_margin": round(best[0], 6), "min_margin_at": best[1]}
    near = details.get("near_threshold")
    if isinstance(near, dict) and out:
        out["near_threshold"] = int(sum(near.values()))
    return out


def run_result(track: str, artifact: Path, bundle: Path, settings: dict, progress=None):
    """The full Result of scoring ``artifact`` on (bundle, settings), as a worker would."""
    from evaluators.registry import get_track

    def quiet(stage: str, pct: float) -> None:
        if progress:
            progress(stage, pct)

    with tempfile.TemporaryDirectory(prefix="aisc-regress-") as work:
        return get_track(track).run(Path(artifact), Path(bundle), dict(settings), progress=quiet, workdir=Path(work))


def score_on_phase(track: str, artifact: Path, phase: dict, progress=None) -> Measured:
    t0 = time.time()
    try:
        result = run_result(track, artifact, phase["bundle"], phase.get("settings", {}), progress)
    except SubmissionRejected as e:  # on the platform: failed/user
        return Measured(None, error=f"rejected: {e}", seconds=time.time() - t0)
    return Measured(float(result.score), {k: round(float(v), 4) for k, v in result.columns.items()},
                    bool(result.valid), "" if result.valid else "; ".join(result.messages)[:500],
                    time.time() - t0, closest_decision(result.details or {}))
