"""Each API process trusts a verified bearer token for AISC_TOKEN_CACHE_SECONDS (api.deps): a
revoked or deleted token stops working on every process within that bound, at once with 0, and
a token that was never verified is refused at once; browser sessions are not cached. GET
requests read through autocommit sessions (core.db.read_session_factory), which cannot write."""
from __future__ import annotations

import time
import uuid

import httpx
import pytest
from sqlalchemy import delete, update

from core.db import read_session_factory, session_scope
from core.models import ApiToken, Team
from core.tokens import hash_token
from platform_helpers import auth, form_post, make_team


def revoke(token: str) -> None:
    with session_scope() as s:
        s.execute(update(ApiToken).where(ApiToken.token_hash == hash_token(token)).values(revoked=True))


def first_refusal(base: str, token: str, bound: float) -> float:
    """Seconds from now until a GET with ``token`` answers 401, polling; fails past bound + 3 s."""
    t0 = time.monotonic()
    while time.monotonic() - t0 < bound + 3:
        r = httpx.get(f"{base}/api/v1/submissions", headers=auth(token), timeout=10)
        if r.status_code == 401:
            assert "invalid or revoked" in r.json()["detail"]
            return time.monotonic() - t0
        assert r.status_code == 200, r.text
        time.sleep(0.05)
    raise AssertionError(f"token still accepted {bound + 3:.1f} s after its revocation")


def refused_everywhere(base: str, token: str, n: int = 20) -> None:
    """``n`` requests on fresh connections (spread over the API processes): all 401."""
    for _ in range(n):
        assert httpx.get(f"{base}/api/v1/submissions", headers=auth(token), timeout=10).status_code == 401


@pytest.mark.parametrize("bound", [1.0, 0.0])
def test_revoked_and_deleted_tokens_stop_within_the_cache_bound(platform_env, procs, bound):
    from platform_procs import start_api

    base = start_api(procs, platform_env["tmp"], fake=True, workers=2,
                     env={"AISC_TOKEN_CACHE_SECONDS": str(bound)})
    revoked, deleted = make_team(), make_team()
    for token in (revoked, deleted):  # verified (and, with a bound, cached) by both processes
        for _ in range(10):
            assert httpx.get(f"{base}/api/v1/submissions", headers=auth(token), timeout=10).status_code == 200
    revoke(revoked)
    took = first_refusal(base, revoked, bound)
    assert took <= bound + 1.0, took
    if bound == 0:
        assert took < 0.5, took  # the very next request
    time.sleep(bound)
    refused_everywhere(base, revoked)

    with session_scope() as s:
        s.execute(delete(ApiToken).where(ApiToken.token_hash == hash_token(deleted)))
    assert first_refusal(base, deleted, bound) <= bound + 1.0
    time.sleep(bound)
    refused_everywhere(base, deleted)


def test_a_revoked_token_never_verified_is_refused_at_once(platform_env, procs):
    from platform_procs import start_api

    base = start_api(procs, platform_env["tmp"], fake=True)  # the default bound (5 s)
    token = make_team()
    revoke(token)
    refused_everywhere(base, token, n=3)
    assert httpx.get(f"{base}/api/v1/submissions", headers=auth("aisc_" + uuid.uuid4().hex),
                     timeout=10).status_code == 401


def test_browser_sessions_end_at_once_with_the_default_cache(platform_env, procs):
    """The cookie path is not cached: revoking the API token ends its browser session on the
    next request, even while the bearer token itself is still within its cache bound."""
    from platform_procs import start_api

    base = start_api(procs, platform_env["tmp"], fake=True)  # the default bound (5 s)
    token = make_team()
    r = form_post(f"{base}/login", {"token": token, "next": "/submissions"}, timeout=30)
    assert r.status_code == 303, r.text
    sid = r.cookies["aisc_session"]
    assert signed_in(base, sid)
    assert httpx.get(f"{base}/api/v1/submissions", headers=auth(token), timeout=10).status_code == 200  # cached
    revoke(token)
    assert not signed_in(base, sid)


def signed_in(base: str, sid: str) -> bool:
    r = httpx.get(f"{base}/submissions", cookies={"aisc_session": sid}, timeout=30)
    assert r.status_code in (200, 303), r.text
    return r.status_code == 200


def test_read_sessions_cannot_write(platform_env):
    with read_session_factory()() as s:
        s.add(Team(name=f"never-{uuid.uuid4().hex[:6]}"))
        with pytest.raises(RuntimeError, match="cannot write"):
            s.flush()
