"""Engine and sessions."""
from __future__ import annotations

from contextlib import contextmanager
from typing import Iterator

from sqlalchemy import create_engine, event
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session, sessionmaker

from .settings import get_settings


def make_engine(url: str) -> Engine:
    if url.startswith("sqlite"):
        engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": 30})

        @event.listens_for(engine, "connect")
        def _pragmas(dbapi_conn, _record):  # WAL lets readers and one writer work together
            cur = dbapi_conn.cursor()
            cur.execute("PRAGMA journal_mode=WAL")
            cur.execute("PRAGMA foreign_keys=ON")
            cur.close()

        return engine
    # No pre-ping round trip per checkout (the status endpoint is polled hard); connections are
    # recycled instead, and a request that meets a dead connection fails once and is retried.
    return create_engine(url, pool_size=20, max_overflow=40, pool_recycle=1800)


_ENGINES: dict[str, Engine] = {}


def _engine_for(url: str) -> Engine:
    if url not in _ENGINES:
        _ENGINES[url] = make_engine(url)
    return _ENGINES[url]


def get_engine() -> Engine:
    return _engine_for(get_settings().resolved_database_url())


_FACTORIES: dict[str, sessionmaker[Session]] = {}


def session_factory() -> sessionmaker[Session]:
    url = get_settings().resolved_database_url()
    if url not in _FACTORIES:
        _FACTORIES[url] = sessionmaker(bind=_engine_for(url), expire_on_commit=False)
    return _FACTORIES[url]


@contextmanager
def session_scope() -> Iterator[Session]:
    """A session that commits on success and rolls back on error."""
    session = session_factory()()
    try:
        yield session
        session.commit()
    except BaseException:
        session.rollback()
        raise
    finally:
        session.close()


def reset_engines() -> None:
    """Forget cached engines (tests switch databases through the environment)."""
    for engine in _ENGINES.values():
        engine.dispose()
    _ENGINES.clear()
    _FACTORIES.clear()
