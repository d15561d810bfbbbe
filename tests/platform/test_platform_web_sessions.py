"""Browser sessions in their own table (core.web_sessions), on the real API process and Postgres:
a session is not an API token, it dies with its API token (revoked or deleted), sign-out ends
it, unusable rows are purged; and the leaderboard page of a private phase shows a signed-in team
that its own entry is on it, with no rank or score, until the reveal."""
from __future__ import annotations

import re
import uuid
from datetime import timedelta

import httpx
from sqlalchemy import delete, func, select

from core import web_sessions
from core.db import session_scope
from core.models import ApiToken, WebSession
from core.timeutil import utcnow
from core.tokens import hash_token
from platform_helpers import auth, form_post, fake_bundle, load_competition, make_admin, make_team, phase_spec, upload, wait_state
from platform_procs import start_api, start_worker


def sign_in(base: str, token: str) -> str:
    r = form_post(f"{base}/login", {"token": token, "next": "/submissions"}, timeout=30)
    assert r.status_code == 303, r.text
    return r.cookies["aisc_session"]


def signed_in(base: str, sid: str) -> bool:
    r = httpx.get(f"{base}/submissions", cookies={"aisc_session": sid}, timeout=30)
    assert r.status_code in (200, 303), r.text
    return r.status_code == 200


def token_id(token: str) -> int:
    with session_scope() as s:
        return s.scalar(select(ApiToken.id).where(ApiToken.token_hash == hash_token(token)))


def session_row(sid: str) -> WebSession | None:
    with session_scope() as s:
        return s.scalar(select(WebSession).where(WebSession.session_hash == hash_token(sid)))


def add_session(api_token_id: int, created_ago: timedelta, expires_in: timedelta, revoked: bool = False) -> int:
    now = utcnow()
    with session_scope() as s:
        row = WebSession(session_hash=hash_token(uuid.uuid4().hex), api_token_id=api_token_id,
                         created_at=now - created_ago, expires_at=now + expires_in,
                         revoked_at=now if revoked else None)
        s.add(row)
        s.flush()
        return row.id


def existing(ids: list[int]) -> set[int]:
    with session_scope() as s:
        return set(s.scalars(select(WebSession.id).where(WebSession.id.in_(ids))))


def test_sessions_are_not_api_tokens_and_end_with_their_token(platform_env, procs):
    base = start_api(procs, platform_env["tmp"], fake=True)
    token = make_team(f"sess-{uuid.uuid4().hex[:6]}")
    with session_scope() as s:
        tokens_before = s.scalar(select(func.count()).select_from(ApiToken))
    sid = sign_in(base, token)
    with session_scope() as s:
        assert s.scalar(select(func.count()).select_from(ApiToken)) == tokens_before  # no row in api_tokens
        assert s.scalar(select(ApiToken.id).where(ApiToken.token_hash == hash_token(sid))) is None
    row = session_row(sid)
    assert row is not None and row.api_token_id == token_id(token) and row.revoked_at is None
    assert row.expires_at - row.created_at == web_sessions.MAX_AGE and sid not in row.session_hash
    assert signed_in(base, sid)

    bearer = httpx.get(f"{base}/api/v1/submissions", headers=auth(sid), timeout=30)
    assert bearer.status_code == 401 and "invalid or revoked API token" in bearer.text
    assert form_post(f"{base}/login", {"token": sid}, timeout=30).status_code == 401  # no sign-in with it
    assert httpx.get(f"{base}/api/v1/submissions", headers=auth(token), timeout=30).status_code == 200

    out = form_post(f"{base}/logout", {}, cookies={"aisc_session": sid}, timeout=30)  # sign-out revokes the row
    assert out.status_code == 303 and not signed_in(base, sid)
    row = session_row(sid)
    assert row.revoked_at is not None and row.expires_at <= utcnow()

    again = sign_in(base, token)  # revoking the API token ends its sessions (through the join)
    assert signed_in(base, again)
    with session_scope() as s:
        s.execute(ApiToken.__table__.update().where(ApiToken.id == token_id(token)).values(revoked=True))
    assert not signed_in(base, again)
    assert session_row(again) is not None  # still there until it expires; purged after that

    other = make_team(f"sess-del-{uuid.uuid4().hex[:6]}")  # deleting the API token deletes them (FK cascade)
    first, second = sign_in(base, other), sign_in(base, other)
    assert signed_in(base, first) and signed_in(base, second)
    with session_scope() as s:
        s.execute(delete(ApiToken).where(ApiToken.id == token_id(other)))
    assert session_row(first) is None and session_row(second) is None
    assert not signed_in(base, first)


def test_unusable_sessions_of_every_team_are_purged_on_sign_in_and_by_the_reaper(platform_env, procs):
    base = start_api(procs, platform_env["tmp"], fake=True)
    a, b = make_team(f"purge-a-{uuid.uuid4().hex[:6]}"), make_team(f"purge-b-{uuid.uuid4().hex[:6]}")
    ta, tb = token_id(a), token_id(b)
    hour = timedelta(hours=1)
    expired = add_session(ta, created_ago=13 * hour, expires_in=-hour)
    signed_out = add_session(ta, created_ago=hour, expires_in=-timedelta(seconds=1), revoked=True)
    live_a = add_session(ta, created_ago=hour, expires_in=11 * hour)
    live_b = add_session(tb, created_ago=2 * hour, expires_in=10 * hour)
    sid = sign_in(base, b)  # team b signs in: team a's dead rows go too
    assert existing([expired, signed_out, live_a, live_b]) == {live_a, live_b}
    assert session_row(sid) is not None

    late = add_session(tb, created_ago=13 * hour, expires_in=-hour)
    assert web_sessions.purge_now() >= 1  # what the reaper task runs
    assert existing([late, live_a, live_b]) == {live_a, live_b}


def team_cells(html: str) -> list[str]:
    return re.findall(r'<td class="team"[^>]*>(.*?)</td>', html)


def test_private_leaderboard_page_shows_a_signed_in_team_its_own_row_only(platform_env, procs):
    tmp = platform_env["tmp"]
    base = start_api(procs, tmp, fake=True)
    start_worker(procs, tmp, fake=True)
    slug = f"priv-{uuid.uuid4().hex[:6]}"
    pid = load_competition(tmp, {"face": [phase_spec("priv", fake_bundle(tmp), leaderboard="private")]},
                           slug=slug)["face/priv"]
    tag = uuid.uuid4().hex[:6]
    names = {"a": f"priv-a-{tag}", "b": f"priv-b-{tag}", "none": f"priv-none-{tag}"}
    tokens = {k: make_team(n) for k, n in names.items()}
    subs = {}
    for key, score in (("a", "0.7"), ("b", "0.4")):
        subs[key] = upload(base, tokens[key], pid, f"FAKE score={score}".encode()).json()["id"]
        assert wait_state(base, tokens[key], subs[key])["state"] == "scored"
    page = f"{base}/leaderboard/{pid}"

    anon = httpx.get(page, timeout=30).text
    assert 'id="hidden"' in anon and team_cells(anon) == []
    for key in ("a", "b"):
        html = httpx.get(page, cookies={"aisc_session": sign_in(base, tokens[key])}, timeout=30).text
        assert team_cells(html) == [f'<a href="/submissions/{subs[key]}">{names[key]}</a>'], html
        # its entry, but no global rank and no score before the reveal (the status page hides it too)
        assert re.search(r'<td class="rank"[^>]*>–</td>', html) and re.search(r'<td class="total"[^>]*>hidden</td>', html)
        assert 'id="private-own"' in html and "0.7" not in html and "0.4" not in html
        assert names["b" if key == "a" else "a"] not in html
    html = httpx.get(page, cookies={"aisc_session": sign_in(base, tokens["none"])}, timeout=30).text
    assert team_cells(html) == [] and "no scored submission in this phase" in html
    html = httpx.get(page, cookies={"aisc_session": sign_in(base, make_admin())}, timeout=30).text
    assert len(team_cells(html)) == 2 and 'id="private-organizer"' in html

    reveal = httpx.post(f"{base}/api/v1/admin/phases/{pid}/reveal", json={"revealed": True},
                        headers=auth(make_admin()), timeout=30)
    assert reveal.status_code == 200, reveal.text
    html = httpx.get(page, cookies={"aisc_session": sign_in(base, tokens["b"])}, timeout=30).text
    assert [re.sub(r"<.*?>", "", c) for c in team_cells(html)] == [names["a"], names["b"]]
    assert "private" not in html.split('id="title"')[1].split("<table")[0]


def test_migration_0003_deletes_the_old_session_rows_from_api_tokens():
    """Before 0003, sessions were api_tokens rows labelled 'web session of token <id>'; the
    upgrade removes them (those users sign in again) and keeps every real token."""
    from sqlalchemy import create_engine, inspect, text

    from core.migrate import downgrade, upgrade
    from platform_db import create_database, drop_database

    name = f"aisc_mig3_{uuid.uuid4().hex[:10]}"
    url = create_database(name)
    try:
        upgrade(url, "0002")
        eng = create_engine(url)
        with eng.begin() as conn:
            for i, label in enumerate(("organizer", "web session of token 1", "t initial token")):
                conn.execute(text("INSERT INTO api_tokens (token_hash, role, team_id, label, created_at, revoked) "
                                  "VALUES (:h, 'admin', NULL, :label, now(), false)"), {"h": f"{i:064d}", "label": label})
        upgrade(url)
        with eng.connect() as conn:
            labels = sorted(conn.execute(text("SELECT label FROM api_tokens")).scalars())
        assert labels == ["organizer", "t initial token"]
        downgrade(url, "0002")
        assert "web_sessions" not in inspect(eng).get_table_names()
        eng.dispose()
    finally:
        drop_database(name)
