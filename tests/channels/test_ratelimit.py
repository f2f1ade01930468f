"""Rate limits keep sends under the platform's ceiling."""

from __future__ import annotations

import asyncio
import time

from bot.delivery.ratelimit import ChatSpacing, TokenBucket


async def test_bucket_holds_the_rate_after_the_burst() -> None:
    bucket = TokenBucket(rate=50, burst=5)
    start = time.monotonic()
    for _ in range(30):
        await bucket.acquire()
    elapsed = time.monotonic() - start
    assert elapsed >= (30 - 5) / 50 * 0.9  # 25 sends beyond the burst at 50/s


async def test_a_refunded_send_does_not_use_up_the_rate() -> None:
    bucket = TokenBucket(rate=5, burst=1)
    await bucket.acquire()
    start = time.monotonic()
    waiting = asyncio.create_task(bucket.acquire())  # the next send waits a fifth of a second
    await asyncio.sleep(0.02)
    bucket.refund()  # the first send got a 5xx: nothing went out, so the next may go now
    await waiting
    assert time.monotonic() - start < 0.1


async def test_pause_stops_everyone_for_the_retry_after() -> None:
    bucket = TokenBucket(rate=1000)
    bucket.pause(0.2)
    start = time.monotonic()
    await asyncio.gather(bucket.acquire(), bucket.acquire())
    assert time.monotonic() - start >= 0.19


async def test_chat_spacing_spaces_one_chat_but_not_others() -> None:
    spacing = ChatSpacing(0.05)
    start = time.monotonic()
    await asyncio.gather(*(spacing.wait("a") for _ in range(4)), spacing.wait("b"))
    assert time.monotonic() - start >= 0.14
    start = time.monotonic()
    await spacing.wait("c")
    assert time.monotonic() - start < 0.04
