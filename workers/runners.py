"""Track dispatch: the one place that knows how each track is run."""
from __future__ import annotations

from pathlib import Path

from evaluators.common.result import Progress, Result
from evaluators.registry import scorer


def run_submission(track: str, artifact: Path, bundle_dir: Path, settings: dict, *,
                   progress: Progress, workdir: Path) -> Result:
    if track == "deepfake":  # the container track: sandboxed run, then the pure scorer
        from workers.deepfake_run import run_and_score

        return run_and_score(artifact, bundle_dir, settings, progress=progress, workdir=workdir)
    from core.settings import get_settings

    # the worker's device (AISC_DEVICE) unless the phase names one (e.g. a gpu phase asking for cuda)
    settings = {"device": get_settings().device, **settings}
    return scorer(track).score(artifact, bundle_dir, settings, progress=progress, workdir=workdir)
