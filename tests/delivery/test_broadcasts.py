"""A staff notice fans out through the outbox; one progress message is edited to the end."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime

import pytest
import time_machine
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.channels.telegram.adapter import TelegramChannel
from bot.core.engine import Engine
from bot.delivery.broadcasts import after_quiet_hours, progress_text, update_progress
from bot.delivery.dispatcher import Dispatcher
from bot.delivery.pipeline import Pipeline
from tests.channels.test_telegram import TgUser
from tests.fakes.telegram_api import FakeTelegram


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


def test_progress_and_quiet_hours() -> None:
    assert progress_text(820, 1500) == "📣 Đang gửi thông báo: 820/1.500 ▓▓▓▓▓░░░░░"
    evening = datetime(2026, 12, 3, 15, 0, tzinfo=UTC)  # 22:00 in Hà Nội
    assert after_quiet_hours(evening, "Asia/Ho_Chi_Minh") == datetime(
        2026, 12, 4, 0, 0, tzinfo=UTC
    )
    early = datetime(2026, 12, 3, 23, 30, tzinfo=UTC)  # 06:30 the next morning
    assert after_quiet_hours(early, "Asia/Ho_Chi_Minh") == datetime(2026, 12, 4, 0, 0, tzinfo=UTC)
    day = datetime(2026, 12, 3, 3, 0, tzinfo=UTC)  # 10:00
    assert after_quiet_hours(day, "Asia/Ho_Chi_Minh") == day


async def test_notice_reaches_everyone_and_progress_is_edited_in_place(
    telegram: tuple[FakeTelegram, TelegramChannel],
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    from tests.scheduling.test_reminders import join

    fake, channel = telegram
    residents = [TgUser(fake, 1200 + i) for i in range(12)]
    for user in residents:
        await user.register()
    fake.blocked.add(1205)  # one resident blocked the bot since
    join.sessions = sessions  # type: ignore[attr-defined]
    staff = await join(fake, 1300, "staff")
    with time_machine.travel("2026-12-03 10:00 +07:00", tick=False):
        await staff.say("/guitin", "Gửi thông báo tới ai")
        await staff.press("Toàn xã", "Gõ nội dung")
        await staff.say("Tiêm phòng cho trẻ vào thứ Bảy tại trạm y tế.", "Xem trước")
        await staff.press("Gửi", "Đã bắt đầu gửi tới 13 người")
        dispatcher = Dispatcher(sessions, {"telegram": channel}, batch=4)
        # the progress message goes first; then batches, the progress edited in between
        for _ in range(10):
            await dispatcher.run_once()
            await update_progress(sessions, {"telegram": channel}, datetime.now(UTC))
    final = fake.messages(1300)[-1]["text"]
    assert final.startswith("✅ Đã gửi xong thông báo: 12/13 người nhận.")
    assert "Chưa liên lạc được (đã chặn bot hoặc chưa nhắn cho bot): 1." in final
    edits = fake.calls("editMessageText")
    assert edits, "the progress message was never edited"
    assert {e["message_id"] for e in edits} == {fake.messages(1300)[-1]["message_id"]}
    for user in residents:
        if user.id != 1205:
            assert any("Tiêm phòng cho trẻ" in t for t in fake.texts(user.id))
