"""Nothing committed is lost: `hocvuso run` killed with SIGKILL mid-answer, or stuck on a locked
database, answers everyone in full once it can, in order, each reply once (a reply in flight at
the kill may come twice: the lease rule of the outbox)."""

from __future__ import annotations

import asyncio
import sqlite3
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot.core.engine import BUSY_RETRY
from tests.channels.test_telegram_run import free_port, start_bot, stop_bot
from tests.fakes.telegram_api import FakeTelegram

WELCOME = "Xin chào! 👋"
CONSENT = "Bạn có đồng ý không?"
PEOPLE = range(900, 940)


@pytest.fixture
async def fake() -> AsyncIterator[FakeTelegram]:
    server = FakeTelegram()
    await server.start()
    yield server
    await server.stop()


def first_answer(fake: FakeTelegram, user: int) -> list[str]:
    """The first answers (the welcome with the consent question) a person received, repeats
    included."""
    return [text for text in fake.texts(user) if text.startswith(WELCOME) and CONSENT in text]


def answered(fake: FakeTelegram, user: int) -> bool:
    return bool(first_answer(fake, user))


def assert_whole_and_once(fake: FakeTelegram, in_flight: set[int]) -> None:
    for user in PEOPLE:
        texts = fake.texts(user)
        assert all(text.startswith(WELCOME) and CONSENT in text for text in texts), (user, texts)
        if user not in in_flight:
            assert len(texts) == 1, (user, texts)
        else:  # what was being sent at the kill may come again, never more
            assert 1 <= len(texts) <= 2, (user, texts)


async def kill(process: asyncio.subprocess.Process) -> None:
    process.kill()
    await process.wait()


async def test_polling_killed_mid_answer_answers_all_forty_after_restart(
    tmp_path: Path, fake: FakeTelegram
) -> None:
    env = {
        "HOCVUSO_DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path / 'bot.db'}",
        "HOCVUSO_HTTP_PORT": str(free_port()),
    }
    process = await start_bot(tmp_path, fake, **env)
    await fake.wait_for(lambda: bool(fake.commands.get("default")), 30)
    fake.hold("sendMessage", after=10)
    for user in PEOPLE:
        fake.push_message(user, "/start")
    await fake.wait_for(lambda: fake.held("sendMessage"), 30)
    await asyncio.sleep(0.5)  # let the others commit too
    await kill(process)
    in_flight = {user for user in PEOPLE if fake.texts(user)}
    fake.release("sendMessage")
    await asyncio.sleep(0.5)
    in_flight |= {user for user in PEOPLE if fake.texts(user)}

    process = await start_bot(tmp_path, fake, seed=False, **env)
    try:
        await fake.wait_for(lambda: all(answered(fake, u) for u in PEOPLE), 60)
    finally:
        await stop_bot(process)
    assert_whole_and_once(fake, in_flight)


async def test_webhook_killed_between_commit_and_send_answers_after_redelivery(
    tmp_path: Path, fake: FakeTelegram
) -> None:
    port = free_port()
    fake.forward_to = f"http://127.0.0.1:{port}"  # the TLS proxy in front of the bot
    fake.webhook_tries, fake.webhook_retry_delay = 200, 0.25  # the platform keeps trying
    env = {
        "HOCVUSO_DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path / 'bot.db'}",
        "HOCVUSO_HTTP_PORT": str(port),
        "HOCVUSO_TELEGRAM_WEBHOOK_URL": "https://bot.example.gov.vn/webhook/telegram",
        "HOCVUSO_TELEGRAM_WEBHOOK_SECRET": "hook_secret-1",
    }
    process = await start_bot(tmp_path, fake, **env)
    await fake.wait_for(lambda: bool(fake.webhook.get("url")), 30)
    fake.hold("sendMessage", after=10)
    for user in PEOPLE:
        fake.push_message(user, "/start")
    await fake.wait_for(lambda: fake.held("sendMessage"), 30)
    await asyncio.sleep(0.5)  # the update being answered is committed: its reply is held
    await kill(process)
    in_flight = {user for user in PEOPLE if fake.texts(user)}
    fake.release("sendMessage")
    await asyncio.sleep(0.5)
    in_flight |= {user for user in PEOPLE if fake.texts(user)}

    process = await start_bot(tmp_path, fake, seed=False, **env)
    try:
        await fake.wait_for(lambda: all(answered(fake, u) for u in PEOPLE), 90)
    finally:
        await stop_bot(process)
    assert_whole_and_once(fake, in_flight)


async def test_a_database_locked_past_the_busy_timeout_loses_nothing(
    tmp_path: Path, fake: FakeTelegram
) -> None:
    path = tmp_path / "bot.db"
    env = {
        "HOCVUSO_DATABASE_URL": f"sqlite+aiosqlite:///{path}",
        "HOCVUSO_HTTP_PORT": str(free_port()),
        "HOCVUSO_SQLITE_BUSY_SECONDS": "1",
    }
    process = await start_bot(tmp_path, fake, **env)
    try:
        await fake.wait_for(lambda: bool(fake.commands.get("default")), 30)
        # Another program (a backup, an import) holds SQLite's write lock for 4 s.
        blocker = sqlite3.connect(path, isolation_level=None)
        blocker.execute("BEGIN EXCLUSIVE")
        people = list(PEOPLE)[:10]
        for user in people:
            fake.push_message(user, "/start")
            fake.push_message(user, "1")  # then agrees, before any answer came
        await asyncio.sleep(4)
        blocker.execute("COMMIT")
        blocker.close()
        await fake.wait_for(
            lambda: all(
                any("nhóm nào" in t for t in fake.texts(u)) and answered(fake, u) for u in people
            ),
            60,
        )
    finally:
        await stop_bot(process)
    for user in people:
        texts = fake.texts(user)
        assert texts.count(BUSY_RETRY) <= 1, texts  # told "busy" once at most
        answers = [t for t in texts if t != BUSY_RETRY]
        assert answers[0].startswith(WELCOME) and CONSENT in answers[0], answers
        assert "nhóm nào" in answers[1], answers  # the "1" was handled after the /start
        assert len(answers) == 2, answers
