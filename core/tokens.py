"""API tokens: random, shown once, stored as sha256 (they carry 256 bits of entropy,
so a fast unsalted hash is enough and lets the lookup use an index)."""
from __future__ import annotations

import hashlib
import secrets

from sqlalchemy import false, select
from sqlalchemy.orm import Session

from .models import ApiToken, Team
from .names import clean_name

PREFIX = "aisc_"
INVITE_PREFIX = "join_"


def new_invite_code() -> str:
    """A fresh team invite code (``join_`` + 96 random bits): members join a team with it on
    ``/team`` (core.accounts.join_team), whoever created the team."""
    return INVITE_PREFIX + secrets.token_urlsafe(12)


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def issue_token(session: Session, role: str, team: Team | None = None, label: str = "") -> str:
    if role not in ("admin", "team"):
        raise ValueError(f"role must be 'admin' or 'team', got {role!r}")
    if role == "team" and team is None:
        raise ValueError("a team token needs a team")
    token = PREFIX + secrets.token_urlsafe(32)
    session.add(ApiToken(token_hash=hash_token(token), role=role, team_id=team.id if team else None,
                         label=label[:100]))  # the column's size (a long team name made the default label longer)
    session.flush()
    return token


def lookup(session: Session, token: str) -> ApiToken | None:
    if not token.startswith(PREFIX):
        return None
    row = session.scalar(select(ApiToken).where(ApiToken.token_hash == hash_token(token)))
    return None if row is None or row.revoked else row


def holder(session: Session, token_hash: str) -> tuple[str, int | None, str | None, int, str] | None:
    """(role, team id, team name, token id, token label) of the unrevoked token with this hash,
    in one statement (the API's per-request authentication: ``api.deps``); None if there is none."""
    row = session.execute(select(ApiToken.role, ApiToken.team_id, Team.name, ApiToken.id, ApiToken.label)
                          .outerjoin(Team, Team.id == ApiToken.team_id)
                          .where(ApiToken.token_hash == token_hash, ApiToken.revoked == false())).first()
    return None if row is None else tuple(row)


def create_team(session: Session, name: str) -> tuple[Team, str]:
    """An organizer-made team (not ``self_registered``: it submits anywhere) with its invite code
    (``team.invite_code``) and its first API token, returned once. ValueError when the name is
    refused (``names.Rejected``) or taken."""
    name = clean_name(name, "the team name")  # names.Rejected (a ValueError) says what is wrong
    if session.scalar(select(Team).where(Team.name == name)) is not None:
        raise ValueError(f"team {name!r} already exists; pick another name")
    team = Team(name=name, invite_code=new_invite_code())
    session.add(team)
    session.flush()
    return team, issue_token(session, "team", team, label=f"{name} initial token")
