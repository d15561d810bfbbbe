"""Run Alembic migrations programmatically (``python -m core.manage init-db``)."""
from __future__ import annotations

from alembic import command
from alembic.config import Config

from .settings import ROOT


def alembic_config(url: str | None = None) -> Config:
    cfg = Config(str(ROOT / "migrations" / "alembic.ini"))
    cfg.attributes["configure_logging"] = False
    if url:
        cfg.attributes["url"] = url
    return cfg


def ensure_database(url: str) -> bool:
    """Create a missing Postgres database (the server's default database must be reachable).
    Returns True if it was created."""
    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url
    from sqlalchemy.exc import OperationalError

    u = make_url(url)
    if not u.drivername.startswith("postgresql"):
        return False
    engine = create_engine(u)
    try:
        with engine.connect():
            return False
    except OperationalError as e:
        if "does not exist" not in str(e):
            raise
    finally:
        engine.dispose()
    admin = create_engine(u.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{u.database}"'))
    admin.dispose()
    return True


def upgrade(url: str | None = None, revision: str = "head") -> None:
    command.upgrade(alembic_config(url), revision)


def downgrade(url: str | None = None, revision: str = "base") -> None:
    command.downgrade(alembic_config(url), revision)
