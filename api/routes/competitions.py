"""Public competition info, quota, and the leaderboard as JSON."""
from __future__ import annotations

from fastapi import APIRouter
from sqlalchemy import select

from core import baselines, leaderboard, quotas, scorer_versions, visibility
from core.errors import ErrorKind, Forbidden
from core.models import Competition
from core.timeutil import iso

from .. import schemas
from ..deps import OptionalPrincipalDep, PhaseId, SessionDep, TeamDep, get_phase
from ..errors import errors

router = APIRouter(prefix="/api/v1", tags=["competitions"])


def phase_info(ph) -> dict:
    return {"id": ph.id, "track": ph.track, "name": ph.name, "opens_at": iso(ph.opens_at),
            "closes_at": iso(ph.closes_at), "quota_daily": ph.quota_daily, "quota_total": ph.quota_total,
            "ranking": ph.ranking, "visibility": ph.visibility, "revealed": ph.revealed, "queue": ph.queue,
            "max_upload_bytes": ph.max_upload_bytes, "show_logs": ph.show_logs, "split": split_info(ph.split)}


def split_info(split: dict | None) -> dict | None:
    """What anyone may know of a phase's split: the part sizes (never the seed or the ids: with
    them a team could tell the private samples)."""
    return None if not split else {"n_public": split.get("n_public"), "n_private": split.get("n_private")}


@router.get("/competitions", response_model=list[schemas.CompetitionInfo])
def competitions(session: SessionDep) -> list[dict]:
    """Every competition with its phases (ids for the other endpoints)."""
    return [{"slug": c.slug, "title": c.title, "phases": [phase_info(p) for p in c.phases]}
            for c in session.scalars(select(Competition).order_by(Competition.id))]


@router.get("/phases/{phase_id}/quota", response_model=schemas.Quota,
            responses=errors(ErrorKind.UNAUTHORIZED, ErrorKind.FORBIDDEN, ErrorKind.NOT_FOUND))
def quota(phase_id: PhaseId, session: SessionDep, principal: TeamDep) -> dict:
    """The calling team's quota on this phase: limits, what is left, when the daily quota resets."""
    return quotas.remaining(session, principal.team_id, get_phase(session, phase_id)).as_dict()


def visible_board(session, phase, principal) -> dict:
    """Rows the caller may see (``core.visibility.board_rows``: every row where results are
    visible; before the reveal a team sees only that its entry exists, with no rank or score).
    Baseline rows (``core.baselines``) come only with the complete ranking."""
    version = scorer_versions.current(session, phase.track) or ""  # stored by the workers
    ranked = [r.as_dict() for r in leaderboard.rank(session, phase, version)]
    try:
        rows, complete = visibility.board_rows(
            ranked, visibility=phase.visibility, revealed=phase.revealed,
            is_admin=principal is not None and principal.is_admin,
            caller_team_id=principal.team_id if principal is not None else None, signed_in=principal is not None,
            split=phase.split)
    except PermissionError as e:
        raise Forbidden(str(e)) from None
    marked = [b.as_dict() for b in baselines.rows(session, phase)] if complete else []
    columns = leaderboard.column_names([*(r["columns"] for r in rows), *(b["columns"] for b in marked)])
    for r in rows:
        r.pop("team_id", None)
    return {"phase": phase_info(phase), "scorer_version": version, "complete": complete,
            "columns": columns, "rows": rows, "baselines": marked}


@router.get("/phases/{phase_id}/leaderboard", response_model=schemas.Leaderboard,
            responses=errors(ErrorKind.UNAUTHORIZED, ErrorKind.FORBIDDEN, ErrorKind.NOT_FOUND))
def board(phase_id: PhaseId, session: SessionDep, principal: OptionalPrincipalDep) -> dict:
    """The ranking (the token is optional; what a caller sees follows core.visibility).
    403 when signed out on a private phase before the reveal."""
    return visible_board(session, get_phase(session, phase_id), principal)
