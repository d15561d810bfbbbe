"""The device setting reaches the reference attacks and MTCNN alignment: asking for CUDA where
torch sees no GPU is a clear error before any work (never a silent CPU run), and the CLIs say
so with exit status 2 instead of a traceback."""
from __future__ import annotations

import numpy as np
import pytest
import torch

from evaluators.common.device import DeviceUnavailable, cuda_count

needs_no_gpu = pytest.mark.skipif(cuda_count() > 0, reason="this machine has a GPU: the CPU-only errors do not apply")


def test_surrogates_on_two_devices_are_refused():
    from reference_solutions.face.deep_dream import models_device

    class Two(torch.nn.Module):
        def __init__(self, device):
            super().__init__()
            self.w = torch.nn.Parameter(torch.zeros(1, device=device))

    assert models_device([Two("cpu"), Two("cpu")]) == torch.device("cpu")
    assert models_device([Two("meta")]) == torch.device("meta")
    with pytest.raises(ValueError, match="several devices"):
        models_device([Two("cpu"), Two("meta")])


@needs_no_gpu
def test_face_attack_refuses_cuda_before_reading_the_bundle(tmp_path, capsys):
    from reference_solutions.face.__main__ import main
    from reference_solutions.face.generate import generate_submission

    with pytest.raises(DeviceUnavailable, match="no CUDA GPU"):
        generate_submission(tmp_path / "no-bundle", tmp_path / "out.zip", device="cuda")
    rc = main(["deep-dream", "--bundle", str(tmp_path / "no-bundle"), "--out", str(tmp_path / "o.zip"),
               "--device", "cuda:1"])
    assert rc == 2 and "no CUDA GPU" in capsys.readouterr().err
    assert not (tmp_path / "o.zip").exists()


@needs_no_gpu
def test_driving_attack_refuses_cuda(tmp_path, capsys):
    from reference_solutions.driving.__main__ import main

    (tmp_path / "model_set.json").write_text("{}")
    rc = main(["xjtu_vanish", "--demo", str(tmp_path), "--out", str(tmp_path / "out"), "--device", "cuda"])
    assert rc == 2 and "no CUDA GPU" in capsys.readouterr().err
    assert not (tmp_path / "out").exists()


def test_white_box_detector_runs_where_it_was_put_and_scores_come_back_to_the_cpu():
    from reference_solutions.driving.ci_demo import fixed_models
    from reference_solutions.driving.whitebox import load_white_box

    m = fixed_models()["yolov8n"]
    det = load_white_box({"name": "n", "backend": "ultralytics", "file": m["file"], "imgsz": 320}, "cpu")
    assert det.device == "cpu" and {p.device.type for p in det.module.parameters()} == {"cpu"}
    x = torch.rand(1, 3, 64, 64, requires_grad=True)
    s = det.scores(x)
    assert s.device.type == "cpu" and s.shape[:2] == (1, len(det.names))
    s.max().backward()  # gradients flow back to the input through the device hop
    assert x.grad is not None and float(x.grad.abs().sum()) > 0


@needs_no_gpu
def test_mtcnn_alignment_refuses_cuda(tmp_path, capsys):
    from authoring.__main__ import main
    from authoring.face.align import detect_faces

    with pytest.raises(DeviceUnavailable, match="no CUDA GPU"):
        detect_faces(np.zeros((64, 64, 3), np.uint8), device="cuda")
    pairs = tmp_path / "pairs.txt"
    pairs.write_text("1\nA 1 B 1\n")
    rc = main(["build-face-bundle", "--lfw", str(tmp_path), "--pairs", str(pairs), "--out", str(tmp_path / "b"),
               "--device", "cuda"])
    assert rc == 2 and "no CUDA GPU" in capsys.readouterr().err
    assert not (tmp_path / "b").exists()
