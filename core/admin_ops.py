"""Organizer actions: re-score, disqualify, subjective score, cancel, reveal, carry over."""
from __future__ import annotations

import logging

from sqlalchemy import select, update
from sqlalchemy.orm import Session, sessionmaker

from . import lifecycle, phase_split, quotas
from .errors import Conflict, PlatformError
from .models import (CANCELLED, FAILED, FAILURE_CLASSES, QUEUED, RECEIVED, RUNNING, SCORED, Phase, Score, Submission,
                     Team)
from .submissions import queue_submission

log = logging.getLogger(__name__)


def rescore(make_session: sessionmaker, sub_id: int) -> None:
    """Start a new run under the current scorer version; old score rows are kept."""
    if not queue_submission(make_session, sub_id, from_states=(SCORED, FAILED), run_attempts=0):
        raise Conflict(f"submission {sub_id} is not scored or failed; only finished submissions can be re-scored")


def rescore_phase(make_session: sessionmaker, phase_id: int) -> list[int]:
    with make_session() as session:
        ids = list(session.scalars(select(Submission.id).where(
            Submission.phase_id == phase_id, Submission.state == SCORED).order_by(Submission.id)))
    return [i for i in ids if queue_submission(make_session, i, from_states=(SCORED,), run_attempts=0)]


def carry_over(make_session: sessionmaker, from_phase_id: int, to_phase_id: int) -> list[int]:
    """Queue every team's last scored submission of one phase in another phase (AISC's
    "preliminary evaluation" on new data and models). These uploads use no quota."""
    created = []
    with make_session() as session, session.begin():
        subs = session.scalars(select(Submission).where(
            Submission.phase_id == from_phase_id, Submission.state == SCORED, Submission.disqualified.is_(False))
            .order_by(Submission.team_id, Submission.created_at.desc())).all()
        to_phase = session.get(Phase, to_phase_id)
        seen = set()
        for s in subs:
            if s.team_id in seen:
                continue
            seen.add(s.team_id)
            key = f"carry-over-from-{s.id}"
            if session.scalar(select(Submission.id).where(Submission.phase_id == to_phase_id,
                                                          Submission.idempotency_key == key,
                                                          Submission.team_id == s.team_id)):
                continue
            new = Submission(phase_id=to_phase_id, team_id=s.team_id, state=RECEIVED, queue=to_phase.queue,
                             filename=s.filename, artifact_key=s.artifact_key, size_bytes=s.size_bytes,
                             sha256=s.sha256, idempotency_key=key, quota_day=s.quota_day, counts_quota=False)
            session.add(new)
            session.flush()
            created.append(new.id)
    for sub_id in created:
        queue_submission(make_session, sub_id)
    return created


def cancel(make_session: sessionmaker, sub_id: int, *, by_platform: bool) -> None:
    """Cancel a submission that has not finished. A running one is stopped by its worker at
    the next heartbeat. The quota slot is given back when the organizers cancel, or when the
    team cancels a submission that never started running (it used no worker time)."""
    message = "cancelled by the organizers" if by_platform else "cancelled by the team"
    with make_session() as session, session.begin():
        not_started = lifecycle.transition(session, sub_id, (RECEIVED, QUEUED), CANCELLED, stage="cancelled",
                                           message=message)
        if not not_started and not lifecycle.transition(session, sub_id, (RUNNING,), CANCELLED, stage="cancelled",
                                                        message=message):
            state = session.scalar(select(Submission.state).where(Submission.id == sub_id))
            raise Conflict(f"submission {sub_id} is already {state}; only unfinished submissions can be cancelled")
        if by_platform or not_started:
            quotas.refund(session, session.get(Submission, sub_id))


def disqualify(make_session: sessionmaker, sub_id: int, reason: str, value: bool = True) -> None:
    with make_session() as session, session.begin():
        session.execute(update(Submission).where(Submission.id == sub_id)
                        .values(disqualified=value, disqualified_reason=reason if value else ""))


def set_subjective(make_session: sessionmaker, sub_id: int, value: float) -> int:
    """Write a new score row: total = scorer score + phase.subjective_weight * value."""
    if not 0.0 <= value <= 1.0:
        raise PlatformError(f"subjective score must be in [0, 1], got {value}")
    with make_session() as session, session.begin():
        sub = session.get(Submission, sub_id, with_for_update=True)
        if sub.score_id is None:
            raise Conflict(f"submission {sub_id} has no score yet; set the subjective score after it is scored")
        if sub.phase.subjective_weight <= 0:
            raise Conflict(f"phase '{sub.phase.track}/{sub.phase.name}' has subjective_weight 0; "
                           "set it in the competition YAML to use subjective scores")
        old = session.get(Score, sub.score_id)
        weight = sub.phase.subjective_weight
        parts = {}
        if old.parts:  # a split phase: each part's total moves with the subjective score too
            parts = phase_split.stored_parts(old.parts, value, weight)
            for part in parts.values():
                part["columns"] = {**part["columns"], "subjective": value}
        new = Score(submission_id=sub_id, scorer_version=old.scorer_version, scorer_score=old.scorer_score,
                    subjective=value, total=parts[phase_split.PUBLIC]["total"] if parts else old.scorer_score + weight * value,
                    valid=old.valid, columns={**old.columns, "subjective": value}, messages=old.messages,
                    details=old.details, artifacts=old.artifacts, timings=old.timings, parts=parts)
        session.add(new)
        session.flush()
        sub.score_id, sub.score_total = new.id, new.total
        return new.id


def reveal(session: Session, phase: Phase, value: bool = True) -> None:
    phase.revealed = value


STATES = (RECEIVED, QUEUED, RUNNING, SCORED, FAILED, CANCELLED)


def submission_ids(session: Session, phase_id: int, *, state: str = "", team: str = "", failure_class: str = "",
                   limit: int = 500) -> list[int]:
    """Ids of a phase's submissions, newest first, filtered (the organizer console): ``state``
    and ``failure_class`` exactly (an unknown value matches nothing), ``team`` as a
    case-insensitive part of the team's name (taken literally: no wildcards)."""
    q = select(Submission.id).where(Submission.phase_id == phase_id)
    if state:
        q = q.where(Submission.state == (state if state in STATES else ""))
    if failure_class:
        q = q.where(Submission.failure_class == (failure_class if failure_class in FAILURE_CLASSES else ""))
    if team:
        q = q.join(Team, Team.id == Submission.team_id).where(
            Team.name.icontains(team.replace("\x00", "")[:100], autoescape=True))
    return list(session.scalars(q.order_by(Submission.id.desc()).limit(max(1, min(limit, 1000)))))
