"""What a team sees about one submission, read with one SQL statement (the status endpoint is
the most frequently polled one): state, stage, progress, queue position, remaining quota and,
where the phase shows scores, the score."""
from __future__ import annotations

from typing import Any

from sqlalchemy import Connection, and_, bindparam, case, func, select
from sqlalchemy.orm import Session, aliased

from .async_reads import Reads
from .models import QUEUED, Phase, QuotaCounter, Score, Submission, Team
from .quotas import TOTAL, day_of, left
from .timeutil import iso, utcnow
from .visibility import results_visible, seal_score, split_sealed


def _build(many: bool = False):
    """Built once: a fixed statement with bind parameters stays in SQLAlchemy's compiled cache.
    ``many``: for a list of ids (one statement for a whole page of submissions, not one per row)."""
    ahead_sub = aliased(Submission, name="ahead")
    ahead = (select(func.count()).select_from(ahead_sub)
             .where(ahead_sub.state == QUEUED, ahead_sub.queue == Submission.queue,
                    ahead_sub.queued_at < Submission.queued_at).scalar_subquery())

    def used(period):
        return (select(QuotaCounter.used).where(QuotaCounter.team_id == Submission.team_id,
                                                QuotaCounter.phase_id == Submission.phase_id,
                                                QuotaCounter.period == period).scalar_subquery())

    S = Submission
    return (select(S.id, S.team_id, S.phase_id, S.state, S.failure_class, S.message, S.stage, S.progress,
                   S.filename, S.size_bytes, S.sha256, S.attempts, S.disqualified, S.created_at, S.queued_at,
                   S.started_at, S.finished_at,
                   Team.name.label("team_name"), Phase.track, Phase.name.label("phase_name"),
                   Phase.visibility, Phase.revealed, Phase.split, Phase.quota_daily, Phase.quota_total,
                   case((Submission.state == QUEUED, ahead + 1), else_=None).label("queue_position"),
                   used(bindparam("day")).label("day_used"), used(TOTAL).label("total_used"),
                   Score.id.label("score_row"), Score.total, Score.scorer_score, Score.subjective,
                   Score.scorer_version, Score.valid, Score.columns, Score.messages, Score.artifacts, Score.parts)
            .join(Team, Team.id == Submission.team_id).join(Phase, Phase.id == Submission.phase_id)
            .outerjoin(Score, and_(Score.id == Submission.score_id))
            .where(Submission.id.in_(bindparam("ids", expanding=True)) if many
                   else Submission.id == bindparam("submission_id")))


_STATEMENT = _build()
_MANY = _build(many=True)


def _params(submission_id: int) -> dict[str, Any]:
    return {"submission_id": submission_id, "day": day_of(utcnow())}


def fetch(db: Session | Connection, submission_id: int, *, is_admin: bool) -> tuple[int, dict[str, Any]] | None:
    """(owning team id, status dict), or None if there is no such submission. ``db``: a session
    or a Core connection."""
    # Core execution on the session's connection: these are plain columns, no ORM objects
    conn = db.connection() if isinstance(db, Session) else db
    row = conn.execute(_STATEMENT, _params(submission_id)).one_or_none()
    return None if row is None else (row.team_id, _status(row, is_admin))


async def fetch_async(reads: Reads, submission_id: int, *, is_admin: bool) -> tuple[int, dict[str, Any]] | None:
    """``fetch`` for the polled endpoint: the same statement through ``reads``
    (``core.async_reads``: on the event loop where the API runs on Postgres)."""
    row = await reads.one(_STATEMENT, _params(submission_id))
    return None if row is None else (row.team_id, _status(row, is_admin))


def fetch_many(session: Session, ids: list[int], *, is_admin: bool) -> list[dict[str, Any]]:
    """Status dicts of ``ids`` in the given order (missing ids left out), in one statement."""
    if not ids:
        return []
    rows = session.connection().execute(_MANY, {"ids": list(ids), "day": day_of(utcnow())}).all()
    by_id = {r.id: r for r in rows}
    return [_status(by_id[i], is_admin) for i in ids if i in by_id]


def _status(row, is_admin: bool) -> dict[str, Any]:
    sub = row
    out: dict[str, Any] = {
        "id": sub.id, "team": row.team_name, "phase_id": sub.phase_id, "track": row.track, "phase": row.phase_name,
        "state": sub.state, "failure_class": sub.failure_class, "message": sub.message,
        "stage": sub.stage, "progress": round(sub.progress, 1), "queue_position": row.queue_position,
        "remaining_quota": {"daily_limit": row.quota_daily, "daily_left": left(row.quota_daily, row.day_used),
                            "total_limit": row.quota_total, "total_left": left(row.quota_total, row.total_used)},
        "filename": sub.filename, "size_bytes": sub.size_bytes, "sha256": sub.sha256,
        "attempts": sub.attempts, "disqualified": sub.disqualified,
        "created_at": iso(sub.created_at), "queued_at": iso(sub.queued_at),
        "started_at": iso(sub.started_at), "finished_at": iso(sub.finished_at), "score": None,
    }
    if row.score_row is not None and results_visible(row.visibility, row.revealed, is_admin):
        out["score"] = {"total": row.total, "scorer_score": row.scorer_score, "subjective": row.subjective,
                        "scorer_version": row.scorer_version, "valid": row.valid, "columns": row.columns,
                        "messages": row.messages, "artifacts": sorted(row.artifacts or {}),
                        "parts": row.parts or None}
        if row.parts and split_sealed(row.split, row.revealed, is_admin):
            out["score"] = seal_score(out["score"], row.parts)
    return out
