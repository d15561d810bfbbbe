"""Password reset by e-mail for registered participants (``/forgot``, ``/reset/{token}``).

``request`` makes a single-use link that expires after ``TTL`` (only the sha256 of its random
token is stored, ``password_resets``); ``deliver`` sends it over SMTP (``core.mail``, the
``AISC_SMTP_*`` settings). ``complete`` checks the token and sets the new argon2 password
(``core.accounts.set_password``); it also voids the user's other reset links and ends their
browser sessions. An unknown address gets no link and the same answer, so the page reveals
nothing about who is registered (the route looks the address up and sends the e-mail after
answering, so the answer's time does not depend on the address either)."""
from __future__ import annotations

import logging
import secrets
from datetime import timedelta

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from . import accounts, mail, tokens
from .errors import NotFound
from .models import PasswordReset, User, WebSession
from .settings import Settings
from .timeutil import utcnow

log = logging.getLogger(__name__)
TTL = timedelta(hours=1)
PREFIX = "reset_"
INVALID = "this password-reset link is unknown, used or expired; ask for a new one at /forgot"


def request(session: Session, email: str) -> tuple[str, str] | None:
    """(address, token) of a new reset link for the user with this e-mail, or None if no
    user has it. The token is returned once; only its hash is stored."""
    user = accounts.find_by_email(session, email)
    if user is None:
        return None
    token = PREFIX + secrets.token_urlsafe(32)
    now = utcnow()
    session.add(PasswordReset(user_id=user.id, token_hash=tokens.hash_token(token), created_at=now,
                              expires_at=now + TTL))
    session.flush()
    return user.email, token


def check(session: Session, token: str, *, lock: bool = False) -> PasswordReset:
    """The unused, unexpired reset of this token (``lock``: locked for an update); NotFound otherwise."""
    row = None
    if token.startswith(PREFIX) and len(token) <= 100:
        q = select(PasswordReset).where(PasswordReset.token_hash == tokens.hash_token(token))
        row = session.scalar(q.with_for_update() if lock else q)
    if row is None or row.used_at is not None or row.expires_at <= utcnow():
        raise NotFound(INVALID)
    return row


def complete(session: Session, token: str, password: str) -> User:
    """Set the new password through a valid link (NotFound: invalid link; ``names.Rejected``:
    refused password, the link stays usable). The link and the user's other links are used up
    and the user's browser sessions end."""
    row = check(session, token, lock=True)
    user = session.get(User, row.user_id)
    accounts.set_password(user, password)
    now = utcnow()
    session.execute(update(PasswordReset).where(PasswordReset.user_id == user.id, PasswordReset.used_at.is_(None))
                    .values(used_at=now))
    session.execute(update(WebSession).where(WebSession.user_id == user.id, WebSession.revoked_at.is_(None))
                    .values(revoked_at=now, expires_at=now))
    log.info("user %d reset their password", user.id)
    return user


def deliver(settings: Settings, to: str, token: str) -> None:
    """E-mail the link (``AISC_PUBLIC_URL``/reset/TOKEN); logs, never raises, when sending fails
    or no SMTP server is configured (the person asks again)."""
    if not settings.smtp_host:
        log.warning("password reset asked, but AISC_SMTP_HOST is not set: no e-mail sent")
        return
    link = f"{settings.public_url.rstrip('/')}/reset/{token}"
    body = (f"Someone (hopefully you) asked to reset the password of this account.\n\nOpen this link within "
            f"{int(TTL.total_seconds() // 60)} minutes to choose a new password (it works once):\n{link}\n\n"
            "If you did not ask, ignore this e-mail: your password stays as it is.\n")
    try:
        mail.send(settings, to, "Reset your AISC password", body)
    except mail.MailError as e:
        log.error("could not send a password-reset e-mail: %s", e)
