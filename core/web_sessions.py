"""Browser sign-in sessions (table ``web_sessions``).

Signing in with a team's (or organizer's) API token, or with a participant's e-mail and
password (``core.accounts``), creates a random session id; the browser keeps it in a cookie and
the server keeps only its sha256 (``core.tokens.hash_token``), tied to the signing-in API token
or user by a foreign key. A session lasts MAX_AGE, ends at sign-out, and ends when its API
token is revoked (checked through the join) or its token or user is deleted (ON DELETE CASCADE).
A user's session follows the user's team: joining a team shows at once. The id
has its own prefix and lives in its own table, so it is never accepted as an API token.

Sign-out sets ``revoked_at`` and pulls ``expires_at`` to that moment, so every row that can no
longer be used (except those of revoked API tokens, which expire within MAX_AGE) is found by
the indexed range ``expires_at <= now``: ``purge`` deletes them, on every sign-in and from the
reaper.
"""
from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import delete, false, func, or_, select, update
from sqlalchemy.orm import Session

from . import tokens
from .db import session_scope
from .models import ApiToken, Team, User, WebSession
from .timeutil import utcnow

PREFIX = "aiscweb_"  # differs from core.tokens.PREFIX ('aisc_'): never a valid API token
MAX_AGE = timedelta(hours=12)


@dataclass(frozen=True)
class SessionUser:
    role: str  # admin | team
    team_id: int | None
    team_name: str | None
    user_id: int | None = None  # set for a password sign-in
    user_name: str | None = None
    token_id: int | None = None  # set for an API-token sign-in (the audit log names it)
    token_label: str = ""


def purge(session: Session) -> int:
    """Delete the expired and signed-out sessions of every team; the number deleted."""
    return session.execute(delete(WebSession).where(WebSession.expires_at <= utcnow())).rowcount or 0


def purge_now() -> int:
    """``purge`` in its own transaction (the reaper calls this)."""
    with session_scope() as session:
        return purge(session)


def sign_in(session: Session, api_token: str) -> str | None:
    """A new session id for a valid, unrevoked API token; None if the token is not one.
    Unusable sessions (of every team) are purged on the way."""
    parent = tokens.lookup(session, api_token.strip())
    if parent is None:
        return None
    return _new(session, api_token_id=parent.id)


def sign_in_user(session: Session, user_id: int) -> str:
    """A new session id for a user whose password was checked (core.accounts.authenticate)."""
    return _new(session, user_id=user_id)


def _new(session: Session, **owner: int) -> str:
    purge(session)
    sid = PREFIX + secrets.token_urlsafe(32)
    now = utcnow()
    session.add(WebSession(session_hash=tokens.hash_token(sid), created_at=now, expires_at=now + MAX_AGE, **owner))
    session.flush()
    return sid


def resolve(session: Session, sid: str) -> SessionUser | None:
    """Who a session id belongs to, or None if it is unknown, signed out, expired, or its API
    token was revoked."""
    if not sid.startswith(PREFIX):
        return None
    team_id = func.coalesce(ApiToken.team_id, User.team_id)
    row = session.execute(
        select(func.coalesce(ApiToken.role, "team"), team_id, Team.name, User.id, User.name, ApiToken.id,
               func.coalesce(ApiToken.label, "")).select_from(WebSession)
        .outerjoin(ApiToken, ApiToken.id == WebSession.api_token_id)
        .outerjoin(User, User.id == WebSession.user_id)
        .outerjoin(Team, Team.id == team_id)
        .where(WebSession.session_hash == tokens.hash_token(sid), WebSession.revoked_at.is_(None),
               WebSession.expires_at > utcnow(),
               or_(ApiToken.revoked == false(), WebSession.user_id.is_not(None)))).first()
    return None if row is None else SessionUser(*row)


def sign_out(session: Session, sid: str) -> bool:
    """End the session; True if it was active."""
    if not sid.startswith(PREFIX):
        return False
    now = utcnow()
    done = session.execute(update(WebSession)
                           .where(WebSession.session_hash == tokens.hash_token(sid), WebSession.revoked_at.is_(None),
                                  WebSession.expires_at > now)
                           .values(revoked_at=now, expires_at=now))
    return bool(done.rowcount)
