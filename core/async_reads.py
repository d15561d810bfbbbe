"""Hot reads on the API's event loop: the polled status is one Core SELECT, and running it through
SQLAlchemy in a worker thread cost more CPU than the rest of the request (the thread-pool hop
about 0.25 ms, SQLAlchemy's per-execution work about 0.25 ms; ``bench/profile_reads.py``).

``Reads.one(statement, params)`` returns the statement's single row (attributes named as its
columns, like a SQLAlchemy ``Row``) or None:

- ``PoolReads`` (Postgres, in an API process that ran its lifespan): the statement, compiled once
  for psycopg, runs on a psycopg ``AsyncConnection`` from a ``psycopg_pool`` pool, in autocommit
  like the read sessions (``core.db.read_session_factory``), on the event loop itself;
- ``ThreadReads`` (SQLite, or an app used without its lifespan, as in-process tests do): the same
  statement on ``core.db.read_connection`` in a worker thread.

Both raise ``core.errors.Unavailable`` when the database cannot be reached.
"""
from __future__ import annotations

from collections import namedtuple
from typing import Any, Protocol

import anyio.to_thread
from psycopg import OperationalError
from psycopg.conninfo import make_conninfo
from psycopg_pool import AsyncConnectionPool, PoolTimeout
from sqlalchemy import Select
from sqlalchemy.engine import Engine
from sqlalchemy.exc import OperationalError as SAOperationalError

from .db import get_engine, read_connection
from .errors import Unavailable

POOL_MAX = 10  # connections per API process for these reads (the polled status needs a few)
WAIT_SECONDS = 10.0  # a read that gets no connection in this time answers 503
APPLICATION_NAME = "aisc-api-reads"  # how these connections show in pg_stat_activity
DOWN = "the database cannot be reached right now; try again in a minute"


class Reads(Protocol):
    async def one(self, statement: Select, params: dict[str, Any]) -> Any | None:
        """The single row of ``statement`` (a Core SELECT; ``params``: its bind parameters by
        name), with the statement's column names as attributes, or None if it finds none.
        Raises ``Unavailable`` when the database cannot be reached."""


class ThreadReads:
    """The statement through SQLAlchemy on a read connection, in a worker thread."""

    async def one(self, statement: Select, params: dict[str, Any]) -> Any | None:
        def run():
            with read_connection() as conn:
                return conn.execute(statement, params).one_or_none()

        try:
            return await anyio.to_thread.run_sync(run)
        except SAOperationalError as e:
            raise Unavailable(DOWN) from e


class _Compiled:
    """A statement's SQL for psycopg, its bind names and a row type with its column names."""

    def __init__(self, statement: Select, dialect) -> None:
        self.statement = statement  # kept alive: the cache below is keyed by its id
        self.compiled = statement.compile(dialect=dialect)
        self.sql = str(self.compiled)
        self.row = namedtuple("Row", list(statement.selected_columns.keys()))  # type: ignore[misc]


class PoolReads:
    """Postgres reads on the event loop. ``open`` and ``close`` belong in the app's lifespan
    (the pool lives on the loop that opened it). A connection the server dropped (a restart,
    an idle timeout) fails its query: the pool discards it, checks its idle connections and the
    read is tried once more."""

    def __init__(self, engine: Engine, max_size: int = POOL_MAX, wait_seconds: float = WAIT_SECONDS) -> None:
        # connect as SQLAlchemy does, with its psycopg adapters (so values load as they do there)
        args, kwargs = engine.dialect.create_connect_args(engine.url)
        kwargs.setdefault("application_name", APPLICATION_NAME)
        connect = {"autocommit": True}
        if "context" in kwargs:
            connect["context"] = kwargs.pop("context")
        self._dialect = engine.dialect
        self._compiled: dict[int, _Compiled] = {}
        self.pool = AsyncConnectionPool(make_conninfo(*args, **kwargs), min_size=1, max_size=max_size,
                                        timeout=wait_seconds, kwargs=connect, open=False, name="aisc-reads")

    async def open(self) -> None:
        await self.pool.open(wait=False)  # connects in the background: the API starts even if Postgres is late

    async def close(self) -> None:
        await self.pool.close()

    def _prepared(self, statement: Select) -> _Compiled:
        c = self._compiled.get(id(statement))
        if c is None or c.statement is not statement:
            c = self._compiled[id(statement)] = _Compiled(statement, self._dialect)
        return c

    async def one(self, statement: Select, params: dict[str, Any]) -> Any | None:
        c = self._prepared(statement)
        values = c.compiled.construct_params(params)
        try:
            try:
                return await self._one(c, values)
            except PoolTimeout:
                raise
            except OperationalError:  # a dropped connection (a restart): the pool has discarded it;
                await self.pool.check()  # drop the idle ones the server closed too, then once more
                return await self._one(c, values)
        except OperationalError as e:  # PoolTimeout included: no connection within WAIT_SECONDS
            raise Unavailable(DOWN) from e

    async def _one(self, c: _Compiled, values: dict[str, Any]) -> Any | None:
        async with self.pool.connection() as conn:
            row = await (await conn.execute(c.sql, values)).fetchone()
        return None if row is None else c.row(*row)


def for_database() -> PoolReads | None:
    """A (not yet opened) pool for the configured database if it is Postgres; None otherwise
    (then ``ThreadReads``)."""
    engine = get_engine()
    return PoolReads(engine) if engine.dialect.name == "postgresql" else None
