"""The scorer version each track's workers run: the one source the API reads it from.

Workers write it when they start (``record``, for every track they can load) and with every
score row they store (``record`` of that run's version), so the leaderboard ranks the rows of
the version that scored last, and the API process never imports a scorer. During a rolling
upgrade, workers of both versions write; the newest write wins, and a re-score under the new
version brings the rows back.
"""
from __future__ import annotations

from typing import Optional

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from .models import ScorerVersion
from .timeutil import utcnow


def record(session: Session, versions: dict[str, str], worker: str = "") -> None:
    """Store ``{track: version}`` (insert or update); the caller commits. Two workers storing
    the same new track at once: the loser's insert fails inside a savepoint and updates instead."""
    worker = worker[:200]
    for track, version in versions.items():
        version = str(version)
        row = session.get(ScorerVersion, track)
        if row is None:
            try:
                with session.begin_nested():
                    session.add(ScorerVersion(track=track, version=version, worker=worker, updated_at=utcnow()))
                continue
            except IntegrityError:
                row = session.get(ScorerVersion, track, populate_existing=True)
        if row is not None and (row.version, row.worker) != (version, worker):
            row.version, row.worker, row.updated_at = version, worker, utcnow()


def current(session: Session, track: str) -> Optional[str]:
    """The version the workers of ``track`` run, or None when no worker has stored one yet."""
    return session.scalar(select(ScorerVersion.version).where(ScorerVersion.track == track))

