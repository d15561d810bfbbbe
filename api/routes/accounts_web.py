"""Participant pages: ``/register`` (name, e-mail, password), password sign-in
(``POST /login/password``), and ``/team``: create a team or join one with its invite code, see
the members, enter competitions (accepting their terms), and create (shown once) and revoke the
team's API tokens. Every form is POST-only and carries the CSRF field (api.web_security);
posts from another origin are refused. Policy lives in core.accounts and core.enrollment."""
from __future__ import annotations

from typing import Callable

from fastapi import APIRouter, Path, Request
from fastapi.responses import HTMLResponse, RedirectResponse
from sqlalchemy import select
from sqlalchemy.orm import Session
from starlette.concurrency import run_in_threadpool

from core import accounts, enrollment, rate_limits, web_sessions
from core.db import session_scope
from core.errors import Conflict, PlatformError, Unauthorized
from core.models import Competition, Team, User

from ..deps import ID_MAX, BrowserPrincipalDep, Principal
from ..errors import STATUS, errors
from ..web_security import csrf_token
from .auth_web import BAD_PASSWORD, checked_form as _form, refused_form, safe_next, set_session_cookie
from .pages_submissions import login_redirect
from .web import SIGN_IN_FIRST, html_error, templates

router = APIRouter(tags=["pages"])
TEAM = "/team"
REFUSED = html_error(403, "The form came from another site, or without its CSRF field (reload the page).")
ERROR_PAGE = {**html_error(404, "Not found (the page again, with the reason)."),
              **html_error(409, "Not possible now (the page again, with the reason)."),
              **html_error(429, "Too many attempts; wait and try again."),
              # a refused form value: the page again; an invalid path parameter: JSON, as everywhere
              422: {"description": "A form value was refused (the page again, with the reason), or a path "
                                   "parameter is invalid (JSON).",
                    "content": {**html_error(422, "")[422]["content"], **errors()[422]["content"]}}}
TokenId = Path(ge=1, le=ID_MAX)


def _form_spec(*fields: str, required: tuple[str, ...] = ()) -> dict:
    props = {f: {"type": "string"} for f in ("csrf", *fields)}
    return {"requestBody": {"required": True, "content": {"application/x-www-form-urlencoded": {"schema": {
        "type": "object", "required": ["csrf", *required], "properties": props}}}}}


def _refused(request: Request, user: Principal | None):
    return refused_form(request, user)




# ---- registration and password sign-in


def _register(name: str, email: str, password: str) -> str:
    with session_scope() as session:
        user = accounts.register(session, name, email, password)
        return web_sessions.sign_in_user(session, user.id)


@router.get("/register", response_class=HTMLResponse)
def register_form(request: Request, user: BrowserPrincipalDep):
    return templates.TemplateResponse(request, "register.html", {"user": user, "csrf": csrf_token(request)})


@router.post("/register", status_code=303, response_class=RedirectResponse, openapi_extra=_form_spec(
    "name", "email", "password", required=("name", "email", "password")), responses={
    303: {"description": "Registered and signed in; a redirect to /team.",
          "headers": {"Location": {"schema": {"type": "string"}}, "Set-Cookie": {"schema": {"type": "string"}}}},
    **REFUSED, **ERROR_PAGE})
async def register(request: Request):
    form = await _form(request)
    if form is None:
        return _refused(request, None)
    values = {k: form.get(k, "") for k in ("name", "email")}
    try:
        await run_in_threadpool(rate_limits.check, "register", request.client.host if request.client else "")
        sid = await run_in_threadpool(_register, values["name"], values["email"], form.get("password", ""))
    except PlatformError as e:
        return templates.TemplateResponse(request, "register.html", status_code=STATUS[e.kind], context={
            "user": None, "csrf": csrf_token(request), "error": str(e), **values})
    return set_session_cookie(request, RedirectResponse(TEAM, status_code=303), sid)


def _password_sign_in(email: str, password: str) -> str | None:
    with session_scope() as session:
        user = accounts.authenticate(session, email, password)
        return None if user is None else web_sessions.sign_in_user(session, user.id)


@router.post("/login/password", status_code=303, response_class=RedirectResponse, openapi_extra=_form_spec(
    "email", "password", "next", required=("email", "password")), responses={
    303: {"description": "Signed in: the session cookie is set; a redirect to `next`.",
          "headers": {"Location": {"schema": {"type": "string"}}, "Set-Cookie": {"schema": {"type": "string"}}}},
    **html_error(401, "Wrong e-mail address or password (the form again)."), **REFUSED,
    **html_error(429, "Too many attempts; wait and try again.")})
async def password_login(request: Request):
    form = await _form(request)
    if form is None:
        return _refused(request, None)
    next_url, email = safe_next(form.get("next")), form.get("email", "").strip()
    try:
        await run_in_threadpool(rate_limits.check, "signin", request.client.host if request.client else "")
        sid = await run_in_threadpool(_password_sign_in, email, form.get("password", ""))
        if sid is None:
            raise Unauthorized(BAD_PASSWORD)
    except PlatformError as e:
        return templates.TemplateResponse(request, "login.html", status_code=STATUS[e.kind], context={
            "user": None, "next": next_url, "csrf": csrf_token(request), "password_error": str(e), "email": email})
    return set_session_cookie(request, RedirectResponse(next_url, status_code=303), sid)


# ---- the team page


def _team_view(session: Session, user_id: int) -> dict:
    me = session.get(User, user_id)
    team = session.get(Team, me.team_id) if me.team_id else None
    comps = session.scalars(select(Competition).order_by(Competition.id)).all()
    states = enrollment.team_states(session, team.id) if team else {}
    return {"me": me, "team": team, "members": accounts.members(session, team.id) if team else [],
            "tokens": accounts.team_tokens(session, team.id) if team else [],
            "competitions": [(c, states.get(c.id)) for c in comps]}


def _view(user_id: int) -> dict:
    with session_scope() as session:
        ctx = _team_view(session, user_id)
        session.expunge_all()  # plain objects for the template
        return ctx


async def _page(request: Request, user: Principal, status: int = 200, **extra):
    ctx = await run_in_threadpool(_view, user.user_id)
    return templates.TemplateResponse(request, "team.html", status_code=status, context={
        "user": user, "csrf": csrf_token(request), **ctx, **extra})


@router.get(TEAM, response_class=HTMLResponse, responses=SIGN_IN_FIRST)
async def team_page(request: Request, user: BrowserPrincipalDep):
    if user is None or user.user_id is None:
        return login_redirect(request)
    return await _page(request, user)


async def _team_action(request: Request, user: Principal | None, action: Callable[[Session, User, dict], object],
                       show: Callable[[object], dict] | None = None):
    """Run ``action(session, me, form)`` in one transaction; then back to /team (303), or the
    page with what ``show`` returns (a new token), or with the error."""
    if user is None or user.user_id is None:
        return login_redirect(request)
    form = await _form(request)
    if form is None:
        return _refused(request, user)

    def run():
        with session_scope() as session:
            me = session.get(User, user.user_id)
            return action(session, me, form)
    try:
        result = await run_in_threadpool(run)
    except PlatformError as e:
        return await _page(request, user, STATUS[e.kind], error=str(e))
    if show is None:
        return RedirectResponse(TEAM, status_code=303)
    return await _page(request, user, 201, **show(result))


DONE = {303: {"description": "Done; a redirect to /team.", "headers": {"Location": {"schema": {"type": "string"}}}}}
ACTION = {**DONE, **SIGN_IN_FIRST, **REFUSED, **ERROR_PAGE}


def _needs_team(me: User) -> int:
    if me.team_id is None:
        raise Conflict("create or join a team first")
    return me.team_id


@router.post("/team/create", status_code=303, response_class=RedirectResponse,
             openapi_extra=_form_spec("name", required=("name",)), responses=ACTION)
async def create_team(request: Request, user: BrowserPrincipalDep):
    return await _team_action(request, user, lambda s, me, f: accounts.create_team(s, me, f.get("name", "")))


@router.post("/team/join", status_code=303, response_class=RedirectResponse,
             openapi_extra=_form_spec("code", required=("code",)), responses=ACTION)
async def join_team(request: Request, user: BrowserPrincipalDep):
    return await _team_action(request, user, lambda s, me, f: accounts.join_team(s, me, f.get("code", "")))


@router.post("/team/enroll/{competition_id}", status_code=303, response_class=RedirectResponse,
             openapi_extra=_form_spec("accept_terms"), responses=ACTION)
async def enroll(request: Request, user: BrowserPrincipalDep, competition_id: int = Path(ge=1, le=ID_MAX)):
    return await _team_action(request, user, lambda s, me, f: enrollment.enroll(
        s, _needs_team(me), competition_id, user_id=me.id, accept_terms=f.get("accept_terms") == "yes"))


@router.post("/team/tokens", status_code=201, response_class=HTMLResponse,
             openapi_extra=_form_spec("label"), responses={
                 201: {"description": "The team page with the new token, shown this once.",
                       "content": {"text/html": {"schema": {"type": "string"}}}}, **ACTION})
async def create_token(request: Request, user: BrowserPrincipalDep):
    return await _team_action(request, user,
                              lambda s, me, f: accounts.issue_team_token(s, _needs_team(me), f.get("label", "")),
                              show=lambda token: {"new_token": token})


@router.post("/team/tokens/{token_id}/revoke", status_code=303, response_class=RedirectResponse,
             openapi_extra=_form_spec(), responses=ACTION)
async def revoke_token(request: Request, user: BrowserPrincipalDep, token_id: int = TokenId):
    return await _team_action(request, user,
                              lambda s, me, f: accounts.revoke_team_token(s, _needs_team(me), token_id))
