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


async def test_scheduler_runs_the_planner_at_start(
    db_url: str, sessions: async_sessionmaker[AsyncSession], commune: int
) -> None:
    engine = db.make_engine(db_url)
    scheduler = Scheduler(sessions, engine, None)
    runs: list[int] = []
    original = scheduler.plan

    async def counted() -> int:
        runs.append(1)
        return await original()

    scheduler.plan = counted  # type: ignore[method-assign]
    await scheduler.start()
    try:
        for _ in range(50):
            if runs:
                break
            await asyncio.sleep(0.05)
    finally:
        await scheduler.stop()
        await engine.dispose()
    assert runs
