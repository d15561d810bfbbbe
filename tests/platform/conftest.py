"""Real services for the platform tests: a throwaway Postgres database per session, a key
prefix on the real Redis, and helpers that start the API and Celery workers as processes."""
from __future__ import annotations

import os
import uuid
from pathlib import Path

import pytest
from sqlalchemy import text

from platform_db import REDIS, create_database, drop_database

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="session")
def platform_env(tmp_path_factory):
    """Point the whole process tree at a fresh database, Redis prefix and storage dir."""
    name = f"aisc_test_{uuid.uuid4().hex[:10]}"
    url = create_database(name)
    tmp = tmp_path_factory.mktemp("platform")
    prefix = f"aisc-test-{uuid.uuid4().hex[:8]}:"
    env = {
        "AISC_DATABASE_URL": url, "AISC_BROKER_URL": REDIS, "AISC_BROKER_KEY_PREFIX": prefix,
        "AISC_STORAGE_URL": str(tmp / "storage"), "AISC_WORKDIR": str(tmp / "work"),
        "AISC_HEARTBEAT_SECONDS": "0.5", "AISC_STALE_AFTER_SECONDS": "6", "AISC_REAPER_SECONDS": "1",
        "AISC_REQUEUE_AFTER_SECONDS": "600", "AISC_VISIBILITY_TIMEOUT_SECONDS": "3600",
        # the tests sign in and upload from one address far more often than a person would
        "AISC_RATE_LIMIT_SIGNIN": "100000/minute", "AISC_RATE_LIMIT_REGISTER": "100000/minute",
        "AISC_RATE_LIMIT_UPLOAD": "100000/minute",
    }
    old = {k: os.environ.get(k) for k in env}
    os.environ.update(env)
    from core.db import reset_engines
    from core.settings import get_settings

    get_settings.cache_clear()
    reset_engines()
    from core.migrate import upgrade

    upgrade(url)
    yield {"url": url, "db": name, "tmp": tmp, "prefix": prefix}
    reset_engines()
    for k, v in old.items():
        if v is None:
            os.environ.pop(k, None)
        else:
            os.environ[k] = v
    get_settings.cache_clear()
    import redis

    r = redis.Redis.from_url(REDIS)
    keys = list(r.scan_iter(match=prefix + "*"))
    if keys:
        r.delete(*keys)
    drop_database(name)


@pytest.fixture
def procs():
    """Processes started by a test (platform_procs.Proc); all killed at the end."""
    started: list = []
    yield started
    for p in started:
        p.kill()


@pytest.fixture(autouse=True)
def _no_leftover_work(request):
    """Tests share one database and broker: cancel whatever a test left unfinished, so the
    next test's workers only skip its tasks (the claim is conditional) instead of running them."""
    yield
    if "platform_env" not in request.fixturenames:
        return
    from core.db import session_scope

    with session_scope() as s:
        s.execute(text("UPDATE submissions SET state = 'cancelled' WHERE state IN ('received', 'queued', 'running')"))
