"""Server-rendered pages for a signed-in team: its submissions, and one submission's results
(status with progress, score tables, pictures, logs). Signed out -> /login; other teams'
submissions -> 404, the same as a submission that does not exist."""
from __future__ import annotations

from urllib.parse import urlencode

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse

from .. import submission_view
from ..deps import BrowserPrincipalDep, SessionDep, SubmissionId
from ..errors import errors
from .web import SIGN_IN_FIRST, html_error, templates

router = APIRouter(tags=["pages"])


def login_redirect(request: Request) -> RedirectResponse:
    here = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    return RedirectResponse("/login?" + urlencode({"next": here}), status_code=303)


@router.get("/submissions", response_class=HTMLResponse, responses=SIGN_IN_FIRST)
def my_submissions(request: Request, session: SessionDep, user: BrowserPrincipalDep):
    if user is None:
        return login_redirect(request)
    rows = submission_view.team_submissions(session, user)
    return templates.TemplateResponse(request, "submissions.html", {"user": user, "rows": rows})


@router.get("/submissions/{submission_id}", response_class=HTMLResponse,
            responses={**SIGN_IN_FIRST, **html_error(404, "Not among the signed-in team's submissions."), **errors()})
def submission_page(submission_id: SubmissionId, request: Request, session: SessionDep, user: BrowserPrincipalDep):
    if user is None:
        return login_redirect(request)
    view = submission_view.submission(session, user, submission_id)
    if view is None:
        return templates.TemplateResponse(
            request, "message.html", status_code=404,
            context={"user": user, "title": "Submission not found",
                     "text": f"Submission {submission_id} is not among your team's submissions."})
    return templates.TemplateResponse(request, "submission.html", {"user": user, **view})
