"""The pure scorer on generated bundles: phases, novelty, S_final, settings errors, CLI."""
import json
import subprocess
import sys

import pytest

from evaluators.common.errors import BundleError, SubmissionRejected
from evaluators.deepfake.bundle import load_bundle
from evaluators.deepfake.settings import parse_settings
import evaluators.deepfake


def oracle_predictions(bundle, path, *, correct=True, novelty=True):
    """Predictions that retrieve same-method gallery images (or wrong ones)."""
    by_method = {}
    for g, m in bundle.gallery_labels.items():
        by_method.setdefault(m, []).append(g)
    gallery = sorted(bundle.gallery_labels)
    lines = []
    for p, m in sorted(bundle.probe_labels.items()):
        same = by_method.get(m, [])
        ids = (same[:5] if correct and len(same) >= 5 else [g for g in gallery if bundle.gallery_labels[g] != m][:5])
        obj = {"probe": p, "top5": [{"gallery": g, "similarity": 1.0 - 0.1 * j} for j, g in enumerate(ids)]}
        if novelty:
            obj["novel_prob"] = 1.0 if m in bundle.new_methods else 0.0
        lines.append(json.dumps(obj))
    path.write_text("\n".join(lines) + "\n")
    return path


def test_perfect_and_wrong_predictions_preliminary(dataset, tmp_path):
    bundle_dir = dataset / "phases" / "preliminary"
    bundle = load_bundle(bundle_dir)
    mod = evaluators.deepfake
    good = mod.score(oracle_predictions(bundle, tmp_path / "good.jsonl"), bundle_dir, {"phase_kind": "preliminary"})
    assert good.score == 1.0 and good.columns == {"precision@5": 1.0}
    bad = mod.score(oracle_predictions(bundle, tmp_path / "bad.jsonl", correct=False), bundle_dir, {})
    assert bad.score == 0.0
    assert set(good.details["per_method_precision@5"]) == set(bundle.probe_labels.values())


def test_final_phase_s_final_with_and_without_subjective(dataset, tmp_path):
    bundle_dir = dataset / "phases" / "final"
    bundle = load_bundle(bundle_dir)
    assert len(bundle.new_methods) == 3
    preds = oracle_predictions(bundle, tmp_path / "p.jsonl")
    mod = evaluators.deepfake
    r = mod.score(preds, bundle_dir, {"phase_kind": "final"}, workdir=tmp_path / "out")
    assert r.columns["precision@5"] == 1.0 and r.columns["auc"] == 1.0
    assert r.score == pytest.approx(0.9)
    assert "subjective" in r.messages[0]
    assert (tmp_path / "out" / "novelty_roc.png").stat().st_size > 1000
    r2 = mod.score(preds, bundle_dir, {"phase_kind": "final", "subjective_score": 0.5})
    assert r2.score == pytest.approx(0.95) and r2.columns["subjective"] == 0.5
    no_novel = tmp_path / "nn.jsonl"
    oracle_predictions(bundle, no_novel, novelty=False)
    with pytest.raises(SubmissionRejected, match="novel_prob is required"):
        mod.score(no_novel, bundle_dir, {"phase_kind": "final"})


def test_settings_are_validated():
    assert parse_settings({"phase_kind": "final"}).novelty is True
    assert parse_settings({}).novelty is False
    for bad, msg in [({"phase_kind": "semi"}, "phase_kind"), ({"memory_mb": -1}, "memory_mb"),
                     ({"gpu": "yes"}, "gpu"), ({"subjective_score": 2}, "subjective_score"),
                     ({"time_limit_s": float("nan")}, "time_limit_s")]:
        with pytest.raises(ValueError, match=msg):
            parse_settings(bad)
    with pytest.raises(BundleError, match="phase settings are invalid"):
        evaluators.deepfake.score("x", "y", {"phase_kind": "bogus"})


def test_corrupt_bundle_is_an_infra_error(dataset, tmp_path):
    import shutil

    copy = tmp_path / "b"
    shutil.copytree(dataset / "phases" / "preliminary", copy)
    victim = next((copy / "probe").glob("*.png"))
    victim.write_bytes(b"changed")
    with pytest.raises(BundleError, match="sha256"):
        load_bundle(copy)


def test_cli_score_and_missing_file(dataset, tmp_path):
    bundle_dir = dataset / "phases" / "evaluation"
    preds = oracle_predictions(load_bundle(bundle_dir), tmp_path / "p.jsonl", novelty=False)
    cmd = [sys.executable, "-m", "evaluators", "score", "--track", "deepfake", "--bundle", str(bundle_dir),
           "--submission", str(preds), "--settings", '{"phase_kind": "evaluation"}', "--out", str(tmp_path / "r.json")]
    out = subprocess.run(cmd, capture_output=True, text=True)
    assert out.returncode == 0, out.stderr
    assert json.loads((tmp_path / "r.json").read_text())["score"] == 1.0
    cmd[cmd.index("--submission") + 1] = str(tmp_path / "missing.jsonl")
    out = subprocess.run(cmd, capture_output=True, text=True)
    assert out.returncode == 2 and "predictions.jsonl was not written" in out.stderr
