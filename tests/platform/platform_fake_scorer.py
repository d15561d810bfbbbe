"""A tiny scorer used only by the platform's state-machine tests (registered by patching
the two lookups in the test processes). The submission is a text file:
``FAKE score=0.7 sleep=2 fail=user|infra|timeout``."""
from __future__ import annotations

import time
from pathlib import Path

from PIL import Image

from evaluators.common.errors import BundleError, SubmissionRejected, SubmissionTimedOut
from evaluators.common.result import Result, report

SCORER_VERSION = "fake-1"


def _parse(artifact: Path) -> dict:
    head = artifact.read_bytes()[:200]
    if not head.startswith(b"FAKE"):
        raise SubmissionRejected("not a test submission: the file must start with 'FAKE'")
    return dict(kv.split("=", 1) for kv in head.decode().split()[1:])


def validate_upload(artifact: Path, bundle_dir: Path, settings: dict) -> None:
    if _parse(artifact).get("validate") == "bundle":
        raise BundleError(f"{bundle_dir}/manifest.json: sha256 mismatch")


def score(artifact: Path, bundle_dir: Path, settings: dict, *, progress=None, workdir=None) -> Result:
    opts = _parse(artifact)
    sleep = float(opts.get("sleep", 0))
    steps = 10
    for i in range(steps):
        report(progress, "inference", 100 * i / steps)
        time.sleep(sleep / steps)
    if opts.get("fail") == "user":
        raise SubmissionRejected("sample 3 is not a PNG")
    if opts.get("fail") == "timeout":
        raise SubmissionTimedOut("container ran past 1 s")
    if opts.get("fail") == "infra":
        raise RuntimeError("model file unreadable")
    value = float(opts.get("score", 0.5))
    workdir = Path(workdir or ".")
    workdir.mkdir(parents=True, exist_ok=True)
    Image.new("RGB", (16, 16), (int(255 * value), 0, 0)).save(workdir / "overview.png")
    return Result(track="face", scorer_version=SCORER_VERSION, score=value,
                  columns={"model:a": value, "model:b": value / 2}, artifacts={"overview": "overview.png"})


def install() -> None:
    """Make every track use this scorer in the current process."""
    import sys

    import core.upload_checks
    import workers.runners

    module = sys.modules[__name__]
    core.upload_checks.scorer = lambda track: module
    workers.runners.scorer = lambda track: module
    real = workers.runners.run_submission

    def run_submission(track, artifact, bundle_dir, settings, *, progress, workdir):
        if track == "deepfake":  # skip the container sandbox too
            return score(artifact, bundle_dir, settings, progress=progress, workdir=workdir)
        return real(track, artifact, bundle_dir, settings, progress=progress, workdir=workdir)

    workers.runners.run_submission = run_submission
