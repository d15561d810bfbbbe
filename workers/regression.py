"""Regression runs of the reference solutions on a worker.

``run(run_id)`` claims a queued run, runs ``python -m reference_solutions regress --json ...``
as a subprocess (so the worker imports neither the reference solutions nor torch, and keeps
its dependency arrows ``workers -> core, evaluators``) and stores the table. Beat sends
``schedule()`` every ``AISC_REGRESS_SECONDS`` and ``check()`` every reaper tick: the check
queues a run when the current scorer versions differ from the last run's, and turns runs lost
with their worker into ``error``.
"""
from __future__ import annotations

import json
import logging
import os
import socket
import subprocess
import sys
from pathlib import Path

from core import regression
from core.db import session_factory
from core.models import RegressionRun
from core.settings import ROOT, get_settings

from .versions import current_versions

log = logging.getLogger(__name__)
TAIL = 8000


def regress_command(out_json: Path, budget: str, tracks: str, demo_dir: Path) -> list[str]:
    return [sys.executable, "-m", "reference_solutions", "regress", "--json", str(out_json), "--budget", budget,
            "--tracks", tracks or "all", "--demo-dir", str(demo_dir)]


def _tail(path: Path) -> str:
    if not path.is_file():
        return ""
    data = path.read_bytes()[-TAIL:]
    return data.decode("utf-8", "replace")


def run(run_id: int) -> str:
    settings = get_settings()
    make_session = session_factory()
    with make_session() as session, session.begin():
        if not regression.claim(session, run_id, f"{socket.gethostname()}:{os.getpid()}", current_versions(),
                                settings):
            return "skipped: not queued (already taken or finished)"
        run_row = session.get(RegressionRun, run_id)
        budget, tracks = run_row.budget, run_row.tracks
    work = settings.resolved_workdir() / "regression" / f"run-{run_id}"
    work.mkdir(parents=True, exist_ok=True)
    out_json, out_log, out_table = work / "report.json", work / "stderr.log", work / "table.txt"
    cmd = regress_command(out_json, budget, tracks, settings.resolved_regress_demo_dir(budget))
    log.info("regression run %s: %s", run_id, " ".join(cmd))
    status, error, report, table = "error", "", {}, ""
    try:
        with open(out_table, "wb") as so, open(out_log, "wb") as se:
            proc = subprocess.run(cmd, cwd=ROOT, stdout=so, stderr=se, timeout=settings.regress_timeout_seconds)
        table = out_table.read_text(errors="replace")
        if proc.returncode in (0, 1) and out_json.is_file():
            report = json.loads(out_json.read_text())
            status = "passed" if proc.returncode == 0 else "failed"
        else:
            error = f"regress exited with status {proc.returncode}; last output:\n{_tail(out_log)}"
    except subprocess.TimeoutExpired:
        error = f"regress ran past AISC_REGRESS_TIMEOUT_SECONDS={settings.regress_timeout_seconds}; " \
                f"last output:\n{_tail(out_log)}"
    except Exception as e:  # noqa: BLE001 - stored on the run for the organizers
        error = f"{type(e).__name__}: {e}"
    with make_session() as session, session.begin():
        regression.finish(session, run_id, status, rows=report.get("rows"), ordering=report.get("ordering"),
                          table=table[-64000:], error=error[-TAIL:], versions=report.get("scorer_versions"))
    log.info("regression run %s: %s", run_id, status)
    return status


def schedule() -> dict:
    run_id, new = regression.enqueue(session_factory(), "schedule")
    return {"run": run_id, "queued": new}


def check() -> dict:
    """Queue a run when the scorers changed since the last run; expire lost runs."""
    make_session = session_factory()
    with make_session() as session, session.begin():
        expired = regression.expire_lost(session)
        reason = regression.versions_changed(session, current_versions())
    if reason is None:
        return {"queued": False, "expired": expired}
    run_id, new = regression.enqueue(make_session, reason)
    return {"queued": new, "run": run_id, "reason": reason, "expired": expired}
