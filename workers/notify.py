"""Drain the notification outbox (``core.notifications``): deliver every due row once, with a
timeout per call. Run by the beat every ``AISC_NOTIFY_SECONDS`` on the ``notify`` queue; a
failure is recorded on the row (retried with backoff, then ``dead``), never raised, so nothing
here can touch a submission's run."""
from __future__ import annotations

import json
import logging

from core import mail, notifications, webhooks
from core.db import session_factory
from core.settings import get_settings

log = logging.getLogger(__name__)


def _subject_and_body(p: dict) -> tuple[str, str]:
    outcome = p["state"] + (f"/{p['failure_class']}" if p.get("failure_class") else "")
    subject = f"[AISC] submission {p['submission_id']} {outcome} ({p['track']}/{p['phase']})"
    lines = [f"Team {p['team']}: submission {p['submission_id']} in {p['track']}/{p['phase']} ended: {outcome}."]
    if p.get("score_total") is not None:
        lines.append(f"Score: {p['score_total']:.6g}")
    if p.get("message"):
        lines.append(f"Message: {p['message']}")
    lines.append(f"Details: {p['url']}")
    return subject, "\n".join(lines) + "\n"


def deliver(d: notifications.Delivery) -> str | None:
    """Send one delivery; returns None on success, else the error (for the row)."""
    settings = get_settings()
    try:
        if d.channel == notifications.EMAIL:
            if not settings.smtp_host:
                return "AISC_SMTP_HOST is not set on this worker"
            mail.send(settings, d.target, *_subject_and_body(d.payload))
        else:
            if not d.secret:
                return "no webhook secret (the team changed or removed its webhook, or AISC_ORGANIZER_WEBHOOK_SECRET is unset)"
            body = json.dumps(d.payload, sort_keys=True, separators=(",", ":")).encode()
            webhooks.post(d.target, d.secret, body, notifications.EVENT, timeout=settings.webhook_timeout_seconds,
                          allow_private=settings.webhook_allow_private)
    except (mail.MailError, webhooks.WebhookError) as e:
        return str(e)
    except Exception as e:  # noqa: BLE001 - a delivery must never escape as a task failure
        log.exception("notification %s failed unexpectedly", d.id)
        return f"{type(e).__name__}: {e}"[:500]
    return None


def drain_once(limit: int = 50) -> dict[str, int]:
    """Deliver up to ``limit`` due rows; returns counts by outcome (sent, pending, dead)."""
    make_session = session_factory()
    counts = {"sent": 0, "pending": 0, "dead": 0}
    for d in notifications.claim_due(make_session, limit):
        error = deliver(d)
        status = notifications.settle(make_session, d, error)
        counts[status] += 1
        if error:
            log.warning("notification %s (%s, try %d) failed: %s -> %s", d.id, d.channel, d.attempt, error, status)
    return counts
