"""Guessing invite codes: limited per account and per hour overall, every failure logged."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import time_machine
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.core.engine import Engine
from bot.storage.db import transaction
from bot.storage.invites import create_invite
from bot.storage.models import AuditLog, User
from tests.factories import Chat, user_of


async def new_invite(sessions: async_sessionmaker[AsyncSession], role: str = "staff") -> str:
    async with transaction(sessions) as session:
        code, _ = await create_invite(session, role, 1, None, datetime.now(UTC))
    return code


async def consenting(engine: Engine, name: str) -> Chat:
    chat = Chat(engine, user=name, channel="zalo")
    await chat.say("/start")
    await chat.press("Đồng ý")
    return chat


async def test_an_account_gets_five_wrong_invite_codes_a_day_even_after_deleting(
    engine: Engine, commune: int, sessions: async_sessionmaker[AsyncSession]
) -> None:
    guesser = await consenting(engine, "guesser")
    for n in range(5):
        await guesser.say(f"/nhanma HVS-AAAA-AAA{n + 2}")
        assert "Mã mời không đúng" in guesser.text
    await guesser.say("/xoadulieu")
    await guesser.press("Xoá dữ liệu của tôi")
    guesser = await consenting(engine, "guesser")
    code = await new_invite(sessions)
    await guesser.say(f"/nhanma {code}")
    assert "nhập sai mã mời nhiều lần" in guesser.text
    user = await user_of(sessions, "guesser")
    assert user is not None and user.role == "resident"
    async with sessions() as session:
        logged = await session.scalar(
            select(func.count(AuditLog.id)).where(AuditLog.action == "invite.fail")
        )
        assert logged == 6  # five wrong codes and the refused sixth try
    honest = await consenting(engine, "honest")
    await honest.say(f"/nhanma {code}")
    assert "Bạn đã được giao vai trò cán bộ xã" in honest.text  # the code was not spent


async def test_many_accounts_guessing_pause_redemption_for_an_hour(
    engine: Engine, commune: int, sessions: async_sessionmaker[AsyncSession]
) -> None:
    with time_machine.travel(datetime.now(UTC), tick=False) as clock:
        for n in range(10):
            chat = await consenting(engine, f"bot-{n}")
            for k in range(3):
                await chat.say(f"/nhanma HVS-BBBB-BB{n + 2}{k + 2}")
        code = await new_invite(sessions)
        honest = await consenting(engine, "honest")
        await honest.say(f"/nhanma {code}")
        assert "tạm dừng khoảng một giờ" in honest.text
        clock.shift(timedelta(minutes=61))
        await honest.say(f"/nhanma {code}")
        assert "Bạn đã được giao vai trò" in honest.text
    async with sessions() as session:
        staff = await session.scalar(select(User).where(User.role == "staff"))
        assert staff is not None
