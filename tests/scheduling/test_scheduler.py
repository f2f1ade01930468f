"""One planner per database: the PostgreSQL advisory lock; the scheduler runs its jobs."""

from __future__ import annotations

import asyncio

import pytest
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.scheduling.scheduler import Scheduler
from bot.storage import db


async def test_only_one_instance_plans_on_postgresql(
    backend: str, db_url: str, sessions: async_sessionmaker[AsyncSession]
) -> None:
    if backend != "postgresql":
        pytest.skip("the advisory lock is PostgreSQL's; SQLite serves one process")
    engines = [db.make_engine(db_url), db.make_engine(db_url)]
    first, second = (Scheduler(sessions, e, None) for e in engines)
    try:
        assert await first.is_leader()
        assert not await second.is_leader()
        await first.stop()  # the leader goes away: its lock goes with its connection
        assert await second.is_leader()
    finally:
        await first.stop()
        await second.stop()
        for engine in engines:
            await engine.dispose()


async def test_the_planner_runs_at_start_and_stopping_lets_it_finish(
    db_url: str, sessions: async_sessionmaker[AsyncSession], commune: int
) -> None:
    engine = db.make_engine(db_url)
    scheduler = Scheduler(sessions, engine, None)
    started = asyncio.Event()
    ended: list[str] = []
    original = scheduler.plan

    async def watched() -> int:
        started.set()
        try:
            result = await original()
        except asyncio.CancelledError:
            ended.append("cancelled")
            raise
        ended.append("finished")
        return result

    scheduler.plan = watched  # type: ignore[method-assign]
    await scheduler.start()
    try:
        await asyncio.wait_for(started.wait(), 5)
    finally:
        await scheduler.stop()  # the planner has only just begun its transaction
        await engine.dispose()
    # Cut off mid-transaction, a connection can be left unable to close, and with it the
    # event loop's shutdown (a bot that never exits on SIGTERM).
    assert ended == ["finished"]
    assert asyncio.all_tasks() == {asyncio.current_task()}
