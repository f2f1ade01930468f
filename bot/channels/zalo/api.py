"""A small client for the Zalo Bot API: https://bot-api.zaloplatforms.com/bot<TOKEN>/<method>."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

import aiohttp

from bot.channels.base import PermanentFailure, RateLimited, Transient, Unreachable

T = TypeVar("T")
NETWORK = 599  # our code for "no answer" (refused connection, time-out): the send may have gone


class ZaloError(Exception):
    """An error answer of the Zalo Bot API."""

    def __init__(self, code: int, description: str) -> None:
        super().__init__(f"{code} {description}")
        self.code = code
        self.description = description


class ZaloApi:
    """Call the Zalo Bot API's methods with JSON parameters."""

    def __init__(self, session: aiohttp.ClientSession, base_url: str, token: str) -> None:
        self.session = session
        self.url = f"{base_url}{token}/"

    async def call(self, method: str, *, http_seconds: float = 15, **params: Any) -> Any:
        """Call a method; return `result` or raise ZaloError."""
        try:
            async with self.session.post(
                self.url + method, json=params, timeout=aiohttp.ClientTimeout(total=http_seconds)
            ) as response:
                try:
                    body = await response.json(content_type=None)
                except ValueError:
                    raise ZaloError(response.status or 502, "answer is not JSON") from None
        except (aiohttp.ClientError, TimeoutError) as error:
            # The type only, and no chained error: aiohttp's texts quote the URL with the token.
            raise ZaloError(NETWORK, f"network: {type(error).__name__}") from None
        if not isinstance(body, dict):
            raise ZaloError(502, "answer is not a JSON object")
        if not body.get("ok"):
            raise ZaloError(
                int(body.get("error_code") or response.status), str(body.get("description", ""))
            )
        return body.get("result", True)


async def translate(request: Callable[[], Awaitable[T]]) -> T:
    """Make one API call, turning Zalo's refusals into the send policy's errors."""
    try:
        return await request()
    except ZaloError as error:
        if error.code == 429:
            raise RateLimited() from error
        if error.code == 403:
            raise Unreachable(str(error)) from error
        if error.code == NETWORK or error.code == 408:
            raise Transient(refund=False, reason=str(error)) from error  # it may have gone out
        if error.code >= 500:
            raise Transient(refund=True, reason=str(error)) from error
        raise PermanentFailure(str(error)) from error
