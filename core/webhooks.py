"""Signed webhook calls. The target URL is hostile: only http(s), no credentials in it, no
redirects followed, a timeout per call, the response body never read, and (unless
``AISC_WEBHOOK_ALLOW_PRIVATE``) no loopback, private, link-local, multicast or reserved address.

Signature: ``X-AISC-Timestamp: <unix seconds>`` and
``X-AISC-Signature: sha256=<hex HMAC-SHA256(secret, "<timestamp>." + raw body)>``; a receiver
recomputes it over the raw body and refuses stale timestamps (replay).
"""
from __future__ import annotations

import hashlib
import hmac
import ipaddress
import socket
import time
from urllib.parse import urlsplit

import httpx

MAX_URL = 2000
SIGNATURE_HEADER, TIMESTAMP_HEADER, EVENT_HEADER = "X-AISC-Signature", "X-AISC-Timestamp", "X-AISC-Event"


class WebhookError(Exception):
    """The call failed or the URL is not allowed (the message says which)."""


def sign(secret: str, timestamp: int, body: bytes) -> str:
    """``sha256=<64 hex>``: HMAC-SHA256 with key ``secret`` over ``b"<timestamp>." + body``."""
    mac = hmac.new(secret.encode(), str(timestamp).encode() + b"." + body, hashlib.sha256)
    return "sha256=" + mac.hexdigest()


def check_url(url: str) -> str:
    """The URL's shape (at set time and before every call). Returns its host; raises ValueError
    with what is wrong."""
    if len(url) > MAX_URL:
        raise ValueError(f"the webhook URL is longer than {MAX_URL} characters")
    if any(ord(c) < 33 or ord(c) == 127 for c in url):
        raise ValueError("the webhook URL contains spaces or control characters")
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018 - raises on a bad port
    except ValueError as e:
        raise ValueError(f"the webhook URL cannot be parsed: {e}") from None
    if parts.scheme not in ("http", "https"):
        raise ValueError("the webhook URL must start with https:// (or http://)")
    if not parts.hostname:
        raise ValueError("the webhook URL has no host")
    if parts.username or parts.password:
        raise ValueError("the webhook URL must not carry a user name or password; use the secret")
    return parts.hostname


def check_address(host: str, port: int | None, allow_private: bool) -> None:
    """Resolve ``host``; raise WebhookError when it does not resolve or (unless
    ``allow_private``) any address is not a public unicast one. A name that resolves differently
    at connect time (DNS rebinding) is not caught here: put an egress proxy or firewall in front
    of the workers where that matters."""
    try:
        infos = socket.getaddrinfo(host, port or 443, proto=socket.IPPROTO_TCP)
    except (OSError, UnicodeError) as e:
        raise WebhookError(f"the webhook host {host!r} does not resolve: {e}") from None
    if allow_private:
        return
    for info in infos:
        addr = ipaddress.ip_address(info[4][0].split("%")[0])
        if not addr.is_global or addr.is_multicast:
            raise WebhookError(f"the webhook host {host!r} resolves to a non-public address ({addr}); "
                               "set AISC_WEBHOOK_ALLOW_PRIVATE=true to allow it")


def post(url: str, secret: str, body: bytes, event: str, *, timeout: float, allow_private: bool) -> int:
    """POST ``body`` (JSON) signed with ``secret``; returns the 2xx status. Raises WebhookError
    on a refused URL, a network error, a timeout or a non-2xx answer (a redirect is an error,
    never followed)."""
    try:
        host = check_url(url)
    except ValueError as e:
        raise WebhookError(str(e)) from None
    check_address(host, urlsplit(url).port, allow_private)
    ts = int(time.time())
    headers = {"Content-Type": "application/json", "User-Agent": "aisc-notify/1", TIMESTAMP_HEADER: str(ts),
               SIGNATURE_HEADER: sign(secret, ts, body), EVENT_HEADER: event}
    try:
        with httpx.Client(timeout=timeout, follow_redirects=False, trust_env=False) as client:
            with client.stream("POST", url, content=body, headers=headers) as resp:
                status = resp.status_code  # the body is never read
    except httpx.HTTPError as e:
        raise WebhookError(f"{type(e).__name__}: {e}"[:500]) from None
    if not 200 <= status < 300:
        raise WebhookError(f"the receiver answered HTTP {status}" + (" (redirects are not followed)"
                                                                      if 300 <= status < 400 else ""))
    return status
