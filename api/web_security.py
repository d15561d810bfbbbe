"""Browser-facing protections, applied to every response by one ASGI middleware:

- security headers: a Content-Security-Policy that allows only this origin's resources (and the
  pages' inline styles, and inline scripts carrying the response's nonce), no framing, no MIME sniffing, no referrer to other sites, a
  restrictive Permissions-Policy, and HSTS when AISC_PUBLIC_URL is https;
- the CSRF cookie (double-submit): an HTML answer to a GET from a browser without the
  ``aisc_csrf`` cookie sets one. Every page form carries the same value in its hidden ``csrf`` field
  (``csrf_token`` in the templates) and ``check_csrf`` refuses a POST whose field does not
  match the cookie. The cookie is SameSite=Strict and another site can neither read nor set it."""
from __future__ import annotations

import secrets

from fastapi import Request
from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

CSRF_COOKIE, CSRF_FIELD, CSRF_HEADER = "aisc_csrf", "csrf", "x-csrf-token"
CSP = ("default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; script-src 'self' 'nonce-{nonce}'; "
       "object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'")
# /docs and /redoc: their scripts and styles come from this server (fastapi-offline, DOCS_STATIC);
# the pages start them with an inline script, and ReDoc runs its renderer in a blob: worker
DOCS_CSP = ("default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; "
            "script-src 'self' 'unsafe-inline'; worker-src 'self' blob:; object-src 'none'; frame-ancestors 'none'")
DOCS_STATIC = "/static-docs"
HEADERS = {
    "x-content-type-options": "nosniff",
    "x-frame-options": "DENY",
    "referrer-policy": "same-origin",
    "permissions-policy": "camera=(), microphone=(), geolocation=(), payment=()",
    "cross-origin-opener-policy": "same-origin",
}


def _cookie(scope: Scope) -> str | None:
    for name, value in scope.get("headers", ()):
        if name == b"cookie":
            for part in value.decode("latin-1").split(";"):
                k, _, v = part.strip().partition("=")
                if k == CSRF_COOKIE and v:
                    return v
    return None


class WebSecurity:
    def __init__(self, app: ASGIApp, *, https: bool = False) -> None:
        self.app, self.https = app, https

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        state = scope.setdefault("state", {})
        state["csp_nonce"] = nonce = secrets.token_urlsafe(16)  # request.state.csp_nonce: a page's inline scripts
        fresh = None
        if scope["method"] in ("GET", "HEAD") and _cookie(scope) is None:  # pages are GETs; a POST sets nothing
            fresh = state["csrf"] = secrets.token_urlsafe(24)  # request.state.csrf: the value the page embeds
        docs = scope["path"] in ("/docs", "/redoc")

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                for k, v in HEADERS.items():
                    headers.setdefault(k, v)
                headers.setdefault("content-security-policy", DOCS_CSP if docs else CSP.format(nonce=nonce))
                if self.https:
                    headers.setdefault("strict-transport-security", "max-age=31536000")
                if fresh and headers.get("content-type", "").startswith("text/html"):
                    secure = "; Secure" if self.https else ""
                    headers.append("set-cookie", f"{CSRF_COOKIE}={fresh}; Path=/; HttpOnly; SameSite=Strict{secure}")
            await send(message)

        await self.app(scope, receive, send_with_headers)


def csrf_token(request: Request) -> str:
    """The value for a form's hidden ``csrf`` field (the cookie's, or the one being set)."""
    return request.cookies.get(CSRF_COOKIE) or getattr(request.state, "csrf", "")


def check_csrf(request: Request, form) -> bool:
    """True if the form's ``csrf`` field matches the browser's CSRF cookie."""
    cookie, field = request.cookies.get(CSRF_COOKIE), form.get(CSRF_FIELD)
    return bool(cookie) and isinstance(field, str) and secrets.compare_digest(cookie.encode(), field.encode())


def check_csrf_header(request: Request) -> bool:
    """True if the request's ``X-CSRF-Token`` header matches the CSRF cookie: a page's script
    (api/static/upload.js) reads the value from the page; another site can neither read it nor
    send that header cross-origin without a CORS preflight this server never grants."""
    cookie, header = request.cookies.get(CSRF_COOKIE), request.headers.get(CSRF_HEADER)
    return bool(cookie) and bool(header) and secrets.compare_digest(cookie.encode(), header.encode())
