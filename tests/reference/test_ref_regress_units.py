"""Unit tests of the regression pieces: the artifact cache key and cache, the pass/fail table,
the ordering check and expected.json recording."""
from __future__ import annotations

import importlib
import json
from dataclasses import replace
from pathlib import Path

import pytest

from reference_solutions.registry import GenerateRequest, ReferenceMethod
from reference_solutions.regress.cache import cache_key, cached_artifact
from reference_solutions.regress.expected import expected_entry, load_expected, record
from reference_solutions.regress.table import format_table, judge, make_row, ordering, passed


@pytest.fixture
def setup(tmp_path, monkeypatch):
    """A method over a real input file and directory, with its own source package."""
    pkg = tmp_path / "src" / "regress_fake_pkg"
    pkg.mkdir(parents=True)
    (pkg / "__init__.py").write_text("")
    (pkg / "attack.py").write_text("STEPS = 3\n")
    monkeypatch.syspath_prepend(str(tmp_path / "src"))
    importlib.invalidate_caches()
    inputs = tmp_path / "demo"
    (inputs / "images").mkdir(parents=True)
    (inputs / "images" / "0001.png").write_bytes(b"a")
    (inputs / "images" / "0002.png").write_bytes(b"b")
    (inputs / "pairs.txt").write_text("1 2\n")
    calls = []

    def generate(req: GenerateRequest) -> Path:
        calls.append(req.seed)
        if req.demo.get("crash"):
            (req.out_dir / "half.zip").write_bytes(b"partial")
            raise RuntimeError("killed mid-generation")
        out = req.out_dir / "sub.zip"
        out.write_bytes(f"seed={req.seed} budget={req.budget}".encode())
        return out

    method = ReferenceMethod(name="fake/m", track="face", team="t", summary="s",
                             public_inputs=lambda r: [inputs / "images", inputs / "pairs.txt"],
                             generate=generate, source_packages=("regress_fake_pkg",))
    req = GenerateRequest(demo_dir=inputs, demo={}, out_dir=tmp_path / "out", seed=0, budget="quick")
    return method, req, inputs, pkg, calls


def test_cache_key_changes_with_inputs_seed_budget_and_source(setup):
    method, req, inputs, pkg, _ = setup
    base = cache_key(method, req)
    assert cache_key(method, req) == base
    # not part of the key: where the artifact goes, threads, progress, the demo mapping
    assert cache_key(method, replace(req, out_dir=Path("/elsewhere"), threads=1, progress=print, demo={"x": 1})) == base
    assert cache_key(method, replace(req, seed=1)) != base
    assert cache_key(method, replace(req, budget="full")) != base
    assert cache_key(replace(method, name="fake/other"), req) != base

    (inputs / "images" / "0002.png").write_bytes(b"B")      # a file inside an input directory
    changed_img = cache_key(method, req)
    (inputs / "images" / "0002.png").write_bytes(b"b")
    assert changed_img != base and cache_key(method, req) == base
    (inputs / "pairs.txt").write_text("2 1\n")              # an input file
    assert cache_key(method, req) != base
    (inputs / "pairs.txt").write_text("1 2\n")
    (inputs / "images" / "0003.png").write_bytes(b"c")      # a new file in an input directory
    assert cache_key(method, req) != base
    (inputs / "images" / "0003.png").unlink()
    assert cache_key(method, req) == base
    (pkg / "attack.py").write_text("STEPS = 4\n")           # the method's source
    assert cache_key(method, req) != base


def test_missing_input_is_a_clear_error(setup):
    method, req, inputs, _, _ = setup
    (inputs / "pairs.txt").unlink()
    with pytest.raises(FileNotFoundError, match="pairs.txt does not exist"):
        cache_key(method, req)


def test_cached_artifact_is_reused_and_a_crash_is_never_reused(setup, tmp_path):
    method, req, _, _, calls = setup
    cache = tmp_path / "cache"
    with pytest.raises(RuntimeError, match="killed"):
        cached_artifact(method, replace(req, demo={"crash": True}), cache)
    assert [p.name for p in cache.iterdir()] == []          # nothing half-written left as an entry
    first = cached_artifact(method, req, cache)
    assert not first.cached and first.path.read_bytes() == b"seed=0 budget=quick"
    assert first.path.parent == cache / first.key
    again = cached_artifact(method, req, cache)
    assert again.cached and again.path == first.path and calls == [0, 0]   # not regenerated
    other = cached_artifact(method, replace(req, seed=3), cache)
    assert not other.cached and other.key != first.key and calls == [0, 0, 3]
    entry = json.loads((cache / first.key / "entry.json").read_text())
    assert entry["artifact"] == "sub.zip" and entry["method"] == "fake/m"


def test_judge_with_tolerance_and_new_entries():
    assert judge(0.70, 0.72, 0.05) == (pytest.approx(-0.02), "pass")
    assert judge(0.60, 0.72, 0.05)[1] == "fail"
    assert judge(0.77, 0.72, 0.05)[1] == "pass"              # boundary is inside
    assert judge(0.5, None, 0.0) == (None, "new")
    assert judge(None, 0.5, 0.05) == (None, "error")


def _rows(m1: float, m2: float | None, b: float) -> list[dict]:
    return [make_row("method", "face/a", "face", "p1", m1, m1, 0.05),
            make_row("method", "face/b", "face", "p1", m2, None, 0.0),
            make_row("baseline", "baseline:face/x", "face", "p1", b, b, 0.05)]


def test_ordering_and_overall_verdict():
    ok = _rows(0.7, 0.6, 0.05)
    order = ordering(ok, 0.05)
    assert order["face"]["ok"] and order["face"]["gap"] == pytest.approx(0.55)
    assert passed(ok, order)                                 # "new" is not a failure
    close = _rows(0.7, 0.08, 0.05)                           # beats the baseline, but not clearly
    order = ordering(close, 0.05)
    assert not order["face"]["ok"] and "face/b vs baseline:face/x on p1" == order["face"]["worst"]
    assert not passed(close, order)
    table = format_table(close, order)
    assert "ORDERING VIOLATED" in table and "new" in table
    missing = _rows(0.7, None, 0.05)
    order = ordering(missing, 0.05)
    assert not order["face"]["ok"] and order["face"]["problems"] and not passed(missing, order)
    drifted = [make_row("method", "face/a", "face", "p1", 0.5, 0.7, 0.05),
               make_row("baseline", "baseline:face/x", "face", "p1", 0.0, 0.0, 0.05)]
    order = ordering(drifted, 0.05)
    assert order["face"]["ok"] and not passed(drifted, order)   # out of tolerance fails alone


def test_public_phase_is_shown_but_not_part_of_the_ordering_claim():
    rows = [make_row("method", "driving/a", "driving", "public", 0.30, None, 0.05),
            make_row("baseline", "baseline:driving/x", "driving", "public", 0.40, None, 0.05),
            make_row("method", "driving/a", "driving", "final", 0.50, None, 0.05),
            make_row("baseline", "baseline:driving/x", "driving", "final", 0.20, None, 0.05)]
    order = ordering(rows, 0.05)
    assert order["driving"]["ok"] and order["driving"]["gap"] == pytest.approx(0.30)
    assert "on final" in order["driving"]["worst"]
    assert "public" in format_table(rows, order)               # still in the table
    rows[2] = make_row("method", "driving/a", "driving", "final", 0.22, None, 0.05)
    assert not ordering(rows, 0.05)["driving"]["ok"]          # a hidden phase still counts


def test_record_keeps_tolerances_and_round_trips(tmp_path):
    path = tmp_path / "expected.json"
    data = {"margin": 0.1, "default_tolerance": {"face": 0.06},
            "quick": {"face/a": {"p1": {"score": 0.5, "tolerance": 0.02}}}}
    rows = [make_row("method", "face/a", "face", "p1", 0.61234, 0.5, 0.02),
            make_row("method", "face/b", "face", "p1", 0.4, None, 0.0),
            make_row("method", "face/c", "face", "p1", None, None, 0.0)]
    record(data, "quick", rows, path)
    back = load_expected(path)
    assert expected_entry(back, "quick", "face/a", "p1") == (0.6123, 0.02)
    assert expected_entry(back, "quick", "face/b", "p1") == (0.4, 0.06)
    assert expected_entry(back, "quick", "face/c", "p1") == (None, 0.0)
    assert expected_entry(back, "full", "face/a", "p1") == (None, 0.0)
    path.write_text("{broken")
    with pytest.raises(ValueError, match="not valid JSON"):
        load_expected(path)


def test_a_track_whose_demo_fails_is_reported_not_fatal(monkeypatch, tmp_path):
    from reference_solutions.regress import run as run_mod

    def broken_demo(track, demo_dir, budget):
        raise FileNotFoundError("no scenes under /nowhere")

    monkeypatch.setattr(run_mod, "build_track_demo", broken_demo)
    logs: list[str] = []
    report = run_mod.run_regression(tmp_path, "quick", ["face"], 0, tmp_path / "cache", {}, log=logs.append)
    assert report["rows"] and not report["passed"]
    assert {r["name"] for r in report["rows"]} == {"face/deep_dream", "face/meta_attack"}
    assert all(r["status"] == "error" and "demo build failed: FileNotFoundError: no scenes" in r["error"]
               for r in report["rows"])


def test_cli_stdout_carries_only_the_table(monkeypatch, capfd, tmp_path):
    """Demo builders and trainers print (Python and child processes): that goes to stderr."""
    import os

    from reference_solutions.regress import cli

    def noisy_run(*args, **kwargs):
        print("epoch 1/60 loss 3.2")
        os.write(1, b"raw fd-1 output\n")
        rows = [make_row("method", "face/a", "face", "p1", 0.6, None, 0.0),
                make_row("baseline", "baseline:face/x", "face", "p1", 0.0, None, 0.0)]
        order = ordering(rows, 0.05)
        return {"rows": rows, "ordering": order, "passed": passed(rows, order), "seconds": 1.0}

    monkeypatch.setattr(cli, "run_regression", noisy_run)
    code = cli.main(["--tracks", "face", "--expected", str(tmp_path / "none.json"), "--json", str(tmp_path / "r.json")])
    out, err = capfd.readouterr()
    assert code == 0 and "face/a" in out and "regression PASSED" in out
    assert "epoch 1/60" not in out and "raw fd-1" not in out
    assert "epoch 1/60" in err and "raw fd-1" in err
    assert json.loads((tmp_path / "r.json").read_text())["rows"][0]["status"] == "new"
