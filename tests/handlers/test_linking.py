"""Linking a person's Telegram and Zalo accounts with a 6-digit code."""

from __future__ import annotations

import re
from datetime import timedelta

import time_machine
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.core.engine import Engine
from bot.stats.coverage import commune_coverage
from bot.storage.models import Identity, LessonProgress, User
from tests.factories import Chat


def code_in(text: str) -> str:
    found = re.search(r"\b(\d{6})\b", text)
    assert found, text
    return found.group(1)


async def test_linking_continues_the_same_lesson_in_the_other_app(
    engine: Engine, commune: int, sessions: async_sessionmaker[AsyncSession]
) -> None:
    telegram = Chat(engine, user="111", channel="telegram")
    await telegram.register()
    await telegram.complete_lesson("L01")
    await telegram.say("/hoc")
    await telegram.press("Giao tiếp")
    await telegram.press("VNeID")
    await telegram.press("Tiếp")
    assert "Thẻ 2/" in telegram.text
    await telegram.say("/lienket")
    code = code_in(telegram.text)

    zalo = Chat(engine, user="abc123", channel="zalo")
    await zalo.say(code)  # the first thing typed on Zalo
    assert "Đã liên kết với tài khoản Telegram" in zalo.text
    await zalo.say("/tiep")
    assert "VNeID" in zalo.text
    assert "Thẻ 2/" in zalo.text
    await zalo.say("/ketqua")
    assert "Đã xong 1/" in zalo.text

    async with sessions() as session:
        assert await session.scalar(select(func.count(Identity.id))) == 2
        assert await session.scalar(select(func.count(func.distinct(Identity.user_id)))) == 1
        assert (
            await session.scalar(select(func.count(User.id)).where(User.deleted_at.is_(None))) == 1
        )
        [coverage] = await commune_coverage(session)
    village = next(v for v in coverage.villages if v.name == "Thôn Đồng Tâm")
    assert (village.households_participating, village.learners) == (1, 1)
    await telegram.say("/tiep")  # and back on Telegram, the same place
    assert "Thẻ 2/" in telegram.text


async def test_both_accounts_registered_are_joined_and_counted_once(
    engine: Engine, commune: int, sessions: async_sessionmaker[AsyncSession]
) -> None:
    telegram = Chat(engine, user="222", channel="telegram")
    await telegram.register()
    await telegram.complete_lesson("L01")
    zalo = Chat(engine, user="zz", channel="zalo")
    await zalo.register(household="nguyen van anh")
    await zalo.complete_lesson("L02")
    await telegram.say("/lienket")
    await zalo.say(f"/lienket {code_in(telegram.text)}")
    assert "Đã liên kết" in zalo.text
    await zalo.say("/ketqua")
    assert "Đã xong 2/" in zalo.text
    async with sessions() as session:
        rows = await session.scalar(select(func.count(LessonProgress.id)))
        assert rows == 2
        [coverage] = await commune_coverage(session)
    village = next(v for v in coverage.villages if v.name == "Thôn Đồng Tâm")
    assert village.households_participating == 1  # An's household; Anh's no longer qualifies
    assert village.learners == 1


async def test_wrong_expired_and_same_app_codes_are_refused(
    engine: Engine, commune: int, sessions: async_sessionmaker[AsyncSession]
) -> None:
    telegram = Chat(engine, user="333", channel="telegram")
    await telegram.register()
    with time_machine.travel("2026-11-22 08:00 +07:00", tick=False) as clock:
        await telegram.say("/lienket")
        code = code_in(telegram.text)
        other_tg = Chat(engine, user="334", channel="telegram")
        await other_tg.say(f"/lienket {code}")
        assert "ứng dụng khác" in other_tg.text
        zalo = Chat(engine, user="zalo-333", channel="zalo")
        await zalo.say("/lienket 000000" if code != "000000" else "/lienket 111111")
        assert "không đúng hoặc đã hết hạn" in zalo.text
        clock.shift(timedelta(minutes=11))
        await zalo.say(f"/lienket {code}")
        assert "không đúng hoặc đã hết hạn" in zalo.text
    async with sessions() as session:
        assert await session.scalar(select(func.count(func.distinct(Identity.user_id)))) == 3


async def test_guessing_is_stopped_after_five_tries(engine: Engine, commune: int) -> None:
    zalo = Chat(engine, user="guesser", channel="zalo")
    for guess in range(5):
        await zalo.say(f"/lienket 99999{guess}")
    await zalo.say("/lienket 123456")
    assert "nhập sai mã nhiều lần" in zalo.text
