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
                    time.time() - t0)
