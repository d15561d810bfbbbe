"""Organizer endpoints (admin token): teams, competition loading, re-scoring,
disqualification, subjective scores, cancellation, reveal, baseline rows, CSV export, team contact
e-mails, the audit log. Every action that changes something writes one audit entry (core.audit), in
the transaction of its change (the core functions write it)."""
from __future__ import annotations

from typing import Annotated, Optional

from fastapi import APIRouter, Body, Query, Response
from fastapi import Path as PathParam
from pydantic import BaseModel, ConfigDict, Field, model_validator
from sqlalchemy import select

from core import admin_ops, audit, baselines, enrollment, leaderboard, scorer_versions, team_contact, tokens
from core.competition import apply, parse
from core.db import session_factory
from core.errors import Conflict, ErrorKind
from core.names import Rejected, file_part
from core.models import Submission, Team
from core.settings import ROOT
from core.submissions import status
from core.status import fetch_many

from .. import schemas
from ..deps import ID_MAX, AdminDep, PhaseFilter, PhaseId, SessionDep, SubmissionId, get_phase, owned_submission
from ..errors import errors

K = ErrorKind
router = APIRouter(prefix="/api/v1/admin", tags=["admin"], responses=errors(K.UNAUTHORIZED, K.FORBIDDEN))
CSV = {"description": "The ranking as CSV, one row per team.", "content": {"text/csv": {"schema": {"type": "string"}}},
       "headers": {"Content-Disposition": {"description": "attachment; filename=...", "schema": {"type": "string"}}}}


class TeamIn(BaseModel):
    name: str = Field(min_length=1, max_length=100, pattern=r"^[^\x00-\x1f\x7f]+$",
                      description="no control characters")


class DisqualifyIn(BaseModel):
    reason: str = Field(min_length=1, max_length=2000, pattern=r"^[^\x00]+$", description="no NUL characters")
    disqualified: bool = True


class SubjectiveIn(BaseModel):
    value: float = Field(ge=0.0, le=1.0)


class RevealIn(BaseModel):
    revealed: bool = True


class BaselineIn(BaseModel):
    """Pick a baseline row: either ``submission_id`` (a scored submission of the phase) or
    ``regression_run_id`` and ``name`` (a row of a finished regression run)."""
    model_config = ConfigDict(extra="forbid")
    submission_id: Optional[int] = Field(default=None, ge=1, le=ID_MAX)
    regression_run_id: Optional[int] = Field(default=None, ge=1, le=ID_MAX)
    name: Optional[str] = Field(default=None, min_length=1, max_length=200, pattern=r"^[^\x00-\x1f\x7f]+$",
                                description="the method or baseline name in the run's table")
    run_phase: Optional[str] = Field(default=None, min_length=1, max_length=64, pattern=r"^[^\x00-\x1f\x7f]+$",
                                     description="the run's phase, when the name appears in several")
    label: Optional[str] = Field(default=None, min_length=1, max_length=100, pattern=r"^[^\x00-\x1f\x7f]+$",
                                 description="shown on the leaderboard; default from the source")

    @model_validator(mode="after")
    def _one_source(self):
        if (self.submission_id is None) == (self.regression_run_id is None):
            raise ValueError("give either submission_id, or regression_run_id and name")
        if self.regression_run_id is not None and not self.name:
            raise ValueError("name is required with regression_run_id (a method or baseline of the run's table)")
        return self


class ContactIn(BaseModel):
    email: str | None = Field(max_length=254, description="the team's contact e-mail; null or \"\" clears it")


TeamId = Annotated[int, PathParam(ge=1, le=ID_MAX)]


@router.post("/teams", status_code=201, response_model=schemas.TeamCreated, responses=errors(K.INVALID, K.CONFLICT))
def create_team(body: TeamIn, session: SessionDep, principal: AdminDep) -> dict:
    """Create a team, its first API token and its invite code (members who register join the
    team with it on /team); 409 when the name is taken."""
    try:
        team, token = tokens.create_team(session, body.name)
    except Rejected:
        raise  # 422: the name itself is refused
    except ValueError as e:
        raise Conflict(str(e)) from None
    audit.record(session, principal.actor, "team.create", f"team {team.id}", name=team.name)
    session.commit()
    return {"team": team.name, "team_id": team.id, "token": token, "invite_code": team.invite_code}


Slug = Annotated[str, PathParam(pattern=r"^[a-z0-9][a-z0-9_-]{0,63}$", description="a competition's slug")]


def _enrollment(e, name: str) -> dict:
    return {"team_id": e.team_id, "team": name, "state": e.state, "terms_accepted_at": e.terms_accepted_at,
            "created_at": e.created_at}


@router.get("/competitions/{slug}/enrollments", response_model=list[schemas.EnrollmentInfo],
            responses=errors(K.NOT_FOUND))
def enrollments(slug: Slug, session: SessionDep, _: AdminDep) -> list[dict]:
    """The teams that entered or asked to enter the competition, oldest first."""
    comp = enrollment.competition_by_slug(session, slug)
    return [_enrollment(e, name) for e, name in enrollment.listing(session, comp.id)]


@router.post("/competitions/{slug}/enrollments/{team_id}/approve", response_model=schemas.EnrollmentInfo,
             responses=errors(K.NOT_FOUND, K.CONFLICT))
def approve_enrollment(slug: Slug, team_id: Annotated[int, PathParam(ge=1, le=ID_MAX)], session: SessionDep,
                       principal: AdminDep) -> dict:
    """Approve a team's pending entry (policy ``approval``), or enroll a team (``invite_only``);
    409 when it is approved already. Audited (``enrollment.approve``)."""
    comp = enrollment.competition_by_slug(session, slug)
    row = enrollment.approve(session, comp.id, team_id, actor=principal.actor)
    name = session.get(Team, team_id).name
    out = _enrollment(row, name)
    session.commit()
    return out


@router.post("/competitions", response_model=schemas.CompetitionLoaded, responses=errors(K.INVALID, K.REJECTED))
def load_competition(session: SessionDep, principal: AdminDep,
                     yaml_text: Annotated[str, Body(media_type="application/yaml")]) -> dict:
    """Load or update a competition from its YAML (relative paths are relative to the repo);
    422 lists every problem of an invalid file. Page texts must be inline here: a ``.md`` file
    or a starting kit is refused (load those with ``python -m core.manage load-competition``)."""
    comp, notes = apply(session, parse(yaml_text, ROOT, page_files=False))
    audit.record(session, principal.actor, "competition.load", f"competition {comp.slug}", notes=notes)
    session.commit()
    return {"slug": comp.slug, "notes": notes}


@router.get("/submissions", response_model=list[schemas.SubmissionStatus], responses=errors())
def all_submissions(session: SessionDep, _: AdminDep, phase_id: PhaseFilter = None,
                    limit: Annotated[int, Query(ge=0, description="at most 1000 are returned")] = 200) -> list[dict]:
    """Every team's submissions, newest first (at most 1000)."""
    q = select(Submission.id).order_by(Submission.id.desc()).limit(min(limit, 1000))
    if phase_id is not None:
        q = q.where(Submission.phase_id == phase_id)
    return fetch_many(session, list(session.scalars(q)), is_admin=True)  # two statements, not one per row


def _status(submission_id: int) -> dict:
    with session_factory()() as session:
        return status(session, session.get(Submission, submission_id), is_admin=True)


@router.post("/submissions/{submission_id}/rescore", response_model=schemas.SubmissionStatus,
             responses=errors(K.NOT_FOUND, K.CONFLICT))
def rescore(submission_id: SubmissionId, session: SessionDep, principal: AdminDep) -> dict:
    """Score a finished submission again under the current scorer version (old rows are kept)."""
    owned_submission(session, principal, submission_id)
    admin_ops.rescore(session_factory(), submission_id, actor=principal.actor)
    return _status(submission_id)


@router.post("/phases/{phase_id}/rescore", response_model=schemas.QueuedSubmissions, responses=errors(K.NOT_FOUND))
def rescore_phase(phase_id: PhaseId, session: SessionDep, principal: AdminDep) -> dict:
    """Score every scored submission of the phase again under the current scorer version."""
    get_phase(session, phase_id)
    queued = admin_ops.rescore_phase(session_factory(), phase_id, actor=principal.actor)
    return {"queued": queued}


@router.post("/phases/{phase_id}/carry-over", response_model=schemas.QueuedSubmissions,
             responses=errors(K.NOT_FOUND))
def carry_over(phase_id: PhaseId, session: SessionDep, principal: AdminDep,
               from_phase: Annotated[int, Query(ge=1, le=ID_MAX, description="the phase carried from")]) -> dict:
    """Queue every team's last scored submission of ``from_phase`` in this phase."""
    get_phase(session, phase_id), get_phase(session, from_phase)
    queued = admin_ops.carry_over(session_factory(), from_phase, phase_id, actor=principal.actor)
    return {"queued": queued}


@router.post("/submissions/{submission_id}/disqualify", response_model=schemas.SubmissionStatus,
             responses=errors(K.INVALID, K.NOT_FOUND))
def disqualify(submission_id: SubmissionId, body: DisqualifyIn, session: SessionDep, principal: AdminDep) -> dict:
    """Take a submission off the leaderboard (or put it back with ``disqualified: false``)."""
    owned_submission(session, principal, submission_id)
    admin_ops.disqualify(session_factory(), submission_id, body.reason, body.disqualified, actor=principal.actor)
    return _status(submission_id)


@router.post("/submissions/{submission_id}/subjective", response_model=schemas.SubmissionStatus,
             responses=errors(K.INVALID, K.NOT_FOUND, K.CONFLICT))
def subjective(submission_id: SubmissionId, body: SubjectiveIn, session: SessionDep, principal: AdminDep) -> dict:
    """Set the subjective score (deepfake S_sbj): a new score row, total += weight x value."""
    owned_submission(session, principal, submission_id)
    admin_ops.set_subjective(session_factory(), submission_id, body.value, actor=principal.actor)
    return _status(submission_id)


@router.post("/submissions/{submission_id}/cancel", response_model=schemas.SubmissionStatus,
             responses=errors(K.NOT_FOUND, K.CONFLICT))
def cancel(submission_id: SubmissionId, session: SessionDep, principal: AdminDep) -> dict:
    """Cancel an unfinished submission; its quota slot is given back."""
    owned_submission(session, principal, submission_id)
    admin_ops.cancel(session_factory(), submission_id, organizer=principal.actor)
    return _status(submission_id)


@router.post("/phases/{phase_id}/reveal", response_model=schemas.RevealState, responses=errors(K.INVALID, K.NOT_FOUND))
def reveal(phase_id: PhaseId, body: RevealIn, session: SessionDep, principal: AdminDep) -> dict:
    """Reveal a private phase's results to the teams (or hide them again)."""
    phase = get_phase(session, phase_id)
    admin_ops.reveal(session, phase, body.revealed, actor=principal.actor)
    session.commit()
    return {"phase_id": phase.id, "revealed": phase.revealed}


@router.get("/phases/{phase_id}/export.csv", response_class=Response,
            responses={200: CSV, **errors(K.NOT_FOUND)})
def export_csv(phase_id: PhaseId, session: SessionDep, _: AdminDep) -> Response:
    phase = get_phase(session, phase_id)
    rows = leaderboard.rank(session, phase, scorer_versions.current(session, phase.track) or "")
    return Response(leaderboard.to_csv(rows), media_type="text/csv", headers={
        "Content-Disposition": f'attachment; filename="{file_part(phase.track)}-{file_part(phase.name)}-leaderboard.csv"'})


BaselineId = Annotated[int, PathParam(ge=1, le=ID_MAX, description="a baseline row's id")]


@router.get("/phases/{phase_id}/baselines", response_model=list[schemas.BaselineRow], responses=errors(K.NOT_FOUND))
def list_baselines(phase_id: PhaseId, session: SessionDep, _: AdminDep) -> list[dict]:
    """The phase's baseline rows (marked on its leaderboard, never ranked)."""
    return [b.as_dict() for b in baselines.rows(session, get_phase(session, phase_id))]


@router.post("/phases/{phase_id}/baselines", status_code=201, response_model=schemas.BaselineRow,
             responses=errors(K.INVALID, K.NOT_FOUND, K.CONFLICT))
def add_baseline(phase_id: PhaseId, body: BaselineIn, session: SessionDep, principal: AdminDep) -> dict:
    """Show a reference solution (a row of a finished regression run) or a scored submission of
    the phase as a baseline row: unranked, not counted in prizes; a flagged submission leaves
    its team's ranking. 409 when the label or submission is taken, or the run is unfinished."""
    phase = get_phase(session, phase_id)
    if body.submission_id is not None:
        b = baselines.from_submission(session, phase, body.submission_id, label=body.label, actor=principal.actor)
    else:
        b = baselines.from_regression(session, phase, body.regression_run_id, body.name or "",
                                      run_phase=body.run_phase, label=body.label, actor=principal.actor)
    session.commit()
    return next(r.as_dict() for r in baselines.rows(session, phase) if r.baseline_id == b.id)


@router.delete("/phases/{phase_id}/baselines/{baseline_id}", status_code=204, response_class=Response,
               responses=errors(K.NOT_FOUND))
def remove_baseline(phase_id: PhaseId, baseline_id: BaselineId, session: SessionDep, principal: AdminDep) -> Response:
    """Take a baseline row off the phase (a flagged submission ranks with its team again)."""
    baselines.remove(session, get_phase(session, phase_id), baseline_id, actor=principal.actor)
    session.commit()
    return Response(status_code=204)


@router.put("/teams/{team_id}/contact", response_model=schemas.TeamNotifications,
            responses=errors(K.INVALID, K.NOT_FOUND))
def set_contact(team_id: TeamId, body: ContactIn, session: SessionDep, principal: AdminDep) -> dict:
    """Set (or clear) the team's contact e-mail, where "submission finished" e-mails go
    (400 for an invalid address, with the reason)."""
    team = team_contact.set_contact_email(session, team_id, body.email)
    audit.record(session, principal.actor, "team.contact", f"team {team_id}", contact_email=team.contact_email)
    session.commit()
    return team_contact.view(team)


@router.get("/audit", response_model=schemas.AuditPage, responses=errors())
def audit_log(session: SessionDep, _: AdminDep,
              offset: Annotated[int, Query(ge=0, le=ID_MAX)] = 0,
              limit: Annotated[int, Query(ge=1, le=500)] = 50,
              action: Annotated[str | None, Query(max_length=64, pattern=r"^[a-z_.]+$",
                                                  description="only this action, e.g. submission.rescore")] = None) -> dict:
    """The organizers' audit log, newest first, one entry per organizer action."""
    return audit.page(session, offset=offset, limit=limit, action=action)
