"""Adding a channel is its own package plus one registry line: nothing else in the bot changes.

This test imports only the test channel's package and the registry; settings, the app, the web
server and `doctor` pick the channel up from the registry alone.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from pathlib import Path

import aiohttp
import pytest

from bot.channels import registry
from tests.channels import loopback
from tests.channels.test_telegram_run import free_port


@pytest.fixture
def registered(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[int]:
    registry.CHANNELS.append(loopback.SPEC)  # the one registry line
    port = free_port()
    for key, value in {
        "HOCVUSO_DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path / 'bot.db'}",
        "HOCVUSO_HTTP_PORT": str(port),
        "HOCVUSO_LOOPBACK_TOKEN": "t",
        "HOCVUSO_LOOPBACK_WEBHOOK_URL": "https://bot.example.gov.vn/webhook/loopback",
        "HOCVUSO_LOOPBACK_WEBHOOK_SECRET": "loop-secret",
        "HOCVUSO_TELEGRAM_TOKEN": "",  # empty means not set
    }.items():
        monkeypatch.setenv(key, value)
    yield port
    registry.CHANNELS.remove(loopback.SPEC)
    loopback.SENT.clear()


async def test_a_registered_channel_is_served_checked_and_answered(registered: int) -> None:
    from bot.app import build_app, serve
    from bot.config import Settings
    from bot.ops import doctor_lines

    settings = Settings()
    assert settings.enabled_channels() == ["loopback"]
    assert ("✓", "Loopback ready") in await doctor_lines(settings)
    stop = asyncio.Event()
    async with build_app(settings) as app:
        task = asyncio.create_task(serve(app, stop))
        url = f"http://127.0.0.1:{registered}/webhook/loopback"
        try:
            async with aiohttp.ClientSession() as http:
                for _ in range(100):  # wait for the server
                    try:
                        async with http.post(url, json={}) as response:
                            assert response.status == 403  # no secret, refused
                        break
                    except aiohttp.ClientConnectionError:
                        await asyncio.sleep(0.1)
                headers = {"X-Loopback-Secret": "loop-secret"}
                body = {"id": 1, "from": "p1", "text": "/start"}
                async with http.post(url, json=body, headers=headers) as response:
                    assert response.status == 200
        finally:
            stop.set()
            await task
    texts = [reply.text for chat, reply in loopback.SENT if chat == "p1"]
    assert texts and texts[0].startswith("Xin chào")
