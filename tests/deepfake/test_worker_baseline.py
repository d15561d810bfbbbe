"""The baseline image end to end through the worker (real Docker Engine), and the selfcheck."""
import pytest

from authoring.deepfake.demo import phase_settings
from evaluators.deepfake.run import run_and_score
from sandbox.container import RUN_LABEL

pytestmark = pytest.mark.docker


def assert_engine_clean(client, digest, run_id, sandbox_tmp):
    assert not client.containers.list(all=True, filters={"label": f"{RUN_LABEL}={run_id}"})
    assert digest not in {img.id for img in client.images.list(all=True)}
    assert list(sandbox_tmp.iterdir()) == []
    assert str(sandbox_tmp) not in open("/proc/mounts").read()


def test_baseline_scores_sensibly_in_every_phase(baseline_tar, dataset, docker_client, sandbox_tmp, tmp_path):
    results = {}
    for kind in ("preliminary", "evaluation", "final"):
        settings = {**phase_settings(kind), "time_limit_s": 120, "memory_mb": 1024}
        seen = []
        r = run_and_score(baseline_tar, dataset / "phases" / kind, settings, workdir=tmp_path / kind,
                          progress=lambda stage, pct: seen.append((stage, pct)), run_id=f"test-baseline-{kind}")
        results[kind] = r
        assert r.valid and r.details["container_status"] == "exited" and r.details["exit_code"] == 0
        assert [p for _s, p in seen] == sorted(p for _s, p in seen) and seen[-1] == ("done", 100.0)
        assert "wrote" in r.details["container_log"] and r.details["image_digest"].startswith("sha256:")
        assert r.timings["container"] > 0 and r.timings["load"] > 0
        assert_engine_clean(docker_client, r.details["image_digest"], f"test-baseline-{kind}", sandbox_tmp)
    # chance is 1/8 (preliminary), 1/11 (evaluation); the noise-residual baseline is far above it
    assert results["preliminary"].columns["precision@5"] > 0.45
    assert results["evaluation"].columns["precision@5"] > 0.35
    final = results["final"]
    assert final.columns["auc"] > 0.6
    assert final.score == pytest.approx(0.6 * final.columns["precision@5"] + 0.3 * final.columns["auc"])
    assert (tmp_path / "final" / "novelty_roc.png").is_file()


def test_selfcheck_accepts_the_baseline(baseline_tar, dataset, sandbox_tmp, capsys):
    from submission_kit.deepfake.selfcheck import main

    assert main([str(baseline_tar), "--sample", str(dataset / "public_sample"), "--time-limit", "120",
                 "--novelty"]) == 0
    out = capsys.readouterr().out
    assert "OK: valid predictions" in out and "novel_prob is valid" in out


def test_selfcheck_explains_a_broken_image(make_image, dataset, sandbox_tmp, capsys):
    from submission_kit.deepfake.selfcheck import main

    tar = make_image("print('hello from a broken submission')\n")
    assert main([str(tar), "--sample", str(dataset / "public_sample"), "--time-limit", "60"]) == 1
    out = capsys.readouterr().out
    assert "FAILED: no predictions: /output/predictions.jsonl was not written" in out
    assert "hello from a broken submission" in out


def test_image_without_entrypoint_is_refused(docker_client, base_image, tmp_path, dataset, sandbox_tmp):
    from evaluators.common.errors import SubmissionRejected
    from submission_kit.deepfake.build import save_image

    tar = save_image(docker_client, base_image, tmp_path / "base.tar")
    with pytest.raises(SubmissionRejected, match="image has no ENTRYPOINT"):
        run_and_score(tar, dataset / "phases" / "preliminary", {})
    assert docker_client.images.get(base_image)  # a refused upload never touches existing images
