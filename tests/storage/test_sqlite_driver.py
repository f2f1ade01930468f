"""SQLite through bot.storage.sqlite: all that SQLAlchemy relies on, one trip per statement."""

from __future__ import annotations

import asyncio
import contextlib
import shutil
from collections.abc import AsyncIterator
from pathlib import Path

import aiosqlite
import pytest
from sqlalchemy import delete, func, insert, select, text, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker
from sqlalchemy.orm.exc import StaleDataError

from bot.storage import db, sqlite
from bot.storage.models import Commune, ProcessedUpdate, Village
from bot.storage.sqlite import OneTripConnection


@pytest.fixture
async def sqlite_engine(tmp_path: Path, sqlite_template: Path) -> AsyncIterator[AsyncEngine]:
    path = tmp_path / "driver.db"
    shutil.copy(sqlite_template, path)
    engine = db.make_engine(f"sqlite+aiosqlite:///{path}")
    yield engine
    await engine.dispose()


async def test_rows_keys_counts_and_errors_behave_as_with_plain_aiosqlite(
    sqlite_engine: AsyncEngine,
) -> None:
    sessions = db.make_sessionmaker(sqlite_engine)
    async with sessions() as session, session.begin():
        commune = Commune(name="Xã Kiểm Thử", name_folded="xa kiem thu", province="Tỉnh")
        session.add(commune)
        await session.flush()
        assert commune.id is not None  # the key comes back from the insert
        session.add_all(
            Village(commune_id=commune.id, name=f"Thôn {i}", name_folded=f"thon {i}")
            for i in range(150)
        )
    async with sessions() as session:
        # More rows than one fetch of SQLAlchemy's buffer, read in parts.
        result = await session.stream_scalars(select(Village.name).order_by(Village.id))
        names = [name async for name in result]
        assert names[0] == "Thôn 0" and names[-1] == "Thôn 149" and len(names) == 150
        assert (await session.execute(text("SELECT 1"))).scalar_one() == 1
    async with sqlite_engine.begin() as conn:
        changed = await conn.execute(
            update(Village).where(Village.name.like("Thôn 1%")).values(households_total=7)
        )
        assert changed.rowcount == 61  # 1, 10–19, 100–149
        inserted = await conn.execute(
            insert(ProcessedUpdate), [{"channel": "x", "update_key": str(i)} for i in range(40)]
        )
        assert inserted.rowcount == 40
    # A duplicate key is an IntegrityError, and the connection is fine afterwards.
    with pytest.raises(IntegrityError):
        async with sqlite_engine.begin() as conn:
            await conn.execute(insert(ProcessedUpdate).values(channel="x", update_key="1"))
    async with sqlite_engine.connect() as conn:
        count = await conn.scalar(select(func.count()).select_from(ProcessedUpdate))
        assert count == 40


async def test_an_update_of_a_vanished_row_is_noticed(sqlite_engine: AsyncEngine) -> None:
    # The ORM compares each UPDATE's row count with what it expected: the count must be true.
    sessions: async_sessionmaker[AsyncSession] = db.make_sessionmaker(sqlite_engine)
    async with sessions() as session, session.begin():
        commune = Commune(name="Xã A", name_folded="xa a", province="Tỉnh")
        session.add(commune)
    async with sessions() as session:
        loaded = await session.get(Commune, commune.id)
        assert loaded is not None
        await session.commit()  # the object stays loaded; the connection goes back to the pool
        async with sqlite_engine.begin() as other:
            await other.execute(delete(Commune).where(Commune.id == commune.id))
        loaded.name = "Xã B"
        with pytest.raises(StaleDataError):
            await session.commit()


async def test_each_statement_is_one_trip_to_the_connection_thread(
    sqlite_engine: AsyncEngine, monkeypatch: pytest.MonkeyPatch
) -> None:
    trips: list[str] = []
    original = aiosqlite.Connection._execute

    async def counted(self: aiosqlite.Connection, fn, *args, **kwargs):  # type: ignore[no-untyped-def]
        trips.append(getattr(fn, "__name__", repr(fn)))
        return await original(self, fn, *args, **kwargs)

    monkeypatch.setattr(aiosqlite.Connection, "_execute", counted)
    sessions = db.make_sessionmaker(sqlite_engine)
    async with sessions() as session:  # connect first: opening a connection takes its own trips
        await session.execute(text("SELECT 1"))
    async with sessions() as session, session.begin():
        trips.clear()
        await session.execute(select(Commune.id).limit(1))
        await session.execute(insert(ProcessedUpdate).values(channel="x", update_key="k"))
    in_transaction = list(trips)
    async with sqlite_engine.connect() as conn:
        raw = await conn.get_raw_connection()
        assert isinstance(raw.driver_connection, OneTripConnection)
    # BEGIN IMMEDIATE with the SELECT, the INSERT, COMMIT: three trips. SQLAlchemy with plain
    # aiosqlite makes three or four per statement (open a cursor, execute, fetch, close).
    assert len(in_transaction) == 3, in_transaction


async def test_a_connection_stopped_then_closed_does_not_hang(tmp_path: Path) -> None:
    # SQLAlchemy does this when it terminates a connection whose task was cancelled.
    connection = await sqlite.connect(str(tmp_path / "stop.db"))
    connection.stop()
    with contextlib.suppress(ValueError):  # "Connection closed": the thread was told to stop
        await asyncio.wait_for(connection.close(), 5)
    await asyncio.to_thread(connection._thread.join, 5)
    assert not connection._thread.is_alive()
