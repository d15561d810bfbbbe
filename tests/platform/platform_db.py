"""Throwaway Postgres databases for the platform tests and the benchmark."""
from __future__ import annotations

import os

from sqlalchemy import create_engine, text

PG_ADMIN = os.environ.get("AISC_TEST_PG", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres")
REDIS = os.environ.get("AISC_TEST_REDIS", "redis://127.0.0.1:6379/0")


def _admin_engine():
    return create_engine(PG_ADMIN, isolation_level="AUTOCOMMIT")


def create_database(name: str) -> str:
    eng = _admin_engine()
    with eng.connect() as c:
        c.execute(text(f'CREATE DATABASE "{name}"'))
    eng.dispose()
    return PG_ADMIN.rsplit("/", 1)[0] + "/" + name


def drop_database(name: str) -> None:
    eng = _admin_engine()
    with eng.connect() as c:
        c.execute(text("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = :n"), {"n": name})
        c.execute(text(f'DROP DATABASE IF EXISTS "{name}"'))
    eng.dispose()
