"""Participant accounts: registration with an argon2-hashed password (``pwdlib``), password
sign-in, teams created and joined by participants with an invite code, and a team's own API
tokens (issued, listed and revoked by its members; a token is shown once and stored as sha256,
``core.tokens``).

Errors: ``names.Rejected`` (422) for a value that is refused, ``Conflict`` (409) for a state
that does not allow the action (e-mail taken, already in a team), ``NotFound`` (404)."""
from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache

from email_validator import EmailNotValidError, validate_email
from pwdlib import PasswordHash
from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from . import tokens
from .errors import Conflict, NotFound
from .models import ApiToken, Team, User
from .names import Rejected, clean_name, for_log

log = logging.getLogger(__name__)
PASSWORD_MIN, PASSWORD_MAX = 10, 256  # characters


@lru_cache(maxsize=1)
def _hasher() -> PasswordHash:
    return PasswordHash.recommended()  # argon2id with the library's parameters


def _email(value: str) -> str:
    try:
        return validate_email(value.strip(), check_deliverability=False).normalized.lower()
    except EmailNotValidError as e:
        raise Rejected(f"e-mail address: {e}") from None


def _password(value: str) -> str:
    if not PASSWORD_MIN <= len(value) <= PASSWORD_MAX:
        raise Rejected(f"the password must have {PASSWORD_MIN} to {PASSWORD_MAX} characters")
    return value


def register(session: Session, name: str, email: str, password: str) -> User:
    """A new user (no team yet). Conflict if the e-mail address is registered already."""
    name, email, password = clean_name(name, "your name"), _email(email), _password(password)
    if session.scalar(select(User.id).where(User.email == email)) is not None:
        raise Conflict("that e-mail address is registered already; sign in instead")
    user = User(name=name, email=email, password_hash=_hasher().hash(password))
    session.add(user)
    try:
        session.flush()
    except IntegrityError:  # registered concurrently
        raise Conflict("that e-mail address is registered already; sign in instead") from None
    log.info("registered user %d %s", user.id, for_log(name))
    return user


def authenticate(session: Session, email: str, password: str) -> User | None:
    """The user with this e-mail address and password, or None. A stored hash with outdated
    parameters is replaced."""
    try:
        email = _email(email)
    except Rejected:
        return None
    user = session.scalar(select(User).where(User.email == email))
    if user is None:
        _hasher().hash(password[:PASSWORD_MAX])  # the same work as a wrong password: no timing oracle
        return None
    ok, new_hash = _hasher().verify_and_update(password[:PASSWORD_MAX], user.password_hash)
    if ok and new_hash:
        user.password_hash = new_hash
    return user if ok else None


def find_by_email(session: Session, email: str) -> User | None:
    """The user registered with this e-mail address (normalized as at registration), or None
    (also for a malformed address)."""
    try:
        email = _email(email)
    except Rejected:
        return None
    return session.scalar(select(User).where(User.email == email))


def set_password(user: User, password: str) -> None:
    """Replace the user's password (argon2id hash; ``names.Rejected`` for a refused length)."""
    user.password_hash = _hasher().hash(_password(password))


def _no_team(user: User) -> None:
    if user.team_id is not None:
        raise Conflict("you are already in a team; a participant belongs to one team")


def create_team(session: Session, user: User, name: str) -> Team:
    """A participant's team with a fresh invite code; the user becomes its first member."""
    _no_team(user)
    name = clean_name(name, "the team name")
    if session.scalar(select(Team.id).where(Team.name == name)) is not None:
        raise Conflict(f"a team named {name!r} exists already; pick another name")
    team = Team(name=name, self_registered=True, invite_code=tokens.new_invite_code())
    session.add(team)
    try:
        session.flush()
    except IntegrityError:
        raise Conflict(f"a team named {name!r} exists already; pick another name") from None
    user.team_id = team.id
    log.info("user %d created team %d %s", user.id, team.id, for_log(name))
    return team


def join_team(session: Session, user: User, code: str) -> Team:
    """Join the team whose invite code this is; NotFound for an unknown code."""
    _no_team(user)
    code = code.strip()
    team = session.scalar(select(Team).where(Team.invite_code == code)) if code.startswith(tokens.INVITE_PREFIX) else None
    if team is None:
        raise NotFound("no team has that invite code; ask a member of the team for it (it starts with 'join_')")
    user.team_id = team.id
    log.info("user %d joined team %d", user.id, team.id)
    return team


def members(session: Session, team_id: int) -> list[User]:
    return list(session.scalars(select(User).where(User.team_id == team_id).order_by(User.id)))


@dataclass(frozen=True)
class TokenInfo:
    id: int
    label: str
    created_at: datetime
    revoked: bool


def team_tokens(session: Session, team_id: int) -> list[TokenInfo]:
    """The team's API tokens, newest first (never the token itself: only its hash is kept)."""
    rows = session.execute(select(ApiToken.id, ApiToken.label, ApiToken.created_at, ApiToken.revoked)
                           .where(ApiToken.team_id == team_id, ApiToken.role == "team")
                           .order_by(ApiToken.id.desc())).all()
    return [TokenInfo(*r) for r in rows]


def issue_team_token(session: Session, team_id: int, label: str) -> str:
    """A new API token of the team, returned once."""
    label = clean_name(label or "token", "the token label")
    team = session.get(Team, team_id)
    if team is None:
        raise NotFound("your team no longer exists")
    return tokens.issue_token(session, "team", team, label=label)


def revoke_team_token(session: Session, team_id: int, token_id: int) -> None:
    """Revoke one of the team's tokens (it stops working within AISC_TOKEN_CACHE_SECONDS)."""
    done = session.execute(update(ApiToken).where(ApiToken.id == token_id, ApiToken.team_id == team_id,
                                                  ApiToken.role == "team").values(revoked=True))
    if not done.rowcount:
        raise NotFound(f"token {token_id} is not one of your team's tokens")
