"""A tiny scorer used only by the platform's state-machine tests (installed for every track
through ``evaluators.registry.install`` in the test processes). The submission is a text file:
``FAKE score=0.7 sleep=2 fail=user|infra|timeout cols=driving|face private=0.3`` (``cols``: the
column names of that track's real scorer, for the pages' tests; ``private``: on a split phase, the
private part's score, the public part's being ``score``; ``parts=none``: ignore the split)."""
from __future__ import annotations

import time
from pathlib import Path

from PIL import Image

from evaluators.common.errors import BundleError, SubmissionRejected, SubmissionTimedOut
from evaluators.common.result import Result, report

SCORER_VERSION = "fake-1"
SAMPLES = 10


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
                  columns=COLUMNS.get(opts.get("cols", ""), _plain)(value), artifacts={"overview": "overview.png"})


def _plain(v: float) -> dict[str, float]:
    return {"model:a": v, "model:b": v / 2}


def _driving(v: float) -> dict[str, float]:
    scenes = [f"val_truck_{i:02d}" for i in range(1, 6)] + ["val_mannequin_01_patched", "val_mannequin_02_patched"]
    cols = {"model:whitebox_yolov3": v, "model:blackbox_yolov8n": v * 0.8, "area": 0.1, "kind:truck": v * 0.9,
            "kind:person": v * 0.7}
    cols.update({f"scene:{s}": v * (1 - 0.05 * i) for i, s in enumerate(scenes)})
    return cols


def _face(v: float) -> dict[str, float]:
    return {"model:dlib_resnet": v, "model:facenet_casia": v * 0.9, "model:mobilefacenet": v * 0.8}


COLUMNS = {"driving": _driving, "face": _face}


class FakeTrack:
    """The track interface (``evaluators.registry.Track``) around this module; any settings."""
    scorer_version = SCORER_VERSION
    upload_suffixes = (".zip",)

    def __init__(self, name: str):
        from pydantic import ConfigDict

        from evaluators.common.settings import TrackSettings

        class AnySettings(TrackSettings):
            model_config = ConfigDict(extra="allow")

            def upload_cap(self, bundle_dir: Path) -> int:  # noqa: ARG002
                return 1 << 20

        self.name, self.settings_model = name, AnySettings

    def validate_upload(self, artifact: Path, bundle_dir: Path, settings: dict) -> None:
        validate_upload(artifact, bundle_dir, settings)

    def sample_strata(self, bundle_dir: Path) -> dict[str, str]:  # noqa: ARG002
        """Ten fake samples, two strata."""
        return {f"s{i:02d}": "ab"[i % 2] for i in range(SAMPLES)}

    def run(self, artifact: Path, bundle_dir: Path, settings: dict, *, progress=None, workdir=None, device="auto",
            parts=None):
        result = score(artifact, bundle_dir, settings, progress=progress, workdir=workdir)
        opts = _parse(artifact)
        if parts is not None and opts.get("parts") != "none":
            unknown = set().union(*map(set, parts.values())) - set(self.sample_strata(bundle_dir))
            if unknown:
                raise BundleError(f"unknown sample ids {sorted(unknown)}")
            private = float(opts.get("private", result.score))
            for name, value in (("public", result.score), ("private", private)):
                result.parts[name] = {"score": value, "columns": {"model:a": value}, "n": len(parts[name])}
        return result


def install() -> None:
    """Make every track use this scorer in the current process (the deepfake track's
    container sandbox is skipped too)."""
    from evaluators.registry import TRACKS
    from evaluators.registry import install as install_track

    for track in TRACKS:
        install_track(track, FakeTrack(track))
