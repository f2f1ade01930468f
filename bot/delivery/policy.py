"""The one send policy every channel uses: rate limits, flood control, retries, unreachable chats.

A channel adapter only translates: it makes one platform call and turns the platform's answer
into one of the errors below. Everything about when to call, when to wait and when to give up is
decided here, the same way for every channel:

- a token bucket per channel (a platform's global limit) and a short gap between two messages to
  one chat;
- at most `IN_FLIGHT` calls under way at once per channel, the others waiting their turn here:
  an HTTP client pool with hundreds of requests queued spends more CPU managing the queue than
  sending (bench/RESULTS.md, "updates": 2.3–3.3 ms of CPU per Telegram message with 256 at once,
  1.1–1.4 ms with 8), and a handful of connections already carries more than a platform's limit;
- `RateLimited` (429): everyone waits (`retry_after` when the platform says, else doubling pauses)
  and the call goes again, without counting as a failure;
- `Transient` (5xx, time-out, no connection): retried with backoff, `ATTEMPTS` calls in all; when
  the platform answered that nothing was sent (`refund`), the call gives its rate token back;
- `Unreachable` (the person blocked the bot): the chat is marked unreachable and the error raised;
- `PermanentFailure` (a bad request): raised at once, retrying cannot help.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import TypeVar

from bot.channels.base import PermanentFailure, RateLimited, Transient, Unreachable
from bot.delivery.ratelimit import ChatSpacing, TokenBucket

T = TypeVar("T")

ATTEMPTS = 3  # calls in all for transient failures
QUOTA_ATTEMPTS = 8  # flood-control answers without a retry_after before giving up
FIRST_BACKOFF = 0.5  # seconds before the first retry, doubled each time
MAX_PAUSE = 30.0
IN_FLIGHT = 8  # platform calls under way at once per channel (at ~0.2 s each: 40/s > limits)


class SendPolicy:
    """Make a channel's platform calls within its limits, retrying what is worth retrying."""

    def __init__(
        self,
        rate: float,
        *,
        chat_interval: float = 0.05,
        on_unreachable: Callable[[str], Awaitable[None]] | None = None,
        backoff: float = FIRST_BACKOFF,
        in_flight: int = IN_FLIGHT,
    ) -> None:
        self.bucket = TokenBucket(rate)
        self.slots = asyncio.Semaphore(in_flight)
        self.spacing = ChatSpacing(chat_interval)
        self.on_unreachable = on_unreachable
        self.backoff = backoff

    async def call(self, chat_id: str | None, request: Callable[[], Awaitable[T]]) -> T:
        """Make one platform call for a chat (None: not about one chat) under the policy."""
        delay = self.backoff
        pause = 1.0
        failures = quota = 0
        while True:
            if chat_id is not None:
                await self.spacing.wait(chat_id)
            await self.bucket.acquire()
            try:
                async with self.slots:
                    return await request()
            except RateLimited as error:
                if error.retry_after is None:
                    quota += 1
                    if quota > QUOTA_ATTEMPTS:
                        raise Transient(refund=False, reason="flood control") from error
                    self.bucket.pause(pause)
                    pause = min(pause * 2, MAX_PAUSE)
                else:
                    self.bucket.pause(error.retry_after)
            except Transient as error:
                if error.refund:
                    self.bucket.refund()  # the platform said it failed: nothing went out
                failures += 1
                if failures >= ATTEMPTS:
                    raise
                await asyncio.sleep(delay)
                delay *= 2
            except Unreachable:
                if chat_id is not None and self.on_unreachable is not None:
                    await self.on_unreachable(chat_id)
                raise
            except PermanentFailure:
                raise
