"""`hocvuso run` with a Zalo token, in polling and webhook mode (a real subprocess)."""

from __future__ import annotations

import asyncio
import os
import signal
import sys
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from tests.channels.test_telegram_run import free_port
from tests.fakes.zalo_api import FakeZalo


@pytest.fixture
async def fake() -> AsyncIterator[FakeZalo]:
    server = FakeZalo()
    await server.start()
    yield server
    await server.stop()


async def run_bot(tmp_path: Path, fake: FakeZalo, **env: str) -> asyncio.subprocess.Process:
    base = {
        **os.environ,
        "HOCVUSO_DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path / 'bot.db'}",
        "HOCVUSO_ZALO_TOKEN": fake.token,
        "HOCVUSO_ZALO_API_URL": fake.base_url,
    }
    seed = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bot",
        "demo",
        cwd=tmp_path,
        env=base,
        stdin=asyncio.subprocess.DEVNULL,
        stdout=asyncio.subprocess.DEVNULL,
    )
    assert await seed.wait() == 0
    return await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bot",
        "run",
        cwd=tmp_path,
        env={**base, **env},
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )


async def stop(process: asyncio.subprocess.Process) -> str:
    process.send_signal(signal.SIGTERM)
    _, stderr = await asyncio.wait_for(process.communicate(), 15)
    assert process.returncode == 0, stderr.decode()
    return stderr.decode()


async def test_run_polls_zalo(tmp_path: Path, fake: FakeZalo) -> None:
    process = await run_bot(tmp_path, fake, HOCVUSO_HTTP_PORT=str(free_port()))
    try:
        fake.push_text("zalo-user-1", "xin chao")
        await fake.wait_for(lambda: any("đồng ý" in t for t in fake.texts("zalo-user-1")), 20)
    finally:
        log = await stop(process)
    assert "zalo polling started" in log


async def test_run_serves_the_zalo_webhook(tmp_path: Path, fake: FakeZalo) -> None:
    port = free_port()
    fake.forward_to = f"http://127.0.0.1:{port}"  # the TLS proxy in front of the bot
    process = await run_bot(
        tmp_path,
        fake,
        HOCVUSO_HTTP_PORT=str(port),
        HOCVUSO_ZALO_WEBHOOK_URL="https://bot.example.gov.vn/webhook/zalo",
        HOCVUSO_ZALO_WEBHOOK_SECRET="zalo-secret-123",
    )
    try:
        await fake.wait_for(lambda: bool(fake.webhook.get("url")), 20)
        fake.push_text("zalo-user-2", "/start")
        await fake.wait_for(lambda: any("đồng ý" in t for t in fake.texts("zalo-user-2")), 20)
        assert all(status == 200 for _, status in fake.webhook_posts)
    finally:
        await stop(process)


async def test_a_short_webhook_secret_is_refused_before_starting(
    tmp_path: Path, fake: FakeZalo
) -> None:
    process = await run_bot(
        tmp_path,
        fake,
        HOCVUSO_HTTP_PORT=str(free_port()),
        HOCVUSO_ZALO_WEBHOOK_URL="https://bot.example.gov.vn/webhook/zalo",
        HOCVUSO_ZALO_WEBHOOK_SECRET="short",
    )
    _, stderr = await asyncio.wait_for(process.communicate(), 20)
    assert process.returncode == 1
    assert "HOCVUSO_ZALO_WEBHOOK_SECRET" in stderr.decode()
    assert "Traceback" not in stderr.decode()
