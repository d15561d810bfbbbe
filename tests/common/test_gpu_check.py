"""bench/gpu_check.py's agreement table: CPU against each device that ran, unavailable ones left out."""
from __future__ import annotations

import importlib.util
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def _module():
    spec = importlib.util.spec_from_file_location("gpu_check", ROOT / "bench" / "gpu_check.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def test_agreement_compares_totals_near_threshold_counts_and_speed():
    gc = _module()
    cpu = {"scores": {"a": {"total": 0.5, "near_threshold": {"m": 1}}, "b": {"total": 0.25, "near_threshold": {"m": 0}}},
           "wall_s": 10.0}
    same = {"scores": {"a": {"total": 0.5, "near_threshold": {"m": 1}}, "b": {"total": 0.25, "near_threshold": {"m": 0}}},
            "wall_s": 2.5}
    moved = {"scores": {"a": {"total": 0.5, "near_threshold": {"m": 0}}, "b": {"total": 0.3125, "near_threshold": {"m": 0}}},
             "wall_s": 5.0}
    out = gc.agreement({"cpu": cpu, "cuda:0": same, "cuda:1": moved, "cuda:2": {"unavailable": "no GPU"}})
    assert out["cuda:0"] == {"speed_up": 4.0, "same_totals": True, "same_near_threshold": True,
                             "largest_total_difference": 0.0}
    assert out["cuda:1"]["same_totals"] is False and out["cuda:1"]["same_near_threshold"] is False
    assert out["cuda:1"]["largest_total_difference"] == 0.0625 and out["cuda:1"]["speed_up"] == 2.0
    assert "cuda:2" not in out and "cpu" not in out
    assert gc.agreement({"cpu": {"unavailable": "x"}, "cuda": same}) == {}


def test_per_device_reports_the_last_run_and_keeps_the_first_runs_seconds():
    gc = _module()
    from evaluators.common.device import DeviceUnavailable

    calls = []

    def run(dev):
        calls.append(dev)
        if dev == "cuda":
            raise DeviceUnavailable("no CUDA here")
        return {"n": len(calls)}

    out = gc._per_device(["cpu", "cuda"], run, repeats=3)
    assert calls == ["cpu"] * 3 + ["cuda"]
    assert out["cpu"]["n"] == 3 and {"wall_s", "cpu_s", "first_wall_s"} <= set(out["cpu"])
    assert out["cuda"] == {"unavailable": "no CUDA here"}


def test_landmark_agreement_counts_faces_and_measures_the_largest_shift():
    gc = _module()
    face = {"landmarks": [[10.0, 20.0], [30.0, 20.0], [20.0, 30.0], [12.0, 40.0], [28.0, 40.0]], "confidence": 0.99}
    moved = {**face, "landmarks": [[10.0, 20.0], [30.25, 20.0], [20.0, 30.0], [12.0, 40.0], [28.0, 39.5]]}
    cpu = {"per_photo": {"a.jpg": [face], "b.jpg": [face, face]}, "wall_s": 6.0}
    cuda = {"per_photo": {"a.jpg": [moved], "b.jpg": [face, face]}, "wall_s": 2.0}
    lost = {"per_photo": {"a.jpg": [face], "b.jpg": [face]}, "wall_s": 3.0}
    out = gc.landmark_agreement({"cpu": cpu, "cuda:0": cuda, "cuda:1": lost, "cuda:2": {"unavailable": "x"}})
    assert out["cuda:0"] == {"speed_up": 3.0, "same_face_counts": True, "largest_landmark_shift_px": 0.5}
    assert out["cuda:1"]["same_face_counts"] is False and out["cuda:1"]["largest_landmark_shift_px"] == 0.0
    assert set(out) == {"cuda:0", "cuda:1"}
