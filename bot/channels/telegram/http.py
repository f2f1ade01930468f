"""python-telegram-bot's requests made with aiohttp's client instead of httpx.

PTB lets any `BaseRequest` carry its calls: it builds the parameters and reads Telegram's answer
(status codes become `Forbidden`, `BadRequest`, `RetryAfter`…) the same way whatever client does
the HTTP. aiohttp's client, which the Zalo channel and the web server already use, spends about a
third of httpx's CPU on a Bot API call (bench/RESULTS.md, "updates"), and sending is the largest
part of answering a message.
"""

from __future__ import annotations

from typing import Any

import aiohttp
from telegram.error import NetworkError, TimedOut
from telegram.request import BaseRequest, RequestData

from bot.channels.base import hide_tokens

# Seconds, as PTB's own HTTPXRequest has them.
CONNECT, READ, WRITE, POOL, MEDIA_WRITE = 5.0, 5.0, 5.0, 1.0, 20.0


class AiohttpRequest(BaseRequest):
    """One aiohttp session with a pool of at most `connections` connections."""

    def __init__(self, connections: int = 8, read_timeout: float | None = READ) -> None:
        self._connections = connections
        self._read_timeout = read_timeout
        self._session: aiohttp.ClientSession | None = None

    @property
    def read_timeout(self) -> float | None:
        """Seconds to wait for an answer when the call names none."""
        return self._read_timeout

    async def initialize(self) -> None:
        """Open the session (it needs the running event loop)."""
        if self._session is None or self._session.closed:
            self._session = aiohttp.ClientSession(
                connector=aiohttp.TCPConnector(limit=self._connections),
                headers={"User-Agent": self.USER_AGENT},
            )

    async def shutdown(self) -> None:
        """Close the session and its connections."""
        if self._session is not None and not self._session.closed:
            await self._session.close()

    async def do_request(
        self,
        url: str,
        method: str,
        request_data: RequestData | None = None,
        read_timeout: float | None | object = BaseRequest.DEFAULT_NONE,
        write_timeout: float | None | object = BaseRequest.DEFAULT_NONE,
        connect_timeout: float | None | object = BaseRequest.DEFAULT_NONE,
        pool_timeout: float | None | object = BaseRequest.DEFAULT_NONE,
    ) -> tuple[int, bytes]:
        """Make the call; time-outs raise TimedOut, other failures NetworkError, as PTB's do."""
        if self._session is None or self._session.closed:
            raise RuntimeError("AiohttpRequest is not initialized")
        files = request_data.multipart_data if request_data is not None else {}
        form: aiohttp.FormData | None = None
        params: dict[str, Any] | None = None
        if request_data is not None and files:
            form = aiohttp.FormData()
            for name, value in request_data.json_parameters.items():
                form.add_field(name, value)
            for name, (filename, content, mime) in files.items():
                form.add_field(name, content, filename=filename, content_type=mime)
        elif request_data is not None:
            # A JSON body, which the Bot API takes for every call without a file: no
            # percent-encoding of the text, the costliest part of a form.
            params = request_data.parameters
        read = _seconds(read_timeout, self._read_timeout)
        write = _seconds(write_timeout, MEDIA_WRITE if files else WRITE)
        connect = _seconds(connect_timeout, CONNECT)
        pool = _seconds(pool_timeout, POOL)
        # aiohttp has no write time-out: sending the request counts against the connection's.
        timeout = aiohttp.ClientTimeout(
            total=None,
            connect=None if connect is None or pool is None else connect + pool + (write or 0),
            sock_connect=connect,
            sock_read=read,
        )
        try:
            async with self._session.request(
                method, url, data=form, json=params, timeout=timeout
            ) as answer:
                return answer.status, await answer.read()
        except TimeoutError:
            raise TimedOut from None
        except aiohttp.ClientError as error:
            # The URL holds the bot's token: it must not reach a message (or a chained
            # exception) that may be logged.
            reason = hide_tokens(f"aiohttp.{type(error).__name__}: {error}")
            raise NetworkError(reason) from None


def _seconds(value: float | None | object, default: float | None) -> float | None:
    """A time-out PTB passed, or ours when it passed none (`DEFAULT_NONE`)."""
    if value is BaseRequest.DEFAULT_NONE:
        return default
    return value if value is None or isinstance(value, float | int) else default
