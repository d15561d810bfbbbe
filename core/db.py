"""Engine and sessions."""
from __future__ import annotations

from contextlib import contextmanager
from typing import Iterator

from sqlalchemy import create_engine, event
from sqlalchemy.engine import Connection, Engine
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


_READ_FACTORIES: dict[str, sessionmaker[Session]] = {}


def _no_writes(session: Session, _flush_context, _instances) -> None:
    if session.new or session.dirty or session.deleted:
        raise RuntimeError("a read session (core.db.read_session_factory) cannot write; use session_factory()")


def read_session_factory() -> sessionmaker[Session]:
    """Sessions for work that only reads (the API's GET requests, the token and sign-in lookups).
    On Postgres their statements run in autocommit: no BEGIN before the first query and no
    ROLLBACK when the session closes, so a read costs only its queries' round trips (the status
    endpoint: one instead of three). What they read is unchanged: under READ COMMITTED, the
    default, each statement of a transaction takes its own snapshot anyway. Same pool as
    ``session_factory``; an ORM flush through one raises (each statement would commit alone)."""
    url = get_settings().resolved_database_url()
    if url not in _READ_FACTORIES:
        factory = sessionmaker(bind=_read_engine_for(url), expire_on_commit=False)
        event.listen(factory, "before_flush", _no_writes)
        _READ_FACTORIES[url] = factory
    return _READ_FACTORIES[url]


_READ_ENGINES: dict[str, Engine] = {}


def _read_engine_for(url: str) -> Engine:
    if url not in _READ_ENGINES:
        engine = _engine_for(url)
        _READ_ENGINES[url] = engine if url.startswith("sqlite") else engine.execution_options(
            isolation_level="AUTOCOMMIT")
    return _READ_ENGINES[url]


def read_connection() -> Connection:
    """A Core connection for one read (``with read_connection() as conn: ...``): the read
    sessions' engine and its rules (autocommit on Postgres: no BEGIN, no ROLLBACK round trip),
    without the ORM session's bookkeeping, for a hot read of plain columns (the status endpoint)."""
    return _read_engine_for(get_settings().resolved_database_url()).connect()


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
    _READ_FACTORIES.clear()
    _READ_ENGINES.clear()
