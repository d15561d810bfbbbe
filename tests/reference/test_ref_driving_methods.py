"""Driving reference methods on the CI-sized demo: valid submissions, public inputs only,
deterministic from the seed, and (quick budget, real scorer) better than every baseline."""
from __future__ import annotations

import os
import shutil
import sys
from pathlib import Path

import pytest

from evaluators.driving.submission import PATCH_H, PATCH_W, count_regions, load_patch
from reference_solutions.driving.generate import generate
from reference_solutions.driving.methods import METHODS, RUNNERS, build_demo

TINY = {"vanish": {"steps": 2, "batch": 2, "every": 8}, "adam": {"steps": 2, "batch": 2, "every": 8},
        "aisec": {"steps": 2, "batch": 2, "every": 8, "warmup": 2, "candidates": 2, "rounds": 1, "eval_crops": 4}}


def test_methods_are_registered_with_the_shared_interface():
    from reference_solutions.registry import method, methods

    assert [m.name for m in METHODS] == ["driving/xjtu_vanish", "driving/bjtu_adam", "driving/xjtu_aisec"]
    assert [m.name for m in methods("driving")] == [m.name for m in METHODS]
    assert method("driving/bjtu_adam").track == "driving"
    with pytest.raises(ValueError, match="quick' or 'full"):
        build_demo(Path("/nonexistent"), "medium")


def _public_view(demo_dir: Path, root: Path) -> Path:
    """The demo as an attacker may see it: public scenes, the model set and the white-box
    checkpoint only. No hidden/ and no black-box model file at all."""
    import json

    view = root / "public_view"
    (view / "models").mkdir(parents=True)
    for b in ("public_train", "public_val"):
        (view / b).symlink_to(demo_dir / b)
    shutil.copy(demo_dir / "model_set.json", view / "model_set.json")
    for m in json.loads((demo_dir / "model_set.json").read_text())["models"]:
        if m["role"] == "white-box":
            (view / m["file"]).symlink_to(demo_dir / m["file"])
    return view


@pytest.fixture(scope="module")
def opened_paths():
    """Every path Python opens while the flag is set (audit hook; the hook stays installed)."""
    seen: list[str] = []
    active = [False]

    def hook(event, args):
        if active[0] and event == "open" and args and isinstance(args[0], (str, bytes, os.PathLike)):
            seen.append(os.fsdecode(args[0]))

    sys.addaudithook(hook)
    return seen, active


@pytest.mark.slow
def test_tiny_runs_use_public_data_only_and_are_deterministic(driving_ci_demo, tmp_path, opened_paths):
    demo_dir, _ = driving_ci_demo
    view = _public_view(demo_dir, tmp_path)
    seen, active = opened_paths
    for short, (key, run) in RUNNERS.items():
        outs = []
        for attempt, seed in (("a", 0), ("b", 0), ("c", 1)):
            active[0] = True
            try:
                art = generate(key, run, short, view, tmp_path / f"{short}_{attempt}", seed=seed, budget_name="quick",
                               overrides=TINY[key], preview=attempt == "a")
            finally:
                active[0] = False
            outs.append(art.read_bytes())
        assert outs[0] == outs[1], f"{short}: same seed, different artifact"
        assert outs[0] != outs[2], f"{short}: the seed changes nothing"
        patch = load_patch(tmp_path / f"{short}_a" / f"{short}.png")          # the scorer's own checks
        assert patch.texture.shape == (PATCH_H, PATCH_W, 3) and patch.mask.shape == (PATCH_H, PATCH_W)
        assert 1 <= count_regions(patch.mask, 8) <= 5
        assert (tmp_path / f"{short}_a" / f"{short}_preview.png").is_file()
    hidden = [p for p in seen if "hidden" in Path(p).parts or "yolov8n" in Path(p).name]
    assert not hidden, hidden
    assert any("public_train" in p for p in seen)  # the hook really recorded the attack's reads


def test_ci_demo_detectors_really_detect(driving_ci_demo):
    """The quick regression's ordering check (test_ref_regress_quick: every method beats every
    baseline on the hidden phases, through the real scorer) means something only if the CI
    demo's detectors find the clean targets."""
    _, demo = driving_ci_demo
    rates = demo["clean_detection_rate"]
    assert set(rates) == {"whitebox_yolov3tiny", "blackbox_yolov8n"}
    assert min(rates.values()) >= 0.8, f"the CI demo's detectors miss clean targets: {rates}"
