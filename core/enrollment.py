"""Teams entering competitions under the competition's registration policy (YAML
``registration: {policy, terms}``, core.competition):

- ``open``: a team that accepts the terms is enrolled at once;
- ``approval``: it waits (``pending``) until an organizer approves it;
- ``invite_only``: only an organizer enrolls a team.

Teams created by participants (``Team.self_registered``) may submit only to competitions they
are approved in; teams created by the organizers may submit anywhere, as before."""
from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from . import audit
from .errors import Conflict, Forbidden, NotFound
from .models import APPROVED, PENDING, Competition, Enrollment, Team
from .names import Rejected
from .timeutil import utcnow

POLICIES = ("open", "approval", "invite_only")


def enroll(session: Session, team_id: int, competition_id: int, *, user_id: int | None,
           accept_terms: bool) -> Enrollment:
    """A team's request to enter a competition; returns the (new or existing) enrollment."""
    comp = session.get(Competition, competition_id)
    if comp is None:
        raise NotFound(f"competition {competition_id} not found")
    existing = session.scalar(select(Enrollment).where(Enrollment.team_id == team_id,
                                                       Enrollment.competition_id == competition_id))
    if existing is not None:
        return existing
    if comp.registration == "invite_only":
        raise Forbidden(f"{comp.title!r} is invite-only: the organizers enroll teams; write to them")
    if not accept_terms:
        raise Rejected("accept the competition's terms to enter it (tick the box)")
    now = utcnow()
    row = Enrollment(team_id=team_id, competition_id=competition_id, accepted_by=user_id, terms_accepted_at=now,
                     state=APPROVED if comp.registration == "open" else PENDING,
                     decided_at=now if comp.registration == "open" else None)
    session.add(row)
    session.flush()
    return row


def competition_by_slug(session: Session, slug: str) -> Competition:
    comp = session.scalar(select(Competition).where(Competition.slug == slug))
    if comp is None:
        raise NotFound(f"competition {slug!r} not found; GET /api/v1/competitions lists them")
    return comp


def approve(session: Session, competition_id: int, team_id: int, *, actor: str) -> Enrollment:
    """An organizer (``actor``, ``core.audit.actor_name``) approves a pending team, or enrolls a
    team directly (invite-only). The audit row ``enrollment.approve`` goes into ``session``,
    committed by the caller with the approval (the API and the console both come here)."""
    comp = session.get(Competition, competition_id)
    if comp is None:
        raise NotFound(f"competition {competition_id} not found")
    team = session.get(Team, team_id)
    if team is None:
        raise NotFound(f"team {team_id} not found")
    row = session.scalar(select(Enrollment).where(Enrollment.team_id == team_id,
                                                  Enrollment.competition_id == competition_id))
    if row is None:
        row = Enrollment(team_id=team_id, competition_id=competition_id)
        session.add(row)
    if row.state == APPROVED:
        raise Conflict(f"team {team_id} is approved in competition {competition_id} already")
    row.state, row.decided_at = APPROVED, utcnow()
    audit.record(session, actor, "enrollment.approve", f"team {team_id}", competition=competition_id,
                 slug=comp.slug, team=team.name)
    session.flush()
    return row


def listing(session: Session, competition_id: int) -> list[tuple[Enrollment, str]]:
    """(enrollment, team name) of a competition, oldest first."""
    return [(e, name) for e, name in session.execute(
        select(Enrollment, Team.name).join(Team, Team.id == Enrollment.team_id)
        .where(Enrollment.competition_id == competition_id).order_by(Enrollment.id)).all()]


def team_states(session: Session, team_id: int) -> dict[int, str]:
    """competition id -> the team's enrollment state."""
    return dict(session.execute(select(Enrollment.competition_id, Enrollment.state)
                                .where(Enrollment.team_id == team_id)).all())


def check_may_submit(session: Session, team_id: int, competition_id: int) -> None:
    """Forbidden unless the team may submit to the competition (see the module docstring)."""
    self_registered = session.scalar(select(Team.self_registered).where(Team.id == team_id))
    if not self_registered:
        return
    state = session.scalar(select(Enrollment.state).where(Enrollment.team_id == team_id,
                                                          Enrollment.competition_id == competition_id))
    if state == APPROVED:
        return
    if state == PENDING:
        raise Forbidden("your team's entry to this competition waits for the organizers' approval")
    raise Forbidden("your team has not entered this competition: accept its terms on your team page (/team)")


def pending(session: Session) -> list[tuple[Enrollment, str, Competition]]:
    """(enrollment, team name, competition) of every entry waiting for approval, oldest first."""
    return [(e, name, comp) for e, name, comp in session.execute(
        select(Enrollment, Team.name, Competition).join(Team, Team.id == Enrollment.team_id)
        .join(Competition, Competition.id == Enrollment.competition_id)
        .where(Enrollment.state == PENDING).order_by(Enrollment.id)).all()]
