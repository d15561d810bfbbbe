"""Organizer endpoints for the reference solutions' regression runs (logic in core.regression)."""
from __future__ import annotations

from fastapi import APIRouter, Response

from core import regression
from core.db import session_factory
from core.errors import ErrorKind

from .. import schemas
from ..deps import AdminDep, SessionDep
from ..errors import errors

router = APIRouter(prefix="/api/v1/admin/regression", tags=["admin"],
                   responses=errors(ErrorKind.UNAUTHORIZED, ErrorKind.FORBIDDEN, validated=False))


@router.get("", response_model=schemas.RegressionReport, responses=errors())
def regression_report(session: SessionDep, _: AdminDep, history: int = 20) -> dict:
    """The latest run (and the latest finished one) with its table, and the recent runs."""
    return regression.report(session, history=max(1, min(history, 200)))


@router.post("", status_code=202, response_model=schemas.RegressionQueued, responses={
    200: {"model": schemas.RegressionQueued, "description": "A run was already queued or running: that one."}})
def regression_enqueue(principal: AdminDep, response: Response) -> dict:
    """Queue a run now; when one is already queued or running, that one is returned (200)."""
    run_id, new = regression.enqueue(session_factory(), "admin", actor=principal.actor)
    if not new:
        response.status_code = 200
    return {"run": run_id, "queued": new,
            "detail": "queued" if new else "a regression run is already queued or running"}
