"""The quick offline demo builds a working bundle + model set (real Ultralytics checkpoints
trained by the project's own code) and the command line scores a baseline with pictures."""
from __future__ import annotations

import json
import subprocess
import sys

import pytest


@pytest.mark.slow
def test_quick_demo_builds_and_scores(tmp_path_factory):
    from authoring.driving.demo import build_demo
    from evaluators.common.model_set import load_model_set

    out = tmp_path_factory.mktemp("demo")
    demo = build_demo(out, quick=True)
    assert set(demo["phases"]) == {"public", "preliminary", "final"}
    assert set(demo["baselines"]) == {"empty_mask", "random_noise", "solid_colour"}
    final = demo["phases"]["final"]
    models = load_model_set(final["settings"]["model_set"], "driving")  # sha256 verified
    assert [m["backend"] for m in models] == ["ultralytics", "ultralytics"]
    assert {m["arch"] for m in models} == {"yolov3-tiny", "yolov8n"}
    assert build_demo(out, quick=True) == demo  # idempotent: reuses everything

    settings = tmp_path_factory.mktemp("s") / "settings.json"
    settings.write_text(json.dumps(final["settings"]))
    work = out / "work"
    cmd = [sys.executable, "-m", "evaluators", "score", "--track", "driving", "--bundle", final["bundle"],
           "--submission", demo["baselines"]["empty_mask"], "--settings", str(settings),
           "--workdir", str(work), "--out", str(out / "result.json")]
    proc = subprocess.run(cmd, capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, proc.stderr
    res = json.loads((out / "result.json").read_text())
    assert res["valid"] and 0.19 < res["score"] <= 1.2
    assert {"model:whitebox_yolov3tiny", "model:blackbox_yolov8n", "kind:truck", "kind:mannequin"} <= set(res["columns"])
    assert res["artifacts"] and all((work / p).is_file() for p in res["artifacts"].values())
    assert any(k.startswith("strip_") for k in res["artifacts"]) and any(k.startswith("frames_") for k in res["artifacts"])
