"""Hỏi cán bộ across apps: a resident on Zalo, helpers on Telegram, through the real clients."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.channels.telegram.adapter import TelegramChannel
from bot.channels.zalo.adapter import ZaloChannel
from bot.core.engine import Engine
from bot.delivery.dispatcher import Dispatcher
from bot.delivery.pipeline import Pipeline
from bot.scheduling.scheduler import plan_now
from bot.storage.invites import create_invite, find_village
from bot.storage.models import Ticket
from tests.channels.test_telegram import TgUser
from tests.channels.test_zalo import ZaloUser
from tests.fakes.telegram_api import FakeTelegram
from tests.fakes.zalo_api import FakeZalo

HCM = ZoneInfo("Asia/Ho_Chi_Minh")
MORNING = datetime(2026, 12, 1, 9, 0, tzinfo=HCM)
QUESTION = "dien thoai bao day bo nho, toi phai xoa gi?"


@dataclass
class Apps:
    """Both fake platforms, our two channels on them, and one dispatcher for the outbox."""

    telegram: FakeTelegram
    zalo: FakeZalo
    dispatcher: Dispatcher
    sessions: async_sessionmaker[AsyncSession]

    async def deliver(self) -> None:
        """Send what the outbox holds now, as the dispatcher's next tick would."""
        await self.dispatcher.drain()


@pytest.fixture
def daytime() -> Iterator[time_machine.Coordinates]:
    with time_machine.travel(MORNING, tick=True) as clock:
        yield clock


@pytest.fixture
async def apps(
    daytime: time_machine.Coordinates,
    engine: Engine,
    sessions: async_sessionmaker[AsyncSession],
    commune: int,
) -> AsyncIterator[Apps]:
    telegram, zalo = FakeTelegram(), FakeZalo()
    await telegram.start()
    await zalo.start()
    tg = TelegramChannel(
        Pipeline(engine), telegram.token, telegram.base_url, rate=1000, chat_interval=0
    )
    zl = ZaloChannel(Pipeline(engine), zalo.token, zalo.base_url, rate=1000, chat_interval=0)
    await tg.start()
    await zl.start()
    yield Apps(telegram, zalo, Dispatcher(sessions, {"telegram": tg, "zalo": zl}), sessions)
    await zl.stop()
    await tg.stop()
    await zalo.stop()
    await telegram.stop()


async def appoint(apps: Apps, user_id: int, role: str, village: str | None = None) -> TgUser:
    """Give a Telegram user a role through a one-time invite code."""
    async with apps.sessions() as session, session.begin():
        village_row = await find_village(session, 1, village) if village else None
        code, _ = await create_invite(
            session, role, 1, village_row.id if village_row else None, datetime.now(UTC)
        )
    user = TgUser(apps.telegram, user_id)
    await user.say(f"/nhanma {code}", "Bạn có đồng ý không?")  # consent comes first
    await user.say("1", "Bạn đã được giao vai trò")
    return user


async def resident_asks(apps: Apps, zalo_id: str = "zl-an") -> ZaloUser:
    resident = ZaloUser(apps.zalo, zalo_id)
    await resident.register()
    await resident.say(resident.number_of("Hỏi cán bộ"), "bạn gõ câu hỏi")
    return resident


async def ticket_row(sessions: async_sessionmaker[AsyncSession]) -> Ticket:
    async with sessions() as session:
        row = await session.scalar(select(Ticket))
        assert row is not None
        return row


async def test_zalo_resident_asks_telegram_head_answers_and_it_helped(apps: Apps) -> None:
    head = await appoint(apps, 901, "village_head", "Thôn Đồng Tâm")
    resident = await resident_asks(apps)
    await resident.say(QUESTION, "Đã gửi câu hỏi số 1 tới trưởng thôn Thôn Đồng Tâm")
    await resident.say("sau khi xoa anh van bao day", "Đã thêm vào câu hỏi số 1")

    await apps.deliver()
    told = [t for t in apps.telegram.texts(901) if "Câu hỏi số 1" in t]
    assert len(told) == 1
    assert "Dân, Thôn Đồng Tâm, hộ Nguyễn Văn An (DT-001)" in told[0]
    assert QUESTION in told[0]
    assert any("bổ sung câu hỏi số 1" in t for t in apps.telegram.texts(901))

    await head.say("/hoidap", "Câu hỏi đang chờ bạn trả lời (1")
    await head.press("Số 1 · Thôn Đồng Tâm", "Bạn gõ câu trả lời")
    await head.say(
        "Bác vào Cài đặt > Bộ nhớ, xoá video cũ trong Zalo là được ạ.",
        "Đã gửi câu trả lời cho câu hỏi số 1",
    )
    await apps.deliver()
    answer = apps.zalo.texts("zl-an")[-1]
    assert "Trưởng thôn Thôn Đồng Tâm đã trả lời câu hỏi số 1" in answer
    assert "xoá video cũ trong Zalo" in answer
    assert "1. 👍 Có" in answer and "2. 👎 Không" in answer

    await resident.say("1", "Cảm ơn bạn đã cho biết")
    row = await ticket_row(apps.sessions)
    assert (row.status, row.rating) == ("answered", "up")
    assert row.answered_at is not None and row.escalated_at is None
    await apps.deliver()
    assert len([t for t in apps.zalo.texts("zl-an") if "đã trả lời câu hỏi số 1" in t]) == 1


async def test_unanswered_for_a_day_goes_to_the_commune_staff(
    apps: Apps, daytime: time_machine.Coordinates
) -> None:
    head = await appoint(apps, 911, "village_head", "Thôn Đồng Tâm")
    staff = await appoint(apps, 912, "staff")
    resident = await resident_asks(apps, "zl-binh")
    await resident.say(QUESTION, "trưởng thôn Thôn Đồng Tâm")
    await apps.deliver()
    assert not any("Câu hỏi số 1" in t for t in apps.telegram.texts(912))

    for hours in (1, 12, 23):
        daytime.move_to(MORNING + timedelta(hours=hours))
        await plan_now(apps.sessions, datetime.now(UTC))
        await apps.deliver()
    assert not any("chuyển lên" in t for t in apps.telegram.texts(912))
    assert (await ticket_row(apps.sessions)).escalated_at is None

    for hours in (24, 25):  # the next hourly run, and one more: escalated once
        daytime.move_to(MORNING + timedelta(hours=hours, minutes=1))
        await plan_now(apps.sessions, datetime.now(UTC))
        await apps.deliver()
    escalated = [t for t in apps.telegram.texts(912) if "chưa được trả lời sau 24 giờ" in t]
    assert len(escalated) == 1 and QUESTION in escalated[0]
    told = [t for t in apps.zalo.texts("zl-binh") if "chuyển lên cán bộ xã Kim Thành" in t]
    assert len(told) == 1

    await staff.say("/hoidap", "Câu hỏi đang chờ bạn trả lời (1")
    await staff.say("/traloi 1 Bác mang máy ra nhà văn hoá chiều thứ 5 nhé", "Đã gửi câu trả lời")
    await apps.deliver()
    assert "Cán bộ xã Kim Thành đã trả lời câu hỏi số 1" in apps.zalo.texts("zl-binh")[-1]
    await head.say("/traloi 1 muộn rồi", "đã được trả lời rồi")
    await resident.say("khong", "hỏi lại")
    assert (await ticket_row(apps.sessions)).rating == "down"


async def test_answers_in_the_night_wait_for_the_morning(
    apps: Apps, daytime: time_machine.Coordinates
) -> None:
    head = await appoint(apps, 921, "village_head", "Thôn Đồng Tâm")
    resident = await resident_asks(apps, "zl-cuong")
    await resident.say(QUESTION, "Đã gửi câu hỏi số 1")
    daytime.move_to(datetime(2026, 12, 1, 22, 30, tzinfo=HCM))
    await head.say("/traloi 1 Bác xoá bớt ảnh cũ là được ạ", "người dân sẽ nhận lúc 7:00")
    await apps.deliver()
    assert not any("đã trả lời" in t for t in apps.zalo.texts("zl-cuong"))
    daytime.move_to(datetime(2026, 12, 2, 7, 1, tzinfo=HCM))
    await apps.deliver()
    assert "Bác xoá bớt ảnh cũ" in apps.zalo.texts("zl-cuong")[-1]
