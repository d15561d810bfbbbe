"""The notification outbox: when a submission ends (scored, failed, cancelled) one row per
delivery (the team's e-mail, the team's webhook, each organizer webhook) is written in the very
transaction that set the final state, so nothing is lost and nothing is sent for a move that
rolled back. ``workers/notify.py`` drains the rows: a row is claimed with a conditional UPDATE
(a lease), delivered, then marked ``sent``, retried with exponential backoff, or after
``AISC_NOTIFY_MAX_ATTEMPTS`` marked ``dead`` with its last error. Delivery never touches the
submission, so a dead SMTP server or webhook can never block or fail a run.
"""
from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from sqlalchemy import event, select, update
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker

from . import visibility
from .models import NOTIFY_DEAD, NOTIFY_PENDING, NOTIFY_SENT, Notification, Phase, Submission, Team
from .settings import get_settings
from .timeutil import iso, utcnow

EVENT = "submission.finished"
EMAIL, TEAM_WEBHOOK, ORGANIZER_WEBHOOK = "email", "team_webhook", "organizer_webhook"
LEASE = timedelta(minutes=2)  # a claimed row is retried after this when its worker died mid-call
_PENDING_KEY = "aisc_notify_finished"
log = logging.getLogger(__name__)


def note_finished(session: Session, submission_id: int) -> None:
    """Called by ``core.lifecycle`` when a submission reaches a final state: the outbox rows are
    written just before this session's transaction commits (after the score row and every other
    value of the move are in place)."""
    session.info.setdefault(_PENDING_KEY, set()).add(submission_id)


@event.listens_for(Session, "before_commit")
def _write_outbox(session: Session) -> None:
    """In a savepoint: should writing the rows fail, the final state still commits (logged)."""
    for sub_id in sorted(session.info.pop(_PENDING_KEY, ())):
        try:
            with session.begin_nested():
                enqueue(session, sub_id)
        except SQLAlchemyError:
            log.exception("notifications of submission %s could not be queued", sub_id)


@event.listens_for(Session, "after_rollback")
def _forget(session: Session) -> None:
    session.info.pop(_PENDING_KEY, None)


def payload(sub: Submission, phase: Phase, team: Team, *, for_team: bool) -> dict[str, Any]:
    """The event body. For the team's channels the score follows ``core.visibility`` (null on a
    private phase before the reveal)."""
    shown = visibility.results_visible(phase.visibility, phase.revealed, not for_team)
    return {"event": EVENT, "submission_id": sub.id, "team_id": team.id, "team": team.name,
            "phase_id": phase.id, "track": phase.track, "phase": phase.name, "state": sub.state,
            "failure_class": sub.failure_class, "message": (sub.message or "")[:1000],
            "score_total": sub.score_total if shown else None,
            "finished_at": iso(sub.finished_at),
            "url": f"{get_settings().public_url.rstrip('/')}/submissions/{sub.id}"}


def enqueue(session: Session, submission_id: int) -> int:
    """Add the outbox rows of one finished submission to ``session``; returns how many."""
    settings = get_settings()
    row = session.execute(select(Submission, Phase, Team).join(Phase, Phase.id == Submission.phase_id)
                          .join(Team, Team.id == Submission.team_id)
                          .where(Submission.id == submission_id)
                          .execution_options(populate_existing=True)).first()
    if row is None:
        return 0
    sub, phase, team = row
    rows = []
    if team.contact_email and settings.smtp_host:
        rows.append((EMAIL, team.contact_email, True))
    if team.webhook_url:
        rows.append((TEAM_WEBHOOK, team.webhook_url, True))
    rows += [(ORGANIZER_WEBHOOK, url, False) for url in settings.organizer_webhooks()]
    for channel, target, for_team in rows:
        session.add(Notification(submission_id=sub.id, channel=channel, target=target[:2000],
                                 payload=payload(sub, phase, team, for_team=for_team)))
    return len(rows)


@dataclass(frozen=True)
class Delivery:
    id: int
    channel: str
    target: str
    payload: dict[str, Any]
    attempt: int  # 1 for the first try
    secret: str | None  # the HMAC key for a webhook (the team's current one, or the organizers')


def claim_due(make_session: sessionmaker, limit: int = 50) -> list[Delivery]:
    """Take up to ``limit`` pending rows whose time has come, each with a conditional UPDATE
    (so two drains never send one row at the same time) that pushes its next try ``LEASE``
    ahead and counts the attempt."""
    now, out = utcnow(), []
    with make_session() as session:
        ids = list(session.scalars(select(Notification.id).where(
            Notification.status == NOTIFY_PENDING, Notification.next_attempt_at <= now)
            .order_by(Notification.next_attempt_at, Notification.id).limit(limit)))
    for nid in ids:
        with make_session() as session, session.begin():
            res = session.execute(update(Notification).where(
                Notification.id == nid, Notification.status == NOTIFY_PENDING, Notification.next_attempt_at <= now)
                .values(next_attempt_at=now + LEASE, attempts=Notification.attempts + 1)
                .execution_options(synchronize_session=False))
            if res.rowcount != 1:
                continue
            n = session.get(Notification, nid)
            secret = get_settings().organizer_webhook_secret
            if n.channel == TEAM_WEBHOOK:
                team = session.scalar(select(Team).join(Submission, Submission.team_id == Team.id)
                                      .where(Submission.id == n.submission_id))
                secret = team.webhook_secret if team is not None and team.webhook_url == n.target else None
            out.append(Delivery(n.id, n.channel, n.target, dict(n.payload), n.attempts, secret))
    return out


def backoff(attempt: int, base: float) -> timedelta:
    """Wait after failed try number ``attempt`` (1, 2, ...): base * 2^(attempt-1), at most 1 h."""
    return timedelta(seconds=min(3600.0, base * 2 ** (attempt - 1)))


def settle(make_session: sessionmaker, delivery: Delivery, error: str | None, *, final: bool = False) -> str:
    """Record a try: ``sent`` (no error), ``pending`` again after the backoff, or ``dead`` when
    the tries are used up or ``final``. Returns the new status."""
    settings = get_settings()
    now = utcnow()
    if error is None:
        values = {"status": NOTIFY_SENT, "sent_at": now, "last_error": ""}
    elif final or delivery.attempt >= settings.notify_max_attempts:
        values = {"status": NOTIFY_DEAD, "last_error": error[:2000]}
    else:
        values = {"status": NOTIFY_PENDING, "last_error": error[:2000],
                  "next_attempt_at": now + backoff(delivery.attempt, settings.notify_backoff_seconds)}
    with make_session() as session, session.begin():
        session.execute(update(Notification).where(Notification.id == delivery.id, Notification.status == NOTIFY_PENDING)
                        .values(**values).execution_options(synchronize_session=False))
    return values["status"]
