"""Organizer endpoints (admin token): teams, competition loading, re-scoring,
disqualification, subjective scores, cancellation, reveal, CSV export."""
from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Body, HTTPException, Response
from pydantic import BaseModel, Field
from sqlalchemy import select

from core import admin_ops, leaderboard, scorer_versions, tokens
from core.competition import CompetitionError, apply, parse
from core.db import session_factory
from core.models import Submission
from core.settings import ROOT
from core.submissions import status
from core.status import fetch_many

from ..deps import AdminDep, SessionDep, get_phase, owned_submission

router = APIRouter(prefix="/api/v1/admin", tags=["admin"])


class TeamIn(BaseModel):
    name: str = Field(min_length=1, max_length=100)


class DisqualifyIn(BaseModel):
    reason: str = Field(min_length=1, max_length=2000)
    disqualified: bool = True


class SubjectiveIn(BaseModel):
    value: float = Field(ge=0.0, le=1.0)


class RevealIn(BaseModel):
    revealed: bool = True


@router.post("/teams", status_code=201)
def create_team(body: TeamIn, session: SessionDep, _: AdminDep) -> dict:
    try:
        team, token = tokens.create_team(session, body.name)
    except ValueError as e:
        raise HTTPException(409, str(e)) from None
    session.commit()
    return {"team": team.name, "team_id": team.id, "token": token}


@router.post("/competitions")
def load_competition(session: SessionDep, _: AdminDep,
                     yaml_text: Annotated[str, Body(media_type="application/yaml")]) -> dict:
    """Load or update a competition from its YAML (relative paths are relative to the repo)."""
    try:
        comp, notes = apply(session, parse(yaml_text, ROOT))
    except CompetitionError as e:
        raise HTTPException(422, str(e)) from None
    session.commit()
    return {"slug": comp.slug, "notes": notes}


@router.get("/submissions")
def all_submissions(session: SessionDep, _: AdminDep, phase_id: int | None = None, limit: int = 200) -> list[dict]:
    q = select(Submission.id).order_by(Submission.id.desc()).limit(min(limit, 1000))
    if phase_id is not None:
        q = q.where(Submission.phase_id == phase_id)
    return fetch_many(session, list(session.scalars(q)), is_admin=True)  # two statements, not one per row


def _status(submission_id: int) -> dict:
    with session_factory()() as session:
        return status(session, session.get(Submission, submission_id), is_admin=True)


@router.post("/submissions/{submission_id}/rescore")
def rescore(submission_id: int, session: SessionDep, principal: AdminDep) -> dict:
    owned_submission(session, principal, submission_id)
    admin_ops.rescore(session_factory(), submission_id)
    return _status(submission_id)


@router.post("/phases/{phase_id}/rescore")
def rescore_phase(phase_id: int, session: SessionDep, _: AdminDep) -> dict:
    get_phase(session, phase_id)
    return {"queued": admin_ops.rescore_phase(session_factory(), phase_id)}


@router.post("/phases/{phase_id}/carry-over")
def carry_over(phase_id: int, from_phase: int, session: SessionDep, _: AdminDep) -> dict:
    """Queue every team's last scored submission of ``from_phase`` in this phase."""
    get_phase(session, phase_id), get_phase(session, from_phase)
    return {"queued": admin_ops.carry_over(session_factory(), from_phase, phase_id)}


@router.post("/submissions/{submission_id}/disqualify")
def disqualify(submission_id: int, body: DisqualifyIn, session: SessionDep, principal: AdminDep) -> dict:
    owned_submission(session, principal, submission_id)
    admin_ops.disqualify(session_factory(), submission_id, body.reason, body.disqualified)
    return _status(submission_id)


@router.post("/submissions/{submission_id}/subjective")
def subjective(submission_id: int, body: SubjectiveIn, session: SessionDep, principal: AdminDep) -> dict:
    owned_submission(session, principal, submission_id)
    admin_ops.set_subjective(session_factory(), submission_id, body.value)
    return _status(submission_id)


@router.post("/submissions/{submission_id}/cancel")
def cancel(submission_id: int, session: SessionDep, principal: AdminDep) -> dict:
    owned_submission(session, principal, submission_id)
    admin_ops.cancel(session_factory(), submission_id, by_platform=True)
    return _status(submission_id)


@router.post("/phases/{phase_id}/reveal")
def reveal(phase_id: int, body: RevealIn, session: SessionDep, _: AdminDep) -> dict:
    phase = get_phase(session, phase_id)
    admin_ops.reveal(session, phase, body.revealed)
    session.commit()
    return {"phase_id": phase.id, "revealed": phase.revealed}


@router.get("/phases/{phase_id}/export.csv")
def export_csv(phase_id: int, session: SessionDep, _: AdminDep) -> Response:
    phase = get_phase(session, phase_id)
    rows = leaderboard.rank(session, phase, scorer_versions.current(session, phase.track) or "")
    return Response(leaderboard.to_csv(rows), media_type="text/csv", headers={
        "Content-Disposition": f'attachment; filename="{phase.track}-{phase.name}-leaderboard.csv"'})
