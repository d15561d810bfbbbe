"""The reaper's decisions, run directly against Postgres (tasks go to the real Redis)."""
from __future__ import annotations

from datetime import timedelta

from core.db import session_scope
from core.models import QuotaCounter, Submission, Team
from core.timeutil import utcnow
from platform_helpers import fake_bundle, load_competition, phase_spec
from workers.reaper import reap_once


def test_reaper_requeues_times_out_fails_and_resends(platform_env):
    tmp = platform_env["tmp"]
    pid = load_competition(tmp, {"face": [phase_spec("reap", fake_bundle(tmp), queue="gpu",
                                                     limits={"soft_seconds": 100, "hard_seconds": 120})]})["face/reap"]
    now = utcnow()
    old, stale = now - timedelta(minutes=30), now - timedelta(seconds=30)

    def sub(s, team, **kw):
        row = Submission(phase_id=pid, team_id=team.id, queue="gpu", filename="f", artifact_key="k", size_bytes=1,
                         sha256="0" * 64, quota_day=now.strftime("%Y-%m-%d"), **kw)
        s.add(row)
        s.flush()
        return row.id

    with session_scope() as s:
        team = Team(name=f"reaped-{pid}")
        s.add(team)
        s.flush()
        s.add(QuotaCounter(team_id=team.id, phase_id=pid, period=now.strftime("%Y-%m-%d"), used=1))
        lost = sub(s, team, state="running", attempts=1, run_attempts=1, started_at=stale, heartbeat_at=stale)
        overdue = sub(s, team, state="running", attempts=1, run_attempts=1, started_at=old, heartbeat_at=stale)
        twice = sub(s, team, state="running", attempts=2, run_attempts=2, started_at=stale, heartbeat_at=stale)
        alive = sub(s, team, state="running", attempts=1, run_attempts=1, started_at=stale, heartbeat_at=now)
        orphan = sub(s, team, state="received", created_at=old)
        dropped = sub(s, team, state="queued", queued_at=old, sent_at=old)
        unsent = sub(s, team, state="queued", queued_at=stale, sent_at=None)  # the broker refused it
        fresh = sub(s, team, state="queued", queued_at=now, sent_at=None)  # just being sent
        sub(s, team, state="running", attempts=1, run_attempts=1, started_at=now, heartbeat_at=now,
            queued_at=now - timedelta(minutes=5), sent_at=now - timedelta(minutes=5))  # overtook 'dropped'
    counts = reap_once()
    assert counts == {"requeued": 1, "failed": 1, "timed_out": 1, "queued": 1, "resent": 2}
    with session_scope() as s:
        state = {i: (s.get(Submission, i).state, s.get(Submission, i).failure_class)
                 for i in (lost, overdue, twice, alive, orphan, dropped)}
        assert state == {lost: ("queued", None), overdue: ("failed", "timeout"), twice: ("failed", "infra"),
                         alive: ("running", None), orphan: ("queued", None), dropped: ("queued", None)}
        assert s.get(Submission, twice).counts_quota is False  # infra: the slot was given back
        assert s.get(QuotaCounter, (s.get(Submission, twice).team_id, pid, now.strftime("%Y-%m-%d"))).used == 0
        assert s.get(Submission, dropped).sent_at > now - timedelta(seconds=5)
        assert s.get(Submission, unsent).sent_at is not None and s.get(Submission, fresh).sent_at is None
    assert reap_once() == {"requeued": 0, "failed": 0, "timed_out": 0, "queued": 0, "resent": 0}


def test_beat_alone_with_a_scoring_worker_reaps(platform_env, procs):
    """Deployments with 'celery beat' and only '-Q cpu' workers: the workers also consume the
    reaper's queue, so a submission whose worker vanished is still requeued and scored."""
    import sys

    from platform_helpers import make_team, upload, wait_state
    from platform_procs import Proc, start_api, start_worker

    tmp = platform_env["tmp"]
    pid = load_competition(tmp, {"face": [phase_spec("beat", fake_bundle(tmp))]})["face/beat"]
    base = start_api(procs, tmp, fake=True)
    token = make_team()
    sub = upload(base, token, pid, b"FAKE score=0.25").json()["id"]
    with session_scope() as s:  # pretend a worker claimed it and died a while ago
        row = s.get(Submission, sub)
        past = utcnow() - timedelta(seconds=30)
        row.state, row.attempts, row.run_attempts, row.started_at, row.heartbeat_at = "running", 1, 1, past, past
    start_worker(procs, tmp, fake=True, queues="cpu", name="cpu-only")
    procs.append(Proc([sys.executable, "-m", "celery", "-A", "workers.celery_app", "beat", "-s",
                       str(tmp / "beat-alone")], tmp / "beat-alone.log"))
    final = wait_state(base, token, sub, timeout=60)
    assert final["state"] == "scored" and final["attempts"] == 2, final
