"""The engine: dedupe of redelivered updates, the error boundary, per-user order."""

from __future__ import annotations

import asyncio
import logging

import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.core.context import Context
from bot.core.engine import BUSY, Engine, KeyedLocks
from bot.core.messages import Inbound, Option
from bot.core.router import Router
from bot.core.routes import ANYONE, Routes
from bot.lessons import Curriculum
from bot.storage.models import Identity, ProcessedUpdate, User
from tests.factories import Chat


async def test_redelivered_update_is_handled_once(
    engine: Engine, commune: int, sessions: async_sessionmaker[AsyncSession]
) -> None:
    chat = Chat(engine)
    await chat.say("/start")
    first = await engine.handle(chat.inbound(text="1", update_key="tg:1001"))
    assert "nhóm nào" in first.replies[0].text
    again = await engine.handle(chat.inbound(text="1", update_key="tg:1001"))
    assert again.duplicate
    assert again.replies == []
    async with sessions() as session:
        user = await session.scalar(select(User))
        assert user is not None and user.cohort is None  # the cohort question is still open
        assert await session.scalar(select(func.count(ProcessedUpdate.id))) == 1


async def test_a_failing_handler_gets_a_kind_reply_and_a_log_line(
    sessions: async_sessionmaker[AsyncSession],
    curriculum: Curriculum,
    caplog: pytest.LogCaptureFixture,
) -> None:
    async def broken(ctx: Context) -> None:
        ctx.user.display_name = "should not be saved"
        raise ZeroDivisionError("boom")

    async def noop(ctx: Context) -> None:
        ctx.say("ok", [Option("A", "a:1")])

    routes = Routes()
    routes.command("start", access=ANYONE)(noop)
    router = Router(fallback=broken, gate=noop, tables=[routes])
    engine = Engine(sessions, router, curriculum)
    with caplog.at_level(logging.ERROR):
        outcome = await engine.handle(
            Inbound(channel="console", external_id="x", chat_id="x", text="hello", update_key="k1")
        )
    assert [r.text for r in outcome.replies] == [BUSY]
    assert "Traceback" not in BUSY
    assert any("handling failed" in r.message for r in caplog.records)
    assert all("hello" not in r.getMessage() for r in caplog.records)  # never what users typed
    async with sessions() as session:
        # A first contact is created in the message's own transaction: nothing was committed.
        user = await session.scalar(select(User))
        assert user is None or user.display_name is None
        # the update was not marked processed, so a redelivery is handled again
        assert await session.scalar(select(func.count(ProcessedUpdate.id))) == 0


async def test_first_messages_sent_at_once_create_one_user(
    engine: Engine, commune: int, sessions: async_sessionmaker[AsyncSession]
) -> None:
    chat = Chat(engine, user="nhanh")
    await asyncio.gather(*(chat.say("/start") for _ in range(5)))
    async with sessions() as session:
        assert await session.scalar(select(func.count(Identity.id))) == 1
        assert await session.scalar(select(func.count(User.id))) == 1


async def test_messages_of_one_user_are_handled_in_order(
    sessions: async_sessionmaker[AsyncSession], curriculum: Curriculum
) -> None:
    seen: list[str] = []

    async def record(ctx: Context) -> None:
        seen.append(f"start {ctx.args}")
        await asyncio.sleep(0.01)
        seen.append(f"end {ctx.args}")

    router = Router(fallback=record, gate=record, tables=[])
    engine = Engine(sessions, router, curriculum)
    await engine.handle(Inbound(channel="console", external_id="a", chat_id="a", text="0x"))
    await asyncio.gather(
        *(
            engine.handle(Inbound(channel="console", external_id="a", chat_id="a", text=f"m{i}"))
            for i in range(4)
        )
    )
    pairs = seen[2:]
    assert all(
        pairs[i].startswith("start") and pairs[i + 1] == "end" + pairs[i][5:]
        for i in range(0, len(pairs), 2)
    )


async def test_one_person_writing_from_two_linked_apps_at_once_is_served_in_turn(
    sessions: async_sessionmaker[AsyncSession], curriculum: Curriculum
) -> None:
    seen: list[str] = []

    async def record(ctx: Context) -> None:
        seen.append(f"start {ctx.inbound.channel} {ctx.args}")
        await asyncio.sleep(0.01)
        seen.append(f"end {ctx.inbound.channel} {ctx.args}")

    engine = Engine(sessions, Router(fallback=record, gate=record, tables=[]), curriculum)
    await engine.handle(Inbound(channel="telegram", external_id="t", chat_id="t", text="hi"))
    async with sessions() as session, session.begin():
        user_id = await session.scalar(select(Identity.user_id))
        session.add(Identity(user_id=user_id, channel="zalo", external_id="z", chat_id="z"))
    seen.clear()
    await asyncio.gather(
        *(
            engine.handle(Inbound(channel=channel, external_id=who, chat_id=who, text=f"m{i}"))
            for i in range(3)
            for channel, who in (("telegram", "t"), ("zalo", "z"))
        )
    )
    assert len(seen) == 12  # every message handled
    assert all(  # one at a time: each start is followed by its own end
        seen[i].startswith("start") and seen[i + 1] == "end" + seen[i][5:]
        for i in range(0, len(seen), 2)
    )


async def test_a_lock_is_free_only_when_nobody_holds_or_waits_for_it() -> None:
    locks = KeyedLocks()
    async with locks.hold_if_free("u") as free:
        assert free
        async with locks.hold_if_free("u") as again:
            assert not again
    held = asyncio.Event()
    release = asyncio.Event()

    async def holder() -> None:
        async with locks.hold("u"):
            held.set()
            await release.wait()

    task = asyncio.create_task(holder())
    await held.wait()
    async with locks.hold_if_free("u") as free:
        assert not free
    release.set()
    await task
    async with locks.hold_if_free("u") as free:
        assert free
