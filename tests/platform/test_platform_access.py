"""Roles and ownership on every endpoint; tokens are stored hashed."""
from __future__ import annotations

import hashlib
import uuid

import httpx
import pytest
from sqlalchemy import select, text

from core.db import session_scope
from core.models import ApiToken
from platform_helpers import (auth, form_post, fake_bundle, load_competition, make_admin, make_team, phase_spec, upload,
                              wait_state)
from platform_procs import start_api, start_worker


@pytest.fixture
def two_teams(platform_env, procs):
    tmp = platform_env["tmp"]
    base = start_api(procs, tmp, fake=True)
    start_worker(procs, tmp, fake=True)
    phases = load_competition(tmp, {"face": [
        phase_spec("open", fake_bundle(tmp)),
        phase_spec("hidden", fake_bundle(tmp), leaderboard="private", show_logs=False,
                   opens="2099-01-02T00:00:00Z", closes="2099-02-01T00:00:00Z")]})
    tag = uuid.uuid4().hex[:6]
    names = (f"owner-{tag}", f"intruder-{tag}")
    owner, intruder = make_team(names[0]), make_team(names[1])
    sub = upload(base, owner, phases["face/open"], b"FAKE score=0.9").json()["id"]
    wait_state(base, owner, sub)
    return base, phases, owner, intruder, sub, names


def test_other_team_cannot_touch_a_submission(two_teams):
    base, phases, owner, intruder, sub, names = two_teams
    h = auth(intruder)
    for method, path in [("GET", f"/api/v1/submissions/{sub}"), ("GET", f"/api/v1/submissions/{sub}/logs"),
                         ("GET", f"/api/v1/submissions/{sub}/artifacts/overview"),
                         ("POST", f"/api/v1/submissions/{sub}/cancel")]:
        r = httpx.request(method, base + path, headers=h)
        assert r.status_code == 404, (path, r.status_code, r.text)
        assert "0.9" not in r.text and names[0] not in r.text
    assert httpx.get(f"{base}/api/v1/submissions", headers=h).json() == []
    assert httpx.get(f"{base}/api/v1/submissions/{sub}", headers=auth(owner)).status_code == 200


def test_team_tokens_cannot_use_admin_endpoints(two_teams):
    base, phases, owner, _, sub, names = two_teams
    pid = phases["face/open"]
    admin_calls = [("POST", "/api/v1/admin/teams", {"json": {"name": "x"}}),
                   ("POST", "/api/v1/admin/competitions", {"content": "slug: x"}),
                   ("GET", "/api/v1/admin/submissions", {}),
                   ("POST", f"/api/v1/admin/submissions/{sub}/rescore", {}),
                   ("POST", f"/api/v1/admin/phases/{pid}/rescore", {}),
                   ("POST", f"/api/v1/admin/phases/{pid}/carry-over?from_phase={pid}", {}),
                   ("POST", f"/api/v1/admin/submissions/{sub}/disqualify", {"json": {"reason": "x"}}),
                   ("POST", f"/api/v1/admin/submissions/{sub}/subjective", {"json": {"value": 1}}),
                   ("POST", f"/api/v1/admin/submissions/{sub}/cancel", {}),
                   ("POST", f"/api/v1/admin/phases/{pid}/reveal", {"json": {"revealed": True}}),
                   ("GET", f"/api/v1/admin/phases/{pid}/export.csv", {})]
    for method, path, kw in admin_calls:
        r = httpx.request(method, base + path, headers=auth(owner), **kw)
        assert r.status_code == 403 and "organizers" in r.json()["detail"], (path, r.status_code, r.text)
        r = httpx.request(method, base + path, **kw)
        assert r.status_code == 401, (path, r.status_code)
    bogus = httpx.get(f"{base}/api/v1/submissions", headers=auth("aisc_not-a-real-token"))
    assert bogus.status_code == 401 and "invalid or revoked" in bogus.json()["detail"]
    admin = make_admin()
    assert httpx.get(f"{base}/api/v1/admin/submissions", headers=auth(admin)).status_code == 200


def test_private_leaderboard_shows_only_own_row_until_revealed(two_teams, platform_env):
    base, phases, owner, intruder, _, names = two_teams
    from core.db import session_scope as scope
    from core.models import Phase

    pid = phases["face/hidden"]
    with scope() as s:  # open the private phase now
        from core.timeutil import utcnow
        from datetime import timedelta

        ph = s.get(Phase, pid)
        ph.opens_at, ph.closes_at = utcnow() - timedelta(days=1), utcnow() + timedelta(days=1)
    a = upload(base, owner, pid, b"FAKE score=0.8").json()["id"]
    b = upload(base, intruder, pid, b"FAKE score=0.3").json()["id"]
    sa, sb = wait_state(base, owner, a), wait_state(base, intruder, b)
    assert sa["state"] == sb["state"] == "scored" and sa["score"] is None  # private: no score shown yet
    assert httpx.get(f"{base}/api/v1/submissions/{a}/logs", headers=auth(owner)).status_code == 403
    assert httpx.get(f"{base}/api/v1/phases/{pid}/leaderboard").status_code == 403
    mine = httpx.get(f"{base}/api/v1/phases/{pid}/leaderboard", headers=auth(intruder)).json()
    assert [r["team"] for r in mine["rows"]] == [names[1]] and mine["complete"] is False
    # the second team learns nothing it may not see: no global rank (2 would say one team is
    # ahead), no total, no columns; the same as its status endpoint, which hides the score
    assert {k: mine["rows"][0][k] for k in ("rank", "total", "columns")} == {"rank": None, "total": None, "columns": None}
    assert mine["columns"] == [] and "team_id" not in mine["rows"][0]
    assert httpx.get(f"{base}/api/v1/submissions/{b}", headers=auth(intruder)).json()["score"] is None
    listed = httpx.get(f"{base}/api/v1/submissions", params={"phase_id": pid}, headers=auth(intruder)).json()
    assert [x["score"] for x in listed] == [None]
    assert httpx.get(f"{base}/api/v1/submissions/{b}/artifacts/samples", headers=auth(intruder)).status_code == 404
    session = form_post(f"{base}/login", {"token": intruder, "next": "/"}, follow_redirects=False).cookies
    page = httpx.get(f"{base}/submissions/{b}", cookies=session)
    assert page.status_code == 200 and "0.3000" not in page.text and 'class="rank"' not in page.text
    listing = httpx.get(f"{base}/submissions", cookies=session)
    assert listing.status_code == 200 and f"/submissions/{b}" in listing.text and "0.3000" not in listing.text
    admin = make_admin()
    full = httpx.get(f"{base}/api/v1/phases/{pid}/leaderboard", headers=auth(admin)).json()
    assert [r["team"] for r in full["rows"]] == list(names)
    assert httpx.post(f"{base}/api/v1/admin/phases/{pid}/reveal", json={"revealed": True},
                      headers=auth(admin)).json()["revealed"] is True
    public = httpx.get(f"{base}/api/v1/phases/{pid}/leaderboard").json()
    assert [(r["rank"], r["team"]) for r in public["rows"]] == [(1, names[0]), (2, names[1])]


def test_tokens_are_not_stored_in_clear(platform_env):
    token = make_team()
    with session_scope() as s:
        dump = " ".join(str(v) for row in s.execute(text("SELECT * FROM api_tokens")).all() for v in row)
        assert token not in dump and token[5:] not in dump
        assert s.scalar(select(ApiToken.id).where(
            ApiToken.token_hash == hashlib.sha256(token.encode()).hexdigest())) is not None


def test_admin_creates_teams_and_loads_competitions_over_rest(platform_env, procs):
    import yaml

    tmp = platform_env["tmp"]
    base = start_api(procs, tmp, fake=True)
    admin = make_admin()
    slug = f"rest-{uuid.uuid4().hex[:6]}"
    doc = yaml.safe_dump({"slug": slug, "title": "REST", "tracks": {"face": {"phases": [
        phase_spec("p", fake_bundle(tmp))]}}})
    h = {**auth(admin), "Content-Type": "application/yaml"}
    r = httpx.post(f"{base}/api/v1/admin/competitions", content=doc, headers=h)
    assert r.status_code == 200 and r.json()["notes"] == [f"created competition {slug}", "created phase face/p"]
    r = httpx.post(f"{base}/api/v1/admin/competitions", content=doc.replace("face:", "faces:"), headers=h)
    assert r.status_code == 422 and "unknown track 'faces'" in r.json()["detail"]
    r = httpx.post(f"{base}/api/v1/admin/teams", json={"name": f"rest-team-{slug}"}, headers=auth(admin))
    assert r.status_code == 201
    token = r.json()["token"]
    assert httpx.post(f"{base}/api/v1/admin/teams", json={"name": f"rest-team-{slug}"},
                      headers=auth(admin)).status_code == 409
    comps = httpx.get(f"{base}/api/v1/competitions").json()
    pid = next(p["id"] for c in comps if c["slug"] == slug for p in c["phases"])
    assert "bundle" not in next(p for c in comps for p in c["phases"] if p["id"] == pid)  # hidden paths stay hidden
    assert upload(base, token, pid, b"FAKE").status_code == 201


def test_listing_submissions_reads_a_page_in_one_statement(two_teams):
    """No N+1: the status of a whole page comes from one SQL statement, the same as one by one."""
    from sqlalchemy import event

    from core.status import fetch, fetch_many

    base, phases, owner, _, first, _ = two_teams
    ids = [first] + [upload(base, owner, phases["face/open"], f"FAKE score=0.{i}".encode()).json()["id"] for i in range(4)]
    listed = httpx.get(f"{base}/api/v1/submissions", headers=auth(owner)).json()
    assert [s["id"] for s in listed] == sorted(ids, reverse=True)
    with session_scope() as s:
        statements = []
        engine = s.get_bind()
        listener = lambda *args: statements.append(args[2])  # noqa: E731 - (conn, cursor, statement, ...)
        event.listen(engine, "before_cursor_execute", listener)
        try:
            page = fetch_many(s, ids[::-1], is_admin=False)
        finally:
            event.remove(engine, "before_cursor_execute", listener)
        assert len(statements) == 1, statements
        assert [p["id"] for p in page] == ids[::-1]
        for p in page:
            single = fetch(s, p["id"], is_admin=False)[1]
            assert {k: v for k, v in single.items() if k != "queue_position"} == \
                {k: v for k, v in p.items() if k != "queue_position"}
