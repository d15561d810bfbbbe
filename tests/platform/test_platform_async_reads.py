"""The polled status read on the event loop (core.async_reads): on Postgres it returns what the
SQLAlchemy path returns, value for value; a connection the server dropped is retried; an
unreachable database is a 503-kind error, not a crash; and a live API process reads through it."""
from __future__ import annotations

import asyncio
import uuid
from datetime import datetime, timedelta

import httpx
import pytest
from sqlalchemy import create_engine, select, text, update

from core.async_reads import APPLICATION_NAME, PoolReads, ThreadReads, for_database
from core.db import get_engine, read_connection, session_scope
from core.errors import Unavailable
from core.models import ApiToken, Phase, QuotaCounter, Score, Submission, Team
from core.status import _STATEMENT, _params, fetch, fetch_async
from core.tokens import hash_token
from platform_helpers import auth, fake_bundle, load_competition, make_team, phase_spec
from platform_procs import start_api

T0 = datetime(2026, 1, 1, 12, 0, 0, 123456)


def _sub(s, phase, team, state, minutes, **kw) -> Submission:
    sub = Submission(phase_id=phase.id, team_id=team.id, state=state, filename=f"{state}.png", artifact_key="k",
                     size_bytes=123, sha256="ab" * 32, quota_day="2026-01-01", created_at=T0 + timedelta(minutes=minutes),
                     queued_at=T0 + timedelta(minutes=minutes), queue="cpu", **kw)
    s.add(sub)
    s.flush()
    return sub


@pytest.fixture
def submissions(platform_env):
    """Submissions of every shape the status shows: queued (with a queue position), running with a
    progress, scored (JSON columns, floats, a None subjective) on a public and on a private phase,
    failed; and the quota counters."""
    tmp = platform_env["tmp"]
    ids = load_competition(tmp, {"face": [phase_spec("pub", fake_bundle(tmp), quota={"daily": 5, "total": 9},
                                                     closes="2090-01-01T00:00:00Z"),
                                          phase_spec("priv", fake_bundle(tmp), leaderboard="private",
                                                     opens="2090-01-02T00:00:00Z")]})
    with session_scope() as s:
        pub, priv = s.get(Phase, ids["face/pub"]), s.get(Phase, ids["face/priv"])
        team = Team(name=f"reads-{uuid.uuid4().hex[:6]}")
        s.add(team)
        s.flush()
        out = [_sub(s, pub, team, "queued", 1), _sub(s, pub, team, "queued", 2),
               _sub(s, pub, team, "running", 3, stage="scoring", progress=41.25, started_at=T0),
               _sub(s, pub, team, "failed", 4, failure_class="user", message="bad PNG: 3 channels expected")]
        for phase, minutes in ((pub, 5), (priv, 6)):
            sub = _sub(s, phase, team, "scored", minutes, finished_at=T0 + timedelta(hours=1))
            sc = Score(submission_id=sub.id, scorer_version="v1", total=0.8125, scorer_score=0.8125, subjective=None,
                       columns={"model:arcface": 0.75, "n": 3}, messages=["one note"], artifacts={"grid.png": "k/g"},
                       created_at=T0)
            s.add(sc)
            s.flush()
            sub.score_id, sub.score_total, sub.score_version = sc.id, 0.8125, "v1"
            out.append(sub)
        s.add(QuotaCounter(team_id=team.id, phase_id=pub.id, period="total", used=4))
        s.flush()
        ids = [sub.id for sub in out]
    return ids  # committed: the pool's connections see them


def test_pool_reads_equal_sqlalchemy_reads(submissions):
    async def both():
        pool = for_database()
        assert isinstance(pool, PoolReads)
        await pool.open()
        try:
            out = []
            for sid in [*submissions, 2**31 - 1]:
                row = await pool.one(_STATEMENT, _params(sid))
                with read_connection() as conn:
                    expected = conn.execute(_STATEMENT, _params(sid)).one_or_none()
                    expected_status = {a: fetch(conn, sid, is_admin=a) for a in (False, True)}
                out.append((row, expected))
                for is_admin in (False, True):
                    assert await fetch_async(pool, sid, is_admin=is_admin) == expected_status[is_admin]
                    assert await fetch_async(ThreadReads(), sid, is_admin=is_admin) == expected_status[is_admin]
            return out
        finally:
            await pool.close()

    pairs = asyncio.run(both())
    assert pairs[-1] == (None, None)  # no such submission
    for row, expected in pairs[:-1]:
        assert row is not None and expected is not None
        assert row._fields == tuple(expected._fields)
        assert tuple(row) == tuple(expected)  # same values...
        assert [type(v) for v in row] == [type(v) for v in expected]  # ...of the same types
    queued = dict(zip(pairs[0][0]._fields, pairs[0][0]))
    assert queued["queue_position"] >= 1 and queued["total_used"] == 4
    scored = dict(zip(pairs[4][0]._fields, pairs[4][0]))
    assert scored["columns"] == {"model:arcface": 0.75, "n": 3} and scored["created_at"] == T0 + timedelta(minutes=5)


def _pool_pids() -> set[int]:
    with get_engine().connect() as c:
        return set(c.scalars(text("SELECT pid FROM pg_stat_activity WHERE application_name = :a "
                                  "AND datname = current_database()"), {"a": APPLICATION_NAME}))


def test_a_dropped_connection_is_retried(submissions):
    sid = submissions[2]

    async def run():
        pool = for_database()
        await pool.open()
        try:
            first = await pool.one(_STATEMENT, _params(sid))
            before = _pool_pids()
            assert before, "the pool's connection is not in pg_stat_activity"
            with get_engine().connect() as c:  # as a Postgres restart or an idle timeout would
                for pid in before:
                    c.execute(text("SELECT pg_terminate_backend(:p)"), {"p": pid})
                c.commit()
            await asyncio.sleep(0.2)
            again = await pool.one(_STATEMENT, _params(sid))
            return first, again, before, _pool_pids()
        finally:
            await pool.close()

    first, again, before, after = asyncio.run(run())
    assert tuple(again) == tuple(first) and again.progress == 41.25
    assert after and not (after & before)  # read on a new connection


def test_an_unreachable_database_is_unavailable():
    engine = create_engine("postgresql+psycopg://nobody@127.0.0.1:1/none")  # nothing listens on port 1

    async def run():
        pool = PoolReads(engine, wait_seconds=1.0)
        await pool.open()
        try:
            await pool.one(_STATEMENT, _params(1))
        finally:
            await pool.close()

    with pytest.raises(Unavailable, match="cannot be reached"):
        asyncio.run(run())
    engine.dispose()


def test_the_api_process_reads_status_through_the_pool(platform_env, procs, submissions):
    """A real uvicorn process (its lifespan opens the pool): its answers equal the SQLAlchemy
    path's, and the reads come from its pool's connections."""
    base = start_api(procs, platform_env["tmp"], fake=True)
    token = make_team()
    with session_scope() as s:  # hand the fixture's submissions to this token's team
        team_id = s.scalar(select(ApiToken.team_id).where(ApiToken.token_hash == hash_token(token)))
        s.execute(update(Submission).where(Submission.id.in_(submissions)).values(team_id=team_id))
    for sid in submissions:
        r = httpx.get(f"{base}/api/v1/submissions/{sid}", headers=auth(token), timeout=10)
        assert r.status_code == 200, r.text
        with read_connection() as conn:
            _, expected = fetch(conn, sid, is_admin=False)
        assert r.json() == expected
    assert _pool_pids(), "no connection of the API's read pool in pg_stat_activity"
    r = httpx.get(f"{base}/api/v1/submissions/{2**31 - 1}", headers=auth(token), timeout=10)
    assert r.status_code == 404 and "not found among your team's submissions" in r.json()["detail"]
