"""The composition root: settings, database, content, router and engine, built in one place."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass

from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from bot.config import Settings
from bot.core.engine import Engine
from bot.handlers import build_router
from bot.lessons import Curriculum, load_curriculum
from bot.storage import db

log = logging.getLogger(__name__)


class SetupError(Exception):
    """A problem the operator must fix (wrong settings, old schema); one line says what."""


@dataclass
class App:
    """Everything a running bot needs, built from settings."""

    settings: Settings
    db_engine: AsyncEngine
    sessions: async_sessionmaker[AsyncSession]
    curriculum: Curriculum
    engine: Engine


async def prepare_database(settings: Settings, engine: AsyncEngine) -> None:
    """Migrate SQLite automatically; require PostgreSQL to be migrated by the operator."""
    try:
        if db.is_sqlite(settings.database_url):
            await db.upgrade(settings.database_url)
            return
        current, head = await db.current_revision(engine), db.head_revision()
    except (OSError, DBAPIError) as exc:
        reason = str(getattr(exc, "orig", None) or exc).splitlines()[0]
        raise SetupError(f"cannot open the database ({reason})") from exc
    if current != head:
        raise SetupError(
            f"the database is at migration {current or 'none'}, the code needs {head}: "
            "run `hocvuso db upgrade` first"
        )


@asynccontextmanager
async def build_app(settings: Settings) -> AsyncIterator[App]:
    """Build the app (content validated, database ready) and dispose of it afterwards."""
    curriculum = load_curriculum(settings.content_path())
    db_engine = db.make_engine(settings.database_url)
    try:
        await prepare_database(settings, db_engine)
        sessions = db.make_sessionmaker(db_engine)
        engine = Engine(sessions, build_router(), curriculum)
        yield App(settings, db_engine, sessions, curriculum, engine)
    finally:
        await db_engine.dispose()
