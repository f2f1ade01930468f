"""Learning nudges, hour by hour over weeks: when they come, how often, and when they stop."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import time_machine
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.core.engine import Engine
from bot.lessons.model import Curriculum
from bot.scheduling.nudges import KINDS
from bot.scheduling.scheduler import plan_now
from bot.storage.models import OutboxMessage
from tests.factories import Chat

HCM = ZoneInfo("Asia/Ho_Chi_Minh")


def local(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=HCM)


async def run_hours(
    sessions: async_sessionmaker[AsyncSession],
    lessons: Curriculum,
    start: str,
    end: str,
    every: int = 1,
) -> None:
    """Run the planner from start to end (local time): hourly as the scheduler does, or
    every few hours to cross weeks quickly."""
    now, stop = local(start), local(end)
    with time_machine.travel(now, tick=False) as clock:
        while now < stop:
            clock.move_to(now)
            await plan_now(sessions, now, lessons)
            now += timedelta(hours=every)


async def nudges(sessions: async_sessionmaker[AsyncSession]) -> list[tuple[str, str, str]]:
    """The nudges in the outbox: (kind, local time planned, text), oldest first."""
    async with sessions() as session:
        rows = await session.scalars(
            select(OutboxMessage)
            .where(OutboxMessage.kind.in_(KINDS))
            .order_by(OutboxMessage.not_before, OutboxMessage.id)
        )
        return [
            (r.kind, r.not_before.astimezone(HCM).strftime("%d/%m %H:%M"), r.payload["text"])
            for r in rows
        ]


async def at(when: str, chat: Chat, *texts: str) -> None:
    """The person types these messages at a local time."""
    with time_machine.travel(local(when), tick=False):
        for text in texts:
            await chat.say(text)


async def start_lesson(chat: Chat, when: str) -> None:
    with time_machine.travel(local(when), tick=False):
        await chat.register()
        await chat.say("/hoc")
        await chat.press("Giải quyết vấn đề")  # L01's group
        await chat.press("Bình dân học vụ số")
        assert "Thẻ 1/" in chat.text


async def test_one_reminder_two_days_after_leaving_a_lesson_then_weekly_next_lessons(
    engine: Engine,
    commune: int,
    sessions: async_sessionmaker[AsyncSession],
    curriculum: Curriculum,
) -> None:
    chat = Chat(engine)
    await start_lesson(chat, "2026-12-01T10:00")
    await run_hours(sessions, curriculum, "2026-12-01T10:00", "2026-12-04T09:00")
    await run_hours(sessions, curriculum, "2026-12-04T09:00", "2026-12-07T09:00", every=24)
    [(kind, when, text)] = await nudges(sessions)
    assert (kind, when) == ("nudge_resume", "03/12 10:00")  # two days after, once
    assert "học dở bài «Bình dân học vụ số là gì?»" in text and "/tiep" in text
    assert "/nhacnho" in text  # how to stop them is in every nudge

    # She comes back and finishes the lesson: the next one is suggested after two quiet days,
    # then at most once a week.
    with time_machine.travel(local("2026-12-07T09:00"), tick=False):
        await chat.complete_lesson("L01")
    await run_hours(sessions, curriculum, "2026-12-07T09:00", "2026-12-20T09:00", every=24)
    later = [(k, w) for k, w, _ in (await nudges(sessions))[1:]]
    assert later == [("nudge_next", "09/12 09:00"), ("nudge_next", "16/12 09:00")]
    assert (
        "Bài tiếp theo dành cho bạn: «VNeID: tài khoản mức 1 và mức 2»"
        in ((await nudges(sessions))[1][2])
    )


async def test_three_nudges_without_an_answer_stop_them_until_the_person_writes(
    engine: Engine,
    commune: int,
    sessions: async_sessionmaker[AsyncSession],
    curriculum: Curriculum,
) -> None:
    chat = Chat(engine)
    with time_machine.travel(local("2026-12-01T09:00"), tick=False):
        await chat.register()
    await run_hours(sessions, curriculum, "2026-12-01T09:00", "2027-01-15T09:00", every=24)
    planned = [w for _, w, _ in await nudges(sessions)]
    assert planned == ["03/12 09:00", "10/12 09:00", "17/12 09:00"]  # then silence

    await at("2027-01-15T15:00", chat, "menu")  # she writes again
    await run_hours(sessions, curriculum, "2027-01-15T15:00", "2027-01-18T09:00", every=6)
    assert [w for _, w, _ in await nudges(sessions)][3:] == ["17/01 15:00"]


async def test_nudges_come_only_between_eight_and_eight(
    engine: Engine,
    commune: int,
    sessions: async_sessionmaker[AsyncSession],
    curriculum: Curriculum,
) -> None:
    chat = Chat(engine)
    await start_lesson(chat, "2026-12-01T21:30")  # left late at night
    await run_hours(sessions, curriculum, "2026-12-01T21:00", "2026-12-05T00:00")
    assert [(k, w) for k, w, _ in await nudges(sessions)] == [("nudge_resume", "04/12 08:00")]


async def test_nhacnho_off_stops_every_nudge_and_planning_twice_adds_nothing(
    engine: Engine,
    commune: int,
    sessions: async_sessionmaker[AsyncSession],
    curriculum: Curriculum,
) -> None:
    chat = Chat(engine)
    await start_lesson(chat, "2026-12-01T10:00")
    with time_machine.travel(local("2026-12-03T10:00"), tick=False):
        assert await plan_now(sessions, local("2026-12-03T10:00"), curriculum) == 1
        assert await plan_now(sessions, local("2026-12-03T10:00"), curriculum) == 0
    assert len(await nudges(sessions)) == 1  # still pending: not sent yet

    with time_machine.travel(local("2026-12-03T10:05"), tick=False):
        await chat.say("/nhacnho")
        await chat.press("Tắt nhắc nhở")
    assert "Đã tắt tin nhắc học" in chat.text
    assert await nudges(sessions) == []  # the pending one is withdrawn
    await run_hours(sessions, curriculum, "2026-12-03T11:00", "2026-12-31T11:00", every=24)
    assert await nudges(sessions) == []
