"""Team endpoints: upload, status, list, logs, result pictures, cancel."""
from __future__ import annotations

from functools import partial
from typing import Annotated

from fastapi import APIRouter, Header, Query, Request, Response
from fastapi.responses import PlainTextResponse, StreamingResponse
from sqlalchemy import select
from starlette.concurrency import run_in_threadpool

from core import admin_ops, rate_limits
from core.db import session_factory
from core.errors import ErrorKind, Forbidden, NotFound
from core.models import Score, Submission
from core.sample_figures import sample_figures
from core.settings import get_settings
from core.storage import get_storage
from core.status import fetch_async, fetch_many
from core.visibility import SEALED_NOTE, details_visible, logs_visible, owned_rows, owns, results_visible
from core.submissions import open_upload, status, submit

from .. import schemas
from ..deps import (PhaseFilter, PhaseId, PrincipalDep, ReaderDep, SessionDep, SubmissionId, UploaderDep,
                    owned_submission, reads)
from ..errors import errors
from ..uploads import receive

router = APIRouter(prefix="/api/v1", tags=["submissions"])
K = ErrorKind
UPLOAD_BODY = {"requestBody": {"required": True, "description": "the submission file itself (raw bytes)",
                               "content": {"application/octet-stream": {"schema": {"type": "string",
                                                                                   "format": "binary"}}}}}
ARTIFACT_TYPES = {"png": "image/png", "jpg": "image/jpeg", "jpeg": "image/jpeg", "json": "application/json",
                  "csv": "text/csv", "txt": "text/plain"}
ARTIFACT_OTHER = "application/octet-stream"


@router.post("/phases/{phase_id}/submissions", status_code=201, response_model=schemas.SubmissionStatus,
             openapi_extra=UPLOAD_BODY, responses={
                 200: {"model": schemas.SubmissionStatus,
                       "description": "A retry with the same Idempotency-Key and file: the first submission."},
                 **errors(K.INVALID, K.UNAUTHORIZED, K.FORBIDDEN, K.NOT_FOUND, K.CONFLICT, K.TOO_LARGE,
                          K.REJECTED, K.QUOTA, K.UNAVAILABLE)})
async def upload(phase_id: PhaseId, request: Request, response: Response, principal: UploaderDep,
                 filename: Annotated[str, Query(max_length=255)] = "submission",
                 idempotency_key: Annotated[str | None, Header(max_length=128)] = None) -> dict:
    """Upload a submission as the raw request body (Content-Type: application/octet-stream).
    A team token, or the browser's sign-in cookie with the page's CSRF token in X-CSRF-Token.
    The track's cheap checks run before it is queued: a refusal (422) takes no quota."""
    make_session = session_factory()
    await run_in_threadpool(rate_limits.check, "upload", str(principal.team_id))  # 429 past AISC_RATE_LIMIT_UPLOAD
    target = await run_in_threadpool(open_upload, make_session, phase_id, principal.team_id, idempotency_key)
    path, sha256, size = await receive(request, target.max_bytes, get_settings().resolved_workdir() / "uploads")
    try:
        body, created = await run_in_threadpool(partial(
            submit, make_session, target, team_id=principal.team_id, path=path, filename=filename, sha256=sha256,
            size=size, idempotency_key=idempotency_key))
    finally:
        path.unlink(missing_ok=True)
    if not created:  # a retry with the same Idempotency-Key and file: the first submission
        response.status_code = 200
    return body


@router.get("/submissions", response_model=list[schemas.SubmissionStatus],
            responses=errors(K.UNAUTHORIZED))
def list_submissions(session: SessionDep, principal: PrincipalDep, phase_id: PhaseFilter = None,
                     limit: Annotated[int, Query(ge=1, le=500)] = 100) -> list[dict]:
    """The caller's submissions, newest first (an organizer: everyone's)."""
    q = owned_rows(select(Submission.id).order_by(Submission.id.desc()).limit(limit), principal.is_admin,
                   principal.team_id)
    if phase_id is not None:
        q = q.where(Submission.phase_id == phase_id)
    return fetch_many(session, list(session.scalars(q)), is_admin=principal.is_admin)  # two statements per page


@router.get("/submissions/{submission_id}", response_model=schemas.SubmissionStatus,
            responses=errors(K.UNAUTHORIZED, K.NOT_FOUND, K.UNAVAILABLE))
async def get_status(submission_id: SubmissionId, principal: ReaderDep, request: Request) -> dict:
    """Bearer token, or the browser's sign-in cookie (the results page polls this)."""
    # async, its one statement on the event loop where the API runs on Postgres (deps.reads)
    found = await fetch_async(reads(request), submission_id, is_admin=principal.is_admin)
    if found is None or not owns(principal.is_admin, principal.team_id, found[0]):
        raise NotFound(f"submission {submission_id} not found among your team's submissions")
    return found[1]


@router.get("/submissions/{submission_id}/logs", response_class=PlainTextResponse,
            responses=errors(K.UNAUTHORIZED, K.FORBIDDEN, K.NOT_FOUND))
def get_logs(submission_id: SubmissionId, session: SessionDep, principal: PrincipalDep) -> str:
    """The end of the submission's logs (403 where the phase does not show logs to teams)."""
    sub = owned_submission(session, principal, submission_id)
    if not logs_visible(sub.phase.show_logs, principal.is_admin):
        raise Forbidden("this phase runs on hidden data and does not show logs to teams; "
                        "the status message says why a submission failed")
    return sub.log_tail


@router.get("/submissions/{submission_id}/samples", response_model=list[schemas.SampleFigures],
            responses=errors(K.UNAUTHORIZED, K.NOT_FOUND))
def get_samples(submission_id: SubmissionId, session: SessionDep, principal: ReaderDep) -> list[dict]:
    """Per-sample figures of the newest score (face track: L∞, SSIM, PSNR, projection, liveness);
    [] for a track without per-sample records. 404 until results are visible to the caller."""
    sub = owned_submission(session, principal, submission_id)
    score = session.get(Score, sub.score_id) if sub.score_id else None
    if score is None or not results_visible(sub.phase.visibility, sub.phase.revealed, principal.is_admin):
        raise NotFound(f"submission {submission_id} has no visible results yet")
    if not details_visible(sub.phase.visibility, sub.phase.revealed, sub.phase.split, principal.is_admin):
        raise NotFound(f"submission {submission_id}: {SEALED_NOTE}")
    return sample_figures(score.details)


@router.get("/submissions/{submission_id}/artifacts/{name:path}", response_class=StreamingResponse, responses={
    200: {"description": "The file (a result picture, a table...).",
          "content": {t: {"schema": {"type": "string", "format": "binary"}}
                      for t in sorted({*ARTIFACT_TYPES.values(), ARTIFACT_OTHER})}},
    **errors(K.UNAUTHORIZED, K.NOT_FOUND)})
def get_artifact(submission_id: SubmissionId, name: str, session: SessionDep, principal: ReaderDep):
    """Bearer token, or the browser's sign-in cookie (the results page shows the pictures inline)."""
    sub = owned_submission(session, principal, submission_id)
    score = session.get(Score, sub.score_id) if sub.score_id else None
    if score is None or not results_visible(sub.phase.visibility, sub.phase.revealed, principal.is_admin):
        raise NotFound(f"submission {submission_id} has no visible results yet")
    if not details_visible(sub.phase.visibility, sub.phase.revealed, sub.phase.split, principal.is_admin):
        raise NotFound(f"submission {submission_id}: {SEALED_NOTE}")
    if name not in score.artifacts:
        raise NotFound(f"no artifact {name!r}; available: {', '.join(sorted(score.artifacts)) or 'none'}")
    key = score.artifacts[name]
    media = ARTIFACT_TYPES.get(key.rsplit(".", 1)[-1].lower(), ARTIFACT_OTHER)
    return StreamingResponse(get_storage().iter_bytes(key), media_type=media,
                             headers={"Cache-Control": "private"})


@router.post("/submissions/{submission_id}/cancel", response_model=schemas.SubmissionStatus,
             responses=errors(K.UNAUTHORIZED, K.NOT_FOUND, K.CONFLICT))
def cancel(submission_id: SubmissionId, session: SessionDep, principal: PrincipalDep) -> dict:
    """Cancel an unfinished submission; one that never started running gets its quota slot back."""
    sub = owned_submission(session, principal, submission_id)
    admin_ops.cancel(session_factory(), sub.id, organizer=principal.actor if principal.is_admin else None)
    session.expire_all()
    return status(session, session.get(Submission, submission_id), is_admin=principal.is_admin)
