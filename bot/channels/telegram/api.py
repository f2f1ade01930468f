"""The Telegram Bot API as our channel calls it: PTB's Bot with raw calls, its errors as the
send policy's, and keyboards as the API's JSON."""

from __future__ import annotations

import os
import warnings
from collections.abc import Awaitable, Callable
from datetime import timedelta
from typing import Any, TypeVar

from telegram import Bot, InlineKeyboardButton, InlineKeyboardMarkup
from telegram.error import BadRequest, Forbidden, NetworkError, RetryAfter, TimedOut

from bot.channels.base import PermanentFailure, RateLimited, Transient, Unreachable
from bot.channels.telegram.http import AiohttpRequest
from bot.core.messages import Reply
from bot.delivery.policy import IN_FLIGHT

T = TypeVar("T")
POLL_TIMEOUT = 30  # seconds a getUpdates call waits for updates


def keyboard(reply: Reply) -> InlineKeyboardMarkup | None:
    """The keyboard of `keyboard_data` as PTB objects (for pictures and documents)."""
    data = keyboard_data(reply)
    if data is None:
        return None
    rows = data["inline_keyboard"]
    return InlineKeyboardMarkup([[InlineKeyboardButton(**b) for b in row] for row in rows])


def keyboard_data(reply: Reply) -> dict[str, Any] | None:
    """One big button per row, which older users find easiest to hit, as the Bot API's JSON
    (text replies send it as it is; no PTB objects to build)."""
    if not reply.options:
        return None
    rows = [[{"text": o.label, "callback_data": o.payload}] for o in reply.options]
    return {"inline_keyboard": rows}


def retry_seconds(error: RetryAfter) -> float:
    """Read retry_after whether PTB gives seconds or a timedelta (without its deprecation)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        value = error.retry_after
    return value.total_seconds() if isinstance(value, timedelta) else float(value)


def file_url(base_url: str) -> str:
    """Derive the file download base from the API base (…/bot → …/file/bot)."""
    return base_url[: -len("bot")] + "file/bot" if base_url.endswith("bot") else base_url


class RawBot(Bot):
    """PTB's Bot, with a call that returns the Bot API's answer as JSON, building no objects."""

    async def post_raw(self, endpoint: str, data: dict[str, Any]) -> Any:
        """Call a Bot API method; Telegram's refusals raise PTB's errors as every call does.

        `Bot.do_api_request` does the same but warns for the methods PTB has (`sendMessage`).
        """
        return await self._post(endpoint, data)


def make_bot(token: str, api_url: str, connections: int = 2 * IN_FLIGHT) -> RawBot:
    """A PTB Bot for our API base (a local Bot API server or a test fake may replace Telegram).

    The send policy lets `IN_FLIGHT` calls run at once; the rest of the pool serves file
    downloads, which it does not pace. Calls go through aiohttp (`http.py`)."""
    # Opt in to PTB's coming timedelta durations now; otherwise every 429 it parses raises a
    # deprecation warning from inside RetryAfter.
    os.environ.setdefault("PTB_TIMEDELTA", "true")
    return RawBot(
        token,
        base_url=api_url,
        base_file_url=file_url(api_url),
        request=AiohttpRequest(connections),
        get_updates_request=AiohttpRequest(1, read_timeout=POLL_TIMEOUT + 10),
    )


async def translate(request: Callable[[], Awaitable[T]]) -> T:
    """Make one Bot API call, turning Telegram's refusals into the send policy's errors."""
    try:
        return await request()
    except RetryAfter as error:
        raise RateLimited(retry_seconds(error)) from error
    except Forbidden as error:
        raise Unreachable(str(error)) from error
    except BadRequest as error:
        raise PermanentFailure(str(error)) from error
    except TimedOut as error:
        raise Transient(refund=False, reason=str(error)) from error  # it may have gone out
    except NetworkError as error:
        # Telegram answered with a 5xx (or was never reached): nothing was sent.
        raise Transient(refund=True, reason=str(error)) from error
