"""Upload quotas per team, phase and UTC day (and optionally per phase in total).

A slot is taken with a conditional ``UPDATE ... SET used = used + 1 WHERE used < limit``:
the database serialises concurrent updates of the same row, so exactly ``limit`` uploads
win however many arrive at once. Infra failures and platform cancellations give the slot back.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from .models import Phase, QuotaCounter, Submission
from .timeutil import iso, utcnow

TOTAL = "total"


class QuotaExceeded(Exception):
    """Message is shown to the team."""


def day_of(when: datetime) -> str:
    return when.strftime("%Y-%m-%d")


def _ensure_row(session: Session, team_id: int, phase_id: int, period: str) -> None:
    exists = session.scalar(select(QuotaCounter.used).where(
        QuotaCounter.team_id == team_id, QuotaCounter.phase_id == phase_id, QuotaCounter.period == period))
    if exists is not None:
        return
    try:
        with session.begin_nested():
            session.add(QuotaCounter(team_id=team_id, phase_id=phase_id, period=period, used=0))
    except IntegrityError:
        pass  # created concurrently by another upload


def _take(session: Session, team_id: int, phase_id: int, period: str, limit: int) -> bool:
    _ensure_row(session, team_id, phase_id, period)
    res = session.execute(
        update(QuotaCounter)
        .where(QuotaCounter.team_id == team_id, QuotaCounter.phase_id == phase_id,
               QuotaCounter.period == period, QuotaCounter.used < limit)
        .values(used=QuotaCounter.used + 1))
    return res.rowcount == 1


def next_reset(now: datetime) -> datetime:
    """When the daily quota starts anew: the next 00:00 UTC."""
    return datetime(now.year, now.month, now.day, tzinfo=now.tzinfo) + timedelta(days=1)


def reserve(session: Session, team_id: int, phase: Phase, now: datetime | None = None) -> str:
    """Take one upload slot in the caller's transaction; return the UTC day it counts against."""
    now = now or utcnow()
    day = day_of(now)
    if not _take(session, team_id, phase.id, day, phase.quota_daily):
        resets = next_reset(now)
        left = resets - now
        raise QuotaExceeded(
            f"daily quota used up: {phase.quota_daily} submissions per UTC day for phase "
            f"'{phase.track}/{phase.name}'; it resets at {resets:%Y-%m-%d} 00:00 UTC "
            f"(in {int(left.total_seconds() // 3600)}h{int(left.total_seconds() % 3600 // 60):02d}m)")
    if phase.quota_total is not None and not _take(session, team_id, phase.id, TOTAL, phase.quota_total):
        raise QuotaExceeded(
            f"phase quota used up: {phase.quota_total} submissions in total for phase "
            f"'{phase.track}/{phase.name}'")
    return day


def refund(session: Session, submission: Submission) -> bool:
    """Give the slot back once (infra failure, platform cancellation, a cancellation before
    the run started)."""
    res = session.execute(update(Submission).where(
        Submission.id == submission.id, Submission.counts_quota.is_(True)).values(counts_quota=False))
    if res.rowcount != 1:
        return False
    periods = [submission.quota_day] + ([TOTAL] if submission.phase.quota_total is not None else [])
    session.execute(update(QuotaCounter).where(
        QuotaCounter.team_id == submission.team_id, QuotaCounter.phase_id == submission.phase_id,
        QuotaCounter.period.in_(periods), QuotaCounter.used > 0).values(used=QuotaCounter.used - 1))
    return True


def left(limit: int | None, used: int | None) -> int | None:
    """Submissions left under ``limit`` after ``used`` (None: no limit). The one rule, also used
    by the status query (``core.status``), which reads the counters in its own join."""
    return None if limit is None else max(0, limit - (used or 0))


@dataclass
class Remaining:
    daily_limit: int
    daily_left: int
    total_limit: int | None
    total_left: int | None
    daily_resets_at: datetime | None = None

    def as_dict(self) -> dict:
        return {"daily_limit": self.daily_limit, "daily_left": self.daily_left,
                "total_limit": self.total_limit, "total_left": self.total_left,
                "daily_resets_at": iso(self.daily_resets_at)}


def remaining(session: Session, team_id: int, phase: Phase, now: datetime | None = None) -> Remaining:
    rows = dict(session.execute(select(QuotaCounter.period, QuotaCounter.used).where(
        QuotaCounter.team_id == team_id, QuotaCounter.phase_id == phase.id,
        QuotaCounter.period.in_([day_of(now or utcnow()), TOTAL]))).all())
    day_used = sum(v for k, v in rows.items() if k != TOTAL)
    return Remaining(phase.quota_daily, left(phase.quota_daily, day_used), phase.quota_total,
                     left(phase.quota_total, rows.get(TOTAL)), next_reset(now or utcnow()))
