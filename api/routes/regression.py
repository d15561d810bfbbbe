"""Organizer endpoints for the reference solutions' regression runs (logic in core.regression)."""
from __future__ import annotations

from fastapi import APIRouter, Response

from core import regression
from core.db import session_factory

from ..deps import AdminDep, SessionDep

router = APIRouter(prefix="/api/v1/admin/regression", tags=["admin"])


@router.get("")
def regression_report(session: SessionDep, _: AdminDep, history: int = 20) -> dict:
    """The latest run (and the latest finished one) with its table, and the recent runs."""
    return regression.report(session, history=max(1, min(history, 200)))


@router.post("", status_code=202)
def regression_enqueue(_: AdminDep, response: Response) -> dict:
    """Queue a run now; when one is already queued or running, that one is returned (200)."""
    run_id, new = regression.enqueue(session_factory(), "admin")
    if not new:
        response.status_code = 200
    return {"run": run_id, "queued": new,
            "detail": "queued" if new else "a regression run is already queued or running"}
