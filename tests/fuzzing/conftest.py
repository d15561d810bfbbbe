"""Inputs for the fuzz tests: the quick demos' bundles (shared with the regression tests under
var/test-cache, built once), and one valid upload of each kind to mutate."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
CACHE = REPO / "var" / "test-cache" / "demo-quick"


@pytest.fixture(scope="session")
def face_demo() -> dict:
    from authoring.face.demo import build_demo

    return build_demo(CACHE / "face", quick=True)


@pytest.fixture(scope="session")
def deepfake_bundle() -> Path:
    from authoring.deepfake.datagen import build_dataset

    return build_dataset(CACHE / "deepfake" / "data", quick=True) / "phases" / "final"


@pytest.fixture(scope="session")
def driving_phase(tmp_path_factory) -> tuple[Path, dict]:
    """A tiny hidden bundle (a truck and a mannequin scene of 4 frames) and the CI demo's fixed
    detectors: real models, small work per case."""
    from authoring.driving.scenegen.build import build_scene_bundle
    from reference_solutions.driving.ci_demo import fixed_models

    d = tmp_path_factory.mktemp("fuzz_driving")
    bundle = build_scene_bundle(d / "hidden", [("truck_01", "truck", 1000, 4), ("mannequin_01", "mannequin", 1050, 4)],
                                public=False, name="fuzz")
    models = fixed_models()
    ms = d / "model_set.json"
    ms.write_text(json.dumps({"track": "driving", "models": [
        {"name": "white", "backend": "ultralytics", "file": models["yolov3-tiny"]["file"],
         "sha256": models["yolov3-tiny"]["sha256"], "conf": 0.25, "iou": 0.45, "imgsz": 320, "batch": 8}]}))
    return bundle, {"model_set": str(ms), "pictures": False}
