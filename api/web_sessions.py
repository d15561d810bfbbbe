"""Browser sign-in sessions, stored server-side as rows of ``api_tokens``.

Signing in with a team's (or organizer's) API token creates a fresh random session id; the
browser keeps it in an HttpOnly, SameSite=Strict cookie and the server keeps only its sha256
(``core.tokens.hash_token``), like any API token. The id has its own prefix, so it is not
accepted as a bearer token and cannot be used to sign in again; the row's label names the API
token it came from, so revoking that token also ends its browser sessions. Signing out revokes
the row; a session also ends MAX_AGE after it was created.
"""
from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from core import tokens
from core.models import ApiToken, Team
from core.timeutil import utcnow

COOKIE = "aisc_session"
PREFIX = "aiscweb_"  # differs from core.tokens.PREFIX ('aisc_'): never a valid API token
LABEL = "web session of token "  # + the id of the API token that signed in
MAX_AGE = timedelta(hours=12)


@dataclass(frozen=True)
class SessionUser:
    role: str  # admin | team
    team_id: int | None
    team_name: str | None


def sign_in(session: Session, api_token: str) -> str | None:
    """A new session id for a valid, unrevoked API token; None if the token is not one.
    Expired sessions of the same team are cleared on the way."""
    parent = tokens.lookup(session, api_token.strip())
    if parent is None:
        return None
    session.execute(delete(ApiToken).where(ApiToken.label.startswith(LABEL),
                                           ApiToken.created_at < utcnow() - MAX_AGE,
                                           ApiToken.team_id == parent.team_id))  # None: IS NULL
    sid = PREFIX + secrets.token_urlsafe(32)
    session.add(ApiToken(token_hash=tokens.hash_token(sid), role=parent.role, team_id=parent.team_id,
                         label=f"{LABEL}{parent.id}"))
    session.flush()
    return sid


def _row(session: Session, sid: str) -> ApiToken | None:
    if not sid.startswith(PREFIX):
        return None
    row = session.scalar(select(ApiToken).where(ApiToken.token_hash == tokens.hash_token(sid)))
    if row is None or row.revoked or not row.label.startswith(LABEL):
        return None
    return row


def resolve(session: Session, sid: str) -> SessionUser | None:
    """Who a session id belongs to, or None if it is unknown, signed out, expired, or its API
    token was revoked."""
    row = _row(session, sid)
    if row is None or row.created_at < utcnow() - MAX_AGE:
        return None
    parent_id = row.label.removeprefix(LABEL)
    parent = session.get(ApiToken, int(parent_id)) if parent_id.isdigit() else None
    if parent is None or parent.revoked:
        return None
    team = session.get(Team, row.team_id) if row.team_id else None
    return SessionUser(row.role, row.team_id, team.name if team else None)


def sign_out(session: Session, sid: str) -> None:
    row = _row(session, sid)
    if row is not None:
        row.revoked = True
        session.flush()
