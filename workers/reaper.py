"""The periodic reaper (Celery beat -> queue ``control``). Nothing stays running forever:

- ``running`` with a stale heartbeat: past the phase's hard time limit -> failed/timeout;
  otherwise requeued (the worker was lost) until ``max_attempts`` runs, then failed/infra.
- ``received`` for a minute (the API died before queueing) -> queued.
- ``queued`` whose task was never sent (the broker refused it) or evidently lost -> task sent
  again (harmless: the claim is conditional). Evidence of loss: sent ``requeue_after_seconds``
  ago, and a submission of the same queue sent later has already started (queues are FIFO).
"""
from __future__ import annotations

import logging
from datetime import timedelta

from sqlalchemy import and_, or_, select
from sqlalchemy.orm import aliased

from core import outcomes
from core.db import session_factory
from core.models import QUEUED, RECEIVED, RUNNING, Phase, Submission
from core.settings import get_settings
from core.submissions import queue_submission, send_task
from core.timeutil import utcnow

log = logging.getLogger(__name__)


def reap_once() -> dict:
    settings = get_settings()
    make_session = session_factory()
    now = utcnow()
    counts = {"requeued": 0, "failed": 0, "timed_out": 0, "queued": 0, "resent": 0}
    with make_session() as session:
        stale = session.execute(
            select(Submission.id, Submission.attempts, Submission.started_at, Phase.hard_time_limit)
            .join(Phase, Phase.id == Submission.phase_id)
            .where(Submission.state == RUNNING,
                   Submission.heartbeat_at < now - timedelta(seconds=settings.stale_after_seconds))).all()
        received = session.scalars(select(Submission.id).where(
            Submission.state == RECEIVED, Submission.created_at < now - timedelta(seconds=60))).all()
        later = aliased(Submission)
        overtaken = (select(later.id).where(later.queue == Submission.queue, later.started_at.is_not(None),
                                            later.sent_at > Submission.sent_at + timedelta(seconds=30),
                                            later.started_at > Submission.sent_at).exists())
        unsent = session.execute(
            select(Submission.id, Phase.queue, Phase.soft_time_limit, Phase.hard_time_limit)
            .join(Phase, Phase.id == Submission.phase_id)
            .where(Submission.state == QUEUED,
                   or_(and_(Submission.sent_at.is_(None), Submission.queued_at < now - timedelta(seconds=10)),
                       and_(overtaken, Submission.sent_at < now - timedelta(seconds=settings.requeue_after_seconds))))
        ).all()
    for sub_id, attempt, started_at, hard in stale:
        if started_at is not None and (now - started_at).total_seconds() >= hard:
            if outcomes.fail_run(make_session, sub_id, attempt, "timeout",
                                 f"scoring ran past the hard time limit of {hard} s"):
                counts["timed_out"] += 1
            continue
        result = outcomes.infra_failure(
            make_session, sub_id, attempt, retry_message="the worker running this submission was lost; requeued",
            final_message="the worker was lost on every attempt; the organizers have been notified. This does not "
                          "count against your quota.")
        counts["requeued"] += result == "requeued"
        counts["failed"] += result == "failed/infra"
    for sub_id in received:
        counts["queued"] += int(queue_submission(make_session, sub_id, from_states=(RECEIVED,)))
    for sub_id, queue, soft, hard in unsent:
        send_task(make_session, sub_id, queue, soft, hard)
        counts["resent"] += 1
    if any(counts.values()):
        log.warning("reaper: %s", counts)
    return counts
