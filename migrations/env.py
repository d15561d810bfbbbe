"""Alembic environment: the URL comes from core.settings (AISC_DATABASE_URL)."""
from __future__ import annotations

from logging.config import fileConfig

from alembic import context

from core.db import make_engine
from core.models import Base
from core.settings import get_settings

config = context.config
if config.config_file_name and config.attributes.get("configure_logging", True):
    fileConfig(config.config_file_name, disable_existing_loggers=False)


def run() -> None:
    url = config.attributes.get("url") or get_settings().resolved_database_url()
    if context.is_offline_mode():
        context.configure(url=url, target_metadata=Base.metadata, literal_binds=True)
        with context.begin_transaction():
            context.run_migrations()
        return
    engine = make_engine(url)
    with engine.connect() as conn:
        context.configure(connection=conn, target_metadata=Base.metadata,
                          render_as_batch=url.startswith("sqlite"))
        with context.begin_transaction():
            context.run_migrations()
    engine.dispose()


run()
