"""The outbox and its dispatcher against the fake Bot API: retries, failures, kill -9."""

from __future__ import annotations

import asyncio
import os
import signal
import sys
from collections import Counter
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.channels.telegram.adapter import TelegramChannel
from bot.core.engine import Engine
from bot.delivery.dispatcher import Dispatcher
from bot.delivery.outbox import enqueue
from bot.delivery.pipeline import Pipeline
from bot.storage import db
from bot.storage.models import Identity, OutboxMessage, User
from tests.channels.test_telegram_run import free_port
from tests.fakes.telegram_api import FakeTelegram


@pytest.fixture
async def fake() -> AsyncIterator[FakeTelegram]:
    server = FakeTelegram()
    await server.start()
    yield server
    await server.stop()


@pytest.fixture
async def channel(
    fake: FakeTelegram, engine: Engine, sessions: async_sessionmaker[AsyncSession]
) -> AsyncIterator[TelegramChannel]:
    tg = TelegramChannel(Pipeline(engine), fake.token, fake.base_url, rate=1000, chat_interval=0)
    await tg.bot_api.initialize()
    yield tg
    await tg.bot_api.shutdown()


async def add(sessions: async_sessionmaker[AsyncSession], chat: int, key: str) -> None:
    async with sessions() as session, session.begin():
        user = User(state={})
        session.add(user)
        await session.flush()
        session.add(
            Identity(user_id=user.id, channel="telegram", external_id=str(chat), chat_id=str(chat))
        )
        await enqueue(
            session,
            channel="telegram",
            chat_id=str(chat),
            user_id=user.id,
            text=f"Thông báo {key}",
            kind="notice",
            dedupe_key=key,
        )


async def statuses(sessions: async_sessionmaker[AsyncSession]) -> dict[str, str]:
    async with sessions() as session:
        rows = await session.scalars(select(OutboxMessage))
        return {r.dedupe_key: r.status for r in rows}


async def test_the_same_dedupe_key_is_enqueued_once(sessions) -> None:
    async with sessions() as session, session.begin():
        for _ in range(3):
            await enqueue(
                session, channel="telegram", chat_id="1", text="x", kind="notice", dedupe_key="k"
            )
    assert await statuses(sessions) == {"k": "pending"}


async def test_flood_control_and_server_errors_do_not_lose_messages(
    fake: FakeTelegram, channel: TelegramChannel, sessions
) -> None:
    for chat in range(900, 905):
        fake.register_chat(chat)
        await add(sessions, chat, f"n{chat}")
    fake.fail_next("sendMessage", 429, retry_after=1)
    fake.fail_next("sendMessage", 500, count=2)
    await Dispatcher(sessions, {"telegram": channel}).drain()
    assert set((await statuses(sessions)).values()) == {"sent"}
    assert sorted(c for c in range(900, 905) if fake.texts(c)) == list(range(900, 905))


async def test_blocked_and_refused_messages_are_recorded_not_retried(
    fake: FakeTelegram, channel: TelegramChannel, sessions
) -> None:
    fake.register_chat(910)
    fake.blocked.add(910)
    await add(sessions, 910, "blocked")
    await add(sessions, 911, "unknown-chat")  # Telegram answers 400 chat not found
    dispatcher = Dispatcher(sessions, {"telegram": channel})
    await dispatcher.drain()
    assert await statuses(sessions) == {"blocked": "unreachable", "unknown-chat": "failed"}
    async with sessions() as session:
        identity = await session.scalar(select(Identity).where(Identity.chat_id == "910"))
        assert identity is not None and identity.unreachable_at is not None
        failed = await session.scalar(
            select(OutboxMessage).where(OutboxMessage.status == "failed")
        )
        assert failed is not None and "not found" in (failed.last_error or "").lower()


async def test_network_failures_back_off_then_fail_visibly(
    fake: FakeTelegram, channel: TelegramChannel, sessions
) -> None:
    await add(sessions, 920, "api-down")
    await fake.stop()  # the Bot API stops answering
    clock = {"now": datetime.now(UTC)}
    dispatcher = Dispatcher(sessions, {"telegram": channel}, clock=lambda: clock["now"])
    for attempt in range(1, 4):
        assert await dispatcher.run_once() == 1
        async with sessions() as session:
            row = await session.scalar(select(OutboxMessage))
            assert row is not None and row.attempts == attempt and row.last_error
        assert await dispatcher.run_once() == 0  # backing off: not retried at once
        clock["now"] += timedelta(minutes=2)
    async with sessions() as session:
        row = await session.scalar(select(OutboxMessage))
        assert row is not None and row.status == "failed"  # visible in `hocvuso outbox status`


async def test_dispatcher_killed_mid_way_loses_nothing(tmp_path: Path, fake: FakeTelegram) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path / 'bot.db'}"
    await db.upgrade(url)
    engine = db.make_engine(url)
    sessions = db.make_sessionmaker(engine)
    total = 150
    for chat in range(1000, 1000 + total):
        fake.register_chat(chat)
        await add(sessions, chat, f"m{chat}")
    env = {
        **os.environ,
        "HOCVUSO_DATABASE_URL": url,
        "HOCVUSO_TELEGRAM_TOKEN": fake.token,
        "HOCVUSO_TELEGRAM_API_URL": fake.base_url,
        "HOCVUSO_TELEGRAM_RATE": "30",
        "HOCVUSO_OUTBOX_LEASE_SECONDS": "3",
    }

    async def start() -> asyncio.subprocess.Process:
        return await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            "bot",
            "run",
            cwd=tmp_path,
            env={**env, "HOCVUSO_HTTP_PORT": str(free_port())},
            stdout=asyncio.subprocess.DEVNULL,
            stderr=asyncio.subprocess.DEVNULL,
        )

    def delivered() -> int:
        return sum(1 for chat in range(1000, 1000 + total) if fake.texts(chat))

    first = await start()
    await fake.wait_for(lambda: delivered() >= 40, 30)
    first.send_signal(signal.SIGKILL)
    await first.wait()
    at_kill = delivered()
    assert at_kill < total, "the run finished before it could be killed"
    second = await start()
    try:
        await fake.wait_for(lambda: delivered() == total, 60)
        for _ in range(300):  # rows leased by the killed process are sent again after the lease
            if set((await statuses(sessions)).values()) == {"sent"}:
                break
            await asyncio.sleep(0.1)
    finally:
        second.send_signal(signal.SIGTERM)
        await asyncio.wait_for(second.wait(), 15)
    counts = Counter(s["chat_id"] for s in fake.sent if s["method"] == "sendMessage")
    duplicates = sum(n - 1 for n in counts.values())
    assert len(counts) == total  # nothing lost
    assert duplicates <= 32  # at most what was in flight at the kill (at-least-once window)
    assert set((await statuses(sessions)).values()) == {"sent"}
    await engine.dispose()
