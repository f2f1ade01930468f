"""A whole reporting season, hour by hour: reminders, overdue notices and staff summaries."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.channels.telegram.adapter import TelegramChannel
from bot.core.engine import Engine
from bot.delivery.dispatcher import Dispatcher
from bot.delivery.pipeline import Pipeline
from bot.scheduling.reminders import plan_deadline_reminders
from bot.scheduling.scheduler import plan_now
from bot.storage.models import OutboxMessage
from tests.channels.test_telegram import TgUser
from tests.fakes.telegram_api import FakeTelegram

HCM = ZoneInfo("Asia/Ho_Chi_Minh")


@pytest.fixture
async def telegram(
    engine: Engine, sessions: async_sessionmaker[AsyncSession], commune: int
) -> AsyncIterator[tuple[FakeTelegram, TelegramChannel]]:
    fake = FakeTelegram()
    await fake.start()
    channel = TelegramChannel(
        Pipeline(engine), fake.token, fake.base_url, rate=1000, chat_interval=0
    )
    await channel.start()
    yield fake, channel
    await channel.stop()
    await fake.stop()


async def join(fake: FakeTelegram, user_id: int, role: str, village: str | None = None) -> TgUser:
    from datetime import UTC

    from bot.storage.invites import create_invite, find_village

    user = TgUser(fake, user_id)
    engine_sessions = join.sessions  # type: ignore[attr-defined]
    async with engine_sessions() as session, session.begin():
        village_row = await find_village(session, 1, village) if village else None
        code, _ = await create_invite(
            session, role, 1, village_row.id if village_row else None, datetime.now(UTC)
        )
    await user.say(f"/nhanma {code}", "Bạn có đồng ý không?")  # consent comes first
    await user.press("Đồng ý, nhận vai trò", "Bạn đã được giao vai trò")
    return user


def local(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=HCM)


async def run_hours(
    sessions: async_sessionmaker[AsyncSession],
    dispatchers: list[Dispatcher],
    start: datetime,
    end: datetime,
    skip_day: str | None = None,
) -> None:
    now = start
    with time_machine.travel(start, tick=False) as clock:
        while now < end:
            clock.move_to(now)
            if skip_day is None or now.strftime("%Y-%m-%d") != skip_day:
                for dispatcher in dispatchers:  # every running instance plans and sends
                    await plan_now(sessions, now)
                    await dispatcher.drain()
            now += timedelta(hours=1)


async def sent_rows(sessions: async_sessionmaker[AsyncSession]) -> list[OutboxMessage]:
    async with sessions() as session:
        return list(await session.scalars(select(OutboxMessage).order_by(OutboxMessage.id)))


async def test_a_whole_season(
    telegram: tuple[FakeTelegram, TelegramChannel],
    sessions: async_sessionmaker[AsyncSession],
    engine: Engine,
) -> None:
    fake, channel = telegram
    join.sessions = sessions  # type: ignore[attr-defined]
    await join(fake, 801, "village_head", "Thôn Đồng Tâm")
    tan_tien = await join(fake, 802, "village_head", "Thôn Tân Tiến")
    await join(fake, 803, "staff")
    first = Dispatcher(sessions, {"telegram": channel})

    await run_hours(sessions, [first], local("2026-11-15T00:00"), local("2026-12-02T06:00"))
    with time_machine.travel(local("2026-12-02T07:00"), tick=False):
        await tan_tien.say("/nopbaocao 05/12", "Báo cáo của Thôn Tân Tiến")
        await tan_tien.press("Nộp báo cáo", "Đã nộp báo cáo")
    # a restart, and a second instance running alongside from now on
    second = Dispatcher(sessions, {"telegram": channel})
    await run_hours(
        sessions, [first, second], local("2026-12-02T06:00"), local("2026-12-18T00:00")
    )

    rows = await sent_rows(sessions)
    assert all(r.status == "sent" for r in rows)
    by_user: dict[str, list[tuple[str, str]]] = {}
    for r in rows:
        when = r.sent_at.astimezone(HCM).strftime("%d/%m %H:%M") if r.sent_at else "never"
        by_user.setdefault(r.chat_id, []).append((r.kind, when))
    reminders = [f"{d}/11 08:00" for d in (21, 28)] + [f"{d:02d}/12 08:00" for d in (2, 4, 5)]
    second_series = [f"{d:02d}/12 08:00" for d in (1, 8, 12, 14, 15)]
    assert sorted(w for k, w in by_user["801"] if k == "reminder") == sorted(
        reminders + second_series
    )
    assert sorted(w for k, w in by_user["801"] if k == "overdue") == ["06/12 08:00", "16/12 08:00"]
    # Tân Tiến submitted the 05/12 report on 02/12 at 07:00: nothing more for that deadline
    assert sorted(w for k, w in by_user["802"] if k == "reminder") == sorted(
        ["21/11 08:00", "28/11 08:00", *second_series]
    )
    assert [w for k, w in by_user["802"] if k == "overdue"] == ["16/12 08:00"]
    summaries = [w for k, w in by_user["803"] if k == "missing_summary"]
    assert summaries == ["06/12 08:00", "16/12 08:00"]

    texts = fake.texts(801)
    assert any("còn 14 ngày đến hạn 05/12/2026" in t for t in texts)
    assert any("Ngày mai (05/12/2026) là hạn" in t for t in texts)
    assert any("Hôm nay (05/12/2026) là hạn cuối" in t for t in texts)
    assert any("Đã quá hạn 05/12/2026" in t for t in texts)
    staff_texts = fake.texts(803)
    summary = next(t for t in staff_texts if "Hạn 05/12/2026" in t)
    assert "5/6 thôn chưa nộp" in summary
    assert "Thôn Tân Tiến" not in summary and "Thôn Đồng Tâm" in summary
    assert any("Thôn Tân Tiến đã nộp báo cáo" in t for t in staff_texts)
    assert len([t for t in texts if "còn 14 ngày đến hạn 05/12" in t]) == 1  # never twice


async def test_a_day_missed_while_down_is_skipped_not_sent_late(
    telegram: tuple[FakeTelegram, TelegramChannel],
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    fake, channel = telegram
    join.sessions = sessions  # type: ignore[attr-defined]
    await join(fake, 811, "village_head", "Thôn Đồng Tâm")
    dispatcher = Dispatcher(sessions, {"telegram": channel})
    await run_hours(
        sessions,
        [dispatcher],
        local("2026-11-27T00:00"),
        local("2026-11-30T00:00"),
        skip_day="2026-11-28",
    )
    assert not [t for t in fake.texts(811) if "còn 7 ngày" in t]
    assert not [t for t in fake.texts(811) if "còn 6 ngày" in t]


async def test_planning_is_idempotent_and_reports_days_left(
    sessions: async_sessionmaker[AsyncSession],
    telegram: tuple[FakeTelegram, TelegramChannel],
) -> None:
    fake, _ = telegram
    join.sessions = sessions  # type: ignore[attr-defined]
    await join(fake, 821, "village_head", "Thôn Đồng Tâm")
    at = local("2026-12-02T09:30")
    async with sessions() as session:
        planned = await plan_deadline_reminders(session, at)
    assert [(p.kind, p.days_left, p.village, p.due) for p in planned] == [
        ("reminder", 3, "Thôn Đồng Tâm", "05/12/2026")
    ]
    assert await plan_now(sessions, at) == 1
    assert await plan_now(sessions, at) == 0
    assert await plan_now(sessions, local("2026-12-02T07:59")) == 0  # before the send hour
