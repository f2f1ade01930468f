"""The send policy's limits, seen from the platform's side: how many calls arrive at once."""

from __future__ import annotations

import asyncio

from bot.delivery.policy import IN_FLIGHT, SendPolicy


async def test_a_burst_of_sends_reaches_the_platform_a_few_at_a_time() -> None:
    """Hundreds of replies at once are sent at most IN_FLIGHT at a time, and all of them go."""
    policy = SendPolicy(rate=10_000, chat_interval=0)
    under_way = most = 0
    sent: list[int] = []

    async def platform_call(number: int) -> int:
        nonlocal under_way, most
        under_way += 1
        most = max(most, under_way)
        await asyncio.sleep(0.001)
        under_way -= 1
        sent.append(number)
        return number

    results = await asyncio.gather(
        *(policy.call(str(n), lambda n=n: platform_call(n)) for n in range(200))
    )
    assert results == list(range(200))
    assert sorted(sent) == list(range(200))
    assert 1 < most <= IN_FLIGHT
