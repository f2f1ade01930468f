"""Fuzzing: whatever arrives, the bot answers, never fails, and the data stays consistent.

The fast version; `python -m bench.fuzz` runs the same examples by the ten thousand, through the
real Telegram and Zalo adapters too (tests/fuzzing/ holds what both share).
"""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.channels.telegram.adapter import TelegramChannel
from bot.channels.zalo.adapter import ZaloChannel
from bot.core.engine import Engine
from bot.delivery.pipeline import Pipeline
from bot.lessons import Curriculum
from bot.storage.db import transaction
from bot.storage.models import Household, User, utcnow
from tests.factories import Chat, user_of, village_named
from tests.fuzzing.fuzzer import Fuzzer, explore
from tests.fuzzing.invariants import check_invariants, violations
from tests.fuzzing.players import EnginePlayer
from tests.fuzzing.strategies import EVENTS, JSON, UPDATES


@pytest.mark.parametrize("channel", ["console", "telegram", "zalo"])
async def test_any_message_sequence_gets_answers_and_keeps_the_data_consistent(
    engine: Engine,
    commune: int,
    sessions: async_sessionmaker[AsyncSession],
    curriculum: Curriculum,
    channel: str,
    backend: str,
) -> None:
    if backend != "sqlite":
        pytest.skip("the engine logic is the same on both databases; fuzzed on SQLite")
    player = EnginePlayer(engine, channel)
    twin = EnginePlayer(engine, "zalo" if channel == "console" else "console", player.stats)
    fuzzer = Fuzzer(player, sessions, curriculum, twin)
    loop = asyncio.new_event_loop()
    try:
        await asyncio.to_thread(explore, fuzzer, loop, 120)
    finally:
        loop.close()
    assert fuzzer.stats.handled > fuzzer.stats.examples


async def test_malformed_platform_json_never_raises(
    engine: Engine, commune: int, sessions: async_sessionmaker[AsyncSession], backend: str
) -> None:
    if backend != "sqlite":
        pytest.skip("fuzzed on SQLite")
    zalo = ZaloChannel(Pipeline(engine), "1:t", "http://127.0.0.1:9/bot")
    telegram = TelegramChannel(Pipeline(engine), "1:t", "http://127.0.0.1:9/bot")

    @settings(max_examples=150, deadline=None, suppress_health_check=list(HealthCheck))
    @given(st.one_of(EVENTS, JSON), st.one_of(UPDATES, JSON))
    def run(event: Any, update: Any) -> None:
        async def go() -> None:
            body = {"ok": True, "result": event}
            # Sending fails (no API here): what matters is that nothing escapes.
            assert isinstance(await zalo.process_json(body), bool)
            if isinstance(update, dict):
                assert isinstance(await telegram.process_json(update), bool)

        loop.run_until_complete(go())

    loop = asyncio.new_event_loop()
    try:
        await asyncio.to_thread(run)
    finally:
        loop.close()


async def test_the_invariant_check_sees_broken_data(
    engine: Engine, commune: int, sessions: async_sessionmaker[AsyncSession]
) -> None:
    an, binh = Chat(engine, "an"), Chat(engine, "binh")
    await an.register()
    await an.complete_lesson("L01")
    await binh.register(household="tran thi binh")
    assert await violations(sessions) == set()
    an_user, binh_user = await user_of(sessions, "an"), await user_of(sessions, "binh")
    assert an_user is not None and binh_user is not None
    other_village = await village_named(sessions, "Thôn Mới")
    async with transaction(sessions) as session:
        household = await session.get(Household, an_user.household_id)
        assert household is not None
        household.participating_since = None
        user = await session.get(User, binh_user.id)
        assert user is not None
        user.village_id = other_village.id
    found = {line.partition(":")[0] for line in await violations(sessions)}
    assert found == {"qualifying household not counted", "user in a household of another village"}
    async with transaction(sessions) as session:
        user = await session.get(User, an_user.id)
        assert user is not None
        user.lessons_completed = 0  # the lesson row says 1
        household = await session.get(Household, binh_user.household_id)
        assert household is not None
        household.members = 2  # only Bình
    found = {line.partition(":")[0] for line in await violations(sessions)}
    assert {
        "user's lesson counts differ from their lessons",
        "household's member count differs from its members",
    } <= found
    async with transaction(sessions) as session:
        user = await session.get(User, an_user.id)
        assert user is not None
        user.deleted_at = utcnow()
    found = {line.partition(":")[0] for line in await violations(sessions)}
    assert {
        "identity of a deleted user",
        "lesson_progress of a deleted user",
        "quiz_answer of a deleted user",
        "deleted user still in a household",
    } <= found
    with pytest.raises(AssertionError, match="identity of a deleted user"):
        await check_invariants(sessions, set())
