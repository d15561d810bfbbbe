"""Score an artifact on one phase exactly as the platform does: through the workers' track
dispatch (``workers.runners.run_submission``: face and driving call the scorer, deepfake runs
the container in the sandbox and then scores its predictions)."""
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


def score_on_phase(track: str, artifact: Path, phase: dict, progress=None) -> Measured:
    from workers.runners import run_submission

    def quiet(stage: str, pct: float) -> None:
        if progress:
            progress(stage, pct)

    t0 = time.time()
    with tempfile.TemporaryDirectory(prefix="aisc-regress-") as work:
        try:
            result = run_submission(track, Path(artifact), Path(phase["bundle"]), dict(phase.get("settings", {})),
                                    progress=quiet, workdir=Path(work))
        except SubmissionRejected as e:  # on the platform: failed/user
            return Measured(None, error=f"rejected: {e}", seconds=time.time() - t0)
    return Measured(float(result.score), {k: round(float(v), 4) for k, v in result.columns.items()},
                    bool(result.valid), "" if result.valid else "; ".join(result.messages)[:500],
                    time.time() - t0)
