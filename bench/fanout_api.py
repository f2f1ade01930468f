"""A fake Bot API for the fan-out benchmark: a global sendMessage limit, injected 5xx, a record.

Run as its own process (``python -m bench.fanout_api --limit 30 --fail 0.05 --chats 5000``): it
prints ``READY <base_url>`` on stdout once it listens, then serves until SIGTERM or SIGINT.

- Every sendMessage call first meets the limiter: a sliding one-second window of the messages
  it sent. A call that would make ``limit + 1`` messages in the last second is refused with 429
  and ``retry_after: 1`` (as Telegram does).
- A call let through then fails with 500 with probability ``fail`` (seeded). It sends nothing, so
  it does not count in the window: the limit is on messages sent, ``limit`` msg/s.
- Every successful sendMessage is recorded as (chat_id, text, seconds since the fake started).

``GET /_bench/stats`` answers the counters, ``GET /_bench/record`` every delivery and refusal.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import random
import signal
import sys
import time
from collections import deque
from typing import Any

from aiohttp import web

from tests.fakes.base import ApiError, JsonDict
from tests.fakes.telegram_api import FakeTelegram

FIRST_CHAT = 10_000_000  # chat ids FIRST_CHAT … FIRST_CHAT + chats - 1 exist
WINDOW = 1.0


class FanoutTelegram(FakeTelegram):
    """FakeTelegram with a global sendMessage rate limit, random 500s and a delivery record."""

    def __init__(self, *, limit: int, fail: float, seed: int, chats: int) -> None:
        super().__init__()
        self.limit = limit
        self.fail = fail
        self.random = random.Random(seed)
        self.started = time.monotonic()
        self.window: deque[float] = deque()  # times of the messages sent in the last second
        self.max_in_window = 0
        self.calls_total = 0
        self.rejected_429 = 0
        self.injected_5xx = 0
        self.record: list[tuple[int, str, float]] = []
        self.refused: list[tuple[int, float, Any]] = []  # 429s and 5xx: (status, time, chat_id)
        for chat in range(FIRST_CHAT, FIRST_CHAT + chats):
            self.register_chat(chat)
        self._send_plain = self._methods["sendmessage"]
        self._methods["sendmessage"] = self._send_limited

    async def _send_limited(self, params: JsonDict) -> Any:
        now = time.monotonic()
        self.calls_total += 1
        while self.window and self.window[0] <= now - WINDOW:
            self.window.popleft()
        if len(self.window) >= self.limit:
            self.rejected_429 += 1
            self.refused.append((429, now - self.started, params.get("chat_id")))
            raise ApiError(429, "Too Many Requests: retry after 1", retry_after=1)
        if self.random.random() < self.fail:
            self.injected_5xx += 1
            self.refused.append((500, now - self.started, params.get("chat_id")))
            raise ApiError(500, "Internal Server Error")
        self.window.append(now)
        self.max_in_window = max(self.max_in_window, len(self.window))
        message = await self._send_plain(params)
        self.record.append((int(message["chat"]["id"]), str(message["text"]), now - self.started))
        return message

    def stats(self) -> JsonDict:
        """The counters the benchmark reads while it waits."""
        return {
            "calls": self.calls_total,
            "delivered": len(self.record),
            "rejected_429": self.rejected_429,
            "injected_5xx": self.injected_5xx,
            "max_in_window": self.max_in_window,
            "limit": self.limit,
        }

    async def _handle(self, request: web.Request) -> web.Response:
        if request.path == "/_bench/stats":
            return web.json_response(self.stats())
        if request.path == "/_bench/record":
            return web.json_response(
                {"record": self.record, "refused": self.refused, **self.stats()}
            )
        return await super()._handle(request)


async def serve(limit: int, fail: float, seed: int, chats: int) -> None:
    """Start the fake, announce its URL, and serve until told to stop."""
    fake = FanoutTelegram(limit=limit, fail=fail, seed=seed, chats=chats)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    await fake.start()
    try:
        print(f"READY {fake.base_url}", flush=True)
        await stop.wait()
    finally:
        with contextlib.suppress(Exception):
            await fake.stop()


def main(argv: list[str] | None = None) -> None:
    """Parse the options and serve."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--limit", type=int, default=30, help="sendMessage calls per second")
    parser.add_argument("--fail", type=float, default=0.05, help="share of calls failed with 500")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--chats", type=int, default=5000)
    args = parser.parse_args(argv)
    try:
        asyncio.run(serve(args.limit, args.fail, args.seed, args.chats))
    except KeyboardInterrupt:
        sys.exit(130)


if __name__ == "__main__":
    main()
