"""The regression's face demo is built in the pinned environment and stamped; the report says
which demo it ran on, warns when that is not the recorded one, and gives each face row its
decision nearest a threshold."""
from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

from reference_solutions import pinned
from reference_solutions.regress import pinned_demo
from reference_solutions.regress.demos import PINNED_DEMOS, build_track_demo
from reference_solutions.regress.expected import record, recorded_identity
from reference_solutions.regress.identity import WARNING, compare, demo_identity
from reference_solutions.regress.scoring import closest_decision
from reference_solutions.regress.table import format_table, make_row, ordering


def fake_demo(root: Path, thresholds: dict[str, float], manifest: str = '{"files": {}}') -> dict:
    (root / "bundle").mkdir(parents=True, exist_ok=True)
    (root / "bundle" / "manifest.json").write_text(manifest)
    (root / "model_set.json").write_text(json.dumps(
        {"models": [{"name": k, "threshold": v} for k, v in thresholds.items()]}))
    settings = {"model_set": str(root / "model_set.json")}
    return {"phases": {"preliminary": {"bundle": str(root / "bundle"), "settings": settings},
                       "final": {"bundle": str(root / "bundle"), "settings": dict(settings, connectivity=4)}},
            "baselines": {}}


class FakePopen:
    """Stands in for the pinned child: records its command and environment, prints a demo."""
    calls: list[dict] = []

    def __init__(self, cmd, cwd=None, env=None, **kwargs):
        FakePopen.calls.append({"cmd": cmd, "env": env, "cwd": cwd})
        self.stderr = iter(["[face demo] aligning: 50%\n"])
        self.returncode = 0
        self.out = "builder chatter\n" + json.dumps(fake_demo(Path(cmd[-2]) / cmd[-3] / "quick", {"m": 0.5})) + "\n"

    def communicate(self, timeout=None):
        return self.out, ""


def test_face_demo_is_built_by_a_pinned_child_and_stamped(monkeypatch, tmp_path):
    FakePopen.calls = []
    monkeypatch.setattr(pinned.subprocess, "Popen", FakePopen)
    monkeypatch.setenv("ATEN_CPU_CAPABILITY", "avx512")  # the caller's own numerics must not leak in
    monkeypatch.setenv("MKL_CBWR", "AVX2")
    stale = tmp_path / "face" / "quick" / "bundle"
    stale.mkdir(parents=True)
    (stale / "0001.png").write_bytes(b"built unpinned")  # an old demo without pinned.json
    assert "face" in PINNED_DEMOS

    demo = build_track_demo("face", tmp_path, "quick")

    (call,) = FakePopen.calls
    assert call["cmd"] == [sys.executable, "-m", "reference_solutions.regress.pinned_demo", "face",
                           str(tmp_path.resolve()), "quick"]
    for key, value in {**pinned.PINNED_ENV, "PYTHONHASHSEED": "0"}.items():
        assert call["env"][key] == value
    assert not (stale / "0001.png").exists()  # the unpinned build was not reused
    assert demo["phases"]["final"]["settings"]["connectivity"] == 4
    stamp = json.loads((tmp_path / "face" / pinned_demo.MARKER).read_text())
    assert stamp == pinned.pinned_identity() and stamp["env"]["ONEDNN_MAX_CPU_ISA"] == "SSE41"

    (tmp_path / "face" / "quick" / "keep.txt").write_text("reused")
    build_track_demo("face", tmp_path, "quick")  # stamped: reused, still through the pinned child
    assert len(FakePopen.calls) == 2 and (tmp_path / "face" / "quick" / "keep.txt").is_file()

    (tmp_path / "face" / pinned_demo.MARKER).write_text(json.dumps({"sha256": "other settings"}))
    build_track_demo("face", tmp_path, "quick")
    assert not (tmp_path / "face" / "quick" / "keep.txt").exists()


def test_pinned_child_prints_only_the_demo_on_its_last_stdout_line(monkeypatch, capfd, tmp_path):
    from reference_solutions.regress import demos

    def chatty(track, demo_dir, budget):
        print("epoch 1 loss 3")
        return {"phases": {"p": {"bundle": str(demo_dir), "settings": {}}}, "track": track, "budget": budget}

    monkeypatch.setattr(demos, "build_here", chatty)
    assert pinned_demo.main(["face", str(tmp_path), "quick"]) == 0
    out, err = capfd.readouterr()
    assert json.loads(out.strip().splitlines()[-1])["budget"] == "quick" and len(out.strip().splitlines()) == 1
    assert "epoch 1" in err


def test_demo_identity_and_the_warning_when_it_differs(tmp_path):
    ident = demo_identity(fake_demo(tmp_path / "a", {"mobilefacenet": 0.5234958199438068, "dlib": 0.9}))
    assert len(ident["bundle_digest"]) == 64 and ident["thresholds"]["mobilefacenet"] == 0.5234958199438068
    assert compare(ident, None) is None
    assert compare(ident, json.loads(json.dumps(ident))) is None  # recorded through JSON: still equal

    moved = demo_identity(fake_demo(tmp_path / "b", {"mobilefacenet": 0.5234094786448482, "dlib": 0.9},
                                    manifest='{"files": {"images/0001.png": "other"}}'))
    warning = compare(moved, ident)
    assert warning and WARNING in warning and "bundle digest" in warning and "mobilefacenet" in warning
    assert "dlib" not in warning


def test_regress_warns_on_another_demo_without_failing_on_it(monkeypatch, tmp_path):
    from reference_solutions.regress import run as run_mod

    recorded = {"bundle_digest": "0" * 64, "thresholds": {"m": 0.5}}
    expected = {"bundle_digest": {"quick": {"face": recorded}}}
    assert recorded_identity(expected, "quick", "face") == recorded
    monkeypatch.setattr(run_mod, "build_track_demo", lambda t, d, b: fake_demo(tmp_path / "demo", {"m": 0.5}))

    def no_artifact(method, request, cache_dir):
        raise RuntimeError("not generated in this test")

    monkeypatch.setattr(run_mod, "cached_artifact", no_artifact)
    logs: list[str] = []
    report = run_mod.run_regression(tmp_path, "quick", ["face"], 0, tmp_path / "cache", expected, log=logs.append)
    face = report["demos"]["face"]
    assert face["pinned"] and face["recorded"] == recorded and WARNING in face["warning"]
    assert any(line.startswith("WARNING face:") and "see README" in line for line in logs)
    assert "WARNING: the demo differs" in format_table(report["rows"], report["ordering"], report["demos"])
    assert all("bundle" not in r.get("error", "") for r in report["rows"])  # a warning, not a row error

    same = {"bundle_digest": {"quick": {"face": {k: face[k] for k in ("bundle_digest", "thresholds")}}}}
    report = run_mod.run_regression(tmp_path, "quick", ["face"], 0, tmp_path / "cache", same, log=logs.append)
    assert report["demos"]["face"]["warning"] is None
    assert "face demo (pinned): bundle" in format_table(report["rows"], report["ordering"], report["demos"])


def test_record_writes_the_demo_identity_beside_the_scores(tmp_path):
    ident = {"bundle_digest": "ab" * 32, "thresholds": {"m": 0.5}, "pinned": True, "warning": None}
    path = record({}, "quick", [], tmp_path / "e.json", demos={"face": ident})
    assert json.loads(path.read_text())["bundle_digest"] == {"quick": {"face": {"bundle_digest": "ab" * 32,
                                                                                "thresholds": {"m": 0.5}}}}


def test_closest_decision_from_face_details_and_its_table_column():
    details = {"near_threshold": {"dlib": 0, "mobilefacenet": 1},
               "samples": [{"id": "0001", "models": {"dlib": {"margin": -0.2}, "mobilefacenet": {"margin": 0.0056}}},
                           {"id": "0002", "models": {"dlib": {"margin": -0.0003}, "mobilefacenet": {"margin": 0.3}}},
                           {"id": "0003", "valid": False}]}
    got = closest_decision(details)
    assert got == {"min_margin": -0.0003, "min_margin_at": "0002 dlib", "near_threshold": 1}
    assert closest_decision({"scenes": []}) == {}
    rows = [make_row("method", "face/a", "face", "p", 0.3, 0.3, 0.06, **got),
            make_row("baseline", "baseline:face/x", "face", "p", 0.0, 0.0, 0.06)]
    table = format_table(rows, ordering(rows, 0.05))
    assert "-0.0003 0002 dlib near 1" in table


@pytest.mark.parametrize("key", sorted(pinned.PINNED_ENV))
def test_pinned_identity_changes_with_every_setting(monkeypatch, key):
    before = pinned.pinned_identity()["sha256"]
    monkeypatch.setitem(pinned.PINNED_ENV, key, "something else")
    assert pinned.pinned_identity()["sha256"] != before
