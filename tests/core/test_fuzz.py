"""Fuzzing: whatever arrives, the bot answers, never fails, and the data stays consistent."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.channels.telegram import TelegramChannel
from bot.channels.zalo import ZaloChannel
from bot.core.engine import Engine
from bot.core.messages import Inbound
from bot.storage.models import Household, Identity, LessonProgress, User

WORDS = [
    "menu",
    "0",
    "1",
    "2",
    "3",
    "99",
    "/hoc",
    "/tiep",
    "/ketqua",
    "/xoadulieu",
    "co",
    "khong",
    "dong tam",
    "nguyen van an",
    "/nhanma HVS-AAAA-BBBB",
    "/lienket 123456",
    "/thon",
    "/moi",
]
TEXTS = st.one_of(
    st.sampled_from(WORDS),
    st.text(max_size=50),
    st.text(alphabet=st.characters(codec="utf-8"), min_size=1000, max_size=6000),
    st.sampled_from(["\x00", "\u202e", "🙂" * 300, "'; DROP TABLE users; --", " " * 10]),
)
PAYLOADS = st.one_of(
    st.text(max_size=80),
    st.sampled_from(
        [
            "lesson:L01",
            "ans:L01:q1:1:0",
            "del:yes",
            "hh:1",
            "moi:staff",
            "gt:send",
            "next:L01:99",
            "lesson:L99",
            "nop:chat:1:2026",
            "x" * 65,
        ]
    ),
)
MESSAGES = st.lists(
    st.one_of(
        st.builds(lambda t: ("text", t), TEXTS),
        st.builds(lambda p: ("button", p), PAYLOADS),
        st.sampled_from([("media", None), ("unsupported", None)]),
    ),
    min_size=1,
    max_size=6,
)


async def invariants(sessions: async_sessionmaker[AsyncSession]) -> None:
    async with sessions() as session:
        # every identity points at a user, every user at most one household
        orphans = await session.scalar(
            select(func.count(Identity.id))
            .outerjoin(User, User.id == Identity.user_id)
            .where(User.id.is_(None))
        )
        assert orphans == 0
        # a household counts while (and only while) an active member passed a lesson
        qualified = set(
            await session.scalars(
                select(User.household_id)
                .join(LessonProgress, LessonProgress.user_id == User.id)
                .where(User.deleted_at.is_(None), LessonProgress.completed_at.is_not(None))
            )
        )
        counted = set(
            await session.scalars(
                select(Household.id).where(Household.participating_since.is_not(None))
            )
        )
        assert qualified - {None} <= counted


@pytest.mark.parametrize("channel", ["console", "telegram", "zalo"])
async def test_any_message_sequence_gets_answers_and_keeps_the_data_consistent(
    engine: Engine,
    commune: int,
    sessions: async_sessionmaker[AsyncSession],
    channel: str,
    backend: str,
) -> None:
    if backend != "sqlite":
        pytest.skip("the engine logic is the same on both databases; fuzzed on SQLite")
    counter = {"n": 0}

    @settings(max_examples=120, deadline=None, suppress_health_check=list(HealthCheck))
    @given(MESSAGES)
    def run(messages: list[tuple[str, Any]]) -> None:
        counter["n"] += 1
        user = f"fuzz-{counter['n']}"

        async def go() -> None:
            for kind, value in messages:
                outcome = await engine.handle(
                    Inbound(
                        channel=channel,
                        external_id=user,
                        chat_id=user,
                        text=value if kind == "text" else None,
                        payload=value if kind == "button" else None,
                        kind=kind,
                    )
                )
                assert not outcome.failed, messages
                assert outcome.replies, f"no answer to {kind} {str(value)[:40]!r}"
                assert all(r.text.strip() for r in outcome.replies)
                assert all(
                    len(o.payload.encode()) <= 64 for r in outcome.replies for o in r.options
                )
            await invariants(sessions)

        loop.run_until_complete(go())

    loop = asyncio.new_event_loop()
    try:
        await asyncio.to_thread(run)
    finally:
        loop.close()


JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=20),
    lambda children: (
        st.lists(children, max_size=4)
        | st.dictionaries(st.text(max_size=10), children, max_size=4)
    ),
    max_leaves=20,
)
EVENTS = st.fixed_dictionaries(
    {
        "event_name": st.sampled_from(
            [
                "message.text.received",
                "message.image.received",
                "message.unsupported.received",
                "nonsense",
                "",
            ]
        ),
        "message": st.one_of(
            JSON,
            st.fixed_dictionaries(
                {
                    "from": st.one_of(JSON, st.fixed_dictionaries({"id": st.text(max_size=70)})),
                    "chat": st.one_of(JSON, st.fixed_dictionaries({"id": st.text(max_size=70)})),
                    "text": st.one_of(st.text(max_size=300), JSON),
                    "message_id": st.one_of(st.text(max_size=120), JSON),
                }
            ),
        ),
    }
)


async def test_malformed_platform_json_never_raises(
    engine: Engine, commune: int, sessions: async_sessionmaker[AsyncSession], backend: str
) -> None:
    if backend != "sqlite":
        pytest.skip("fuzzed on SQLite")
    zalo = ZaloChannel(engine, sessions, "1:t", "http://127.0.0.1:9/bot")
    telegram = TelegramChannel(engine, sessions, "1:t", "http://127.0.0.1:9/bot")

    @settings(max_examples=150, deadline=None, suppress_health_check=list(HealthCheck))
    @given(st.one_of(EVENTS, JSON), JSON)
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
