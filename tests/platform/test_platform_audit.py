"""The organizers' audit log: every organizer action through the API writes one row (who, what,
when, on what, details), a refused action writes none, and organizers page through the log."""
from __future__ import annotations

import uuid

import httpx
import yaml
from platform_helpers import auth, fake_bundle, load_competition, make_admin, make_team, phase_spec, upload, wait_state
from platform_procs import start_api, start_worker

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
