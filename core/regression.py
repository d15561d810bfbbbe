"""Regression runs of the reference solutions: organizer and beat actions on the
``regression_runs`` table. The run itself (a ``python -m reference_solutions regress``
subprocess) is done by workers/regression.py; this module only queues, claims, finishes and
reads runs. States move forward by conditional updates: queued -> running -> passed | failed |
error."""
from __future__ import annotations

from datetime import timedelta
from typing import Any, Optional

from sqlalchemy import select, update
from sqlalchemy.orm import Session, sessionmaker

from . import audit
from .models import (REGRESS_ERROR, REGRESS_QUEUED, REGRESS_RUNNING, RegressionRun)
from .queue import send_regress_task
from .settings import Settings, get_settings
from .timeutil import utcnow

ACTIVE = (REGRESS_QUEUED, REGRESS_RUNNING)
FINISHED = ("passed", "failed", REGRESS_ERROR)


def latest(session: Session) -> Optional[RegressionRun]:
    return session.scalar(select(RegressionRun).order_by(RegressionRun.id.desc()).limit(1))


def enqueue(make_session: sessionmaker, reason: str, settings: Settings | None = None, *,
            actor: str | None = None) -> tuple[int, bool]:
    """Queue a run unless one is already queued or running. Returns (run id, newly queued).
    The task is sent after the row is committed. With ``actor`` (an organizer asked), the
    audit row ``regression.enqueue`` is written in the same transaction."""
    settings = settings or get_settings()
    with make_session() as session, session.begin():
        active = session.scalar(select(RegressionRun).where(RegressionRun.status.in_(ACTIVE))
                                .order_by(RegressionRun.id.desc()).limit(1))
        if active is None:
            run = RegressionRun(status=REGRESS_QUEUED, reason=reason[:200], budget=settings.regress_budget,
                                tracks=settings.regress_tracks)
            session.add(run)
            session.flush()
        run_id = (active or run).id
        if actor is not None:
            audit.record(session, actor, "regression.enqueue", f"regression run {run_id}", new=active is None)
    if active is not None:
        return run_id, False
    send_regress_task(run_id, settings.regress_queue, settings.regress_timeout_seconds + 120)
    return run_id, True


def claim(session: Session, run_id: int, worker: str, versions: dict[str, str],
          settings: Settings | None = None) -> bool:
    """queued -> running; False when another worker (or a redelivery) already took it. The
    budget and tracks are the running worker's settings (it also owns the demo directory)."""
    settings = settings or get_settings()
    res = session.execute(update(RegressionRun).where(RegressionRun.id == run_id,
                                                      RegressionRun.status == REGRESS_QUEUED)
                          .values(status=REGRESS_RUNNING, worker=worker[:200], scorer_versions=versions,
                                  budget=settings.regress_budget, tracks=settings.regress_tracks,
                                  started_at=utcnow()))
    return res.rowcount == 1


def finish(session: Session, run_id: int, status: str, *, rows: list | None = None, ordering: dict | None = None,
           table: str = "", error: str = "", versions: dict | None = None) -> bool:
    """running -> passed | failed | error."""
    if status not in FINISHED:
        raise ValueError(f"a regression run finishes as one of {FINISHED}, not {status!r}")
    values: dict[str, Any] = {"status": status, "rows": rows or [], "ordering": ordering or {}, "table": table,
                              "error": error, "finished_at": utcnow()}
    if versions:
        values["scorer_versions"] = versions
    res = session.execute(update(RegressionRun).where(RegressionRun.id == run_id,
                                                      RegressionRun.status == REGRESS_RUNNING).values(**values))
    return res.rowcount == 1


def versions_changed(session: Session, current: dict[str, str]) -> Optional[str]:
    """Why a run is due because the scorers changed since the last finished run, or None.
    Nothing is due while a run is queued or running, or before the first run."""
    last = latest(session)
    if last is None or last.status in ACTIVE or not last.scorer_versions:
        return None
    changed = sorted(t for t in set(current) | set(last.scorer_versions)
                     if current.get(t) != last.scorer_versions.get(t))
    if not changed:
        return None
    return "scorer versions changed: " + ", ".join(
        f"{t} {last.scorer_versions.get(t)} -> {current.get(t)}" for t in changed)


def expire_lost(session: Session, settings: Settings | None = None) -> int:
    """Runs queued or running for longer than the run timeout (worker or task lost) -> error."""
    settings = settings or get_settings()
    cutoff = utcnow() - timedelta(seconds=settings.regress_timeout_seconds + 600)
    res = session.execute(update(RegressionRun).where(RegressionRun.status.in_(ACTIVE),
                                                      RegressionRun.created_at < cutoff)
                          .values(status=REGRESS_ERROR, finished_at=utcnow(),
                                  error="lost: no result within the regression timeout (worker or task lost)"))
    return res.rowcount


def _iso(dt) -> Optional[str]:
    return None if dt is None else dt.isoformat() + "Z"


def summary_row(run: RegressionRun) -> dict[str, Any]:
    counts: dict[str, int] = {}
    for r in run.rows or []:
        counts[r.get("status", "?")] = counts.get(r.get("status", "?"), 0) + 1
    return {"id": run.id, "status": run.status, "reason": run.reason, "budget": run.budget, "tracks": run.tracks,
            "scorer_versions": run.scorer_versions, "created": _iso(run.created_at), "started": _iso(run.started_at),
            "finished": _iso(run.finished_at), "row_counts": counts,
            "ordering_ok": {t: o.get("ok") for t, o in (run.ordering or {}).items()}, "error": run.error[-2000:]}


def report(session: Session, history: int = 20) -> dict[str, Any]:
    """The latest run in full (its table) and a summary of the recent ones."""
    runs = list(session.scalars(select(RegressionRun).order_by(RegressionRun.id.desc()).limit(history)))
    done = session.scalar(select(RegressionRun).where(RegressionRun.status.in_(FINISHED))
                          .order_by(RegressionRun.id.desc()).limit(1))

    def full(run: Optional[RegressionRun]) -> Optional[dict[str, Any]]:
        if run is None:
            return None
        return {**summary_row(run), "rows": run.rows, "ordering": run.ordering, "table": run.table}

    return {"latest": full(runs[0] if runs else None), "latest_finished": full(done),
            "history": [summary_row(r) for r in runs]}
