"""Bot API calls over aiohttp fail the way the send policy expects of python-telegram-bot's.

A call that got no answer in time may have been delivered (the reply is retried but its rate
token is kept); a call that reached nobody was not (retried, token refunded). The fake Bot API
servers answer every call at once, so these two use a server that never answers and a port
where nothing listens.
"""

from __future__ import annotations

import time
from collections.abc import AsyncIterator

import pytest

from bot.channels.base import Transient, hide_tokens
from bot.channels.telegram.api import RawBot, translate
from bot.channels.telegram.http import AiohttpRequest
from tests.channels.test_telegram_run import free_port
from tests.fakes.silent import silent_server

TOKEN = "123:ABC"


@pytest.fixture
async def silent_api() -> AsyncIterator[str]:
    """A Bot API address that accepts calls and never answers them."""
    async with silent_server() as url:
        yield f"{url}/bot"


async def _send(base_url: str) -> None:
    request = AiohttpRequest(read_timeout=0.3)
    bot = RawBot(TOKEN, base_url=base_url, request=request)
    await request.initialize()
    try:
        await translate(lambda: bot.post_raw("sendMessage", {"chat_id": 1, "text": "Chào"}))
    finally:
        await request.shutdown()


async def test_no_answer_in_time_is_a_send_that_may_have_gone(silent_api: str) -> None:
    started = time.monotonic()
    with pytest.raises(Transient) as failure:
        await _send(silent_api)
    assert failure.value.refund is False
    assert time.monotonic() - started < 3
    assert TOKEN not in str(failure.value)


async def test_nobody_listening_is_a_send_that_did_not_go() -> None:
    with pytest.raises(Transient) as failure:
        await _send(f"http://127.0.0.1:{free_port()}/bot")
    assert failure.value.refund is True
    assert TOKEN not in str(failure.value)


async def test_a_call_before_start_up_says_so() -> None:
    bot = RawBot(TOKEN, base_url="http://127.0.0.1:9/bot", request=AiohttpRequest())
    with pytest.raises(Transient, match="not initialized"):
        await translate(lambda: bot.post_raw("sendMessage", {"chat_id": 1, "text": "x"}))


def test_tokens_are_blanked_and_addresses_kept() -> None:
    said = hide_tokens(
        "Cannot connect to 10.0.0.100:8080 for http://x/bot123456789:AAH-x_9zQ/getMe"
        " (%3A form: bot123456789%3AAAH-x_9zQ)"
    )
    assert "AAH" not in said and "10.0.0.100:8080" in said
    assert said.count("<token>") == 2
