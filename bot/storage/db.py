"""The database engine, sessions and migrations (SQLite by default, PostgreSQL for scale)."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import event
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)

from bot.paths import ROOT
from bot.storage import sqlite

MIGRATIONS = ROOT / "db" / "migrations"


def is_sqlite(url: str) -> bool:
    """Tell whether a database URL points at SQLite."""
    return url.startswith("sqlite")


def make_engine(url: str, busy_seconds: float = 30, **kwargs: Any) -> AsyncEngine:
    """Create the async engine; SQLite gets WAL, foreign keys and one writer at a time.

    `busy_seconds` is how long a SQLite statement waits for the write lock (another process,
    a backup) before failing; the message is then retried, never lost.

    SQL parameters are hidden from errors and logs: they carry what people typed. For the
    same reason aiosqlite's DEBUG lines, which print each statement with its parameters, are
    never emitted, whatever level the operator chooses.
    """
    kwargs.setdefault("hide_parameters", True)
    logging.getLogger("aiosqlite").setLevel(logging.INFO)
    if not is_sqlite(url):
        kwargs.setdefault("pool_pre_ping", True)
        return create_async_engine(url, **kwargs)
    # One connection, handed out first come first served: SQLite has a single writer anyway,
    # and its busy handler is not fair, so under load a writer could wait for ever.
    kwargs.setdefault("pool_size", 1)
    kwargs.setdefault("max_overflow", 0)
    kwargs.setdefault("pool_timeout", 30)
    engine = create_async_engine(url, connect_args={"timeout": busy_seconds}, **kwargs)

    @event.listens_for(engine.sync_engine, "do_connect")
    def _one_trip(_dialect: Any, _record: Any, _cargs: Any, cparams: dict[str, Any]) -> None:
        # Same arguments as aiosqlite.connect, one thread trip per statement (bot.storage.sqlite).
        cparams["async_creator_fn"] = sqlite.connect

    @event.listens_for(engine.sync_engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        # Let us issue BEGIN ourselves: the driver's deferred BEGIN lets two writers deadlock.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute(f"PRAGMA busy_timeout={int(busy_seconds * 1000)}")
        if ":memory:" not in url:
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()

    @event.listens_for(engine.sync_engine, "begin")
    def _on_begin(conn: Connection) -> None:
        # IMMEDIATE takes the write lock up front, so busy_timeout queues writers fairly.
        driver = conn.connection.driver_connection
        assert driver is not None
        driver.begin_with_next("BEGIN IMMEDIATE")

    return engine


def dialect(session: AsyncSession) -> str:
    """Name the database a session talks to ("sqlite" or "postgresql")."""
    return session.get_bind().dialect.name


def make_sessionmaker(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    """Create the session factory used everywhere (objects stay usable after commit)."""
    return async_sessionmaker(engine, expire_on_commit=False)


@asynccontextmanager
async def transaction(
    sessions: async_sessionmaker[AsyncSession],
) -> AsyncIterator[AsyncSession]:
    """Open a session in a transaction that commits on success and rolls back on error."""
    async with sessions() as session, session.begin():
        yield session


def alembic_config(url: str) -> Config:
    """Build the Alembic configuration for a database URL."""
    cfg = Config(str(ROOT / "alembic.ini")) if (ROOT / "alembic.ini").exists() else Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    cfg.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    cfg.attributes["configure_logger"] = False
    return cfg


def upgrade_sync(url: str, revision: str = "head") -> None:
    """Run the migrations up to `revision` (blocking; for scripts and test set-up)."""
    command.upgrade(alembic_config(url), revision)


async def upgrade(url: str, revision: str = "head") -> None:
    """Bring the database schema to the given migration (runs Alembic off the event loop)."""
    if is_sqlite(url):
        path = url.split("///", 1)[-1]
        if path and path != ":memory:":
            Path(path).parent.mkdir(parents=True, exist_ok=True)
    await asyncio.to_thread(upgrade_sync, url, revision)


def head_revision() -> str | None:
    """Return the newest migration id shipped with the code."""
    return ScriptDirectory.from_config(alembic_config("sqlite://")).get_current_head()


async def current_revision(engine: AsyncEngine) -> str | None:
    """Return the migration the database is at (None for an empty database)."""
    async with engine.connect() as conn:
        return await conn.run_sync(
            lambda sync: MigrationContext.configure(sync).get_current_revision()
        )
