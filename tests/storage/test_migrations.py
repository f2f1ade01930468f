"""The schema comes from Alembic, and the models never drift from the migrations."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import create_engine
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.storage import db
from bot.storage.models import Base


async def test_models_match_migrations(sessions: async_sessionmaker[AsyncSession]) -> None:
    async with sessions() as session:
        conn = await session.connection()
        diff = await conn.run_sync(
            lambda sync: compare_metadata(
                MigrationContext.configure(sync, opts={"compare_type": True}), Base.metadata
            )
        )
    assert diff == [], f"models and migrations differ; add a migration: {diff}"


async def test_database_is_at_the_latest_migration(db_url: str) -> None:
    engine = db.make_engine(db_url)
    try:
        assert await db.current_revision(engine) == db.head_revision()
    finally:
        await engine.dispose()


def test_lesson_counts_are_filled_in_for_existing_users(tmp_path: Path) -> None:
    # Migration 0006 adds per-user lesson counts and per-household member counts: people who
    # registered and learned before it must keep counting, and going back and forth must work.
    url = f"sqlite+aiosqlite:///{tmp_path / 'old.db'}"
    db.upgrade_sync(url, "0005")
    sync = create_engine(f"sqlite:///{tmp_path / 'old.db'}")
    with sync.begin() as conn:
        conn.exec_driver_sql(
            "INSERT INTO communes (id, name, name_folded, province, target_household_pct,"
            " cbcc_total, worker_total, timezone, created_at)"
            " VALUES (1, 'Xã A', 'xa a', 'Tỉnh B', 60, 0, 0, 'Asia/Ho_Chi_Minh', '2026-11-01')"
        )
        conn.exec_driver_sql(
            "INSERT INTO villages (id, commune_id, name, name_folded)"
            " VALUES (1, 1, 'Thôn', 'thon')"
        )
        conn.exec_driver_sql(
            "INSERT INTO households (id, village_id, head_name, head_name_folded, source,"
            " created_at) VALUES (1, 1, 'An', 'an', 'self', '2026-11-01'),"
            " (2, 1, 'Bình', 'binh', 'self', '2026-11-01')"
        )
        conn.exec_driver_sql(
            "INSERT INTO users (id, role, reminders_opt_in, state, created_at, household_id,"
            " deleted_at) VALUES (1, 'resident', 1, '{}', '2026-11-01', 1, NULL),"
            " (2, 'resident', 1, '{}', '2026-11-01', 1, NULL),"
            " (3, 'resident', 1, '{}', '2026-11-01', 2, '2026-11-05')"
        )
        conn.exec_driver_sql(
            "INSERT INTO lesson_progress"
            " (user_id, lesson_id, card, question, correct, started_at, completed_at, attempts)"
            " VALUES (1, 'L01', 0, 0, 0, '2026-11-02', '2026-11-02', 1),"
            " (1, 'L02', 3, 0, 0, '2026-11-03', NULL, 0)"
        )
    db.upgrade_sync(url)
    with sync.connect() as conn:
        counts = conn.exec_driver_sql(
            "SELECT id, lessons_started, lessons_completed FROM users ORDER BY id"
        ).all()
        members = conn.exec_driver_sql("SELECT id, members FROM households ORDER BY id").all()
    assert [tuple(row) for row in counts] == [(1, 2, 1), (2, 0, 0), (3, 0, 0)]
    assert [tuple(row) for row in members] == [(1, 2), (2, 0)]
    command.downgrade(db.alembic_config(url), "0005")
    db.upgrade_sync(url)
    sync.dispose()
