"""`hocvuso run` as an operator starts it, against the fake Bot API (a real subprocess)."""

from __future__ import annotations

import asyncio
import os
import signal
import socket
import sys
import time
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot.channels.telegram.adapter import TelegramChannel
from bot.core.messages import Reply
from bot.delivery.pipeline import Pipeline
from tests.fakes.telegram_api import FakeTelegram


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture
async def fake() -> AsyncIterator[FakeTelegram]:
    server = FakeTelegram()
    await server.start()
    yield server
    await server.stop()


async def start_bot(
    tmp_path: Path, fake: FakeTelegram, seed: bool = True, **env: str
) -> asyncio.subprocess.Process:
    """Start `hocvuso run` on the fake (after seeding the demo commune, unless told not to)."""
    if seed:
        demo = await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            "bot",
            "demo",
            cwd=tmp_path,
            stdin=asyncio.subprocess.DEVNULL,
            stdout=asyncio.subprocess.DEVNULL,
            env={**os.environ, **env},
        )
        assert await demo.wait() == 0
    return await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bot",
        "run",
        cwd=tmp_path,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
        env={
            **os.environ,
            "HOCVUSO_TELEGRAM_TOKEN": fake.token,
            "HOCVUSO_TELEGRAM_API_URL": fake.base_url,
            **env,
        },
    )


async def stop_bot(process: asyncio.subprocess.Process) -> str:
    process.send_signal(signal.SIGTERM)
    start = time.monotonic()
    _, stderr = await asyncio.wait_for(process.communicate(), 15)
    assert time.monotonic() - start < 10, "shutdown took too long"
    assert process.returncode == 0, stderr.decode()
    return stderr.decode()


async def test_run_polls_any_bot_api_server(tmp_path: Path, fake: FakeTelegram) -> None:
    env = {"HOCVUSO_DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path / 'bot.db'}"}
    process = await start_bot(tmp_path, fake, HOCVUSO_HTTP_PORT=str(free_port()), **env)
    try:
        fake.push_message(701, "/start")
        await fake.wait_for(lambda: any("đồng ý" in t for t in fake.texts(701)), 20)
        assert fake.commands["default"]
    finally:
        log = await stop_bot(process)
    assert "telegram polling started" in log
    assert "Traceback" not in log


async def test_run_serves_the_webhook(tmp_path: Path, fake: FakeTelegram) -> None:
    port = free_port()
    fake.forward_to = f"http://127.0.0.1:{port}"  # the TLS proxy in front of the bot
    env = {
        "HOCVUSO_DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path / 'bot.db'}",
        "HOCVUSO_HTTP_PORT": str(port),
        "HOCVUSO_TELEGRAM_WEBHOOK_URL": "https://bot.example.gov.vn/webhook/telegram",
        "HOCVUSO_TELEGRAM_WEBHOOK_SECRET": "hook_secret-1",
    }
    process = await start_bot(tmp_path, fake, **env)
    try:
        await fake.wait_for(lambda: bool(fake.webhook.get("url")), 20)
        assert fake.webhook["secret_token"] == "hook_secret-1"
        fake.push_message(702, "/start")
        await fake.wait_for(lambda: any("đồng ý" in t for t in fake.texts(702)), 20)
        assert all(status == 200 for _, status in fake.webhook_posts)
    finally:
        await stop_bot(process)


async def test_run_with_a_refused_token_says_so(tmp_path: Path, fake: FakeTelegram) -> None:
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bot",
        "run",
        cwd=tmp_path,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
        env={
            **os.environ,
            "HOCVUSO_DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path / 'bot.db'}",
            "HOCVUSO_TELEGRAM_TOKEN": "999:WRONG",
            "HOCVUSO_TELEGRAM_API_URL": fake.base_url,
            "HOCVUSO_HTTP_PORT": str(free_port()),
        },
    )
    _, stderr = await asyncio.wait_for(process.communicate(), 30)
    assert process.returncode == 1
    assert "Telegram did not accept the bot token" in stderr.decode()
    assert "Traceback" not in stderr.decode()
    assert "WRONG" not in stderr.decode()  # not even a refused token is shown


async def test_sending_stays_under_the_configured_rate(
    fake: FakeTelegram, engine, sessions
) -> None:
    fake.register_chat(800)
    channel = TelegramChannel(Pipeline(engine), fake.token, fake.base_url, rate=10)
    await channel.bot_api.initialize()
    try:
        start = time.monotonic()
        await asyncio.gather(*(channel.send("800", Reply(f"tin {i}")) for i in range(25)))
        elapsed = time.monotonic() - start
    finally:
        await channel.bot_api.shutdown()
    assert len(fake.texts(800)) == 25
    assert elapsed >= (25 - 10) / 10 * 0.9  # beyond the burst of 10, ten a second
    stamps = sorted(s["at"] for s in fake.sent if s["chat_id"] == 800)
    window = [b - a for a, b in zip(stamps, stamps[20:], strict=False)]
    assert min(window) >= 20 / 10 * 0.5
