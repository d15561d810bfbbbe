"""Where a phase stands in time: ``upcoming`` (before ``opens_at``), ``open`` (uploads
accepted) or ``closed`` (from ``closes_at`` on). Times are naive UTC (core.timeutil)."""
from __future__ import annotations

from datetime import datetime

from .models import Phase
from .timeutil import utcnow

UPCOMING, OPEN, CLOSED = "upcoming", "open", "closed"


def state(phase: Phase, now: datetime | None = None) -> str:
    now = now or utcnow()
    if now < phase.opens_at:
        return UPCOMING
    return OPEN if now < phase.closes_at else CLOSED


def next_change(phase: Phase, now: datetime | None = None) -> datetime | None:
    """When the state changes next (opening or closing), or None once closed."""
    s = state(phase, now)
    return phase.opens_at if s == UPCOMING else phase.closes_at if s == OPEN else None
