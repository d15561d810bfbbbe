"""The face track's registered methods: what they read, and same seed -> same zip bytes
(a one-iteration budget on the quick face demo, so this takes seconds)."""
from __future__ import annotations

import hashlib
import json
from dataclasses import replace
from pathlib import Path

import pytest

from reference_solutions.face import methods as face_methods
from reference_solutions.registry import GenerateRequest, methods
from reference_solutions.regress.demos import build_track_demo

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def face_demo(regress_dirs):
    return build_track_demo("face", regress_dirs["demo_dir"], "quick")


def _request(regress_dirs, demo, out: Path, seed: int) -> GenerateRequest:
    out.mkdir(parents=True, exist_ok=True)
    return GenerateRequest(regress_dirs["demo_dir"] / "face", demo, out, seed=seed, budget="quick")


def test_both_face_methods_are_registered():
    assert {m.name for m in methods("face")} == {"face/deep_dream", "face/meta_attack"}
    assert all(m.track == "face" and m.source_packages for m in methods("face"))


def test_public_inputs_are_the_pair_images_and_surrogate_weights_only(regress_dirs, face_demo, tmp_path):
    inputs = face_methods.public_inputs(_request(regress_dirs, face_demo, tmp_path, 0))
    bundle = Path(face_demo["phases"]["preliminary"]["bundle"])
    images = [p for p in inputs if p.parent == bundle or bundle in p.parents]
    n = face_demo["phases"]["preliminary"]["settings"]["n_pairs"]
    assert len(images) == 2 * n and all(p.suffix == ".png" for p in images)
    assert not any(p.name in ("manifest.json", "model_set.json") for p in inputs)
    assert {p.suffix for p in inputs if p not in images} == {".tflite", ".pb"}
    assert all(p.is_file() for p in inputs)


def test_same_seed_same_bytes(regress_dirs, face_demo, tmp_path, monkeypatch):
    monkeypatch.setitem(face_methods.BUDGETS, "quick",
                        replace(face_methods.BUDGETS["quick"], iterations=1, saliency_samples=1))
    method = next(m for m in methods("face") if m.name == "face/deep_dream")

    def digest(seed: int, name: str) -> str:
        path = method.generate(_request(regress_dirs, face_demo, tmp_path / name, seed))
        assert path.name == "face.zip" and path.with_suffix(".json").is_file()
        report = json.loads(path.with_suffix(".json").read_text())
        # generated in the pinned subprocess, with every field of the budget's config passed through
        assert report["config"] == face_methods.config("quick", seed).to_dict()
        assert report["threads"] == 1
        return hashlib.sha256(path.read_bytes()).hexdigest()

    first = digest(0, "a")
    assert digest(0, "b") == first
    assert digest(1, "c") != first


def test_unknown_budget_is_a_clear_error():
    with pytest.raises(ValueError, match="unknown budget 'huge'; choose one of quick, full"):
        face_methods.config("huge", 0)
