"""Regression runs on the platform: real Postgres, a real Celery worker running
``python -m reference_solutions regress`` as a subprocess (face only, warm artifact cache and
the face quick demo shared with the other tests under var/test-cache), the admin API, and the
beat's scorer-version check."""
from __future__ import annotations

import subprocess
import sys
import time

import httpx
import pytest

from platform_helpers import auth, make_admin, make_team
from platform_procs import ROOT, start_api, start_worker

pytestmark = pytest.mark.slow
DEMO_DIR = ROOT / "var" / "test-cache" / "demo-quick"
CACHE_DIR = ROOT / "var" / "test-cache" / "reference_cache"


@pytest.fixture(scope="module")
def regress_env(platform_env):
    """Settings for the API, the worker and this process; the face artifacts generated once
    (cached by content hash, so the worker's runs only score)."""
    warm = subprocess.run([sys.executable, "-m", "reference_solutions", "regress", "--tracks", "face",
                           "--demo-dir", str(DEMO_DIR), "--cache-dir", str(CACHE_DIR)],
                          cwd=ROOT, capture_output=True, text=True, timeout=1800)
    assert "face/deep_dream" in warm.stdout, warm.stderr[-3000:]
    env = {"AISC_REGRESS_TRACKS": "face", "AISC_REGRESS_BUDGET": "quick", "AISC_REGRESS_DEMO_DIR": str(DEMO_DIR),
           "AISC_REFERENCE_CACHE": str(CACHE_DIR), "AISC_REGRESS_TIMEOUT_SECONDS": "900"}
    mp = pytest.MonkeyPatch()
    for k, v in env.items():
        mp.setenv(k, v)
    from core.settings import get_settings

    get_settings.cache_clear()
    _forget_runs()  # start from none: other test files share the database (baseline rows copy runs)
    yield env
    _forget_runs()
    mp.undo()
    get_settings.cache_clear()


def _forget_runs() -> None:
    """Later tests share the database and start workers with beat: leave no run behind (a
    queued one would be run, a finished one with other scorer versions would trigger one)."""
    from sqlalchemy import text

    from core.db import session_scope

    with session_scope() as s:
        s.execute(text("DELETE FROM regression_runs"))


def _wait_finished(base: str, admin: str, run_id: int, timeout: float = 600) -> dict:
    deadline = time.monotonic() + timeout
    while True:
        body = httpx.get(f"{base}/api/v1/admin/regression", headers=auth(admin), timeout=30).json()
        latest = body["latest"]
        if latest and latest["id"] == run_id and latest["status"] not in ("queued", "running"):
            return body
        if time.monotonic() > deadline:
            raise AssertionError(f"regression run {run_id} not finished after {timeout} s: {latest}")
        time.sleep(1)


def test_admin_runs_regression_and_a_scorer_change_triggers_one(regress_env, platform_env, procs, monkeypatch):
    tmp = platform_env["tmp"]
    base = start_api(procs, tmp, fake=False)
    start_worker(procs, tmp, fake=False, queues="cpu")
    admin, team = make_admin(), make_team()

    for method in ("GET", "POST"):  # organizers only
        r = httpx.request(method, f"{base}/api/v1/admin/regression", headers=auth(team), timeout=30)
        assert r.status_code == 403, r.text
    assert httpx.get(f"{base}/api/v1/admin/regression", timeout=30).status_code == 401
    assert httpx.get(f"{base}/api/v1/admin/regression", headers=auth(admin), timeout=30).json()["latest"] is None

    from workers import regression as worker_regression

    assert worker_regression.check()["queued"] is False  # nothing to compare with before the first run

    r = httpx.post(f"{base}/api/v1/admin/regression", headers=auth(admin), timeout=30)
    assert r.status_code == 202 and r.json()["queued"], r.text
    run_id = r.json()["run"]
    again = httpx.post(f"{base}/api/v1/admin/regression", headers=auth(admin), timeout=30)
    assert again.status_code == 200 and again.json() == {**again.json(), "run": run_id, "queued": False}

    body = _wait_finished(base, admin, run_id)
    latest = body["latest"]
    assert latest["status"] == "passed", latest["error"] + latest["table"]
    assert latest["reason"] == "admin" and latest["budget"] == "quick" and latest["tracks"] == "face"
    assert latest["scorer_versions"] == worker_regression.current_versions()
    names = {(r["name"], r["phase"]) for r in latest["rows"]}
    for m in ("face/deep_dream", "face/meta_attack", "baseline:face/unchanged", "baseline:face/naive_patch"):
        assert {(m, "preliminary"), (m, "final")} <= names, names
    assert all(r["cached"] for r in latest["rows"] if r["kind"] == "method")  # warm cache: nothing regenerated
    assert latest["ordering"]["face"]["ok"] and "face: every method beats every baseline" in latest["table"]
    assert "face/meta_attack" in latest["table"] and latest["started"] and latest["finished"]
    assert body["history"][0]["id"] == run_id and body["latest_finished"]["id"] == run_id

    assert worker_regression.check()["queued"] is False  # same scorer versions: nothing to do
    import evaluators.face.scoring

    monkeypatch.setattr(evaluators.face.scoring, "SCORER_VERSION", "face-test-changed")
    triggered = worker_regression.check()
    assert triggered["queued"] and "face" in triggered["reason"] and "face-test-changed" in triggered["reason"]
    assert worker_regression.check()["queued"] is False  # one run at a time
    body = _wait_finished(base, admin, triggered["run"])
    assert body["latest"]["status"] == "passed" and body["latest"]["reason"].startswith("scorer versions changed")
    assert [h["id"] for h in body["history"][:2]] == [triggered["run"], run_id]


@pytest.fixture
def forget_runs(platform_env):
    yield
    _forget_runs()


def test_run_states_only_move_forward(forget_runs):
    """claim and finish are conditional updates; the version check ignores active runs; runs
    lost with their worker become errors."""
    from datetime import timedelta

    from core import regression
    from core.db import session_scope
    from core.models import RegressionRun
    from core.settings import get_settings
    from core.timeutil import utcnow

    settings = get_settings()
    v1 = {"face": "1", "driving": "1", "deepfake": "1"}
    with session_scope() as s:
        run = RegressionRun(status="queued", reason="test")
        s.add(run)
        s.flush()
        rid = run.id
    with session_scope() as s:
        assert regression.versions_changed(s, {**v1, "face": "2"}) is None   # a run is active
        assert regression.claim(s, rid, "w1", v1, settings)
    with session_scope() as s:
        assert not regression.claim(s, rid, "w2", v1, settings)             # taken
        assert regression.versions_changed(s, {**v1, "face": "2"}) is None   # still running
        with pytest.raises(ValueError, match="finishes as one of"):
            regression.finish(s, rid, "running")
        assert regression.finish(s, rid, "failed", rows=[{"status": "fail"}], table="t")
    with session_scope() as s:
        assert not regression.finish(s, rid, "passed")                        # already finished
        assert s.get(RegressionRun, rid).status == "failed"
        assert regression.versions_changed(s, v1) is None
        assert regression.versions_changed(s, {**v1, "face": "2"}) == "scorer versions changed: face 1 -> 2"
        lost = RegressionRun(status="running", reason="test",
                             created_at=utcnow() - timedelta(seconds=settings.regress_timeout_seconds + 700))
        s.add(lost)
        s.flush()
        lost_id = lost.id
    with session_scope() as s:
        assert regression.expire_lost(s) == 1
    with session_scope() as s:
        assert s.get(RegressionRun, lost_id).status == "error"
        assert regression.report(s)["latest_finished"]["id"] == lost_id


def test_beat_schedules_runs_and_the_version_check_unless_disabled():
    from core.queue import REGRESS_CHECK_TASK, REGRESS_SCHEDULE_TASK, celery_config
    from core.settings import Settings

    beat = celery_config(Settings(regress_seconds=3600, reaper_seconds=15))["beat_schedule"]
    assert beat["regression"]["task"] == REGRESS_SCHEDULE_TASK and beat["regression"]["schedule"] == 3600
    assert beat["regression-version-check"]["task"] == REGRESS_CHECK_TASK
    assert beat["regression-version-check"]["schedule"] == 15 and "reaper" in beat
    assert set(celery_config(Settings(regress_seconds=0))["beat_schedule"]) == {"reaper", "notify"}  # no regression entries
