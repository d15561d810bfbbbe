"""The submission service: accepting an upload (the phase open? a retried Idempotency-Key? the
track's cheap checks; then store the artifact, take a quota slot, write the row, queue the task,
only after the row is committed), and the status a team sees. The API streams the bytes in
(``api/uploads.py``) and calls ``open_upload`` before and ``submit`` after; every rule is here."""
from __future__ import annotations

import logging
import re
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Optional

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, joinedload, sessionmaker

from . import enrollment, lifecycle, quotas
from .errors import Conflict, Forbidden, NotFound, QuotaRefused, Unavailable, UploadRejected
from .models import QUEUED, RECEIVED, Phase, Submission
from .queue import send_score_task
from .status import fetch
from .storage import get_storage
from .timeutil import iso, utcnow
from .tracks import BundleError, SubmissionRejected, upload_suffixes, validate_upload

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class UploadTarget:
    """What the API needs before it reads an upload's bytes: the phase's track, bundle, settings
    and size cap, and the earlier submission of a retried Idempotency-Key (id, sha256)."""
    phase_id: int
    track: str
    bundle: str
    settings: dict
    max_bytes: int
    existing: Optional[tuple[int, str]] = None


def get_phase(session: Session, phase_id: int) -> Phase:
    phase = session.get(Phase, phase_id)
    if phase is None:
        raise NotFound(f"phase {phase_id} not found; GET /api/v1/competitions lists the phases")
    return phase


def open_upload(make_session: sessionmaker, phase_id: int, team_id: int, key: str | None) -> UploadTarget:
    """Raises NotFound (no such phase) or Forbidden (not open), unless ``key`` retries an
    earlier upload, which is answered whatever the phase's state."""
    with make_session() as session:
        phase = get_phase(session, phase_id)
        existing = find_idempotent(session, team_id, phase_id, key)
        if existing is None:
            check_open(phase)
            enrollment.check_may_submit(session, team_id, phase.competition_id)
        return UploadTarget(phase.id, phase.track, phase.bundle, dict(phase.settings or {}), phase.max_upload_bytes,
                            None if existing is None else (existing.id, existing.sha256))


def submit(make_session: sessionmaker, target: UploadTarget, *, team_id: int, path: Path, filename: str,
           sha256: str, size: int, idempotency_key: str | None) -> tuple[dict[str, Any], bool]:
    """The received file ``path`` (moved into storage when accepted): a retry returns the first
    submission (a Conflict when the file differs); otherwise the track's cheap checks, then
    ``accept``. Returns (the team's status of the submission, created). Raises UploadRejected
    (the track refused the file: no quota taken), Unavailable (the phase's bundle is broken:
    logged for the organizers, nothing counted), QuotaRefused, Conflict."""
    if target.existing is not None:
        sub_id, first_sha256 = target.existing
        same_upload(sub_id, first_sha256, sha256, idempotency_key)
        created = False
    else:
        try:
            validate_upload(target.track, path, Path(target.bundle), target.settings)
        except SubmissionRejected as e:
            raise UploadRejected(f"submission rejected: {e}") from None
        except BundleError as e:
            log.error("phase %s: bundle problem during upload checks: %s", target.phase_id, e)
            raise Unavailable("this phase's hidden data is not available right now (the organizers have been "
                              "notified); your upload was not counted, please try again later") from None
        sub_id, created = accept(make_session, phase_id=target.phase_id, team_id=team_id, path=path,
                                 filename=filename, sha256=sha256, size=size, idempotency_key=idempotency_key)
    with make_session() as session:
        return status(session, sub_id, is_admin=False), created


def safe_filename(name: str) -> str:
    name = re.sub(r"[^A-Za-z0-9._-]+", "_", Path(name or "upload").name)[:100].lstrip(".")
    return name or "upload"


def check_open(phase: Phase) -> None:
    now = utcnow()
    if now < phase.opens_at:
        raise Forbidden(f"phase '{phase.track}/{phase.name}' opens at {iso(phase.opens_at)}; submit after that")
    if now >= phase.closes_at:
        raise Forbidden(f"phase '{phase.track}/{phase.name}' closed at {iso(phase.closes_at)}; no more submissions")


def upload_readiness(session: Session, phase: Phase, team_id: int | None) -> dict[str, Any]:
    """Whether a team may upload to ``phase`` now, for the phase page's form: ``blocked`` is the
    reason it may not (None: it may), ``left`` the submissions left today (and in total), and the
    obvious client-side checks (``suffixes``, ``max_bytes``). The upload itself re-checks all."""
    info: dict[str, Any] = {"blocked": None, "left": None, "suffixes": upload_suffixes(phase.track),
                            "max_bytes": phase.max_upload_bytes}
    try:
        if team_id is None:
            raise Forbidden("uploads are made by a team: sign in with your team's account or token")
        check_open(phase)
        enrollment.check_may_submit(session, team_id, phase.competition_id)
    except Forbidden as e:
        info["blocked"] = str(e)
        return info
    rem = quotas.remaining(session, team_id, phase)
    info["left"] = rem.as_dict()
    if rem.daily_left <= 0 or (rem.total_left is not None and rem.total_left <= 0):
        info["blocked"] = ("your team has used up its submissions for this phase" if rem.daily_left > 0 else
                           f"your team has used today's {rem.daily_limit} submissions; more after "
                           f"{iso(rem.daily_resets_at)}")
    return info


def find_idempotent(session: Session, team_id: int, phase_id: int, key: str | None) -> Submission | None:
    if not key:
        return None
    return session.scalar(select(Submission).where(
        Submission.team_id == team_id, Submission.phase_id == phase_id, Submission.idempotency_key == key))


def same_upload(first_id: int, first_sha256: str, sha256: str, key: str | None) -> None:
    """A retried upload must be the same file: a reused Idempotency-Key with other content is a
    conflict (409), never a silent return of the first submission."""
    if first_sha256 != sha256:
        raise Conflict(f"the Idempotency-Key {key!r} was already used for submission {first_id} with another "
                       f"file (sha256 {first_sha256[:12]}..., this one {sha256[:12]}...); send a new key "
                       "for a new file")


def accept(make_session: sessionmaker, *, phase_id: int, team_id: int, path: Path, filename: str,
           sha256: str, size: int, idempotency_key: str | None) -> tuple[int, bool]:
    """Store the artifact; then, in one transaction, take a quota slot, insert the row
    (``received``) and move it to ``queued``; after the commit, send the task.
    Returns (submission id, created)."""
    storage = get_storage()
    key = f"uploads/{phase_id}/{team_id}/{uuid.uuid4().hex}/{safe_filename(filename)}"
    storage.put_file(key, path, move=True)
    try:
        with make_session() as session, session.begin():
            phase = session.get(Phase, phase_id)
            try:
                day = quotas.reserve(session, team_id, phase)
            except quotas.QuotaExceeded as e:
                raise QuotaRefused(str(e)) from None
            sub = Submission(phase_id=phase_id, team_id=team_id, state=RECEIVED, queue=phase.queue,
                             filename=safe_filename(filename), artifact_key=key, size_bytes=size,
                             sha256=sha256, idempotency_key=idempotency_key or None, quota_day=day)
            session.add(sub)
            session.flush()
            sub_id = sub.id
            lifecycle.transition(session, sub_id, (RECEIVED,), QUEUED, sent_at=utcnow())
            task = (phase.queue, phase.soft_time_limit, phase.hard_time_limit)
    except IntegrityError:
        storage.delete(key)  # the same idempotency key won a race: return that submission
        with make_session() as session:
            existing = find_idempotent(session, team_id, phase_id, idempotency_key)
            if existing is None:
                raise
            same_upload(existing.id, existing.sha256, sha256, idempotency_key)
            return existing.id, False
    except BaseException:
        storage.delete(key)
        raise
    send_queued(make_session, sub_id, task)
    return sub_id, True


def queue_submission(make_session: sessionmaker, sub_id: int, from_states=(RECEIVED,), **values: Any) -> bool:
    """Move to ``queued`` (committed), then send the task. If the broker refuses, ``sent_at``
    is cleared and the reaper sends the task later."""
    with make_session() as session, session.begin():
        task = mark_queued(session, sub_id, from_states, **values)
    if task is None:
        return False
    send_queued(make_session, sub_id, task)
    return True


def mark_queued(session: Session, sub_id: int, from_states=(RECEIVED,), **values: Any) -> tuple[str, int, int] | None:
    """``queue_submission``'s first half, in the caller's transaction: move to ``queued`` if in
    ``from_states``; returns the task's (queue, soft, hard limits) for ``send_queued`` once the
    transaction committed, or None when the submission was not in ``from_states``."""
    if not lifecycle.transition(session, sub_id, from_states, QUEUED, sent_at=utcnow(), **values):
        return None
    return tuple(session.execute(
        select(Phase.queue, Phase.soft_time_limit, Phase.hard_time_limit)
        .join(Submission, Submission.phase_id == Phase.id).where(Submission.id == sub_id)).one())


def send_queued(make_session: sessionmaker, sub_id: int, task: tuple[str, int, int]) -> None:
    """Send the task of a submission ``mark_queued`` moved (after its commit). If the broker
    refuses, the submission stays queued with ``sent_at`` cleared: the reaper sends it later."""
    queue, soft, hard = task
    try:
        send_score_task(sub_id, queue, soft, hard)
    except Exception as e:  # noqa: BLE001 - the submission stays queued; the reaper retries
        log.error("could not send the task of submission %s: %s", sub_id, e)
        with make_session() as session, session.begin():
            session.execute(update(Submission).where(Submission.id == sub_id, Submission.state == QUEUED)
                            .values(sent_at=None))


def send_task(make_session: sessionmaker, sub_id: int, queue: str, soft: int, hard: int) -> None:
    send_score_task(sub_id, queue, soft, hard)
    with make_session() as session, session.begin():
        session.get(Submission, sub_id).sent_at = utcnow()


def load(session: Session, submission_id: int) -> Submission | None:
    """The submission with its phase and team in one query."""
    return session.scalar(select(Submission).options(joinedload(Submission.phase), joinedload(Submission.team))
                          .where(Submission.id == submission_id))


def status(session: Session, sub: Submission | int, *, is_admin: bool) -> dict[str, Any]:
    found = fetch(session, sub if isinstance(sub, int) else sub.id, is_admin=is_admin)
    if found is None:
        raise NotFound(f"submission {sub if isinstance(sub, int) else sub.id} not found")
    return found[1]
