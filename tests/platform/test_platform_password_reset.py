"""Password reset by e-mail against a real API process, Postgres, Redis and a real local SMTP
server (aiosmtpd): the link arrives for a registered address and nothing for an unknown one (the
page is the same), it sets a new argon2 password once, expires, and is rate limited like sign-in."""
from __future__ import annotations

import re
import uuid
from datetime import timedelta

import httpx
from notify_receivers import SmtpServer, wait_for
from platform_procs import free_port, start_api
from sqlalchemy import update

from core.db import session_scope
from core.models import PasswordReset, User
from core.timeutil import utcnow

PASSWORD, NEW = "correct horse battery", "a brand new passphrase"


def _csrf(c: httpx.Client, base: str, path: str) -> str:
    return re.search(r'name="csrf" value="([^"]+)"', c.get(base + path).text).group(1)


def _sign_in(base: str, email: str, password: str) -> int:
    with httpx.Client() as c:
        return c.post(base + "/login/password", data={"csrf": _csrf(c, base, "/login"), "email": email,
                                                      "password": password}).status_code


def _link(smtp: SmtpServer, email: str, count: int) -> str:
    wait_for(lambda: len([m for m in smtp.messages if m[0] == [email]]) >= count, what="the reset e-mail")
    rcpt, msg = [m for m in smtp.messages if m[0] == [email]][count - 1]
    body = msg.get_payload(decode=True).decode()
    link = re.search(r"http://aisc\.example(/reset/\S+)", body)
    assert link, body  # the link is on AISC_PUBLIC_URL
    return link.group(1)


def test_password_reset_by_email(platform_env, procs):
    tag = uuid.uuid4().hex[:6]
    smtp = SmtpServer(free_port())
    try:
        base = start_api(procs, platform_env["tmp"], fake=True, env={
            "AISC_SMTP_HOST": "127.0.0.1", "AISC_SMTP_PORT": str(smtp.controller.port),
            "AISC_SMTP_FROM": "accounts@aisc.test", "AISC_PUBLIC_URL": "http://aisc.example"})
        email = f"reset-{tag}@example.org"
        with httpx.Client() as c:
            r = c.post(base + "/register", data={"csrf": _csrf(c, base, "/register"), "name": "Forgetful",
                                                 "email": email, "password": PASSWORD})
            assert r.status_code == 303
            signed_in = c.get(base + "/team")
            assert signed_in.status_code == 200

            # the same answer for a registered and an unknown address; a mail only for the first
            csrf = _csrf(c, base, "/forgot")
            known = c.post(base + "/forgot", data={"csrf": csrf, "email": email.upper()})
            unknown = c.post(base + "/forgot", data={"csrf": csrf, "email": f"nobody-{tag}@example.org"})
            bad = c.post(base + "/forgot", data={"csrf": csrf, "email": "not an address"})
            assert known.status_code == unknown.status_code == bad.status_code == 200
            assert known.text.replace(email.upper(), "") == unknown.text.replace(f"nobody-{tag}@example.org", "")
            assert 'id="sent"' in known.text
            assert c.post(base + "/forgot", data={"email": email}).status_code == 403  # no CSRF field
            link = base + _link(smtp, email, 1)
            assert link.startswith(f"{base}/reset/reset_")
            assert not [m for m in smtp.messages if f"nobody-{tag}" in str(m[0])]

            # a refused password keeps the link; a good one sets it, once
            assert c.get(link).status_code == 200 and 'id="reset-form"' in c.get(link).text
            short = c.post(link, data={"csrf": csrf, "password": "short"})
            assert short.status_code == 422 and "10 to 256" in short.text
            done = c.post(link, data={"csrf": csrf, "password": NEW})
            assert done.status_code == 200 and "Password changed" in done.text
            again = c.post(link, data={"csrf": csrf, "password": "yet another passphrase"})
            assert again.status_code == 404 and "ask for a new one" in again.text
            assert c.get(link).status_code == 404
            assert c.get(base + "/team").status_code == 303  # the old browser session ended
        assert _sign_in(base, email, PASSWORD) == 401 and _sign_in(base, email, NEW) == 303
        with session_scope() as s:
            assert s.query(User).filter_by(email=email).one().password_hash.startswith("$argon2id$")

        # an expired link is refused; a forged or absurd token gets an answer, never a 500
        with httpx.Client() as c:
            c.post(base + "/forgot", data={"csrf": _csrf(c, base, "/forgot"), "email": email})
            expired = base + _link(smtp, email, 2)
            with session_scope() as s:
                user_id = s.query(User).filter_by(email=email).one().id
                s.execute(update(PasswordReset).where(PasswordReset.user_id == user_id, PasswordReset.used_at.is_(None))
                          .values(expires_at=utcnow() - timedelta(seconds=1)))
            csrf = _csrf(c, base, "/forgot")
            assert c.post(expired, data={"csrf": csrf, "password": "expired passphrase"}).status_code == 404
            for token in ("reset_forged", "x" * 5000, "%00", "reset_%2e%2e"):
                assert c.get(f"{base}/reset/{token}").status_code == 404
                assert c.post(f"{base}/reset/{token}", data={"csrf": csrf, "password": NEW}).status_code == 404
        assert _sign_in(base, email, NEW) == 303
    finally:
        smtp.stop()


def test_password_reset_is_rate_limited_like_sign_in(platform_env, procs):
    tag = uuid.uuid4().hex[:6]
    base = start_api(procs, platform_env["tmp"], fake=True, env={
        "AISC_RATE_LIMIT_SIGNIN": "3/minute", "AISC_BROKER_KEY_PREFIX": f"aisc-test-reset-{tag}:"})
    with httpx.Client() as c:
        csrf = _csrf(c, base, "/forgot")
        codes = [c.post(base + "/forgot", data={"csrf": csrf, "email": f"x-{tag}@example.org"}).status_code
                 for _ in range(3)]
        limited = c.post(base + "/forgot", data={"csrf": csrf, "email": f"x-{tag}@example.org"})
        assert codes == [200, 200, 200] and limited.status_code == 429 and "try again in" in limited.text
        assert c.post(f"{base}/reset/reset_x", data={"csrf": csrf, "password": NEW}).status_code == 429
        assert c.post(base + "/login/password", data={"csrf": csrf, "email": f"x-{tag}@example.org",
                                                      "password": NEW}).status_code == 429  # one counter
