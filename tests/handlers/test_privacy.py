"""Deleting personal data (/xoadulieu) and reminder preferences (/nhacnho)."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.core.engine import Engine
from bot.stats.coverage import commune_coverage
from bot.storage.models import AuditLog, Identity, LessonProgress, QuizAnswer, User
from tests.factories import Chat, household_named


async def dong_tam(sessions: async_sessionmaker[AsyncSession]) -> tuple[int, int]:
    async with sessions() as session:
        [commune] = await commune_coverage(session)
    village = next(v for v in commune.villages if v.name == "Thôn Đồng Tâm")
    return village.households_participating, village.learners


async def test_delete_removes_personal_data_and_recounts_the_household(
    engine: Engine, commune: int, sessions: async_sessionmaker[AsyncSession]
) -> None:
    chat = Chat(engine)
    await chat.register()
    await chat.complete_lesson("L01")
    assert await dong_tam(sessions) == (1, 1)

    await chat.say("/xoadulieu")
    assert "không hoàn tác được" in chat.text
    await chat.press("Xoá dữ liệu của tôi")
    assert "Đã xoá thông tin của bạn" in chat.text

    assert await dong_tam(sessions) == (0, 0)
    household = await household_named(sessions, "Nguyễn Văn An")
    assert household.participating_since is None
    async with sessions() as session:
        user = await session.scalar(select(User))
        assert user is not None
        assert (user.display_name, user.household_id, user.village_id, user.consent_at) == (
            None,
            None,
            None,
            None,
        )
        assert user.deleted_at is not None
        for model in (Identity, LessonProgress, QuizAnswer):
            assert await session.scalar(select(func.count(model.id))) == 0
        assert await session.scalar(select(AuditLog.action)) == "user.delete"

    await chat.say("xin chao")  # writing again starts afresh, as a new person
    assert chat.labels == ["Đồng ý", "Không đồng ý"]


async def test_household_keeps_counting_while_another_member_qualifies(
    engine: Engine, commune: int, sessions: async_sessionmaker[AsyncSession]
) -> None:
    first, second = Chat(engine, user="an"), Chat(engine, user="an-con")
    for chat in (first, second):
        await chat.register()
        await chat.complete_lesson("L01")
    since = (await household_named(sessions, "Nguyễn Văn An")).participating_since
    await first.say("xoa du lieu")
    await first.say("1")
    household = await household_named(sessions, "Nguyễn Văn An")
    assert household.participating_since == since
    assert await dong_tam(sessions) == (1, 1)


async def test_keeping_data_changes_nothing(
    engine: Engine, commune: int, sessions: async_sessionmaker[AsyncSession]
) -> None:
    chat = Chat(engine)
    await chat.register()
    await chat.say("/xoadulieu")
    await chat.say("khong")
    assert "vẫn được giữ nguyên" in chat.text
    async with sessions() as session:
        user = await session.scalar(select(User))
        assert user is not None and user.deleted_at is None and user.household_id is not None


async def test_reminders_can_be_switched_off_and_on(
    engine: Engine, commune: int, sessions: async_sessionmaker[AsyncSession]
) -> None:
    chat = Chat(engine)
    await chat.register()
    await chat.say("/nhacnho")
    assert "đang bật" in chat.text
    await chat.press("Tắt")
    assert "Đã tắt" in chat.text
    async with sessions() as session:
        user = await session.scalar(select(User))
        assert user is not None and user.reminders_opt_in is False
