"""The composition root: settings, database, content, router and engine, built in one place."""

from __future__ import annotations

import asyncio
import logging
import sys
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import timedelta

from pydantic import SecretStr
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from bot.channels.base import Channel, ChannelSetupError
from bot.config import Settings
from bot.core.engine import Engine
from bot.delivery.dispatcher import Dispatcher
from bot.handlers import build_router
from bot.lessons import Curriculum, load_curriculum
from bot.media import MediaStore
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
        metrics = Metrics()
        engine = Engine(sessions, build_router(), curriculum, metrics=metrics)
        yield App(settings, db_engine, sessions, curriculum, engine, metrics)
    finally:
        await db_engine.dispose()


async def serve(app: App, stop: asyncio.Event) -> None:
    """Run the configured channels and the web server until `stop` is set."""
    settings = app.settings
    channels: list[Channel] = []
    telegram_hook = None
    if settings.telegram_token is not None:
        from bot.channels.telegram import TelegramChannel

        secret = _secret(settings.telegram_webhook_secret)
        if settings.telegram_webhook_url and not secret:
            raise SetupError("HOCVUSO_TELEGRAM_WEBHOOK_SECRET is required with a webhook URL")
        telegram = TelegramChannel(
            app.engine,
            app.sessions,
            settings.telegram_token.get_secret_value(),
            settings.telegram_api_url,
            rate=settings.telegram_rate,
            webhook_url=settings.telegram_webhook_url,
            webhook_secret=secret,
        )
        channels.append(telegram)
        if settings.telegram_webhook_url:
            telegram_hook = telegram.process_json
    zalo_hook = None
    media = MediaStore()
    if settings.zalo_token is not None:
        from bot.channels.zalo import ZaloChannel

        zalo_secret = _secret(settings.zalo_webhook_secret)
        if settings.zalo_webhook_url and not (zalo_secret and 8 <= len(zalo_secret) <= 256):
            raise SetupError(
                "HOCVUSO_ZALO_WEBHOOK_SECRET (8–256 characters) is required with a webhook URL"
            )
        zalo = ZaloChannel(
            app.engine,
            app.sessions,
            settings.zalo_token.get_secret_value(),
            settings.zalo_api_url,
            rate=settings.zalo_rate,
            webhook_url=settings.zalo_webhook_url,
            webhook_secret=zalo_secret,
            media=media,
            public_url=settings.public_base(),
        )
        channels.append(zalo)
        if settings.zalo_webhook_url:
            zalo_hook = zalo.process_json
    if not channels:
        raise SetupError(
            "no channel is configured: set HOCVUSO_TELEGRAM_TOKEN or HOCVUSO_ZALO_TOKEN "
            "(or try the terminal chat with `hocvuso demo`)"
        )
    server = WebServer(
        build_web_app(
            app.db_engine,
            telegram=telegram_hook,
            telegram_secret=_secret(settings.telegram_webhook_secret),
            zalo=zalo_hook,
            zalo_secret=_secret(settings.zalo_webhook_secret),
            media=media,
            metrics=app.metrics,
            sessions=app.sessions,
            settings=settings,
        ),
        settings.http_host,
        settings.http_port,
    )
    started: list[Channel] = []
    dispatcher = Dispatcher(
        app.sessions,
        {c.name: c for c in channels},
        lease=timedelta(seconds=settings.outbox_lease_seconds),
        # Claim no more than can be sent well within the lease, or another instance re-sends.
        batch=max(10, min(200, int(_slowest_rate(settings) * settings.outbox_lease_seconds / 2))),
    )
    scheduler = Scheduler(app.sessions, app.db_engine, dispatcher, metrics=app.metrics)
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
        log.info("bot running: %s", ", ".join(c.name for c in channels))
        await stop.wait()
    finally:
        await scheduler.stop()  # stops the dispatcher too
        for channel in reversed(started):
            await channel.stop()
        await server.stop()
        sys.setswitchinterval(switch_interval)


def _slowest_rate(settings: Settings) -> float:
    rates = [settings.telegram_rate] if settings.telegram_token else []
    rates += [settings.zalo_rate] if settings.zalo_token else []
    return min(rates, default=settings.telegram_rate)


def _secret(value: SecretStr | None) -> str | None:
    return value.get_secret_value() if value is not None else None
