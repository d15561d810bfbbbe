"""Fitting the deepfake reference methods on the quick demo's public data (no Docker):
deterministic from the seed, a report with the pseudo-label rounds, clear CLI errors."""
from __future__ import annotations

import json
import subprocess
import sys

import numpy as np
import pytest

from conftest import REPO
from reference_solutions.deepfake.fit import fit
from reference_solutions.deepfake.image import npz_bytes
from reference_solutions.registry import methods


def test_registered_methods():
    names = {m.name for m in methods("deepfake")}
    assert names == {"deepfake/areyoufake", "deepfake/hello_world"}


def test_same_seed_same_weights_other_seed_other_weights(deepfake_quick_data):
    import torch

    demo = deepfake_quick_data.parent
    before = (torch.get_num_threads(), torch.are_deterministic_algorithms_enabled())
    a = fit("areyoufake", demo, seed=0, budget="quick", threads=1)
    assert (torch.get_num_threads(), torch.are_deterministic_algorithms_enabled()) == before  # restored
    b = fit("areyoufake", demo, seed=0, budget="quick", threads=1)
    c = fit("areyoufake", demo, seed=1, budget="quick", threads=1)
    assert npz_bytes(a.params) == npz_bytes(b.params)
    assert npz_bytes(a.params) != npz_bytes(c.params)
    rounds = a.report["pseudo_label_rounds"]
    assert rounds[0]["change"] == 1.0 and a.report["rounds_trained"] == len(rounds)
    if a.report["pseudo_labels_stable"]:
        assert rounds[-1]["change"] == 0.0
    for curve in a.report["training_curve"]:
        assert len(curve["loss"]) == a.report["train_config"]["epochs"]
        assert np.mean(curve["loss"][-5:]) < np.mean(curve["loss"][:5])  # it learns
    assert a.report["validation"]["precision@5"] > 0.5


def test_public_inputs_are_the_training_sets_only(deepfake_quick_data):
    from reference_solutions.registry import GenerateRequest

    demo = deepfake_quick_data.parent
    req = GenerateRequest(demo_dir=demo, demo={}, out_dir=demo)
    for m in methods("deepfake"):
        inputs = m.public_inputs(req)
        assert {p.name for p in inputs} == {"train_labelled", "train_unlabelled"}
        assert all(p.is_dir() and "phases" not in p.parts for p in inputs)


def test_cli_says_what_is_missing(tmp_path):
    proc = subprocess.run([sys.executable, "-m", "reference_solutions.deepfake", "hello_world",
                           "--demo", str(tmp_path / "nowhere"), "--out", str(tmp_path / "out")],
                          cwd=REPO, capture_output=True, text=True, timeout=120)
    assert proc.returncode == 2
    assert "no labelled training images" in proc.stderr and "build_demo" in proc.stderr


def test_unknown_method_and_budget_are_refused(deepfake_quick_data):
    with pytest.raises(KeyError, match="areyoufake"):
        fit("nope", deepfake_quick_data.parent)
    with pytest.raises(ValueError, match="quick"):
        fit("areyoufake", deepfake_quick_data.parent, budget="huge")


def test_shipped_app_runs_on_the_host_like_in_the_image(deepfake_quick_data, tmp_path):
    """The image's /app (same files, same model.npz) run with plain python on the public sample:
    one valid line per probe, and the embeddings it uses are the host's."""
    from reference_solutions.deepfake.image import app_files

    f = fit("hello_world", deepfake_quick_data.parent, seed=0, budget="quick", threads=1)
    app = tmp_path / "app"
    app.mkdir()
    for name, src in app_files(npz_bytes(f.params)).items():
        (app / name).write_bytes(src if isinstance(src, bytes) else src.read_bytes())
    out = tmp_path / "out"
    out.mkdir()
    sample = deepfake_quick_data / "public_sample"
    env = {"AISC_INPUT": str(sample), "AISC_OUTPUT": str(out), "PATH": "/usr/bin:/bin"}
    proc = subprocess.run([sys.executable, "-E", "-s", str(app / "infer.py")], cwd=app, env=env,
                          capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr
    lines = [json.loads(x) for x in (out / "predictions.jsonl").read_text().splitlines()]
    probes = sorted(p.stem for p in (sample / "probe").glob("*.png"))
    assert [x["probe"] for x in lines] == probes
    for x in lines:
        assert len({g["gallery"] for g in x["top5"]}) == 5 and 0.0 <= x["novel_prob"] <= 1.0
