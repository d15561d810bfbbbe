"""A team's own notification settings (team token): read them, set or clear its webhook.
The contact e-mail is set by an organizer (PUT /api/v1/admin/teams/{id}/contact)."""
from __future__ import annotations

from fastapi import APIRouter
from pydantic import BaseModel, Field

from core import team_contact
from core.errors import ErrorKind, Forbidden

from .. import schemas
from ..deps import Principal, PrincipalDep, SessionDep
from ..errors import errors

K = ErrorKind
router = APIRouter(prefix="/api/v1/team", tags=["teams"], responses=errors(K.UNAUTHORIZED, K.FORBIDDEN))


class WebhookIn(BaseModel):
    webhook_url: str | None = Field(default=None, max_length=2000,
                                    description="https://... called when a submission ends; null or \"\" clears it")
    webhook_secret: str | None = Field(default=None, max_length=200,
                                       description="16..200 printable characters: the HMAC-SHA256 key")


def _team_id(principal: Principal) -> int:
    if principal.team_id is None:
        raise Forbidden("this endpoint is for a team's token; organizers set contact e-mails with "
                        "PUT /api/v1/admin/teams/{team_id}/contact")
    return principal.team_id


@router.get("/notifications", response_model=schemas.TeamNotifications, responses=errors(validated=False))
def get_notifications(session: SessionDep, principal: PrincipalDep) -> dict:
    """Where this team's "submission finished" notifications go (the secret is never shown)."""
    return team_contact.view(team_contact.get_team(session, _team_id(principal)))


@router.put("/notifications", response_model=schemas.TeamNotifications, responses=errors(K.INVALID))
def set_notifications(body: WebhookIn, session: SessionDep, principal: PrincipalDep) -> dict:
    """Set the team's webhook URL and signing secret, or clear both with an empty URL
    (400 says what is wrong with a URL or secret)."""
    team = team_contact.set_webhook(session, _team_id(principal), body.webhook_url, body.webhook_secret)
    session.commit()
    return team_contact.view(team)
