"""With no services configured: SQLite database and the SQLite-backed Celery broker."""
from __future__ import annotations

import pytest

from platform_helpers import fake_bundle, make_team, phase_spec, upload, wait_state
from platform_procs import start_api, start_worker


def test_embedded_default_runs_the_lifecycle(tmp_path, procs, monkeypatch):
    env = {"AISC_DATABASE_URL": f"sqlite:///{tmp_path / 'aisc.sqlite3'}",
           "AISC_BROKER_URL": f"sqla+sqlite:///{tmp_path / 'broker.sqlite3'}",
           "AISC_STORAGE_URL": str(tmp_path / "storage"), "AISC_WORKDIR": str(tmp_path / "work"),
           "AISC_BROKER_KEY_PREFIX": ""}
    for k, v in env.items():
        monkeypatch.setenv(k, v)
    from core.db import reset_engines
    from core.migrate import upgrade
    from core.settings import get_settings

    get_settings.cache_clear()
    reset_engines()
    try:
        upgrade()
        from platform_helpers import load_competition

        phase = load_competition(tmp_path, {"face": [phase_spec("embedded", fake_bundle(tmp_path))]})["face/embedded"]
        base = start_api(procs, tmp_path, fake=True, env=env)
        start_worker(procs, tmp_path, fake=True, env=env)
        token = make_team()
        r = upload(base, token, phase, b"FAKE score=0.33")
        assert r.status_code == 201, r.text
        final = wait_state(base, token, r.json()["id"], timeout=60)
        assert final["state"] == "scored" and final["score"]["total"] == pytest.approx(0.33)
    finally:
        reset_engines()
        get_settings.cache_clear()
