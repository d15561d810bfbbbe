"""Alembic: upgrade head on an empty Postgres database builds the schema; downgrade works."""
from __future__ import annotations

import uuid

from sqlalchemy import create_engine, inspect

from core.migrate import downgrade, upgrade
from core.models import Base
from platform_db import create_database, drop_database


def test_upgrade_and_downgrade_on_fresh_postgres():
    name = f"aisc_mig_{uuid.uuid4().hex[:10]}"
    url = create_database(name)
    try:
        upgrade(url)
        eng = create_engine(url)
        insp = inspect(eng)
        assert set(Base.metadata.tables) <= set(insp.get_table_names())
        for table in Base.metadata.tables.values():  # the migration matches the models
            assert {c["name"] for c in insp.get_columns(table.name)} == {c.name for c in table.columns}
        from alembic.autogenerate import compare_metadata
        from alembic.migration import MigrationContext

        with eng.connect() as conn:  # the migration builds exactly what the models declare
            assert compare_metadata(MigrationContext.configure(conn), Base.metadata) == []
        idx = {i["name"]: i for i in insp.get_indexes("submissions")}
        assert {"ix_submissions_rank_best", "ix_submissions_rank_last", "ix_submissions_queue"} <= set(idx)
        downgrade(url, "base")
        eng.dispose()
        insp = inspect(eng)
        assert set(insp.get_table_names()) == {"alembic_version"}
        upgrade(url)  # and up again
        assert "submissions" in inspect(eng).get_table_names()
        eng.dispose()
    finally:
        drop_database(name)


def test_upgrade_on_sqlite(tmp_path):
    url = f"sqlite:///{tmp_path / 'db.sqlite3'}"
    upgrade(url)
    assert "scores" in inspect(create_engine(url)).get_table_names()
    downgrade(url, "base")
    assert "scores" not in inspect(create_engine(url)).get_table_names()


def test_init_db_creates_a_missing_postgres_database():
    import subprocess
    import sys

    from platform_db import PG_ADMIN
    from platform_procs import ROOT

    name = f"aisc_init_{uuid.uuid4().hex[:10]}"
    url = PG_ADMIN.rsplit("/", 1)[0] + "/" + name
    env = {**__import__("os").environ, "AISC_DATABASE_URL": url}
    try:
        first = subprocess.run([sys.executable, "-m", "core.manage", "init-db"], cwd=ROOT, env=env,
                               capture_output=True, text=True, timeout=120)
        assert first.returncode == 0 and "created the database" in first.stdout, first.stderr
        again = subprocess.run([sys.executable, "-m", "core.manage", "init-db"], cwd=ROOT, env=env,
                               capture_output=True, text=True, timeout=120)
        assert again.returncode == 0 and "created" not in again.stdout
        assert "submissions" in inspect(create_engine(url)).get_table_names()
    finally:
        drop_database(name)


def test_upgrade_gives_teams_without_an_invite_code_one(tmp_path):
    from sqlalchemy import text

    url = f"sqlite:///{tmp_path / 'db.sqlite3'}"
    upgrade(url, "0010")
    eng = create_engine(url)
    with eng.begin() as conn:
        conn.execute(text("INSERT INTO teams (name, created_at, self_registered, invite_code) VALUES "
                          "('old-a', '2026-01-01', false, NULL), ('old-b', '2026-01-01', false, NULL), "
                          "('has-one', '2026-01-01', true, 'join_kept')"))
    upgrade(url)
    with eng.connect() as conn:
        codes = dict(conn.execute(text("SELECT name, invite_code FROM teams")).all())
    assert codes["has-one"] == "join_kept"
    assert codes["old-a"].startswith("join_") and codes["old-b"].startswith("join_")
    assert codes["old-a"] != codes["old-b"] and len(codes["old-a"]) == len("join_") + 16
