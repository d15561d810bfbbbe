"""Team endpoints: upload, status, list, logs, result pictures, cancel."""
from __future__ import annotations

import logging
from pathlib import Path
from typing import Annotated

from fastapi import APIRouter, Header, HTTPException, Query, Request, Response
from fastapi.responses import PlainTextResponse, StreamingResponse
from sqlalchemy import select
from starlette.concurrency import run_in_threadpool

from core import admin_ops
from core.db import session_factory
from core.errors import Unavailable, UploadRejected
from core.models import Score, Submission
from core.settings import get_settings
from core.storage import get_storage
from core.status import fetch, fetch_many
from core.visibility import logs_visible, owns, results_visible
from core.submissions import accept, check_open, find_idempotent, same_upload, status
from core.tracks import BundleError, SubmissionRejected, validate_upload

from ..deps import PrincipalDep, ReaderDep, SessionDep, TeamDep, get_phase, owned_submission
from ..uploads import receive

router = APIRouter(prefix="/api/v1", tags=["submissions"])
log = logging.getLogger(__name__)


@router.post("/phases/{phase_id}/submissions", status_code=201)
async def upload(phase_id: int, request: Request, response: Response, principal: TeamDep,
                 filename: Annotated[str, Query(max_length=255)] = "submission",
                 idempotency_key: Annotated[str | None, Header(max_length=128)] = None) -> dict:
    """Upload a submission as the raw request body (Content-Type: application/octet-stream)."""
    make_session = session_factory()

    def before():
        with make_session() as session:
            phase = get_phase(session, phase_id)
            existing = find_idempotent(session, principal.team_id, phase_id, idempotency_key)
            if existing is None:
                check_open(phase)
            return (phase.max_upload_bytes, phase.track, phase.bundle, dict(phase.settings or {})), existing

    info, existing = await run_in_threadpool(before)
    cap, track, bundle, scoring = info
    path, sha256, size = await receive(request, cap, get_settings().resolved_workdir() / "uploads")
    if existing is not None:  # a retry: the same file gets the first submission back, another file a 409
        path.unlink(missing_ok=True)
        same_upload(existing, sha256, idempotency_key)
        response.status_code = 200

        def first():
            with make_session() as session:
                return status(session, existing.id, is_admin=False)

        return await run_in_threadpool(first)
    try:
        try:
            await run_in_threadpool(validate_upload, track, path, Path(bundle), scoring)
        except SubmissionRejected as e:
            raise UploadRejected(f"submission rejected: {e}") from None
        except BundleError as e:
            log.error("phase %s: bundle problem during upload checks: %s", phase_id, e)
            raise Unavailable("this phase's hidden data is not available right now (the organizers have been "
                              "notified); your upload was not counted, please try again later") from None
        sub_id, created = await run_in_threadpool(
            accept, make_session, phase_id=phase_id, team_id=principal.team_id, path=path, filename=filename,
            sha256=sha256, size=size, idempotency_key=idempotency_key)
    finally:
        path.unlink(missing_ok=True)
    if not created:
        response.status_code = 200

    def after():
        with make_session() as session:
            return status(session, sub_id, is_admin=False)

    return await run_in_threadpool(after)


@router.get("/submissions")
def list_submissions(session: SessionDep, principal: PrincipalDep, phase_id: int | None = None,
                     limit: Annotated[int, Query(ge=1, le=500)] = 100) -> list[dict]:
    q = select(Submission.id).order_by(Submission.id.desc()).limit(limit)
    if not principal.is_admin:
        q = q.where(Submission.team_id == principal.team_id)
    if phase_id is not None:
        q = q.where(Submission.phase_id == phase_id)
    return fetch_many(session, list(session.scalars(q)), is_admin=principal.is_admin)  # two statements per page


@router.get("/submissions/{submission_id}")
def get_status(submission_id: int, session: SessionDep, principal: ReaderDep) -> dict:
    """Bearer token, or the browser's sign-in cookie (the results page polls this)."""
    found = fetch(session, submission_id, is_admin=principal.is_admin)
    if found is None or not owns(principal.is_admin, principal.team_id, found[0]):
        raise HTTPException(404, f"submission {submission_id} not found among your team's submissions")
    return found[1]


@router.get("/submissions/{submission_id}/logs", response_class=PlainTextResponse)
def get_logs(submission_id: int, session: SessionDep, principal: PrincipalDep) -> str:
    sub = owned_submission(session, principal, submission_id)
    if not logs_visible(sub.phase.show_logs, principal.is_admin):
        raise HTTPException(403, "this phase runs on hidden data and does not show logs to teams; "
                                 "the status message says why a submission failed")
    return sub.log_tail


@router.get("/submissions/{submission_id}/artifacts/{name:path}")
def get_artifact(submission_id: int, name: str, session: SessionDep, principal: ReaderDep):
    """Bearer token, or the browser's sign-in cookie (the results page shows the pictures inline)."""
    sub = owned_submission(session, principal, submission_id)
    score = session.get(Score, sub.score_id) if sub.score_id else None
    if score is None or not results_visible(sub.phase.visibility, sub.phase.revealed, principal.is_admin):
        raise HTTPException(404, f"submission {submission_id} has no visible results yet")
    if name not in score.artifacts:
        raise HTTPException(404, f"no artifact {name!r}; available: {', '.join(sorted(score.artifacts)) or 'none'}")
    key = score.artifacts[name]
    media = {"png": "image/png", "jpg": "image/jpeg", "jpeg": "image/jpeg", "json": "application/json",
             "csv": "text/csv", "txt": "text/plain"}.get(key.rsplit(".", 1)[-1].lower(), "application/octet-stream")
    return StreamingResponse(get_storage().iter_bytes(key), media_type=media,
                             headers={"Cache-Control": "private"})


@router.post("/submissions/{submission_id}/cancel")
def cancel(submission_id: int, session: SessionDep, principal: PrincipalDep) -> dict:
    sub = owned_submission(session, principal, submission_id)
    admin_ops.cancel(session_factory(), sub.id, by_platform=principal.is_admin)
    session.expire_all()
    return status(session, session.get(Submission, submission_id), is_admin=principal.is_admin)
