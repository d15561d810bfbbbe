"""The submission state machine: received -> queued -> running -> scored | failed | cancelled.

Every transition is one conditional ``UPDATE ... WHERE state = <expected>`` (plus the run's
attempt number for transitions out of ``running``), never a read-modify-write, so a stale
worker, a redelivered task or the reaper can never move a submission twice.
An admin re-score starts a new run: ``scored | failed -> queued``.
A move into a final state also queues its notifications (``core.notifications``), written in the
same transaction.
"""
from __future__ import annotations

from typing import Any, Iterable

from sqlalchemy import update
from sqlalchemy.orm import Session

from . import notifications
from .models import CANCELLED, FAILED, FAILURE_CLASSES, QUEUED, RECEIVED, RUNNING, SCORED, Submission
from .timeutil import utcnow

ALLOWED = {
    RECEIVED: {QUEUED, FAILED, CANCELLED},
    QUEUED: {RUNNING, CANCELLED, FAILED},
    RUNNING: {SCORED, FAILED, QUEUED, CANCELLED},  # QUEUED: an infra retry
    SCORED: {QUEUED},  # re-score
    FAILED: {QUEUED},  # re-score
    CANCELLED: set(),
}


def transition(session: Session, submission_id: int, from_states: Iterable[str], to_state: str,
               *, attempt: int | None = None, **values: Any) -> bool:
    """Move a submission if (and only if) it is in one of ``from_states`` (and, when given,
    still on run ``attempt``). Returns whether this call moved it."""
    from_states = tuple(from_states)
    for s in from_states:
        if to_state not in ALLOWED[s]:
            raise ValueError(f"transition {s} -> {to_state} is not allowed")
    if to_state == FAILED and values.get("failure_class") not in FAILURE_CLASSES:
        raise ValueError(f"a failure needs failure_class in {FAILURE_CLASSES}")
    now = utcnow()
    if to_state == QUEUED:
        values.setdefault("queued_at", now)
        values.setdefault("stage", "queued")
        values.setdefault("progress", 0.0)
    elif to_state == RUNNING:
        values.setdefault("started_at", now)
        values.setdefault("heartbeat_at", now)
    elif to_state in (SCORED, FAILED, CANCELLED):
        values.setdefault("finished_at", now)
    stmt = update(Submission).where(Submission.id == submission_id, Submission.state.in_(from_states))
    if attempt is not None:
        stmt = stmt.where(Submission.attempts == attempt)
    res = session.execute(stmt.values(state=to_state, **values).execution_options(synchronize_session=False))
    if res.rowcount == 1 and to_state in (SCORED, FAILED, CANCELLED):
        notifications.note_finished(session, submission_id)  # the outbox rows, in this transaction
    return res.rowcount == 1


def claim(session: Session, submission_id: int, worker: str) -> int | None:
    """A worker takes a queued submission; returns the run's attempt number or None."""
    res = session.execute(
        update(Submission)
        .where(Submission.id == submission_id, Submission.state == QUEUED)
        .values(state=RUNNING, attempts=Submission.attempts + 1, run_attempts=Submission.run_attempts + 1, worker=worker, started_at=utcnow(),
                heartbeat_at=utcnow(), stage="starting", progress=0.0, failure_class=None, message="")
        .execution_options(synchronize_session=False))
    if res.rowcount != 1:
        return None
    session.flush()
    return session.get(Submission, submission_id, populate_existing=True).attempts


def heartbeat(session: Session, submission_id: int, attempt: int, **values: Any) -> bool:
    res = session.execute(
        update(Submission)
        .where(Submission.id == submission_id, Submission.state == RUNNING, Submission.attempts == attempt)
        .values(heartbeat_at=utcnow(), **values).execution_options(synchronize_session=False))
    return res.rowcount == 1
