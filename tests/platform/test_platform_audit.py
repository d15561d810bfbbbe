"""The organizers' audit log: every organizer action through the API writes one row (who, what,
when, on what, details), a refused action writes none, and organizers page through the log."""
from __future__ import annotations

import uuid

import httpx
import pytest
import yaml
from platform_helpers import auth, fake_bundle, load_competition, make_admin, make_team, phase_spec, upload, wait_state
from platform_procs import start_api, start_worker

from sqlalchemy import select

from core.db import session_scope
from core.models import ApiToken


def test_every_admin_action_writes_one_audit_row_and_the_api_pages_them(platform_env, procs):
    tmp = platform_env["tmp"]
    base = start_api(procs, tmp, fake=True, env={"AISC_REGRESS_QUEUE": "audit-test-unread"})
    start_worker(procs, tmp, fake=True)
    bundle = fake_bundle(tmp)
    phases = load_competition(tmp, {"face": [phase_spec("a1", bundle, closes="2098-01-01T00:00:00Z"),
                                             phase_spec("a2", bundle, opens="2098-01-01T00:00:00Z")]})
    p1, p2 = phases["face/a1"], phases["face/a2"]
    admin, team = make_admin(), make_team()
    with session_scope() as s:
        admin_id = max(t.id for t in s.query(ApiToken).filter_by(role="admin"))
    sub = upload(base, team, p1, b"FAKE score=0.3").json()["id"]
    assert wait_state(base, team, sub)["state"] == "scored"
    first = httpx.get(f"{base}/api/v1/admin/audit", params={"limit": 1}, headers=auth(admin)).json()
    start = first["items"][0]["id"] if first["items"] else 0

    def post(path, expect=200, **kw):
        r = httpx.post(f"{base}/api/v1/admin/{path}", headers={**auth(admin), **kw.pop("headers", {})}, timeout=30, **kw)
        assert r.status_code == expect, (path, r.text)
        return r.json()

    name = f"audited-{uuid.uuid4().hex[:6]}"
    new_team = post("teams", 201, json={"name": name})["team_id"]
    r = httpx.put(f"{base}/api/v1/admin/teams/{new_team}/contact", json={"email": "ops@example.org"},
                  headers=auth(admin))
    assert r.status_code == 200
    bad = httpx.put(f"{base}/api/v1/admin/teams/{new_team}/contact", json={"email": "no at sign"}, headers=auth(admin))
    assert bad.status_code == 400 and "not valid" in bad.json()["detail"]  # refused: no row
    post(f"submissions/{sub}/disqualify", json={"reason": "copied", "disqualified": True})
    post(f"submissions/{sub}/subjective", 409, json={"value": 0.5})  # weight 0: refused, no row
    post(f"submissions/{sub}/rescore")
    assert wait_state(base, team, sub)["state"] == "scored"
    post(f"phases/{p1}/rescore")
    long = upload(base, team, p1, b"FAKE sleep=30").json()["id"]
    post(f"submissions/{long}/cancel")
    post(f"phases/{p2}/carry-over", params={"from_phase": p1})
    post(f"phases/{p1}/reveal", json={"revealed": True})
    slug = f"audit-{uuid.uuid4().hex[:6]}"
    spec = yaml.safe_dump({"slug": slug, "title": "Audit", "tracks": {"face": {"phases": [phase_spec("x", bundle)]}}})
    post("competitions", content=spec, headers={"Content-Type": "application/yaml"})
    r = httpx.post(f"{base}/api/v1/admin/regression", headers=auth(admin))
    assert r.status_code in (200, 202)

    got = httpx.get(f"{base}/api/v1/admin/audit", params={"limit": 500}, headers=auth(admin)).json()
    mine = [e for e in got["items"] if e["id"] > start]
    expected = ["team.create", "team.contact", "submission.disqualify", "submission.rescore", "phase.rescore",
                "submission.cancel", "phase.carry_over", "phase.reveal", "competition.load",
                "regression.enqueue"]
    assert [e["action"] for e in reversed(mine)] == expected  # newest first, one row each
    by = {e["action"]: e for e in mine}
    assert all(e["actor"] == f"admin token {admin_id} (test)" and e["at"].endswith("Z") for e in mine)
    assert by["team.create"]["target"] == f"team {new_team}" and by["team.create"]["details"] == {"name": name}
    assert by["submission.disqualify"]["details"] == {"disqualified": True, "reason": "copied"}
    assert by["phase.carry_over"]["details"]["from_phase"] == p1 and by["submission.cancel"]["target"] == f"submission {long}"
    assert by["phase.reveal"]["target"] == f"phase {p1}" and by["competition.load"]["target"] == f"competition {slug}"

    page = httpx.get(f"{base}/api/v1/admin/audit", params={"limit": 2, "offset": 1}, headers=auth(admin)).json()
    assert page["total"] == got["total"] and [e["id"] for e in page["items"]] == [e["id"] for e in got["items"][1:3]]
    only = httpx.get(f"{base}/api/v1/admin/audit", params={"action": "phase.reveal"}, headers=auth(admin)).json()
    assert only["items"] and {e["action"] for e in only["items"]} == {"phase.reveal"}
    assert httpx.get(f"{base}/api/v1/admin/audit", headers=auth(team)).status_code == 403
    r = httpx.get(f"{base}/api/v1/admin/audit", params={"action": "x'; drop"}, headers=auth(admin))
    assert r.status_code == 422 and "action" in r.json()["detail"]


def test_cli_actions_are_audited(platform_env, capsys):
    from core.audit import page
    from core.manage import main

    name = f"cli-{uuid.uuid4().hex[:6]}"
    assert main(["create-team", name]) == 0
    assert main(["create-admin", "--label", "night shift"]) == 0
    assert main(["create-team", name]) == 2  # taken: refused, no row
    with session_scope() as s:
        items = page(s, limit=2)["items"]
    assert [(e["action"], e["actor"]) for e in items] == [("token.create", "cli"), ("team.create", "cli")]
    assert items[1]["details"] == {"name": name} and items[0]["details"] == {"label": "night shift"}
    assert "aisc_" in capsys.readouterr().out  # the tokens are still printed


def _crashing(make, seen: list):
    """A session factory whose commits crash after the action and its audit row were written
    (flushed) in the transaction; ``seen`` gets the newest audit row the transaction saw."""
    from sqlalchemy import event

    from core.models import AuditEntry

    def make_session():
        session = make()

        @event.listens_for(session, "before_commit")
        def crash(s):
            s.flush()
            newest = s.execute(select(AuditEntry.action, AuditEntry.target).order_by(AuditEntry.id.desc()).limit(1))
            seen.append(tuple(newest.first() or ()))
            raise RuntimeError("crash before the commit")
        return session
    return make_session


def _rows(target: str) -> list[str]:
    from core.models import AuditEntry

    with session_scope() as s:
        return list(s.scalars(select(AuditEntry.action).where(AuditEntry.target == target)))


def test_an_action_and_its_audit_row_commit_together_or_not_at_all(platform_env):
    """A crash after the audit row was added leaves neither the change nor the row (the row used
    to be written in a second transaction after the action's); a refused action writes none."""
    from core import admin_ops
    from core.db import session_factory
    from core.errors import Conflict
    from core.models import SCORED, Submission, Team

    bundle = fake_bundle(platform_env["tmp"])
    phases = load_competition(platform_env["tmp"], {"face": [
        phase_spec("x1", bundle, closes="2098-01-01T00:00:00Z"), phase_spec("x2", bundle, opens="2098-01-01T00:00:00Z")]})
    p1, p2, name = phases["face/x1"], phases["face/x2"], f"atomic-{uuid.uuid4().hex[:6]}"
    make_team(name)
    with session_scope() as s:
        team_id = s.scalar(select(Team.id).where(Team.name == name))
        sub = Submission(phase_id=p1, team_id=team_id, state=SCORED, filename="s.txt", artifact_key="none/s.txt",
                         size_bytes=1, sha256="0" * 64, quota_day="2020-01-01")
        s.add(sub)
        s.flush()
        sub_id = sub.id
    make, seen, actor = session_factory(), [], "admin token 0 (atomicity test)"

    with pytest.raises(RuntimeError, match="crash"):
        admin_ops.disqualify(_crashing(make, seen), sub_id, "copied", actor=actor)
    assert seen == [("submission.disqualify", f"submission {sub_id}")]  # the row was there before the crash
    with session_scope() as s:
        assert s.get(Submission, sub_id).disqualified is False
    assert _rows(f"submission {sub_id}") == []

    with pytest.raises(RuntimeError, match="crash"):
        admin_ops.carry_over(_crashing(make, seen), p1, p2, actor=actor)
    assert seen[-1] == ("phase.carry_over", f"phase {p2}")
    with session_scope() as s:
        assert s.scalars(select(Submission.id).where(Submission.phase_id == p2)).all() == []
    assert _rows(f"phase {p2}") == []

    # refused: no row
    with pytest.raises(Conflict):
        admin_ops.cancel(make, sub_id, organizer=actor)  # scored: nothing to cancel
    assert _rows(f"submission {sub_id}") == []

    # the same calls without the crash: the change and its one row
    queued = admin_ops.carry_over(make, p1, p2, actor=actor)
    admin_ops.disqualify(make, sub_id, "copied", actor=actor)
    with session_scope() as s:
        assert s.get(Submission, sub_id).disqualified is True
        carried = s.scalars(select(Submission).where(Submission.phase_id == p2)).all()
        assert [c.id for c in carried] == queued and carried[0].state == "queued"
    assert _rows(f"submission {sub_id}") == ["submission.disqualify"] and _rows(f"phase {p2}") == ["phase.carry_over"]


def test_api_enrollment_approve_is_audited(platform_env, procs):
    """POST .../enrollments/{team_id}/approve over HTTP writes ``enrollment.approve`` (who,
    what, when) like the console's approval; a refused approval writes none."""
    from core.enrollment import competition_by_slug, enroll
    from core.models import Team

    tmp, tag = platform_env["tmp"], uuid.uuid4().hex[:6]
    base = start_api(procs, tmp, fake=True, env={"AISC_TOKEN_CACHE_SECONDS": "0"})
    slug = f"approve-{tag}"
    load_competition(tmp, {"face": [phase_spec("p", fake_bundle(tmp))]}, slug=slug, registration={"policy": "approval"})
    name, admin = f"waiting-{tag}", make_admin()
    make_team(name)
    with session_scope() as s:
        comp_id, admin_id = competition_by_slug(s, slug).id, max(t.id for t in s.query(ApiToken).filter_by(role="admin"))
        team_id = s.scalar(select(Team.id).where(Team.name == name))
        assert enroll(s, team_id, comp_id, user_id=None, accept_terms=True).state == "pending"
    url = f"{base}/api/v1/admin/competitions/{slug}/enrollments"

    def approvals() -> list[dict]:
        r = httpx.get(f"{base}/api/v1/admin/audit", params={"action": "enrollment.approve", "limit": 500},
                      headers=auth(admin))
        return [e for e in r.json()["items"] if e["target"] == f"team {team_id}"]

    before = httpx.get(f"{base}/api/v1/admin/audit", params={"limit": 1}, headers=auth(admin)).json()["items"]
    r = httpx.post(f"{url}/{team_id}/approve", headers=auth(admin))
    assert r.status_code == 200 and r.json()["state"] == "approved"
    [row] = approvals()
    assert row["actor"] == f"admin token {admin_id} (test)" and row["at"].endswith("Z")
    assert row["at"] >= (before[0]["at"] if before else "")
    assert row["details"] == {"competition": comp_id, "slug": slug, "team": name}
    assert httpx.post(f"{url}/{team_id}/approve", headers=auth(admin)).status_code == 409  # approved already
    assert httpx.post(f"{url}/2147483000/approve", headers=auth(admin)).status_code == 404
    assert len(approvals()) == 1
