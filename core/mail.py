"""E-mail over SMTP (settings ``AISC_SMTP_*``), with the standard library's client."""
from __future__ import annotations

import smtplib
import ssl
from email.message import EmailMessage

from .settings import Settings


class MailError(Exception):
    """Sending failed (server down, refused, timed out); the message says how."""


def send(settings: Settings, to: str, subject: str, body: str) -> None:
    """Send one plain-text message to ``to``. ``AISC_SMTP_TLS``: ``ssl`` (implicit TLS),
    ``starttls`` or ``none``; logs in when ``AISC_SMTP_USER`` is set. Raises MailError."""
    msg = EmailMessage()
    msg["From"], msg["To"], msg["Subject"] = settings.smtp_from, to, subject
    msg.set_content(body)
    try:
        if settings.smtp_tls == "ssl":
            client = smtplib.SMTP_SSL(settings.smtp_host, settings.smtp_port, timeout=settings.smtp_timeout_seconds,
                                      context=ssl.create_default_context())
        else:
            client = smtplib.SMTP(settings.smtp_host, settings.smtp_port, timeout=settings.smtp_timeout_seconds)
        with client:
            if settings.smtp_tls == "starttls":
                client.starttls(context=ssl.create_default_context())
            if settings.smtp_user:
                client.login(settings.smtp_user, settings.smtp_password)
            client.send_message(msg)
    except (OSError, smtplib.SMTPException) as e:
        raise MailError(f"{type(e).__name__}: {e}"[:500]) from None
