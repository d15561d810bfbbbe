"""Where a team's notifications go: its contact e-mail (set by an organizer) and its webhook URL
and secret (set by the team). Read by ``core.notifications`` when a submission ends."""
from __future__ import annotations

from typing import Any

from email_validator import EmailNotValidError, validate_email
from sqlalchemy.orm import Session

from . import webhooks
from .errors import NotFound, PlatformError
from .models import Team

SECRET_MIN, SECRET_MAX = 16, 200


def view(team: Team) -> dict[str, Any]:
    """``{team_id, team, contact_email, webhook_url, webhook_secret_set}`` (the secret is never shown)."""
    return {"team_id": team.id, "team": team.name, "contact_email": team.contact_email,
            "webhook_url": team.webhook_url, "webhook_secret_set": bool(team.webhook_secret)}


def get_team(session: Session, team_id: int) -> Team:
    team = session.get(Team, team_id)
    if team is None:
        raise NotFound(f"team {team_id} not found")
    return team


def set_contact_email(session: Session, team_id: int, email: str | None) -> Team:
    """Set (or, with None or "", clear) the team's contact e-mail. Raises PlatformError (400)
    for an address that is not valid, saying why."""
    team = get_team(session, team_id)
    if email:
        try:
            email = validate_email(email, check_deliverability=False).normalized
        except (EmailNotValidError, ValueError) as e:
            raise PlatformError(f"contact e-mail {email[:100]!r} is not valid: {e}") from None
    team.contact_email = email or None
    return team


def set_webhook(session: Session, team_id: int, url: str | None, secret: str | None) -> Team:
    """Set the team's webhook (``url`` http(s), ``secret`` 16..200 printable ASCII characters,
    the HMAC key), or clear it with ``url`` None or "". Raises PlatformError (400) saying what is
    wrong. Private-network targets are refused at delivery (``core.webhooks``), not here."""
    team = get_team(session, team_id)
    if not url:
        team.webhook_url = team.webhook_secret = None
        return team
    try:
        webhooks.check_url(url)
    except ValueError as e:
        raise PlatformError(str(e)) from None
    if not secret or not SECRET_MIN <= len(secret) <= SECRET_MAX or not all(33 <= ord(c) < 127 for c in secret):
        raise PlatformError(f"webhook_secret must be {SECRET_MIN}..{SECRET_MAX} printable ASCII characters "
                            "without spaces (e.g. the output of `openssl rand -hex 32`)")
    team.webhook_url, team.webhook_secret = url, secret
    return team
