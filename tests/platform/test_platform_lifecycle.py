"""Upload -> queued -> running -> scored through HTTP with a real Celery worker on Redis and
Postgres (with the tests' tiny scorer), and the failure classes."""
from __future__ import annotations

import uuid

import httpx
import pytest
from platform_helpers import (
    auth,
    fake_bundle,
    load_competition,
    make_admin,
    make_team,
    phase_spec,
    upload,
    wait_state,
)
from platform_procs import start_api, start_worker


@pytest.fixture
def stack(platform_env, procs):
    tmp = platform_env["tmp"]
    base = start_api(procs, tmp, fake=True)
    start_worker(procs, tmp, fake=True)
    phases = load_competition(tmp, {"face": [phase_spec("prelim", fake_bundle(tmp), quota={"daily": 10})]})
    return {"base": base, "phase": phases["face/prelim"], "tmp": tmp, "procs": procs}


def test_upload_runs_and_scores_and_leaderboard_shows_it(stack):
    base, phase = stack["base"], stack["phase"]
    name = f"alpha-{uuid.uuid4().hex[:6]}"
    token = make_team(name)
    r = upload(base, token, phase, b"FAKE score=0.75 sleep=2")
    assert r.status_code == 201, r.text
    st = r.json()
    assert st["state"] in ("queued", "running") and st["remaining_quota"]["daily_left"] == 9
    assert len(st["sha256"]) == 64 and st["size_bytes"] == len(b"FAKE score=0.75 sleep=2")
    running = wait_state(base, token, st["id"], states=("running", "scored"), timeout=30)
    seen_running = running["state"] == "running"
    final = wait_state(base, token, st["id"], timeout=60)
    assert seen_running and final["state"] == "scored", final
    assert final["score"]["total"] == pytest.approx(0.75)
    assert final["score"]["columns"] == {"model:a": 0.75, "model:b": 0.375}
    assert final["progress"] == 100.0 and final["stage"] == "done"
    board = httpx.get(f"{base}/api/v1/phases/{phase}/leaderboard").json()
    assert [(r["team"], r["total"]) for r in board["rows"]] == [(name, 0.75)]
    assert board["columns"] == ["model:a", "model:b"]
    pic = httpx.get(f"{base}/api/v1/submissions/{st['id']}/artifacts/overview", headers=auth(token))
    assert pic.status_code == 200 and pic.content[:8] == b"\x89PNG\r\n\x1a\n"
    logs = httpx.get(f"{base}/api/v1/submissions/{st['id']}/logs", headers=auth(token))
    assert logs.status_code == 200 and "run finished: scored" in logs.text


def test_malformed_upload_is_refused_before_queueing(stack):
    token = make_team()
    r = upload(stack["base"], token, stack["phase"], b"PK\x03\x04 not what the scorer wants")
    assert r.status_code == 422 and "must start with 'FAKE'" in r.json()["detail"]
    q = httpx.get(f"{stack['base']}/api/v1/phases/{stack['phase']}/quota", headers=auth(token)).json()
    assert q["daily_left"] == 10  # a refused upload uses no quota


def test_broken_bundle_during_upload_checks_is_503_and_not_counted(stack):
    token = make_team()
    r = upload(stack["base"], token, stack["phase"], b"FAKE validate=bundle", filename="../../etc/x.zip")
    assert r.status_code == 503 and "not counted" in r.json()["detail"] and "sha256" not in r.text
    q = httpx.get(f"{stack['base']}/api/v1/phases/{stack['phase']}/quota", headers=auth(token)).json()
    assert q["daily_left"] == 10
    ok = upload(stack["base"], token, stack["phase"], b"FAKE", filename="../../etc/x y.zip").json()
    assert ok["filename"] == "x_y.zip"  # no path parts survive


def test_failure_classes_and_quota(stack):
    base, phase = stack["base"], stack["phase"]
    token = make_team()
    ids = {kind: upload(base, token, phase, f"FAKE fail={kind}".encode()).json()["id"]
           for kind in ("user", "timeout", "infra")}
    results = {kind: wait_state(base, token, i, timeout=60) for kind, i in ids.items()}
    assert results["user"]["state"] == "failed" and results["user"]["failure_class"] == "user"
    assert "sample 3 is not a PNG" in results["user"]["message"]
    assert results["timeout"]["failure_class"] == "timeout"
    infra = results["infra"]
    assert infra["failure_class"] == "infra" and infra["attempts"] == 2  # retried once, then failed
    assert "never count against your quota" in infra["message"]
    q = httpx.get(f"{base}/api/v1/phases/{phase}/quota", headers=auth(token)).json()
    assert q["daily_left"] == 10 - 2  # user and timeout count, infra does not


def test_idempotent_retry_creates_one_submission(stack):
    base, phase = stack["base"], stack["phase"]
    token = make_team()
    a = upload(base, token, phase, b"FAKE score=0.1", key="retry-1")
    b = upload(base, token, phase, b"FAKE score=0.1", key="retry-1")
    assert a.status_code == 201 and b.status_code == 200 and a.json()["id"] == b.json()["id"]
    mine = httpx.get(f"{base}/api/v1/submissions", params={"phase_id": phase}, headers=auth(token)).json()
    assert [s["id"] for s in mine] == [a.json()["id"]]


def test_oversized_and_closed_uploads_are_refused(stack, platform_env):
    tmp = platform_env["tmp"]
    phases = load_competition(tmp, {"face": [
        phase_spec("tiny", fake_bundle(tmp), limits={"soft_seconds": 5, "hard_seconds": 9, "max_upload_mb": 0.001}),
        phase_spec("old", fake_bundle(tmp), opens="2000-01-01T00:00:00Z", closes="2001-01-01T00:00:00Z")]})
    token = make_team()
    r = upload(stack["base"], token, phases["face/tiny"], b"FAKE " + b"x" * 5000)
    assert r.status_code == 413 and "limit" in r.json()["detail"]
    r = upload(stack["base"], token, phases["face/old"], b"FAKE")
    assert r.status_code == 403 and "closed" in r.json()["detail"]


def test_admin_rescore_disqualify_cancel(stack):
    base, phase = stack["base"], stack["phase"]
    name = f"rescored-{uuid.uuid4().hex[:6]}"
    token, admin = make_team(name), make_admin()
    sub = upload(base, token, phase, b"FAKE score=0.4").json()["id"]
    wait_state(base, token, sub)
    r = httpx.post(f"{base}/api/v1/admin/submissions/{sub}/rescore", headers=auth(admin))
    assert r.status_code == 200, r.text
    final = wait_state(base, token, sub)
    assert final["state"] == "scored" and final["score"]["total"] == pytest.approx(0.4)
    from sqlalchemy import func, select

    from core.db import session_scope
    from core.models import Score

    with session_scope() as s:
        assert s.scalar(select(func.count()).select_from(Score).where(Score.submission_id == sub)) == 2
    r = httpx.post(f"{base}/api/v1/admin/submissions/{sub}/disqualify", json={"reason": "copied"},
                   headers=auth(admin))
    assert r.json()["disqualified"] is True
    board = httpx.get(f"{base}/api/v1/phases/{phase}/leaderboard").json()
    assert name not in [row["team"] for row in board["rows"]]
    csv = httpx.get(f"{base}/api/v1/admin/phases/{phase}/export.csv", headers=auth(admin))
    assert csv.status_code == 200 and csv.text.startswith("rank,team,submission_id,total")
    slow = upload(base, token, phase, b"FAKE sleep=60").json()["id"]
    wait_state(base, token, slow, states=("running",), timeout=30)
    r = httpx.post(f"{base}/api/v1/admin/submissions/{slow}/cancel", headers=auth(admin))
    assert r.json()["state"] == "cancelled"
    nxt = upload(base, token, phase, b"FAKE score=0.2").json()["id"]  # the run stops: the worker is free again
    assert wait_state(base, token, nxt, timeout=15)["state"] == "scored"
    assert wait_state(base, token, slow)["state"] == "cancelled"
    logs = httpx.get(f"{base}/api/v1/submissions/{slow}/logs", headers=auth(token)).text
    assert "left 'running'" in logs  # the cancelled run stopped at its next heartbeat and kept its log


def test_subjective_score_adds_a_score_row(stack, platform_env):
    tmp = platform_env["tmp"]
    phase = load_competition(tmp, {"deepfake": [phase_spec("final", fake_bundle(tmp), subjective_weight=0.1)]})[
        "deepfake/final"]
    token, admin = make_team(), make_admin()
    sub = upload(stack["base"], token, phase, b"FAKE score=0.5").json()["id"]
    wait_state(stack["base"], token, sub)
    r = httpx.post(f"{stack['base']}/api/v1/admin/submissions/{sub}/subjective", json={"value": 0.8},
                   headers=auth(admin))
    assert r.status_code == 200, r.text
    score = r.json()["score"]
    assert score["total"] == pytest.approx(0.5 + 0.1 * 0.8) and score["subjective"] == 0.8
    assert score["scorer_score"] == pytest.approx(0.5)
    bad = httpx.post(f"{stack['base']}/api/v1/admin/submissions/{sub}/subjective", json={"value": 3},
                     headers=auth(admin))
    assert bad.status_code == 422


def test_team_cli_submit_status_leaderboard(stack, tmp_path):
    import subprocess
    import sys

    from platform_procs import ROOT

    token = make_team(f"cli-{uuid.uuid4().hex[:6]}")
    f = tmp_path / "sub.txt"
    f.write_text("FAKE score=0.42")
    env = {**__import__("os").environ, "AISC_URL": stack["base"], "AISC_TOKEN": token}

    def cli(*args):
        return subprocess.run([sys.executable, "-m", "client.cli", *args], cwd=ROOT, env=env, capture_output=True,
                              text=True, timeout=120)

    r = cli("submit", str(stack["phase"]), str(f), "--wait")
    assert r.returncode == 0, r.stderr
    assert "scored" in r.stdout and "score 0.420000" in r.stdout and "quota left today: 9/10" in r.stdout
    sub_id = int(r.stdout.split()[1])
    r = cli("status", str(sub_id))
    assert r.returncode == 0 and "model:a" in r.stdout
    r = cli("leaderboard", str(stack["phase"]))
    assert r.returncode == 0 and "0.4200" in r.stdout
    r = cli("submit", str(stack["phase"]), str(tmp_path / "missing.zip"))
    assert r.returncode == 2 and "is not a file" in r.stderr
    bad = tmp_path / "bad.zip"
    bad.write_bytes(b"PK junk")
    r = cli("submit", str(stack["phase"]), str(bad))
    assert r.returncode == 2 and "HTTP 422" in r.stderr and "must start with 'FAKE'" in r.stderr


def test_soft_time_limit_from_the_phase_fails_as_timeout(stack, platform_env):
    tmp = platform_env["tmp"]
    phase = load_competition(tmp, {"face": [phase_spec("slowpoke", fake_bundle(tmp),
                                                       limits={"soft_seconds": 2, "hard_seconds": 6})]})["face/slowpoke"]
    token = make_team()
    sub = upload(stack["base"], token, phase, b"FAKE sleep=20").json()["id"]
    final = wait_state(stack["base"], token, sub, timeout=30)
    assert final["state"] == "failed" and final["failure_class"] == "timeout", final
    assert "time limit of 2 s" in final["message"]
    assert final["remaining_quota"]["daily_left"] == 49  # a timeout counts


def test_team_cancels_its_queued_submission_and_admin_rescores_a_phase(stack, platform_env):
    tmp = platform_env["tmp"]
    base = stack["base"]
    phase = load_competition(tmp, {"face": [phase_spec("batch", fake_bundle(tmp))]})["face/batch"]
    token, admin = make_team(), make_admin()
    blocker = upload(base, token, phase, b"FAKE sleep=3 score=0.1").json()["id"]
    waiting = upload(base, token, phase, b"FAKE score=0.2").json()["id"]
    left = httpx.get(f"{base}/api/v1/phases/{phase}/quota", headers=auth(token)).json()["daily_left"]
    r = httpx.post(f"{base}/api/v1/submissions/{waiting}/cancel", headers=auth(token))
    assert r.status_code == 200 and r.json()["state"] == "cancelled"
    # it never started, so the team gets its slot back
    assert httpx.get(f"{base}/api/v1/phases/{phase}/quota", headers=auth(token)).json()["daily_left"] == left + 1
    again = httpx.post(f"{base}/api/v1/submissions/{waiting}/cancel", headers=auth(token))
    assert again.status_code == 409 and "already cancelled" in again.json()["detail"]
    assert wait_state(base, token, blocker)["state"] == "scored"
    r = httpx.post(f"{base}/api/v1/admin/phases/{phase}/rescore", headers=auth(admin))
    assert r.json()["queued"] == [blocker]
    final = wait_state(base, token, blocker)
    assert final["state"] == "scored" and final["attempts"] == 2
