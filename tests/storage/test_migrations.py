"""The schema comes from Alembic, and the models never drift from the migrations."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
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
