"""Password reset pages (policy in core.password_reset): ``GET|POST /forgot`` asks for a link by
e-mail, ``GET|POST /reset/{token}`` sets the new password. Both posts carry the CSRF field and
count against the sign-in rate limit (core.rate_limits, ``signin``). ``/forgot`` answers the same
for every address, and only then looks the address up, stores the link and sends the e-mail, so
neither its answer nor the answer's time reveals anybody's registration."""
from __future__ import annotations

import logging

from fastapi import APIRouter, BackgroundTasks, Request
from fastapi.responses import HTMLResponse
from starlette.concurrency import run_in_threadpool

from core import password_reset, rate_limits
from core.db import read_session_factory, session_scope
from core.errors import ErrorKind, PlatformError
from core.settings import get_settings

from ..errors import STATUS
from ..web_security import csrf_token
from .auth_web import checked_form, refused_form
from .web import templates

log = logging.getLogger(__name__)
router = APIRouter(tags=["pages"], include_in_schema=False)
SENT = ("If an account has that e-mail address, a link to choose a new password is on its way; it works "
        "once, within the hour. Nothing arrived? Check the address and ask again.")


def _page(request: Request, name: str, status: int = 200, **ctx) -> HTMLResponse:
    return templates.TemplateResponse(request, name, status_code=status, context={
        "user": None, "csrf": csrf_token(request), **ctx})


def _client(request: Request) -> str:
    return request.client.host if request.client else ""


@router.get("/forgot", response_class=HTMLResponse)
def forgot_form(request: Request):
    return _page(request, "forgot.html")


def _request_and_deliver(email: str) -> None:
    """After the answer is sent: make and mail a link if an account has ``email``; logs, never
    raises (the answer is gone, the person asks again)."""
    try:
        with session_scope() as session:
            found = password_reset.request(session, email[:320])
    except Exception:
        log.exception("could not make a password-reset link")
        return
    if found is not None:
        password_reset.deliver(get_settings(), *found)


@router.post("/forgot", response_class=HTMLResponse)
async def forgot(request: Request, background: BackgroundTasks):
    form = await checked_form(request)
    if form is None:
        return refused_form(request, None)
    try:
        await run_in_threadpool(rate_limits.check, "signin", _client(request))
    except PlatformError as e:
        return _page(request, "forgot.html", STATUS[e.kind], error=str(e))
    background.add_task(_request_and_deliver, str(form.get("email", "")))
    return _page(request, "forgot.html", sent=SENT)


def _valid(token: str) -> None:
    with read_session_factory()() as session:
        password_reset.check(session, token)


@router.get("/reset/{token}", response_class=HTMLResponse)
async def reset_form(request: Request, token: str):
    try:
        await run_in_threadpool(_valid, token)
    except PlatformError as e:
        return _page(request, "reset.html", STATUS[e.kind], invalid=str(e))
    return _page(request, "reset.html", token=token)


def _complete(token: str, password: str) -> None:
    with session_scope() as session:
        password_reset.complete(session, token, password)


@router.post("/reset/{token}", response_class=HTMLResponse)
async def reset(request: Request, token: str):
    form = await checked_form(request)
    if form is None:
        return refused_form(request, None)
    try:
        await run_in_threadpool(rate_limits.check, "signin", _client(request))
        await run_in_threadpool(_complete, token, form.get("password", ""))
    except PlatformError as e:
        if e.kind == ErrorKind.NOT_FOUND:
            return _page(request, "reset.html", STATUS[e.kind], invalid=str(e))
        return _page(request, "reset.html", STATUS[e.kind], token=token, error=str(e))
    return _page(request, "message.html", title="Password changed",
                 text="Your new password is set, and your other browser sessions are signed out. Sign in with it.",
                 back="/login")
