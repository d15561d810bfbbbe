"""Notifications when a submission ends: the outbox written with the final state, drained by a
real Celery worker's beat into a real SMTP server (aiosmtpd) and real HTTP receivers, with
signed bodies, retries and backoff; a dead SMTP server or webhook never holds up a run."""
from __future__ import annotations

import hashlib
import hmac
import json
import time
import uuid

import httpx
import pytest
from notify_receivers import SmtpServer, WebhookReceiver, wait_for
from platform_helpers import auth, fake_bundle, load_competition, make_admin, make_team, phase_spec, upload, wait_state
from platform_procs import free_port, start_api, start_worker
from sqlalchemy import select

from core import webhooks
from core.db import session_scope
from core.models import Notification

TEAM_SECRET, ORG_SECRET = "team-secret-" + "x" * 20, "org-secret-" + "y" * 20


def notify_env(smtp_port: int, org_url: str) -> dict:
    return {"AISC_SMTP_HOST": "127.0.0.1", "AISC_SMTP_PORT": str(smtp_port), "AISC_SMTP_FROM": "scores@aisc.test",
            "AISC_SMTP_TIMEOUT_SECONDS": "2", "AISC_WEBHOOK_ALLOW_PRIVATE": "true",
            "AISC_WEBHOOK_TIMEOUT_SECONDS": "2", "AISC_NOTIFY_SECONDS": "0.3", "AISC_NOTIFY_BACKOFF_SECONDS": "0.2",
            "AISC_NOTIFY_MAX_ATTEMPTS": "30", "AISC_ORGANIZER_WEBHOOK_URLS": org_url,
            "AISC_ORGANIZER_WEBHOOK_SECRET": ORG_SECRET}


def rows(sub_id: int) -> dict[str, Notification]:
    with session_scope() as s:
        out = {n.channel: n for n in s.scalars(select(Notification).where(Notification.submission_id == sub_id))}
        s.expunge_all()
        return out


def verify(headers: dict, body: bytes, secret: str, max_age: float = 300) -> dict:
    """What a receiver does (the README's snippet)."""
    ts = headers["x-aisc-timestamp"]
    expected = "sha256=" + hmac.new(secret.encode(), ts.encode() + b"." + body, hashlib.sha256).hexdigest()
    assert hmac.compare_digest(expected, headers["x-aisc-signature"])
    assert abs(time.time() - int(ts)) < max_age
    return json.loads(body)


def setup_team(base: str, admin: str, webhook_url: str) -> tuple[str, int, str]:
    name = f"notified-{uuid.uuid4().hex[:6]}"
    token = make_team(name)
    team_id = httpx.get(f"{base}/api/v1/team/notifications", headers=auth(token)).json()["team_id"]
    email = f"{name}@example.org"
    r = httpx.put(f"{base}/api/v1/admin/teams/{team_id}/contact", json={"email": email}, headers=auth(admin))
    assert r.status_code == 200 and r.json()["contact_email"] == email, r.text
    r = httpx.put(f"{base}/api/v1/team/notifications", headers=auth(token),
                  json={"webhook_url": webhook_url, "webhook_secret": TEAM_SECRET})
    assert r.status_code == 200 and r.json()["webhook_secret_set"] and "secret" not in json.dumps(r.json()).replace(
        "webhook_secret_set", ""), r.text
    return token, team_id, email


def test_finished_run_mails_the_team_and_calls_signed_webhooks_with_retries(platform_env, procs):
    tmp = platform_env["tmp"]
    team_hook = WebhookReceiver(codes=(500, 500, 200))
    org_hook = WebhookReceiver()
    smtp = SmtpServer(free_port())
    try:
        env = notify_env(smtp.controller.port, org_hook.url)
        base = start_api(procs, tmp, fake=True, env=env)
        start_worker(procs, tmp, fake=True, beat=True, env=env)
        phase = load_competition(tmp, {"face": [phase_spec("notify", fake_bundle(tmp))]})["face/notify"]
        admin = make_admin()
        token, team_id, email = setup_team(base, admin, team_hook.url)

        sub = upload(base, token, phase, b"FAKE score=0.625").json()["id"]
        assert wait_state(base, token, sub)["state"] == "scored"
        wait_for(lambda: len(team_hook.calls) >= 3 and org_hook.calls and smtp.messages, what="all deliveries")
        time.sleep(0.5)
        assert len(team_hook.calls) == 3 and len(org_hook.calls) == 1 and len(smtp.messages) == 1

        bodies = [verify(h, b, TEAM_SECRET) for h, b in team_hook.calls]
        assert bodies[0] == bodies[2]  # the same event, retried
        event = bodies[2]
        assert (event["event"], event["submission_id"], event["team_id"], event["state"], event["score_total"]) == (
            "submission.finished", sub, team_id, "scored", 0.625)
        assert team_hook.calls[0][0]["x-aisc-event"] == "submission.finished"
        org_event = verify(*org_hook.calls[0], ORG_SECRET)
        assert org_event["submission_id"] == sub
        with pytest.raises(AssertionError):  # a wrong key does not verify
            verify(*org_hook.calls[0], TEAM_SECRET)

        (rcpt, msg), = smtp.messages
        assert rcpt == [email] and msg["From"] == "scores@aisc.test"
        assert msg["Subject"].startswith(f"[AISC] submission {sub} scored")
        assert "0.625" in msg.get_payload()

        got = rows(sub)
        assert set(got) == {"email", "team_webhook", "organizer_webhook"}
        assert [got["team_webhook"].status, got["team_webhook"].attempts, got["team_webhook"].last_error] == [
            "sent", 3, ""]
        assert got["email"].status == "sent" and got["email"].attempts == 1

        # a cancellation (in the API process) notifies too; the team sees it as such
        qid = upload(base, token, phase, b"FAKE sleep=30").json()["id"]
        wait_state(base, token, qid, states=("running",), timeout=30)
        assert httpx.post(f"{base}/api/v1/submissions/{qid}/cancel", headers=auth(token)).status_code == 200
        wait_for(lambda: any(json.loads(b)["submission_id"] == qid for _, b in org_hook.calls), what="cancel event")
        cancelled = [json.loads(b) for _, b in org_hook.calls if json.loads(b)["submission_id"] == qid]
        assert [c["state"] for c in cancelled] == ["cancelled"]
    finally:
        smtp.stop()
        team_hook.stop()
        org_hook.stop()


def test_runs_end_while_smtp_and_webhooks_are_down_and_everything_arrives_later(platform_env, procs):
    tmp = platform_env["tmp"]
    smtp_port, hook_port, org_port = free_port(), free_port(), free_port()
    env = notify_env(smtp_port, f"http://127.0.0.1:{org_port}/org")
    base = start_api(procs, tmp, fake=True, env=env)
    start_worker(procs, tmp, fake=True, beat=True, env=env)
    phase = load_competition(tmp, {"face": [phase_spec("down", fake_bundle(tmp))]})["face/down"]
    token, _, email = setup_team(base, make_admin(), f"http://127.0.0.1:{hook_port}/hook")

    scored = upload(base, token, phase, b"FAKE score=0.5").json()["id"]
    failed = upload(base, token, phase, b"FAKE fail=user").json()["id"]
    assert wait_state(base, token, scored, timeout=30)["state"] == "scored"  # nothing waits for the receivers
    assert wait_state(base, token, failed, timeout=30)["failure_class"] == "user"

    def retried() -> bool:
        got = [*rows(scored).values(), *rows(failed).values()]
        return len(got) == 6 and all(n.status == "pending" and n.attempts >= 2 and n.last_error for n in got)

    wait_for(retried, what="two failed tries of every delivery")
    assert "Connection" in rows(scored)["email"].last_error or "refused" in rows(scored)["email"].last_error.lower()

    smtp, hook, org = SmtpServer(smtp_port), WebhookReceiver(hook_port), WebhookReceiver(org_port)
    try:
        wait_for(lambda: all(n.status == "sent" for s in (scored, failed) for n in rows(s).values()), timeout=40,
                 what="deliveries once the receivers are up")
        assert sorted(verify(h, b, TEAM_SECRET)["state"] for h, b in hook.calls) == ["failed", "scored"]
        assert sorted(verify(h, b, ORG_SECRET)["submission_id"] for h, b in org.calls) == sorted([scored, failed])
        assert sorted(m["Subject"].split()[3] for _, m in smtp.messages) == ["failed/user", "scored"]
        assert all(rcpt == [email] for rcpt, _ in smtp.messages)
    finally:
        smtp.stop()
        hook.stop()
        org.stop()


def test_webhook_calls_are_signed_and_hostile_targets_refused():
    hook = WebhookReceiver(codes=(302, 200))
    try:
        with pytest.raises(webhooks.WebhookError, match="302.*not followed"):
            webhooks.post(hook.url, "k" * 16, b"{}", "e", timeout=2, allow_private=True)
        assert webhooks.post(hook.url, "k" * 16, b'{"a":1}', "e", timeout=2, allow_private=True) == 200
        headers, body = hook.calls[-1]
        assert body == b'{"a":1}' and verify(headers, body, "k" * 16) == {"a": 1}
        assert len(hook.calls) == 2  # the redirect was not followed
        with pytest.raises(webhooks.WebhookError, match="non-public address"):
            webhooks.post(hook.url, "k" * 16, b"{}", "e", timeout=2, allow_private=False)
    finally:
        hook.stop()
    assert webhooks.sign("key", 1700000000, b"{}") == "sha256=" + hmac.new(
        b"key", b"1700000000.{}", hashlib.sha256).hexdigest()
    for bad, why in [("ftp://x/y", "https://"), ("http://u:p@example.org/", "user name"),
                     ("http://exa mple.org/", "spaces"), ("http:///nohost", "no host"),
                     ("http://example.org:99999/", "cannot be parsed")]:
        with pytest.raises(ValueError, match=why):
            webhooks.check_url(bad)
    with pytest.raises(webhooks.WebhookError, match="non-public"):
        webhooks.check_address("169.254.169.254", 80, allow_private=False)  # cloud metadata


def test_outbox_follows_the_transaction_and_gives_up_after_max_attempts(platform_env, monkeypatch):
    """In-process against Postgres: a final state that rolls back leaves no outbox row; a
    delivery that keeps failing (here a loopback webhook, refused as non-public) ends ``dead``
    with its reason after AISC_NOTIFY_MAX_ATTEMPTS tries, and the submission stays scored."""
    from core import lifecycle
    from core.models import Submission, Team
    from core.settings import get_settings
    from core.timeutil import utcnow
    from workers.notify import drain_once

    tmp = platform_env["tmp"]
    pid = load_competition(tmp, {"face": [phase_spec("outbox", fake_bundle(tmp))]})["face/outbox"]
    for k, v in {"AISC_NOTIFY_MAX_ATTEMPTS": "2", "AISC_NOTIFY_BACKOFF_SECONDS": "0",
                 "AISC_WEBHOOK_ALLOW_PRIVATE": "false", "AISC_ORGANIZER_WEBHOOK_URLS": ""}.items():
        monkeypatch.setenv(k, v)
    get_settings.cache_clear()
    try:
        with session_scope() as s:
            team = Team(name=f"outbox-{pid}", webhook_url="http://127.0.0.1:9/hook", webhook_secret="s" * 16)
            s.add(team)
            s.flush()
            sub = Submission(phase_id=pid, team_id=team.id, state="running", attempts=1, filename="f",
                             artifact_key="k", size_bytes=1, sha256="0" * 64, quota_day=utcnow().strftime("%Y-%m-%d"))
            s.add(sub)
            s.flush()
            sub_id = sub.id
        with pytest.raises(RuntimeError), session_scope() as s:
            assert lifecycle.transition(s, sub_id, ("running",), "scored", attempt=1)
            raise RuntimeError("the scoring transaction failed after the move")
        assert rows(sub_id) == {}
        with session_scope() as s:
            assert lifecycle.transition(s, sub_id, ("running",), "scored", attempt=1)
        assert set(rows(sub_id)) == {"team_webhook"}
        assert drain_once()["pending"] >= 1
        first = rows(sub_id)["team_webhook"]
        assert (first.status, first.attempts) == ("pending", 1) and "non-public address" in first.last_error
        drain_once()
        dead = rows(sub_id)["team_webhook"]
        assert (dead.status, dead.attempts) == ("dead", 2) and "non-public address" in dead.last_error
        drain_once()
        assert rows(sub_id)["team_webhook"].attempts == 2  # a dead row is not tried again
        with session_scope() as s:
            assert s.get(Submission, sub_id).state == "scored"
    finally:
        monkeypatch.undo()
        get_settings.cache_clear()


def test_a_failing_outbox_write_never_fails_the_final_state(platform_env, monkeypatch):
    """Unit test of the savepoint in core.notifications._write_outbox (the failure is forced)."""
    from sqlalchemy.exc import OperationalError

    from core import lifecycle, notifications
    from core.models import Submission, Team
    from core.timeutil import utcnow

    tmp = platform_env["tmp"]
    pid = load_competition(tmp, {"face": [phase_spec("savepoint", fake_bundle(tmp))]})["face/savepoint"]
    with session_scope() as s:
        team = Team(name=f"savepoint-{pid}", webhook_url="https://example.org/hook", webhook_secret="s" * 16)
        s.add(team)
        s.flush()
        sub = Submission(phase_id=pid, team_id=team.id, state="running", attempts=1, filename="f", artifact_key="k",
                         size_bytes=1, sha256="0" * 64, quota_day=utcnow().strftime("%Y-%m-%d"))
        s.add(sub)
        s.flush()
        sub_id = sub.id

    def broken(session, submission_id):
        session.execute(select(Notification.id).where(Notification.id == -1))  # the savepoint is in use
        raise OperationalError("INSERT INTO notifications", {}, Exception("disk full"))

    monkeypatch.setattr(notifications, "enqueue", broken)
    with session_scope() as s:
        assert lifecycle.transition(s, sub_id, ("running",), "scored", attempt=1)
    with session_scope() as s:
        assert s.get(Submission, sub_id).state == "scored"
    assert rows(sub_id) == {}
