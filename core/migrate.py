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


def upgrade(url: str | None = None, revision: str = "head") -> None:
    command.upgrade(alembic_config(url), revision)


def downgrade(url: str | None = None, revision: str = "base") -> None:
    command.downgrade(alembic_config(url), revision)
