"""The database goes away under traffic: users hear "busy", nothing is acknowledged or lost."""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import AsyncIterator
from typing import Any

import pytest
from sqlalchemy import func, select

from bot.channels.telegram.adapter import TelegramChannel
from bot.core.engine import BUSY, BUSY_RETRY, Engine
from bot.delivery.pipeline import Pipeline
from bot.handlers import build_router
from bot.storage import db
from bot.storage.models import ProcessedUpdate
from bot.web import Webhook, WebServer, build_web_app
from tests.channels.test_telegram_run import free_port
from tests.conftest import PG_SKIP, PG_URL
from tests.factories import seed_demo_commune
from tests.fakes.telegram_api import FakeTelegram

SECRET = "db-down-secret"


class Unplug:
    """A TCP proxy to PostgreSQL that can be unplugged (connections cut, new ones refused)."""

    def __init__(self, target_port: int) -> None:
        self.target_port = target_port
        self.port = free_port()
        self._server: asyncio.Server | None = None
        self._writers: set[asyncio.StreamWriter] = set()

    async def up(self) -> None:
        self._server = await asyncio.start_server(self._serve, "127.0.0.1", self.port)

    async def down(self) -> None:
        if self._server is not None:
            self._server.close()
            await self._server.wait_closed()
            self._server = None
        for writer in list(self._writers):
            writer.close()
        self._writers.clear()

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            up_reader, up_writer = await asyncio.open_connection("127.0.0.1", self.target_port)
        except OSError:
            writer.close()
            return
        self._writers.update({writer, up_writer})

        async def pipe(src: asyncio.StreamReader, dst: asyncio.StreamWriter) -> None:
            with contextlib.suppress(Exception):
                while data := await src.read(65536):
                    dst.write(data)
                    await dst.drain()
            dst.close()

        await asyncio.gather(pipe(reader, up_writer), pipe(up_reader, writer))


@pytest.fixture
async def proxy() -> AsyncIterator[Unplug]:
    if not PG_URL:
        pytest.skip(PG_SKIP)
    plug = Unplug(5432)
    await plug.up()
    yield plug
    await plug.down()


async def test_database_outage_under_traffic(
    proxy: Unplug, postgres_migrated: str, curriculum: Any
) -> None:
    url = PG_URL.replace("127.0.0.1:5432", f"127.0.0.1:{proxy.port}")  # type: ignore[union-attr]
    database = db.make_engine(url, pool_size=5)
    sessions = db.make_sessionmaker(database)
    from tests.conftest import Base, _execute

    tables = ", ".join(t.name for t in reversed(Base.metadata.sorted_tables))
    await _execute(url, f"TRUNCATE {tables} RESTART IDENTITY CASCADE")
    await seed_demo_commune(sessions)
    engine = Engine(sessions, build_router(), curriculum)
    fake = FakeTelegram()
    await fake.start()
    holder: dict[str, TelegramChannel] = {}

    async def handle(data: dict[str, Any]) -> bool:
        return await holder["channel"].process_json(data)

    server = WebServer(
        build_web_app(
            database,
            hooks=[Webhook("telegram", handle, SECRET, "X-Telegram-Bot-Api-Secret-Token")],
        ),
        "127.0.0.1",
        0,
    )
    await server.start()
    fake.forward_to = f"http://127.0.0.1:{server.port}"  # the TLS proxy in front of the bot
    channel = TelegramChannel(
        Pipeline(engine),
        fake.token,
        fake.base_url,
        rate=1000,
        chat_interval=0,
        webhook_url="https://bot.example.gov.vn/webhook/telegram",
        webhook_secret=SECRET,
    )
    holder["channel"] = channel
    await channel.start()
    try:
        users = range(5000, 5010)
        for user in users:
            fake.push_message(user, "/start")
        await fake.wait_for(lambda: all(fake.texts(u) for u in users), 20)

        await proxy.down()
        started = time.monotonic()
        refused = []
        while time.monotonic() - started < 10:  # ten seconds of traffic with no database
            user = users[len(refused) % len(users)]
            update = {
                "update_id": 900000 + len(refused),
                "message": {
                    "message_id": 1,
                    "date": int(time.time()),
                    "chat": {"id": user, "type": "private", "first_name": "Dân"},
                    "from": {"id": user, "is_bot": False, "first_name": "Dân"},
                    "text": "1",
                },
            }
            fake.register_chat(user)
            status = await fake.deliver(update)
            refused.append((update, status))
            await asyncio.sleep(0.5)
        assert all(status == 503 for _, status in refused), "acknowledged without the database"
        assert any(BUSY_RETRY in t for u in users for t in fake.texts(u))  # users were told

        await proxy.up()  # the database is back: no restart
        for update, _ in refused:  # Telegram delivers again what was not acknowledged
            assert await fake.deliver(update) == 200
        async with sessions() as session:
            keys = {
                k
                for k in await session.scalars(select(ProcessedUpdate.update_key))
                if k.startswith("900")
            }
            assert keys == {str(u["update_id"]) for u, _ in refused}  # none lost
            assert await session.scalar(select(func.count(ProcessedUpdate.id))) >= len(refused)
        before = len(fake.texts(users[0]))
        fake.push_message(users[0], "menu")  # and new messages are served as usual
        await fake.wait_for(lambda: len(fake.texts(users[0])) > before, 10)
        assert BUSY not in fake.texts(users[0])[-1]
    finally:
        await channel.stop()
        await server.stop()
        await fake.stop()
        await database.dispose()
