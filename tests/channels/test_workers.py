"""Several `hocvuso run` webhook workers on one PostgreSQL database, as behind a load balancer:
every update is handled once, each person's answers come in order, and one planner runs."""

from __future__ import annotations

import asyncio
import os
import sys
import time
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import aiohttp
import pytest
from sqlalchemy import func, select, text

from bot.scheduling.scheduler import PLANNER_LOCK
from bot.storage import db
from bot.storage.models import OutboxMessage, ProcessedUpdate
from tests.channels.test_telegram_run import free_port, start_bot, stop_bot
from tests.conftest import PG_SKIP, PG_URL
from tests.fakes.telegram_api import FakeTelegram

pytestmark = pytest.mark.skipif(not PG_URL, reason=PG_SKIP)

SECRET = "hook_secret-1"
PEOPLE = range(5001, 5009)
# What each person types, and what they must read in answer, in this order. Handled out of
# order, the "1"s would answer the consent question at the wrong step.
SAYS = ("/start", "1", "1", "dong tam")
READS = (
    lambda t: t.startswith("Xin chào! 👋") and "Bạn có đồng ý không?" in t,
    lambda t: "nhóm nào" in t,
    lambda t: "thôn" in t.lower(),
    lambda t: "Đã ghi nhận: Thôn Đồng Tâm" in t,
    lambda t: "hộ gia đình nào" in t,
)


@pytest.fixture
async def fake() -> AsyncIterator[FakeTelegram]:
    server = FakeTelegram()
    await server.start()
    yield server
    await server.stop()


def message_update(update_id: int, user: int, said: str) -> dict[str, Any]:
    """The JSON Telegram posts to a webhook for a private text message."""
    sender = {"id": user, "is_bot": False, "first_name": "Dân", "language_code": "vi"}
    message: dict[str, Any] = {
        "message_id": update_id,
        "from": sender,
        "chat": {"id": user, "type": "private", "first_name": "Dân"},
        "date": int(time.time()),
        "text": said,
    }
    if said.startswith("/"):
        message["entities"] = [{"type": "bot_command", "offset": 0, "length": len(said)}]
    return {"update_id": update_id, "message": message}


async def run_cli(tmp_path: Path, *args: str, **env: str) -> None:
    """Run a `hocvuso` command as an operator would; it must succeed."""
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bot",
        *args,
        cwd=tmp_path,
        stdin=asyncio.subprocess.DEVNULL,
        stdout=asyncio.subprocess.DEVNULL,
        stderr=asyncio.subprocess.PIPE,
        env={**os.environ, **env},
    )
    _, stderr = await asyncio.wait_for(process.communicate(), 120)
    assert process.returncode == 0, stderr.decode()


async def wait_healthy(http: aiohttp.ClientSession, port: int, within: float = 60) -> None:
    """Wait until a worker's health check answers."""
    deadline = time.monotonic() + within
    while time.monotonic() < deadline:
        try:
            async with http.get(f"http://127.0.0.1:{port}/healthz") as response:
                if response.status == 200:
                    return
        except aiohttp.ClientError:
            pass
        await asyncio.sleep(0.2)
    raise TimeoutError(f"worker on port {port} did not come up")


async def deliver(http: aiohttp.ClientSession, port: int, update: dict[str, Any]) -> int:
    """POST an update to a worker's webhook, as Telegram does (through the TLS proxy)."""
    headers = {"X-Telegram-Bot-Api-Secret-Token": SECRET}
    url = f"http://127.0.0.1:{port}/webhook/telegram"
    async with http.post(url, json=update, headers=headers) as response:
        await response.read()
        return response.status


async def planner_locks(url: str) -> list[tuple[int, bool]]:
    """(backend pid, granted) of every hold on the planner's advisory lock."""
    engine = db.make_engine(url)
    try:
        async with engine.connect() as conn:
            rows = await conn.execute(
                text(
                    "SELECT pid, granted FROM pg_locks WHERE locktype = 'advisory'"
                    " AND database = (SELECT oid FROM pg_database"
                    " WHERE datname = current_database())"
                    " AND (classid::bigint << 32) + objid::bigint = :key AND objsubid = 1"
                ),
                {"key": PLANNER_LOCK},
            )
            return [(int(pid), bool(granted)) for pid, granted in rows]
    finally:
        await engine.dispose()


async def count_rows(url: str) -> tuple[list[str], int]:
    """The update keys recorded as processed, and the outbox rows not sent."""
    engine = db.make_engine(url)
    try:
        async with engine.connect() as conn:
            keys = list(
                await conn.scalars(
                    select(ProcessedUpdate.update_key).where(ProcessedUpdate.channel == "telegram")
                )
            )
            unsent = await conn.scalar(
                select(func.count())
                .select_from(OutboxMessage)
                .where(OutboxMessage.status != "sent")
            )
            return keys, int(unsent or 0)
    finally:
        await engine.dispose()


@pytest.mark.parametrize("backend", ["postgresql"])
async def test_two_webhook_workers_on_one_database_handle_each_update_once_in_order(
    backend: str, db_url: str, tmp_path: Path, fake: FakeTelegram
) -> None:
    env = {
        "HOCVUSO_DATABASE_URL": db_url,
        "HOCVUSO_TELEGRAM_WEBHOOK_URL": "https://bot.example.gov.vn/webhook/telegram",
        "HOCVUSO_TELEGRAM_WEBHOOK_SECRET": SECRET,
    }
    await run_cli(tmp_path, "db", "upgrade", **env)
    ports = [free_port(), free_port()]
    workers = [
        await start_bot(tmp_path, fake, seed=index == 0, HOCVUSO_HTTP_PORT=str(port), **env)
        for index, port in enumerate(ports)
    ]
    for user in PEOPLE:
        fake.register_chat(user)
    statuses: list[int] = []
    try:
        async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=60)) as http:
            for port in ports:
                await wait_healthy(http, port)

            async def person(index: int, user: int) -> None:
                # The person's updates alternate between the workers; the next is sent only
                # once the previous one was answered 200 (Telegram's order per chat).
                for step, said in enumerate(SAYS):
                    update = message_update(10_000 * user + step, user, said)
                    port = ports[(index + step) % 2]
                    for _ in range(20):  # a non-200 is delivered again, as Telegram does
                        status = await deliver(http, port, update)
                        statuses.append(status)
                        if status == 200:
                            break
                        await asyncio.sleep(0.25)
                    assert status == 200, (user, said, status)

            await asyncio.gather(*(person(i, user) for i, user in enumerate(PEOPLE)))
            # A 200 lost on the way: Telegram delivers the last update again, to the other worker.
            for index, user in enumerate(PEOPLE):
                step = len(SAYS) - 1
                update = message_update(10_000 * user + step, user, SAYS[step])
                assert await deliver(http, ports[(index + step + 1) % 2], update) == 200

        await asyncio.sleep(1.0)  # any stray second send would arrive by now
        holds = await planner_locks(db_url)
        keys, unsent = await count_rows(db_url)
    finally:
        logs = [await stop_bot(worker) for worker in workers]

    for log in logs:
        assert "Traceback" not in log, log
    # Every update was handled exactly once, by one of the two workers.
    expected = {str(10_000 * user + step) for user in PEOPLE for step in range(len(SAYS))}
    assert sorted(keys) == sorted(expected)
    assert unsent == 0
    for user in PEOPLE:
        texts = fake.texts(user)
        assert len(texts) == len(READS), (user, texts)  # no answer lost, none sent twice
        for reads, said in zip(READS, texts, strict=True):
            assert reads(said), (user, texts)
    # Both workers were up and serving; exactly one of them plans (holds the planner's lock).
    assert all("telegram webhook set" in log for log in logs)
    assert len(holds) == 1 and holds[0][1], holds
