"""Organizer actions: re-score, disqualify, subjective score, cancel, reveal, carry over.

Each takes the organizer's ``actor`` name (``core.audit.actor_name``) and writes its audit row
in the transaction of its change (``audit.recorded``); tasks are sent only after that commit.
The API (api.routes.admin) and the console (api.routes.console_web) both call these."""
from __future__ import annotations

import logging

from sqlalchemy import select, update
from sqlalchemy.orm import Session, sessionmaker

from . import audit, lifecycle, phase_split, quotas
from .errors import Conflict, NotFound, PlatformError
from .models import (CANCELLED, FAILED, FAILURE_CLASSES, QUEUED, RECEIVED, RUNNING, SCORED, Phase, Score, Submission,
                     Team, ranked_total)
from .submissions import mark_queued, send_queued

log = logging.getLogger(__name__)


def rescore(make_session: sessionmaker, sub_id: int, *, actor: str) -> None:
    """Start a new run under the current scorer version; old score rows are kept."""
    with audit.recorded(make_session, actor, "submission.rescore", f"submission {sub_id}") as (session, _):
        task = mark_queued(session, sub_id, from_states=(SCORED, FAILED), run_attempts=0)
        if task is None:
            raise Conflict(f"submission {sub_id} is not scored or failed; only finished submissions can be re-scored")
    send_queued(make_session, sub_id, task)


def _send_all(make_session: sessionmaker, tasks: dict[int, tuple[str, int, int]]) -> list[int]:
    for sub_id, task in tasks.items():
        send_queued(make_session, sub_id, task)
    return list(tasks)


def rescore_phase(make_session: sessionmaker, phase_id: int, *, actor: str) -> list[int]:
    """Re-score every scored submission of the phase; returns the ids queued."""
    with audit.recorded(make_session, actor, "phase.rescore", f"phase {phase_id}") as (session, details):
        ids = session.scalars(select(Submission.id).where(
            Submission.phase_id == phase_id, Submission.state == SCORED).order_by(Submission.id))
        tasks = {i: t for i in ids if (t := mark_queued(session, i, from_states=(SCORED,), run_attempts=0))}
        details["queued"] = list(tasks)
    return _send_all(make_session, tasks)


def carry_over(make_session: sessionmaker, from_phase_id: int, to_phase_id: int, *, actor: str) -> list[int]:
    """Queue every team's last scored submission of one phase in another phase (AISC's
    "preliminary evaluation" on new data and models). These uploads use no quota. A team's
    submission carried over before is not carried again."""
    with audit.recorded(make_session, actor, "phase.carry_over", f"phase {to_phase_id}",
                        from_phase=from_phase_id) as (session, details):
        to_phase = session.get(Phase, to_phase_id)
        if to_phase is None or session.get(Phase, from_phase_id) is None:
            raise NotFound(f"phase {to_phase_id if to_phase is None else from_phase_id} not found")
        subs = session.scalars(select(Submission).where(
            Submission.phase_id == from_phase_id, Submission.state == SCORED, Submission.disqualified.is_(False))
            .order_by(Submission.team_id, Submission.created_at.desc())).all()
        seen, tasks = set(), {}
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
            tasks[new.id] = mark_queued(session, new.id)
        details["queued"] = list(tasks)
    return _send_all(make_session, tasks)


def cancel(make_session: sessionmaker, sub_id: int, *, organizer: str | None) -> None:
    """Cancel a submission that has not finished. A running one is stopped by its worker at
    the next heartbeat. ``organizer``: the organizer's actor name (the cancel is audited), or
    None when the team cancels (not audited). The quota slot is given back when the organizers
    cancel, or when the team cancels a submission that never started running (no worker time)."""
    if organizer is None:
        with make_session() as session, session.begin():
            _cancel(session, sub_id, by_platform=False)
        return
    with audit.recorded(make_session, organizer, "submission.cancel", f"submission {sub_id}") as (session, _):
        _cancel(session, sub_id, by_platform=True)


def _cancel(session: Session, sub_id: int, *, by_platform: bool) -> None:
    message = "cancelled by the organizers" if by_platform else "cancelled by the team"
    not_started = lifecycle.transition(session, sub_id, (RECEIVED, QUEUED), CANCELLED, stage="cancelled",
                                       message=message)
    if not not_started and not lifecycle.transition(session, sub_id, (RUNNING,), CANCELLED, stage="cancelled",
                                                    message=message):
        state = session.scalar(select(Submission.state).where(Submission.id == sub_id))
        if state is None:
            raise NotFound(f"submission {sub_id} not found")
        raise Conflict(f"submission {sub_id} is already {state}; only unfinished submissions can be cancelled")
    if by_platform or not_started:
        quotas.refund(session, session.get(Submission, sub_id))


def disqualify(make_session: sessionmaker, sub_id: int, reason: str, value: bool = True, *, actor: str) -> None:
    """Take a submission off the leaderboard (``value`` False: put it back) with the reason."""
    with audit.recorded(make_session, actor, "submission.disqualify", f"submission {sub_id}",
                        disqualified=value, reason=reason) as (session, _):
        res = session.execute(update(Submission).where(Submission.id == sub_id)
                              .values(disqualified=value, disqualified_reason=reason if value else ""))
        if res.rowcount != 1:
            raise NotFound(f"submission {sub_id} not found")


def set_subjective(make_session: sessionmaker, sub_id: int, value: float, *, actor: str) -> int:
    """Write a new score row ranked with the subjective score (``core.models.ranked_total``)."""
    if not 0.0 <= value <= 1.0:
        raise PlatformError(f"subjective score must be in [0, 1], got {value}")
    with audit.recorded(make_session, actor, "submission.subjective", f"submission {sub_id}",
                        value=value) as (session, details):
        sub = session.get(Submission, sub_id, with_for_update=True)
        if sub is None:
            raise NotFound(f"submission {sub_id} not found")
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
                    subjective=value,
                    total=parts[phase_split.PUBLIC]["total"] if parts else ranked_total(old.scorer_score, value, weight),
                    valid=old.valid, columns={**old.columns, "subjective": value}, messages=old.messages,
                    details=old.details, artifacts=old.artifacts, timings=old.timings, parts=parts)
        session.add(new)
        session.flush()
        sub.score_id, sub.score_total = new.id, new.total
        details["score_id"] = score_id = new.id
    return score_id


def reveal(session: Session, phase: Phase, value: bool = True, *, actor: str) -> None:
    """Reveal a private phase's results to the teams (``value`` False: hide them again); the
    audit row goes into ``session``, committed by the caller with the change."""
    phase.revealed = value
    audit.record(session, actor, "phase.reveal", f"phase {phase.id}", revealed=value)


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
