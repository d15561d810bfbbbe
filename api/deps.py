"""Request dependencies: database session, the caller (from its bearer token), roles."""
from __future__ import annotations

from dataclasses import dataclass
import time
from typing import Annotated, AsyncIterator

from fastapi import Depends, Path, Query, Request
from fastapi.security import HTTPBearer
from sqlalchemy.orm import Session
from starlette.concurrency import run_in_threadpool

from core import audit, tokens, web_sessions
from core.async_reads import Reads, ThreadReads
from core.db import read_session_factory, session_factory
from core.errors import Forbidden, NotFound, Unauthorized
from core.models import Submission
from core.settings import get_settings
from core.submissions import get_phase, load  # noqa: F401 - get_phase: used by the routes
from core.visibility import owns

from .web_security import check_csrf_header


READ_METHODS = frozenset({"GET", "HEAD"})  # no GET route writes: their sessions only read


async def get_session(request: Request) -> AsyncIterator[Session]:
    """A session per request. Creating one does no I/O, so this runs on the event loop; the
    (sync) routes that use it run in the thread pool. GET requests get a read session
    (``core.db.read_session_factory``: autocommit on Postgres, so closing it sends nothing and
    never blocks the event loop on a ROLLBACK round trip)."""
    session = (read_session_factory() if request.method in READ_METHODS else session_factory())()
    try:
        yield session
    finally:
        session.close()


SessionDep = Annotated[Session, Depends(get_session)]

_THREAD_READS = ThreadReads()


def reads(request: Request) -> Reads:
    """Where the hot ``async`` GET routes (the polled status) run their one statement: on the
    event loop through the pool the app's lifespan opened on Postgres (``core.async_reads``),
    else in a worker thread. Called by the route, not a dependency: solving one costs CPU."""
    return getattr(request.app.state, "reads", None) or _THREAD_READS


# Row ids are 32-bit database integers: a larger number names no row (and made Postgres fail).
ID_MAX = 2**31 - 1
PhaseId = Annotated[int, Path(ge=1, le=ID_MAX, description="a phase id (GET /api/v1/competitions lists them)")]
SubmissionId = Annotated[int, Path(ge=1, le=ID_MAX)]
PhaseFilter = Annotated[int | None, Query(ge=1, le=ID_MAX, description="only this phase's submissions")]


@dataclass(frozen=True)
class Principal:
    role: str  # admin | team
    team_id: int | None
    team_name: str | None
    user_id: int | None = None  # a participant signed in with a password (browser only)
    user_name: str | None = None
    token_id: int | None = None  # the API token used (None for a browser session)
    token_label: str = ""

    @property
    def actor(self) -> str:
        """How the audit log names this caller (``core.audit.actor_name``)."""
        return audit.actor_name(self.token_id, self.token_label) if self.token_id is not None else \
            f"{self.role} (browser session)"

    @property
    def is_admin(self) -> bool:
        return self.role == "admin"


class _BearerHeader(HTTPBearer):
    """Documents the bearer scheme in OpenAPI (the Authorize button of /docs) and hands the raw
    Authorization header to the checks below, which answer a malformed one with their own 401."""

    async def __call__(self, request: Request) -> str | None:  # type: ignore[override]
        return request.headers.get("authorization")


AuthorizationDep = Annotated[str | None, Depends(_BearerHeader(
    scheme_name="APIToken", auto_error=False,
    description="A team's or an organizer's API token: `Authorization: Bearer aisc_...`"))]


# token hash -> (expiry, principal). A process that has verified a token trusts it for
# AISC_TOKEN_CACHE_SECONDS (default 5; 0 checks the database on every request), so a revoked or
# deleted token stops working on every API process within that bound (README, "Teams and tokens").
# Invalid tokens are never cached. Only the event loop touches this dict.
_CACHE: dict[str, tuple[float, Principal]] = {}
CACHE_MAX = 10000
INVALID = "invalid or revoked API token; ask the organizers for a new one"


def _lookup(key: str) -> Principal | None:
    with read_session_factory()() as session:
        found = tokens.holder(session, key)
        if found is None:
            return None
        role, team_id, team_name, token_id, label = found  # by name: Principal's 4th field is user_id
        return Principal(role, team_id, team_name, token_id=token_id, token_label=label or "")


async def _principal(authorization: str | None) -> Principal | None:
    if not authorization:
        return None
    scheme, _, token = authorization.partition(" ")
    token = token.strip()
    if scheme.lower() != "bearer" or not token:
        raise Unauthorized("Authorization header must be 'Bearer <token>'")
    if not token.startswith(tokens.PREFIX):
        raise Unauthorized(INVALID)
    key, now = tokens.hash_token(token), time.monotonic()
    hit = _CACHE.get(key)
    if hit is not None and hit[0] > now:
        return hit[1]
    principal = await run_in_threadpool(_lookup, key)
    if principal is None:
        _CACHE.pop(key, None)
        raise Unauthorized(INVALID)
    ttl = get_settings().token_cache_seconds
    if ttl > 0:
        if len(_CACHE) >= CACHE_MAX:
            _CACHE.clear()
        _CACHE[key] = (now + ttl, principal)
    return principal


async def current_principal(authorization: AuthorizationDep) -> Principal:
    p = await _principal(authorization)
    if p is None:
        raise Unauthorized("missing API token: send 'Authorization: Bearer <token>'")
    return p


async def optional_principal(authorization: AuthorizationDep) -> Principal | None:
    return await _principal(authorization)


PrincipalDep = Annotated[Principal, Depends(current_principal)]
OptionalPrincipalDep = Annotated[Principal | None, Depends(optional_principal)]


COOKIE = "aisc_session"  # the browser session id (core.web_sessions), set by POST /login


def _session_lookup(sid: str) -> Principal | None:
    with read_session_factory()() as session:
        user = web_sessions.resolve(session, sid)
        return None if user is None else Principal(user.role, user.team_id, user.team_name, user.user_id,
                                                   user.user_name)


async def browser_principal(request: Request) -> Principal | None:
    """The signed-in browser user (session cookie set by POST /login), if any. Only GET routes
    accept the cookie: the session cookie is SameSite=Strict, and state changes stay POST-only.
    Not cached: sign-out and revocation end a browser session at once."""
    sid = request.cookies.get(COOKIE)
    return await run_in_threadpool(_session_lookup, sid) if sid else None


async def bearer_or_cookie_principal(request: Request, authorization: AuthorizationDep) -> Principal:
    p = await _principal(authorization) or await browser_principal(request)
    if p is None:
        raise Unauthorized("not signed in: send 'Authorization: Bearer <token>' or sign in at /login")
    return p


BrowserPrincipalDep = Annotated[Principal | None, Depends(browser_principal)]
ReaderDep = Annotated[Principal, Depends(bearer_or_cookie_principal)]  # GET routes a browser may open


async def require_admin(principal: PrincipalDep) -> Principal:
    if not principal.is_admin:
        raise Forbidden("this endpoint is for organizers (admin token) only")
    return principal


AdminDep = Annotated[Principal, Depends(require_admin)]


async def require_team(principal: PrincipalDep) -> Principal:
    if principal.team_id is None:
        raise Forbidden("submissions are made with a team token, not an organizer token")
    return principal


TeamDep = Annotated[Principal, Depends(require_team)]


async def team_uploader(request: Request, authorization: AuthorizationDep) -> Principal:
    """A team's bearer token, or a signed-in browser whose request carries the page's CSRF token
    in ``X-CSRF-Token`` (the phase page's upload form): the session cookie alone never makes a
    POST, so another site cannot submit in a team's name."""
    p = await _principal(authorization)
    if p is None:
        p = await browser_principal(request)
        if p is None:
            raise Unauthorized("not signed in: send 'Authorization: Bearer <token>' or sign in at /login")
        if not check_csrf_header(request):
            raise Forbidden("a browser upload must carry the page's CSRF token in the X-CSRF-Token header; "
                            "reload the phase page and try again")
    if p.team_id is None:
        raise Forbidden("submissions are made with a team token, not an organizer token")
    return p


UploaderDep = Annotated[Principal, Depends(team_uploader)]  # POST .../submissions: token, or cookie + CSRF header


def owned_submission(session: Session, principal: Principal, submission_id: int) -> Submission:
    """The submission, if the caller may see it. Other teams' submissions look absent."""
    sub = load(session, submission_id)
    if sub is None or not owns(principal.is_admin, principal.team_id, sub.team_id):
        raise NotFound(f"submission {submission_id} not found among your team's submissions")
    return sub
