"""Token-bucket rate limits: a global one per channel and a gentle spacing per chat."""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections import OrderedDict

DEFAULT_BURST = 1.5


class TokenBucket:
    """Allow `rate` sends a second, evenly spaced, bursts up to `burst`; callers wait their turn.

    Any one second lets through at most `burst + rate` sends (rounded down). With a burst of
    `rate`, a bucket set just under a platform's per-second ceiling sends nearly twice the
    ceiling in the first second after an idle spell, and is refused (429). The default burst of
    1.5 keeps any second at `rate + 1` sends at most (for a whole `rate`), while a send that
    wakes up to half an interval late (a busy event loop) does not lose its slot: with a burst
    of exactly 1 that lateness would be lost each time and the rate would fall short.

    `refund()` gives back the send just taken when the platform answered that it failed (a 5xx):
    no message went out, so it does not use up the rate. A send that timed out is not refunded,
    since it may have gone out.

    `pause(seconds)` stops everyone for that long (a platform's 429 retry_after applies to the
    whole bot), without counting as a failure; no tokens accrue during the pause, so sending
    resumes at `rate` instead of with a burst that would be refused again.
    """

    def __init__(self, rate: float, burst: float | None = None) -> None:
        if rate <= 0:
            raise ValueError("rate must be positive")
        self.rate = rate
        self.capacity = max(1.0, burst) if burst is not None else DEFAULT_BURST
        self._tokens = self.capacity
        self._updated = time.monotonic()
        self._paused_until = 0.0
        self._lock = asyncio.Lock()
        self._refunded = asyncio.Event()  # wakes the caller waiting for a token

    def _refill(self, now: float) -> None:
        if now > self._updated:
            self._tokens = min(self.capacity, self._tokens + (now - self._updated) * self.rate)
            self._updated = now

    async def acquire(self) -> None:
        """Wait until one send is allowed."""
        async with self._lock:
            while True:
                now = time.monotonic()
                if now < self._paused_until:
                    await asyncio.sleep(self._paused_until - now)
                    continue
                self._refill(now)
                if self._tokens >= 1:
                    self._tokens -= 1
                    return
                self._refunded.clear()
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._refunded.wait(), (1 - self._tokens) / self.rate)

    def refund(self) -> None:
        """Give back one send: the platform refused it without delivering anything."""
        self._refill(time.monotonic())
        self._tokens = min(self.capacity, self._tokens + 1)
        self._refunded.set()

    def pause(self, seconds: float) -> None:
        """Stop all sends for `seconds` from now."""
        self._paused_until = max(self._paused_until, time.monotonic() + seconds)
        self._tokens = 0
        self._updated = self._paused_until  # refilling starts when the pause ends


class ChatSpacing:
    """Keep at least `interval` seconds between two messages to the same chat."""

    def __init__(self, interval: float, remember: int = 10_000) -> None:
        self.interval = interval
        self.remember = remember
        self._last: OrderedDict[str, float] = OrderedDict()

    async def wait(self, chat_id: str) -> None:
        """Sleep until this chat may receive its next message, and book that moment."""
        now = time.monotonic()
        earliest = self._last.get(chat_id, 0.0) + self.interval
        slot = max(now, earliest)
        self._last[chat_id] = slot
        self._last.move_to_end(chat_id)
        while len(self._last) > self.remember:
            self._last.popitem(last=False)
        if slot > now:
            await asyncio.sleep(slot - now)
