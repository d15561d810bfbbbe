"""What becomes of a run that did not score: the one home of the rules, used by the worker
(``workers/execution.py``) and by the reaper (``workers/reaper.py``).

- ``user`` (the upload is unusable) and ``timeout`` (past a time limit): failed with that class;
  the quota stays used.
- ``infra`` (our side broke, or the worker was lost): requeued while the submission has had
  fewer than ``AISC_MAX_ATTEMPTS`` runs; after that failed/infra, and the quota is given back.

Every move is conditional on the run's attempt number (``core.lifecycle``), so a stale worker
and the reaper can never both decide.
"""
from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import sessionmaker

from . import lifecycle, quotas
from .models import FAILED, RUNNING, Submission
from .settings import get_settings
from .submissions import queue_submission


def fail_run(make_session: sessionmaker, submission_id: int, attempt: int, failure_class: str, message: str,
             **values) -> bool:
    """Running -> failed/``failure_class``; an infra failure refunds the quota. Returns whether
    this call moved it (False: another actor already did)."""
    with make_session() as session, session.begin():
        moved = lifecycle.transition(session, submission_id, (RUNNING,), FAILED, attempt=attempt,
                                     failure_class=failure_class, message=message[:4000], stage="failed", **values)
        if moved and failure_class == "infra":
            quotas.refund(session, session.get(Submission, submission_id))
    return moved


def infra_failure(make_session: sessionmaker, submission_id: int, attempt: int, *, retry_message: str,
                  final_message: str, **values) -> str:
    """Requeue or, when every run is used, fail as infra with a refund. ``retry_message`` may use
    ``{used}`` and ``{limit}`` (runs so far, AISC_MAX_ATTEMPTS). Returns ``requeued``,
    ``failed/infra`` or ``lost`` (another actor moved it first)."""
    limit = get_settings().max_attempts
    with make_session() as session:
        used = session.scalar(select(Submission.run_attempts).where(Submission.id == submission_id))
    if used < limit:
        requeued = queue_submission(make_session, submission_id, from_states=(RUNNING,), attempt=attempt,
                                    message=retry_message.format(used=used, limit=limit), **values)
        return "requeued" if requeued else "lost"
    return "failed/infra" if fail_run(make_session, submission_id, attempt, "infra", final_message, **values) else "lost"
