"""The composition root: settings, database, content, router, engine and channels, in one place."""

from __future__ import annotations

import asyncio
import gc
import logging
import sys
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from bot.channels.base import BuildContext, Channel, ChannelSetupError
from bot.channels.registry import CHANNELS
from bot.config import Settings
from bot.core.engine import Engine
from bot.delivery.pipeline import Pipeline
from bot.handlers import build_router
from bot.lessons import Curriculum, load_curriculum
from bot.media import MediaDir, MediaStore
from bot.metrics import Metrics
from bot.scheduling.scheduler import Scheduler
from bot.storage import db, sqlite
from bot.web import WebServer, build_web_app

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
    metrics: Metrics
    pipeline: Pipeline


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
    db_engine = db.make_engine(settings.database_url, busy_seconds=settings.sqlite_busy_seconds)
    try:
        await prepare_database(settings, db_engine)
        sessions = db.make_sessionmaker(db_engine)
        metrics = Metrics()
        engine = Engine(
            sessions,
            build_router(),
            curriculum,
            metrics=metrics,
            media=MediaDir(settings.media_dir),
        )
        lease = settings.outbox_lease_seconds
        pipeline = Pipeline(
            engine,
            lease=timedelta(seconds=lease),
            # Claim no more than can be sent well within the lease, or another worker re-sends.
            batch=max(10, min(200, int(_slowest_rate(settings) * lease / 2))),
        )
        yield App(settings, db_engine, sessions, curriculum, engine, metrics, pipeline)
    finally:
        await db_engine.dispose()


def build_channels(app: App, media: MediaStore) -> list[Channel]:
    """Build every configured channel of the registry."""
    context = BuildContext(app.pipeline, media, app.settings.public_base())
    return [
        spec.build(app.settings.channel(spec.name), context)
        for spec in CHANNELS
        if spec.name in app.settings.enabled_channels()
    ]


async def serve(app: App, stop: asyncio.Event) -> None:
    """Run the configured channels and the web server until `stop` is set."""
    media = MediaStore(pictures=app.engine.media)
    channels = build_channels(app, media)
    if not channels:
        raise SetupError(
            "no channel is configured: set HOCVUSO_TELEGRAM_TOKEN or HOCVUSO_ZALO_TOKEN "
            "(or try the terminal chat with `hocvuso demo`)"
        )
    server = WebServer(
        build_web_app(
            app.db_engine,
            channels=channels,
            settings=app.settings,
            media=media,
            metrics=app.metrics,
            sessions=app.sessions,
        ),
        app.settings.http_host,
        app.settings.http_port,
    )
    started: list[Channel] = []
    scheduler = Scheduler(
        app.sessions,
        app.db_engine,
        app.pipeline.dispatcher,
        metrics=app.metrics,
        curriculum=app.curriculum,
    )
    switch_interval = sys.getswitchinterval()
    if app.db_engine.dialect.name == "sqlite":
        sys.setswitchinterval(sqlite.SWITCH_INTERVAL)
    await server.start()
    try:
        for channel in channels:
            try:
                await channel.start()
            except ChannelSetupError as error:
                raise SetupError(str(error)) from error
            started.append(channel)
        await scheduler.start()
        # What start-up built (the curriculum, its search index, the ORM's mappers) lives as
        # long as the process: keep it out of the garbage collector's scans, which otherwise
        # walk it again on every full collection a busy minute triggers (bench/RESULTS.md).
        gc.freeze()
        log.info("bot running: %s", ", ".join(c.name for c in channels))
        await stop.wait()
    finally:
        await scheduler.stop()  # stops the dispatcher too
        for channel in reversed(started):
            await channel.stop()
        await server.stop()
        sys.setswitchinterval(switch_interval)


def _slowest_rate(settings: Settings) -> float:
    rates = [settings.channel(name).rate for name in settings.enabled_channels()]
    return min(rates, default=25.0)
