"""Shared fixtures: a migrated database per test (SQLite, and PostgreSQL when configured)."""

from __future__ import annotations

import asyncio
import ipaddress
import os
import shutil
import socket
from collections.abc import AsyncIterator, Coroutine, Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any, TypeVar

import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.config import ROOT
from bot.core.engine import Engine
from bot.handlers import build_router
from bot.lessons import Curriculum, load_curriculum
from bot.media import MediaDir
from bot.storage import db
from bot.storage.models import Base
from tests.factories import seed_demo_commune

T = TypeVar("T")
PG_SKIP = "HOCVUSO_TEST_POSTGRES_URL is not set: PostgreSQL variant skipped"
# The configured database is the one to use in a plain run; with pytest-xdist each worker gets
# its own database next to it ("test_gw0", created when missing), so workers never share tables.
_PG_BASE_URL = os.environ.get("HOCVUSO_TEST_POSTGRES_URL")
_XDIST_WORKER = os.environ.get("PYTEST_XDIST_WORKER")
PG_URL = f"{_PG_BASE_URL}_{_XDIST_WORKER}" if _PG_BASE_URL and _XDIST_WORKER else _PG_BASE_URL


# --- no real network in tests ---------------------------------------------------------------
_real_connect = socket.socket.connect
_real_connect_ex = socket.socket.connect_ex


def _is_local(address: Any) -> bool:
    if isinstance(address, str | bytes):  # unix socket path
        return True
    host = address[0]
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _guarded_connect(self: socket.socket, address: Any) -> Any:
    if not _is_local(address):
        raise RuntimeError(f"tests must not reach the network: connect to {address!r}")
    return _real_connect(self, address)


def _guarded_connect_ex(self: socket.socket, address: Any) -> Any:
    if not _is_local(address):
        raise RuntimeError(f"tests must not reach the network: connect to {address!r}")
    return _real_connect_ex(self, address)


@pytest.fixture(autouse=True, scope="session")
def _no_network() -> Iterator[None]:
    socket.socket.connect = _guarded_connect  # type: ignore[method-assign]
    socket.socket.connect_ex = _guarded_connect_ex  # type: ignore[method-assign]
    yield
    socket.socket.connect = _real_connect  # type: ignore[method-assign]
    socket.socket.connect_ex = _real_connect_ex  # type: ignore[method-assign]


# --- databases ------------------------------------------------------------------------------
@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("template") / "template.db"
    db.upgrade_sync(f"sqlite+aiosqlite:///{path}")
    return path


def run_apart(coro: Coroutine[Any, Any, T]) -> T:
    """Run a coroutine on its own loop in a worker thread (set-up outside the test's loop)."""
    with ThreadPoolExecutor(1) as pool:
        return pool.submit(asyncio.run, coro).result()


async def _execute(url: str, *statements: str) -> None:
    engine = db.make_engine(url)
    try:
        async with engine.begin() as conn:
            for statement in statements:
                await conn.execute(text(statement))
    finally:
        await engine.dispose()


async def _create_database(server_url: str, name: str) -> None:
    engine = db.make_engine(server_url, isolation_level="AUTOCOMMIT")
    try:
        async with engine.connect() as conn:
            exists = await conn.scalar(
                text("SELECT 1 FROM pg_database WHERE datname = :name"), {"name": name}
            )
            if not exists:
                await conn.execute(text(f'CREATE DATABASE "{name}"'))
    finally:
        await engine.dispose()


@pytest.fixture(scope="session")
def postgres_migrated() -> str:
    if not PG_URL:
        pytest.skip(PG_SKIP)
    # Connections to the test database that outlived an earlier run would block the reset.
    strays = (
        "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
        " WHERE datname = current_database() AND pid <> pg_backend_pid()"
    )
    if PG_URL != _PG_BASE_URL:
        run_apart(_create_database(_PG_BASE_URL or "", PG_URL.rsplit("/", 1)[1]))
    run_apart(_execute(PG_URL, strays))
    run_apart(_execute(PG_URL, "DROP SCHEMA public CASCADE", "CREATE SCHEMA public"))
    db.upgrade_sync(PG_URL)
    return PG_URL


@pytest.fixture(params=["sqlite", "postgresql"])
def backend(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
def db_url(
    backend: str, request: pytest.FixtureRequest, tmp_path: Path, sqlite_template: Path
) -> str:
    """A migrated, empty database of the test's backend."""
    if backend == "sqlite":
        path = tmp_path / "hocvuso.db"
        shutil.copy(sqlite_template, path)
        return f"sqlite+aiosqlite:///{path}"
    url: str = request.getfixturevalue("postgres_migrated")
    tables = ", ".join(t.name for t in reversed(Base.metadata.sorted_tables))
    # A transaction left open by an earlier test would make TRUNCATE wait: fail instead.
    run_apart(
        _execute(url, "SET lock_timeout = '20s'", f"TRUNCATE {tables} RESTART IDENTITY CASCADE")
    )
    return url


@pytest.fixture
async def sessions(db_url: str) -> AsyncIterator[async_sessionmaker[AsyncSession]]:
    engine = db.make_engine(db_url)
    yield db.make_sessionmaker(engine)
    await engine.dispose()


@pytest.fixture(scope="session")
def curriculum() -> Curriculum:
    return load_curriculum(ROOT / "content" / "lessons")


@pytest.fixture
def media_dir(tmp_path: Path) -> MediaDir:
    """Where the certificate pictures residents send are kept during a test."""
    return MediaDir(tmp_path / "media")


@pytest.fixture
def engine(
    sessions: async_sessionmaker[AsyncSession], curriculum: Curriculum, media_dir: MediaDir
) -> Engine:
    return Engine(sessions, build_router(), curriculum, media=media_dir)


@pytest.fixture
async def commune(sessions: async_sessionmaker[AsyncSession]) -> int:
    """The demo commune: six villages, Thôn Đồng Tâm with an eight-household roster."""
    return await seed_demo_commune(sessions)
