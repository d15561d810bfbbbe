"""Fixtures for the driving scorer tests. Everything is built here from packages and the
project's own code; the real COCO detector comes from ../shared/assets (or $AISC_ASSETS)."""
from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]


def assets_dir() -> Path:
    return Path(os.environ.get("AISC_ASSETS", REPO.parent / "shared" / "assets"))


@pytest.fixture(scope="session")
def yolox_model_set(tmp_path_factory) -> Path:
    from evaluators.common.manifest import sha256_file

    onnx = assets_dir() / "yolox_nano.onnx"
    if not onnx.is_file():
        pytest.fail(f"{onnx} is missing (set AISC_ASSETS to the folder holding yolox_nano.onnx)")
    d = tmp_path_factory.mktemp("modelset")
    spec = {"track": "driving", "models": [
        {"name": "yolox_nano", "backend": "onnx", "layout": "yolox", "file": str(onnx),
         "sha256": sha256_file(onnx), "conf": 0.3, "iou": 0.45}]}
    p = d / "model_set.json"
    p.write_text(json.dumps(spec))
    return p


@pytest.fixture(scope="session")
def tiny_bundle(tmp_path_factory) -> Path:
    """Two generated scenes (truck, mannequin) of 6 frames each."""
    from authoring.driving.scenegen.build import build_scene_bundle

    d = tmp_path_factory.mktemp("bundle") / "hidden"
    plan = [("truck_01", "truck", 1000, 6), ("mannequin_01", "mannequin", 1050, 6)]
    return build_scene_bundle(d, plan, public=False, name="tiny")


@pytest.fixture(scope="session")
def bus_jpg() -> Path:
    import importlib.util

    spec = importlib.util.find_spec("ultralytics")
    return Path(spec.submodule_search_locations[0]) / "assets" / "bus.jpg"
