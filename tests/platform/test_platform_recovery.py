"""kill -9 of the worker mid-run: the reaper requeues, another worker scores each submission
exactly once, nothing is lost or left running."""
from __future__ import annotations

from sqlalchemy import func, select

from core.db import session_scope
from core.models import Score, Submission
from platform_helpers import fake_bundle, load_competition, make_team, phase_spec, upload, wait_state
from platform_procs import start_api, start_worker


def test_kill_9_worker_mid_run_is_redelivered_and_scored_once(platform_env, procs):
    tmp = platform_env["tmp"]
    base = start_api(procs, tmp, fake=True)
    phase = load_competition(tmp, {"face": [phase_spec("killme", fake_bundle(tmp), queue="gpu")]})["face/killme"]
    start_worker(procs, tmp, fake=True, queues="control", beat=True, name="reaper")
    doomed = start_worker(procs, tmp, fake=True, queues="gpu", delay=30, name="doomed")
    token = make_team()
    ids = [upload(base, token, phase, f"FAKE score=0.{i + 1}".encode()).json()["id"] for i in range(3)]
    first = wait_state(base, token, ids[0], states=("running",), timeout=60)
    while first["stage"] != "warmup":  # inside the run, heartbeating
        assert first["state"] == "running"
        first = wait_state(base, token, ids[0], states=("running",), timeout=10)
    doomed.kill()  # SIGKILL to the whole process group: main process and pool child
    start_worker(procs, tmp, fake=True, queues="gpu", name="rescuer")
    finals = [wait_state(base, token, i, timeout=90) for i in ids]
    assert [f["state"] for f in finals] == ["scored"] * 3, finals
    assert finals[0]["attempts"] == 2  # the killed run and the rescuing run
    assert [f["score"]["total"] for f in finals] == [0.1, 0.2, 0.3]
    with session_scope() as s:
        per_sub = dict(s.execute(select(Score.submission_id, func.count()).where(Score.submission_id.in_(ids))
                                 .group_by(Score.submission_id)).all())
        assert per_sub == {i: 1 for i in ids}
        assert s.scalar(select(func.count()).select_from(Submission).where(
            Submission.phase_id == phase, Submission.state.in_(("received", "queued", "running")))) == 0


def test_kill_9_of_the_pool_child_only(platform_env, procs):
    """The worker's main process survives and the broker redelivers at once; the reaper still
    makes sure the run that died is redone exactly once."""
    import os
    import signal
    import subprocess

    tmp = platform_env["tmp"]
    base = start_api(procs, tmp, fake=True)
    phase = load_competition(tmp, {"face": [phase_spec("child", fake_bundle(tmp), queue="gpu")]})["face/child"]
    start_worker(procs, tmp, fake=True, queues="control", beat=True, name="reaper2")
    worker = start_worker(procs, tmp, fake=True, queues="gpu", name="survivor")
    token = make_team()
    sub = upload(base, token, phase, b"FAKE sleep=8 score=0.5").json()["id"]
    st = wait_state(base, token, sub, states=("running",), timeout=60)
    while st["stage"] != "inference":
        st = wait_state(base, token, sub, states=("running",), timeout=10)
    children = subprocess.run(["pgrep", "-P", str(worker.popen.pid)], capture_output=True, text=True).stdout.split()
    assert children, "the prefork pool child was not found"
    for pid in children:
        os.kill(int(pid), signal.SIGKILL)
    final = wait_state(base, token, sub, timeout=120)
    assert final["state"] == "scored" and final["attempts"] == 2, final
    with session_scope() as s:
        assert s.scalar(select(func.count()).select_from(Score).where(Score.submission_id == sub)) == 1
