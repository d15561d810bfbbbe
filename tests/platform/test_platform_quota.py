"""20 concurrent uploads by one team with 5 left in its quota: exactly 5 accepted."""
from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import httpx
from sqlalchemy import func, select

from core.db import session_scope
from core.models import QuotaCounter, Submission, Team
from core.quotas import day_of
from core.timeutil import utcnow
from core.tokens import hash_token
from core.models import ApiToken
from platform_helpers import auth, fake_bundle, load_competition, make_team, phase_spec, upload
from platform_procs import start_api


def test_concurrent_uploads_respect_quota(platform_env, procs):
    tmp = platform_env["tmp"]
    base = start_api(procs, tmp, fake=True)
    # queue 'gpu' with no gpu worker here: accepted submissions just wait in the queue
    phase = load_competition(tmp, {"face": [phase_spec("quota", fake_bundle(tmp), queue="gpu",
                                                       quota={"daily": 25})]})["face/quota"]
    token = make_team()
    with session_scope() as s:
        team_id = s.scalar(select(ApiToken.team_id).where(ApiToken.token_hash == hash_token(token)))
        s.add(QuotaCounter(team_id=team_id, phase_id=phase, period=day_of(utcnow()), used=20))
    assert httpx.get(f"{base}/api/v1/phases/{phase}/quota", headers=auth(token)).json()["daily_left"] == 5
    with ThreadPoolExecutor(20) as pool:
        answers = list(pool.map(lambda i: upload(base, token, phase, f"FAKE score=0.{i}".encode()), range(20)))
    codes = sorted(r.status_code for r in answers)
    assert codes == [201] * 5 + [429] * 15, [(r.status_code, r.text[:200]) for r in answers]
    refused = [r.json()["detail"] for r in answers if r.status_code == 429]
    assert all("daily quota used up: 25 submissions per UTC day" in m and "resets at" in m for m in refused)
    with session_scope() as s:
        assert s.scalar(select(func.count()).select_from(Submission).where(
            Submission.phase_id == phase, Submission.team_id == team_id)) == 5
        assert s.scalar(select(QuotaCounter.used).where(QuotaCounter.team_id == team_id,
                                                        QuotaCounter.phase_id == phase)) == 25
    st = httpx.get(f"{base}/api/v1/submissions/{answers[[r.status_code for r in answers].index(201)].json()['id']}",
                   headers=auth(token)).json()
    assert st["state"] == "queued" and st["queue_position"] >= 1 and st["remaining_quota"]["daily_left"] == 0


def test_total_quota(platform_env, procs):
    tmp = platform_env["tmp"]
    base = start_api(procs, tmp, fake=True)
    phase = load_competition(tmp, {"face": [phase_spec("total", fake_bundle(tmp), queue="gpu",
                                                       quota={"daily": 10, "total": 2})]})["face/total"]
    token = make_team()
    codes = [upload(base, token, phase, b"FAKE").status_code for _ in range(3)]
    assert codes == [201, 201, 429]
    assert "phase quota used up: 2 submissions in total" in upload(base, token, phase, b"FAKE").json()["detail"]
    with session_scope() as s:  # the refused total did not leak a daily slot
        assert s.scalar(select(func.max(QuotaCounter.used)).where(QuotaCounter.phase_id == phase)) == 2
        assert s.scalar(select(func.count()).select_from(Team)) >= 1


def test_concurrent_retries_with_one_idempotency_key(platform_env, procs):
    tmp = platform_env["tmp"]
    base = start_api(procs, tmp, fake=True)
    phase = load_competition(tmp, {"face": [phase_spec("idem", fake_bundle(tmp), queue="gpu",
                                                       quota={"daily": 10})]})["face/idem"]
    token = make_team()
    with ThreadPoolExecutor(8) as pool:
        answers = list(pool.map(lambda i: upload(base, token, phase, b"FAKE score=0.5", key="same-key"), range(8)))
    assert all(r.status_code in (200, 201) for r in answers), [r.text for r in answers]
    assert len({r.json()["id"] for r in answers}) == 1 and sum(r.status_code == 201 for r in answers) == 1
    quota = httpx.get(f"{base}/api/v1/phases/{phase}/quota", headers=auth(token)).json()
    assert quota["daily_left"] == 9
    # the quota says when it resets: the next 00:00 UTC
    from datetime import datetime, timedelta, timezone

    resets = datetime.fromisoformat(quota["daily_resets_at"].replace("Z", "+00:00"))
    now = datetime.now(timezone.utc)
    assert (resets.hour, resets.minute, resets.second) == (0, 0, 0) and timedelta(0) < resets - now <= timedelta(days=1)
    # the same key with another file is a conflict that says so, not the first submission again
    other = upload(base, token, phase, b"FAKE score=0.9", key="same-key")
    assert other.status_code == 409 and "already used for submission" in other.json()["detail"], other.text
    assert httpx.get(f"{base}/api/v1/phases/{phase}/quota", headers=auth(token)).json()["daily_left"] == 9
