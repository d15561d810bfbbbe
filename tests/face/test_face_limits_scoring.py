"""The real face scorer with the threat-model limits and a liveness model set (quick demo)."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from evaluators.face import score
from evaluators.face.models import liveness_entry


def test_limits_policies_through_the_scorer(face_demo, phase):
    bundle_dir, settings = phase
    z = Path(face_demo["baselines"]["naive_patch"])
    base = score(z, bundle_dir, settings)
    for rec in base.details["samples"]:  # L∞ and PSNR always; SSIM only where the phase sets a limit
        assert rec["linf"] > 8 and rec["ssim"] is None and rec["psnr"] > 0
    # limits nobody breaks change no decision
    loose = score(z, bundle_dir, dict(settings, max_linf=255, min_ssim=-1, min_psnr=0))
    assert loose.score == base.score and loose.columns == base.columns
    assert all(0 < rec["ssim"] < 1 for rec in loose.details["samples"])
    # AISC policy: every pasted patch is over eps = 8, so every sample is unsuccessful
    strict = score(z, bundle_dir, dict(settings, max_linf=8))
    assert strict.score == 0.0 and strict.details["n_invalid"] == 6
    assert all("over the phase's perturbation limits: L∞ distance" in m for m in strict.messages)
    assert strict.details["limits"] == {"max_linf": 8, "min_ssim": None, "min_psnr": None,
                                        "over_limit": "unsuccessful"}
    # ARES policy: projected into the eps-ball and scored
    proj = score(z, bundle_dir, dict(settings, max_linf=8, over_limit="project"))
    assert proj.details["n_valid"] == 6 and proj.messages == []
    for rec in proj.details["samples"]:
        assert rec["projected"]["linf"] <= 8 < rec["linf"] and rec["projected"]["ssim"] > rec["ssim"]
    assert 0.0 <= proj.score <= base.score + 1e-12  # a weaker perturbation cannot verify more often here


def test_liveness_column_beside_the_verification_columns(face_demo, phase, with_liveness, tmp_path):
    bundle_dir, settings = phase
    z = Path(face_demo["baselines"]["naive_patch"])
    base = score(z, bundle_dir, settings)
    res = score(z, bundle_dir, with_liveness)
    assert res.score == base.score  # liveness stays out of the total by default
    assert {k: v for k, v in res.columns.items() if k.startswith("model:")} == base.columns
    assert list(res.columns)[-1] == "live:antispoof"
    assert res.details["liveness_thresholds"] == {"antispoof": 0.2}
    live = {r["id"]: r["liveness"]["antispoof"] for r in res.details["samples"]}
    assert all(v["live"] == (v["score"] <= 0.2) for v in live.values())
    assert all(v["near_threshold"] == (abs(v["score"] - 0.2) < 1e-3) for v in live.values())
    assert res.details["liveness_near_threshold"] == {"antispoof": sum(v["near_threshold"] for v in live.values())}
    assert res.columns["live:antispoof"] == sum(v["live"] for v in live.values()) / 6
    # liveness_in_total: a verification counts only for a face that also passes as live. The targets
    # themselves (budget lifted) verify on every model; only those that pass as live count.
    from authoring.face.baselines import write_baseline
    from evaluators.face.bundle import load_face_bundle

    cz = write_baseline(load_face_bundle(bundle_dir), "compare", tmp_path / "compare.zip")
    lifted = dict(with_liveness, max_pixels=112 * 112, max_components=112 * 112)
    every = score(cz, bundle_dir, lifted)
    gated = score(cz, bundle_dir, dict(lifted, liveness_in_total=True))
    share = every.columns["live:antispoof"]
    assert every.score == 1.0 and 0 < share < 1  # FaceAntiSpoofing calls some genuine aligned faces spoofs
    assert gated.score == pytest.approx(share) and gated.columns["live:antispoof"] == share
    assert all(gated.columns[f"model:{n}"] == share for n in base.details["thresholds"])
    with pytest.raises(Exception, match="no liveness model"):
        score(z, bundle_dir, dict(settings, liveness_in_total=True))


def test_calibration_leaves_the_liveness_threshold_alone(face_demo, tmp_path):
    from authoring.face.calibrate import calibrate_model_set
    from evaluators.face.models import default_model_entries, load_face_models, load_liveness_models, write_model_set

    p = write_model_set(tmp_path / "ms.json", default_model_entries() + [liveness_entry()])
    results = calibrate_model_set(p, face_demo["root"] / "calib", 0.01)
    assert [r["name"] for r in results] == ["dlib_resnet", "facenet_casia", "mobilefacenet"]
    live = next(m for m in json.loads(p.read_text())["models"] if m["name"] == "antispoof")
    assert live["threshold"] == 0.2 and "calibration" not in live and live["role"] == "liveness"
    assert [m.name for m in load_face_models(p)] == ["dlib_resnet", "facenet_casia", "mobilefacenet"]
    assert [m.name for m in load_liveness_models(p)] == ["antispoof"]
