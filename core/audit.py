"""The organizers' audit log: one row per organizer action (who, what, when, on what, details).

An audited action writes its row in the same transaction as its change: with ``record`` on the
session the action uses, or through ``recorded`` when the action opens its own transaction. So a
crash between the two cannot lose the row, and an action that fails leaves none."""
from __future__ import annotations

from contextlib import contextmanager
from typing import Any, Iterator

from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from .models import AuditEntry
from .timeutil import iso


def actor_name(token_id: int | None, label: str = "") -> str:
    """How an organizer is named in the log: ``admin token 3 (label)``, or ``cli``."""
    if token_id is None:
        return "cli"
    return f"admin token {token_id}" + (f" ({label[:150]})" if label else "")


def record(session: Session, actor: str, action: str, target: str = "", **details: Any) -> AuditEntry:
    """Add one entry to ``session`` (committed with it). ``details`` must be JSON-serialisable."""
    entry = AuditEntry(actor=actor[:200], action=action[:64], target=target[:200], details=details)
    session.add(entry)
    return entry


@contextmanager
def recorded(make_session: sessionmaker, actor: str, action: str, target: str = "",
             **details: Any) -> Iterator[tuple[Session, dict[str, Any]]]:
    """One transaction for an action and its audit row: yields ``(session, details)``; the body
    makes the change and may add details (ids it created); then the row is added and both
    commit together. An exception in the body or at the commit leaves neither."""
    with make_session() as session, session.begin():
        more = dict(details)
        yield session, more
        record(session, actor, action, target, **more)


def page(session: Session, *, offset: int = 0, limit: int = 50, action: str | None = None) -> dict[str, Any]:
    """Newest first: ``{"total": int, "offset": int, "limit": int, "items": [{id, at, actor,
    action, target, details}]}``; ``action`` filters on the exact action name."""
    q = select(AuditEntry)
    count = select(func.count()).select_from(AuditEntry)
    if action:
        q, count = q.where(AuditEntry.action == action), count.where(AuditEntry.action == action)
    rows = session.scalars(q.order_by(AuditEntry.id.desc()).offset(offset).limit(limit)).all()
    return {"total": session.scalar(count), "offset": offset, "limit": limit,
            "items": [{"id": r.id, "at": iso(r.at), "actor": r.actor, "action": r.action, "target": r.target,
                       "details": r.details} for r in rows]}
