"""Browser sign-in: ``GET/POST /login`` takes a team's API token in a form and sets a session
cookie (HttpOnly, SameSite=Strict; the server keeps only the session id's hash, see
core.web_sessions); ``POST /logout`` ends the session. State changes are POST-only and refuse
cross-origin requests and forms without the CSRF field (api.web_security)."""
from __future__ import annotations

from urllib.parse import urlsplit

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse
from starlette.concurrency import run_in_threadpool

from core import rate_limits, web_sessions
from core.db import session_scope
from core.settings import get_settings

from ..deps import COOKIE, BrowserPrincipalDep
from ..errors import errors
from ..web_security import check_csrf, csrf_token
from .web import html_error, templates

router = APIRouter(tags=["pages"])
HOME = "/submissions"
BAD_PASSWORD = "Wrong e-mail address or password. Check both, or register if you have no account yet."
BAD_TOKEN = ("That API token was not recognised: it is not a token of any team, or it has been revoked. "
             "Paste the whole token the organizers gave your team (it starts with 'aisc_').")


def safe_next(value: str | None) -> str:
    """Only local paths: never an open redirect to another site."""
    if value and value.startswith("/") and not value.startswith("//") and "\\" not in value:
        return value
    return HOME


def same_origin(request: Request) -> bool:
    """A browser sends Origin with every POST; refuse it when it names another site."""
    origin = request.headers.get("origin")
    return origin is None or urlsplit(origin).netloc == request.headers.get("host")


async def checked_form(request: Request) -> dict[str, str] | None:
    """The posted form's text fields, or None when it fails the origin or CSRF check."""
    if not same_origin(request):
        return None
    form = await request.form()
    if not check_csrf(request, form):
        return None
    return {k: v for k, v in form.items() if isinstance(v, str)}


def _sign_in(token: str) -> str | None:
    with session_scope() as session:
        return web_sessions.sign_in(session, token)


def _sign_out(sid: str) -> None:
    with session_scope() as session:
        web_sessions.sign_out(session, sid)


def _form(request: Request, user, next_url: str, error: str | None = None, status: int = 200):
    return templates.TemplateResponse(request, "login.html", status_code=status, context={
        "user": user, "next": next_url, "error": error, "csrf": csrf_token(request)})


def set_session_cookie(request: Request, response, sid: str):
    """``response`` with the browser session cookie (HttpOnly, SameSite=Strict, Secure on https)."""
    secure = request.url.scheme == "https" or get_settings().public_url.startswith("https:")
    response.set_cookie(COOKIE, sid, max_age=int(web_sessions.MAX_AGE.total_seconds()),
                        path="/", httponly=True, samesite="strict", secure=secure)
    return response


def refused_form(request: Request, user=None, page: str = "the page on this server"):
    """403 for a form that fails ``checked_form`` (another site's, or without its CSRF field)."""
    return templates.TemplateResponse(request, "message.html", status_code=403, context={
        "user": user, "title": "Request refused",
        "text": "This form was posted from another site, or without its security field. "
                f"Open {page} again and resubmit the form."})


def _cross_site(request: Request):
    return refused_form(request, page="the sign-in page of this server")


SIGNED_IN = {303: {"description": "Signed in: the session cookie is set; a redirect to `next`.",
                   "headers": {"Location": {"schema": {"type": "string"}},
                               "Set-Cookie": {"schema": {"type": "string"}}}}}
CROSS_SITE = html_error(403, "The form was posted from another site (Origin names another host), or its csrf "
                             "field does not match the aisc_csrf cookie (reload the page).")
LOGIN_FORM = {"requestBody": {"required": True, "content": {"application/x-www-form-urlencoded": {"schema": {
    "type": "object", "required": ["token", "csrf"],
    "properties": {"token": {"type": "string", "description": "the team's API token"},
                   "csrf": {"type": "string", "description": "the value of the aisc_csrf cookie (api.web_security)"},
                   "next": {"type": "string", "description": "a local path to go to afterwards"}}}}}}}


@router.get("/login", response_class=HTMLResponse, responses=errors())
def login_form(request: Request, user: BrowserPrincipalDep, next: str = HOME):
    return _form(request, user, safe_next(next))


@router.post("/login", status_code=303, response_class=RedirectResponse, openapi_extra=LOGIN_FORM, responses={
    **SIGNED_IN, **html_error(400, "No token in the form (the form again, with the reason)."),
    **html_error(401, "The token was not recognised (the form again, with the reason)."),
    **html_error(429, "Too many sign-in attempts from this address (AISC_RATE_LIMIT_SIGNIN); wait."), **CROSS_SITE})
async def login(request: Request):
    form = await request.form()
    if not same_origin(request) or not check_csrf(request, form):
        return _cross_site(request)
    token, next_url = str(form.get("token") or "").strip(), safe_next(str(form.get("next") or ""))
    if not token:
        return _form(request, None, next_url, "Paste your team's API token into the field, then sign in.", 400)
    try:
        await run_in_threadpool(rate_limits.check, "signin", request.client.host if request.client else "")
    except rate_limits.RateLimited as e:
        return _form(request, None, next_url, str(e), 429)
    sid = await run_in_threadpool(_sign_in, token)
    if sid is None:
        return _form(request, None, next_url, BAD_TOKEN, 401)
    return set_session_cookie(request, RedirectResponse(next_url, status_code=303), sid)


LOGOUT_FORM = {"requestBody": {"required": True, "content": {"application/x-www-form-urlencoded": {"schema": {
    "type": "object", "required": ["csrf"], "properties": {
        "csrf": {"type": "string", "description": "the value of the aisc_csrf cookie (api.web_security)"}}}}}}}


@router.post("/logout", status_code=303, response_class=RedirectResponse, openapi_extra=LOGOUT_FORM, responses={
    303: {"description": "Signed out (the session ends on the server too); a redirect to /login.",
          "headers": {"Location": {"schema": {"type": "string"}}}}, **CROSS_SITE})
async def logout(request: Request):
    if not same_origin(request) or not check_csrf(request, await request.form()):
        return _cross_site(request)
    sid = request.cookies.get(COOKIE)
    if sid:
        await run_in_threadpool(_sign_out, sid)
    response = RedirectResponse("/login", status_code=303)
    response.delete_cookie(COOKIE, path="/", httponly=True, samesite="strict")
    return response
