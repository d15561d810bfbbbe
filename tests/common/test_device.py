"""The device setting reaches every backend, and asking for CUDA on a worker without one is a
clear error (an infra failure), never a silent CPU run."""
from __future__ import annotations

import pytest

from evaluators.common.device import (
    DeviceUnavailable,
    check_device,
    cuda_count,
    onnx_providers,
    resolve_device,
)
from evaluators.common.errors import BundleError

needs_no_gpu = pytest.mark.skipif(cuda_count() > 0, reason="this worker has a GPU: the CPU-only errors do not apply")


def test_forms_of_the_setting():
    for ok in ("auto", "cpu", "cuda", "cuda:0", "cuda:12"):
        assert check_device(ok) == ok
    for bad in ("gpu", "cuda:", "cuda:x", "CPU", "", None, 0):
        with pytest.raises(BundleError, match="use auto, cpu, cuda or cuda:N"):
            check_device(bad)


@needs_no_gpu
def test_auto_is_the_cpu_and_cuda_is_refused_with_the_reason():
    assert resolve_device("auto") == "cpu" and resolve_device("cpu") == "cpu"
    for asked in ("cuda", "cuda:1"):
        with pytest.raises(DeviceUnavailable, match="this worker has no CUDA GPU"):
            resolve_device(asked)
    assert onnx_providers("cpu") == ["CPUExecutionProvider"]


def test_onnx_without_the_gpu_package_says_which_package_to_install():
    import onnxruntime as ort

    if "CUDAExecutionProvider" in ort.get_available_providers():
        pytest.skip("onnxruntime-gpu is installed here")
    with pytest.raises(DeviceUnavailable, match="install onnxruntime-gpu"):
        onnx_providers("cuda:0")


@needs_no_gpu
def test_face_scorer_refuses_cuda_on_a_cpu_worker_and_reports_its_devices(tmp_path):
    """The quick face demo (built by the face track's own code, cached under var/test-cache)."""
    from pathlib import Path

    from authoring.face.demo import build_demo
    from evaluators.face import score

    demo = build_demo(Path(__file__).resolve().parents[2] / "var" / "test-cache" / "demo-quick" / "face", quick=True)
    ph = demo["phases"]["preliminary"]
    z = Path(demo["baselines"]["unchanged"])
    settings = dict(ph["settings"], cache_dir=str(tmp_path))
    with pytest.raises(DeviceUnavailable, match="this worker has no CUDA GPU"):
        score(z, Path(ph["bundle"]), dict(settings, device="cuda"))
    res = score(z, Path(ph["bundle"]), dict(settings, device="auto"))
    assert res.details["devices"] == {"dlib_resnet": "cpu", "facenet_casia": "cpu", "mobilefacenet": "cpu"}


@needs_no_gpu
def test_driving_scorer_refuses_cuda_on_a_cpu_worker(tmp_path):
    import json

    import numpy as np

    from authoring.driving.baselines import write_rgba
    from authoring.driving.scenegen.build import build_scene_bundle
    from evaluators.driving import score
    from evaluators.driving.submission import PATCH_H, PATCH_W
    from reference_solutions.driving.ci_demo import fixed_models

    bundle = build_scene_bundle(tmp_path / "hidden", [("truck_01", "truck", 1000, 2)], public=False, name="dev")
    m = fixed_models()["yolov8n"]
    ms = tmp_path / "ms.json"
    ms.write_text(json.dumps({"track": "driving", "models": [{"name": "b", "backend": "ultralytics", "file": m["file"],
                                                              "imgsz": 320}]}))
    mask = np.zeros((PATCH_H, PATCH_W), bool)
    mask[100:300, 100:300] = True
    patch = write_rgba(tmp_path / "p.png", np.zeros((PATCH_H, PATCH_W, 3), np.uint8), mask)
    with pytest.raises(DeviceUnavailable, match="this worker has no CUDA GPU"):
        score(patch, bundle, {"model_set": str(ms), "device": "cuda:0", "pictures": False})
    res = score(patch, bundle, {"model_set": str(ms), "device": "cpu", "pictures": False})
    assert res.details["devices"] == {"b": "cpu"}
