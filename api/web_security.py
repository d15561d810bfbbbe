"""Browser-facing protections, applied to every response by one ASGI middleware:

- security headers: a Content-Security-Policy that allows only this origin's resources (and the
  pages' inline styles, and inline scripts carrying the response's nonce), no framing, no MIME sniffing, no referrer to other sites, a
  restrictive Permissions-Policy, and HSTS when AISC_PUBLIC_URL is https;
- the CSRF cookie (double-submit): an HTML answer to a GET from a browser without the
  ``aisc_csrf`` cookie sets one. Every page form carries the same value in its hidden ``csrf`` field
  (``csrf_token`` in the templates) and ``check_csrf`` refuses a POST whose field does not
  match the cookie. The cookie is SameSite=Strict and another site can neither read nor set it.

Both random values are made only when a response needs them: the nonce when a page asks for it
(``csp_nonce(request)`` in a template; a response that never asked gets the policy without a
nonce source, which allows no inline script), the CSRF value when a page asks for it or an HTML
answer goes out. A JSON answer (the polled status endpoint) costs no random bytes, only the
fixed headers."""
from __future__ import annotations

import secrets

from fastapi import Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send

CSRF_COOKIE, CSRF_FIELD, CSRF_HEADER = "aisc_csrf", "csrf", "x-csrf-token"
CSP = ("default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; script-src 'self'{nonce}; "
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
_NO_NONCE_CSP = CSP.format(nonce="")
_STATE_NONCE, _STATE_CSRF = "csp_nonce", "csrf"  # keys in the request's state (scope["state"])


def _cookie(scope: Scope) -> str | None:
    for name, value in scope.get("headers", ()):
        if name == b"cookie":
            for part in value.decode("latin-1").split(";"):
                k, _, v = part.strip().partition("=")
                if k == CSRF_COOKIE and v:
                    return v
    return None


def _fresh_csrf(scope: Scope) -> str | None:
    """The CSRF value this response sets as the cookie: only for a GET (or HEAD) from a browser
    without one (pages are GETs; a POST sets nothing). Made once per request, on first need."""
    state = scope.setdefault("state", {})
    fresh = state.get(_STATE_CSRF)
    if fresh is None and scope["method"] in ("GET", "HEAD") and _cookie(scope) is None:
        fresh = state[_STATE_CSRF] = secrets.token_urlsafe(24)
    return fresh


class WebSecurity:
    def __init__(self, app: ASGIApp, *, https: bool = False) -> None:
        self.app, self.https = app, https
        fixed = dict(HEADERS)
        if https:
            fixed["strict-transport-security"] = "max-age=31536000"
        self._fixed = [(k.encode("latin-1"), v.encode("latin-1")) for k, v in fixed.items()]
        self._no_nonce_csp = (b"content-security-policy", _NO_NONCE_CSP.encode("latin-1"))
        self._docs_csp = (b"content-security-policy", DOCS_CSP.encode("latin-1"))

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        state = scope.setdefault("state", {})

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                raw = message["headers"] = list(message.get("headers", ()))  # a copy, as MutableHeaders makes
                present = {k.lower() for k, _ in raw}
                raw.extend(kv for kv in self._fixed if kv[0] not in present)  # the route's own win
                if b"content-security-policy" not in present:
                    nonce = state.get(_STATE_NONCE)  # set only if a page asked for it (csp_nonce)
                    raw.append(self._docs_csp if scope["path"] in ("/docs", "/redoc") else
                               self._no_nonce_csp if nonce is None else
                               (b"content-security-policy", CSP.format(nonce=f" 'nonce-{nonce}'").encode("latin-1")))
                content_type = next((v for k, v in raw if k.lower() == b"content-type"), b"")
                if content_type.startswith(b"text/html"):
                    fresh = _fresh_csrf(scope)
                    if fresh:
                        secure = "; Secure" if self.https else ""
                        raw.append((b"set-cookie", f"{CSRF_COOKIE}={fresh}; Path=/; HttpOnly; "
                                                   f"SameSite=Strict{secure}".encode("latin-1")))
            await send(message)

        await self.app(scope, receive, send_with_headers)


def csp_nonce(request: Request) -> str:
    """The nonce for this page's inline scripts (``<script nonce="{{ csp_nonce(request) }}">``);
    the response's Content-Security-Policy allows scripts carrying it."""
    state = request.scope.setdefault("state", {})
    nonce = state.get(_STATE_NONCE)
    if nonce is None:
        nonce = state[_STATE_NONCE] = secrets.token_urlsafe(16)
    return nonce


def csrf_token(request: Request) -> str:
    """The value for a form's hidden ``csrf`` field (the cookie's, or the one being set)."""
    return request.cookies.get(CSRF_COOKIE) or _fresh_csrf(request.scope) or ""


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
