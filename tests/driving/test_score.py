"""The score formula on a tiny bundle with a detector whose detections are scripted per
frame (the one place a scripted detector is right: it tests the arithmetic), plus voiding."""
from __future__ import annotations

import numpy as np
import pytest

from authoring.driving.baselines import write_rgba
from evaluators.driving import score as driving_score
from evaluators.driving import scorer as scorer_module
from evaluators.driving.detectors.base import Detections, Detector
from evaluators.driving.submission import PATCH_H, PATCH_W


class ScriptedDetector(Detector):
    """Returns ``script[scene][frame]`` target detections, in the order frames arrive."""

    def __init__(self, name, script, order):
        self.name, self.script, self.order, self.calls = name, script, list(order), 0
        self.batch_size = 4

    def detect_batch(self, frames, min_conf):
        out = []
        for frame in frames:
            scene, i = self.order[self.calls]
            self.calls += 1
            n, label = self.script[scene][i]
            out.append(Detections(np.tile([[10, 10, 50, 50]], (n, 1)).astype(np.float32),
                                  np.full(n, 0.9, np.float32), [label] * n))
        return out


# frames per scene: 6. (count, class) per frame; only the scene's target classes count.
SCRIPT_A = {
    "truck_01": [(1, "truck"), (0, "truck"), (2, "bus"), (1, "person"), (0, "car"), (1, "car")],  # 3/6 undetected
    "mannequin_01": [(1, "person")] * 5 + [(0, "person")],  # 1/6
}
SCRIPT_B = {
    "truck_01": [(0, "truck")] * 6,  # 6/6
    "mannequin_01": [(1, "car")] * 2 + [(1, "person")] * 4,  # 2/6 (cars do not count)
}


@pytest.fixture
def patch_file(tmp_path):
    m = np.zeros((PATCH_H, PATCH_W), bool)
    m[:630, :1395] = True  # a quarter of the texture: area term 0.75
    return write_rgba(tmp_path / "patch.png", np.full((PATCH_H, PATCH_W, 3), 90, np.uint8), m)


@pytest.fixture
def scripted(monkeypatch, tiny_bundle):
    from evaluators.driving.bundle import load_bundle

    order = [(sc.name, i) for sc in load_bundle(tiny_bundle).scenes for i in range(len(sc))]

    def fake_load(*_):
        return [ScriptedDetector("white", SCRIPT_A, order), ScriptedDetector("black", SCRIPT_B, order)]

    monkeypatch.setattr(scorer_module, "load_detectors", fake_load)


def test_score_formula(tiny_bundle, patch_file, scripted, tmp_path):
    res = driving_score(patch_file, tiny_bundle, {"model_set": "scripted"}, workdir=tmp_path / "work")
    white = (3 / 6 + 1 / 6) / 2
    black = (6 / 6 + 2 / 6) / 2
    assert res.valid
    assert res.columns["model:white"] == pytest.approx(white)
    assert res.columns["model:black"] == pytest.approx(black)
    assert res.columns["scene:truck_01"] == pytest.approx((3 / 6 + 6 / 6) / 2)
    assert res.columns["scene:mannequin_01"] == pytest.approx((1 / 6 + 2 / 6) / 2)
    assert res.columns["area"] == pytest.approx(0.75)
    assert res.score == pytest.approx((white + black) / 2 + 0.2 * 0.75)
    assert res.details["counts"]["white"]["truck_01"] == [1, 0, 2, 0, 0, 1]
    for scene in ("truck_01", "mannequin_01"):
        assert (tmp_path / "work" / f"strip_{scene}.png").is_file()
        assert (tmp_path / "work" / f"frames_{scene}.png").is_file()


def test_final_mix_and_kind_filter(tiny_bundle, patch_file, scripted):
    res = driving_score(patch_file, tiny_bundle, {"model_set": "x", "final_mix": {"truck": 0.8, "mannequin": 0.2}})
    truck = (3 / 6 + 6 / 6) / 2 + 0.2 * 0.75
    person = (1 / 6 + 2 / 6) / 2 + 0.2 * 0.75
    assert res.columns["kind:truck"] == pytest.approx(truck)
    assert res.columns["kind:mannequin"] == pytest.approx(person)
    assert res.score == pytest.approx(0.8 * truck + 0.2 * person)


def test_truck_only_phase(tiny_bundle, patch_file, monkeypatch):
    from evaluators.driving.bundle import load_bundle

    order = [("truck_01", i) for i in range(len(load_bundle(tiny_bundle).scenes[0]))]
    monkeypatch.setattr(scorer_module, "load_detectors", lambda *_: [ScriptedDetector("white", SCRIPT_A, order)])
    res = driving_score(patch_file, tiny_bundle, {"model_set": "x", "kinds": ["truck"], "area_weight": 0.0})
    assert res.score == pytest.approx(3 / 6)


@pytest.mark.parametrize("regions, valid", [(5, True), (6, False)])
def test_more_than_five_regions_voids(tiny_bundle, tmp_path, scripted, regions, valid):
    m = np.zeros((PATCH_H, PATCH_W), bool)
    for k in range(regions):
        m[100:200, 300 * k : 300 * k + 200] = True
    p = write_rgba(tmp_path / "p.png", np.zeros((PATCH_H, PATCH_W, 3), np.uint8), m)
    res = driving_score(p, tiny_bundle, {"model_set": "x"})
    assert res.valid is valid
    if not valid:
        assert res.score == 0.0 and "6 connected regions" in res.messages[0]
    else:
        assert res.score > 0.2 * 0.9


def test_bad_settings_are_an_infra_error(tiny_bundle, patch_file):
    from evaluators.common.errors import BundleError

    with pytest.raises(BundleError, match="unknown keys"):
        driving_score(patch_file, tiny_bundle, {"model_set": "x", "area_wieght": 0.2})


class ConfidenceDetector(Detector):
    """One truck detection per frame at ``scores[frame]``; honours the floor it is asked for,
    as the real backends do."""

    def __init__(self, scores, conf=0.25):
        self.name, self.scores, self.conf, self.calls, self.batch_size = "conf", list(scores), conf, 0, 4

    def detect_batch(self, frames, min_conf):
        out = []
        for _ in frames:
            s = self.scores[self.calls]
            self.calls += 1
            keep = s >= min_conf
            out.append(Detections(np.array([[10, 10, 50, 50]] * keep, np.float32).reshape(-1, 4),
                                  np.array([s] * keep, np.float32), ["truck"] * keep))
        return out


def test_frames_near_the_confidence_threshold_are_counted(tiny_bundle, patch_file, monkeypatch):
    """Frames whose best target detection lies within epsilon of ``conf`` are counted per
    model and scene; the decision itself (score >= conf) does not change."""
    scores = [0.2495, 0.2505, 0.9, 0.1, 0.2485, 0.26]  # 6 truck frames
    monkeypatch.setattr(scorer_module, "load_detectors", lambda *_: [ConfidenceDetector(scores)])
    settings = {"model_set": "x", "kinds": ["truck"], "area_weight": 0.0}
    res = driving_score(patch_file, tiny_bundle, settings)
    assert res.details["counts"]["conf"]["truck_01"] == [0, 1, 1, 0, 0, 1]
    assert res.score == pytest.approx(3 / 6)
    assert res.details["near_threshold_epsilon"] == 1e-3
    assert res.details["near_threshold"] == {"conf": {"truck_01": 2}}  # 0.2495 and 0.2505
    assert res.details["smallest_margin"]["conf"] == pytest.approx(0.0005, abs=1e-6)
    monkeypatch.setattr(scorer_module, "load_detectors", lambda *_: [ConfidenceDetector(scores)])
    wide = driving_score(patch_file, tiny_bundle, dict(settings, near_threshold_epsilon=0.02))
    assert wide.details["near_threshold"] == {"conf": {"truck_01": 4}}  # + 0.2485 and 0.26
    assert wide.score == res.score
    with pytest.raises(Exception, match="near_threshold_epsilon"):
        driving_score(patch_file, tiny_bundle, dict(settings, near_threshold_epsilon=-1))
