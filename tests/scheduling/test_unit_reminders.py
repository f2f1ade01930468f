"""Unit heads are reminded like village heads until their unit reports; staff see who is late."""

from __future__ import annotations

from pathlib import Path

import time_machine
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.core.engine import Engine
from bot.scheduling.reminders import plan_deadline_reminders
from bot.scheduling.scheduler import plan_now
from tests.factories import Chat, grant
from tests.handlers.test_unit_report import add_units, invited_head
from tests.scheduling.test_reminders import local


async def test_a_unit_head_is_reminded_until_the_unit_reports(
    engine: Engine, commune: int, sessions: async_sessionmaker[AsyncSession], tmp_path: Path
) -> None:
    await add_units(sessions, tmp_path)
    staff = Chat(engine, user="staff")
    await grant(engine, staff, "staff")
    with time_machine.travel(local("2026-11-20T09:00"), tick=False):
        head = await invited_head(engine, staff, "Trường THCS Kim Thành")

    async with sessions() as session:
        planned = await plan_deadline_reminders(session, local("2026-11-21T08:30"))
    [reminder] = [p for p in planned if p.unit]
    assert (reminder.kind, reminder.unit, reminder.village, reminder.days_left) == (
        "reminder",
        "Trường THCS Kim Thành",
        None,
        14,
    )
    assert "còn 14 ngày đến hạn 05/12/2026" in reminder.text and "/nopbaocao" in reminder.text
    assert await plan_now(sessions, local("2026-11-21T08:30")) >= 1
    assert await plan_now(sessions, local("2026-11-21T09:30")) == 0  # never twice

    with time_machine.travel(local("2026-12-02T10:00"), tick=False):
        await head.say("/nopbaocao 05/12")
        for _ in range(6):  # every question skipped, nominations too
            await head.say("bỏ qua")
        assert (
            "Xem lại báo cáo" in head.text
            and "2. Đã học kỹ năng số năm nay: (bỏ qua)" in head.text
        )
        await head.press("Gửi báo cáo")
        assert "Đã nộp báo cáo thi đua" in head.text

    async with sessions() as session:
        tomorrow = await plan_deadline_reminders(session, local("2026-12-04T08:30"))
        overdue = await plan_deadline_reminders(session, local("2026-12-06T08:30"))
        second = await plan_deadline_reminders(session, local("2026-12-14T08:30"))
    assert not [p for p in tomorrow + overdue if p.unit]  # reported: nothing more for 05/12
    [summary] = [p for p in overdue if p.kind == "missing_summary"]
    assert "6/6 thôn chưa nộp" in summary.text
    assert "🏢 1/2 đơn vị chưa nộp:\nCơ quan:\n• UBND xã Kim Thành" in summary.text
    assert "Trường THCS Kim Thành" not in summary.text
    # A unit reports once a year: the 15/12 deadline brings no reminder to a unit that reported,
    # only to the one that did not.
    assert [(p.unit, p.days_left) for p in second if p.unit] == []
