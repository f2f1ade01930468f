"""Taking over an account by guessing link codes: counted per code and per account, for good."""

from __future__ import annotations

import re
from datetime import timedelta

import time_machine
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.core.engine import Engine
from bot.scheduling.scheduler import plan_now
from bot.storage.models import AuditLog, Identity, OutboxMessage, SecurityRecord, utcnow
from tests.factories import Chat, grant, user_of


async def link_code(chat: Chat) -> str:
    await chat.say("/lienket")
    found = re.search(r"Mã liên kết của bạn: (\d{6})", chat.text)
    assert found, chat.text
    return found.group(1)


def wrong(code: str, n: int) -> str:
    """A six-digit guess that is never the right code."""
    guess = f"{(int(code) + 1 + n) % 10**6:06d}"
    assert guess != code
    return guess


async def staff_member(engine: Engine) -> Chat:
    staff = Chat(engine, user="staff-tg", channel="telegram")
    await staff.register()
    await grant(engine, staff, "staff")
    return staff


async def test_forty_guesses_with_seven_resets_never_reach_a_staff_code(
    engine: Engine, commune: int, sessions: async_sessionmaker[AsyncSession]
) -> None:
    staff = await staff_member(engine)
    code = await link_code(staff)
    attacker = Chat(engine, user="attacker", channel="zalo")
    resets = 0
    for n in range(40):
        if n and n % 5 == 0 and resets < 7:
            await attacker.say("/xoadulieu")  # used to wipe the failure count
            resets += 1
        guess = code if n == 37 else wrong(code, n)
        await attacker.say(f"/lienket {guess}")
        assert "Đã liên kết" not in attacker.text, f"try {n + 1} took the account over"
    assert resets == 7
    assert "nhập sai mã nhiều lần" in attacker.text
    owner = await user_of(sessions, "staff-tg")
    async with sessions() as session:
        channels = await session.scalars(
            select(Identity.channel).where(Identity.user_id == owner.id)
        )
        assert list(channels) == ["telegram"]  # the attacker's Zalo account is not part of it
        records = list(await session.scalars(select(SecurityRecord)))
        assert records and all("attacker" not in r.key for r in records)  # nothing personal


async def test_five_wrong_tries_burn_the_code_and_tell_its_owner(
    engine: Engine, commune: int, sessions: async_sessionmaker[AsyncSession]
) -> None:
    owner = Chat(engine, user="owner-tg", channel="telegram")
    await owner.register()
    code = await link_code(owner)
    for n in range(5):  # five different accounts, one try each: no account limit is reached
        await Chat(engine, user=f"guesser-{n}", channel="zalo").say(f"/lienket {wrong(code, n)}")
    mine = Chat(engine, user="owner-zalo", channel="zalo")
    await mine.say(f"/lienket {code}")
    assert "không đúng hoặc đã hết hạn" in mine.text  # burned: even the owner must ask again
    async with sessions() as session:
        notice = await session.scalar(
            select(OutboxMessage).where(OutboxMessage.kind == "security")
        )
        assert notice is not None and notice.channel == "telegram"
        assert notice.chat_id == "owner-tg" and "đã bị huỷ" in notice.payload["text"]
        fails = await session.scalar(
            select(func.count(AuditLog.id)).where(AuditLog.action == "link.fail")
        )
        assert fails == 6
    fresh = await link_code(owner)
    await mine.say(f"/lienket {fresh}")
    assert "Đã liên kết" in mine.text


async def test_a_blocked_account_stays_blocked_for_a_day_then_the_records_go(
    engine: Engine, commune: int, sessions: async_sessionmaker[AsyncSession]
) -> None:
    owner = Chat(engine, user="owner-tg", channel="telegram")
    await owner.register()
    with time_machine.travel(utcnow(), tick=False) as clock:
        for n in range(5):
            await Chat(engine, user="clumsy", channel="zalo").say(f"/lienket 00000{n}")
        clumsy = Chat(engine, user="clumsy", channel="zalo")
        await clumsy.say("/xoadulieu")
        code = await link_code(owner)
        await clumsy.say(f"/lienket {code}")
        assert "nhập sai mã nhiều lần" in clumsy.text
        clock.shift(timedelta(hours=25))
        await plan_now(sessions, utcnow())  # the hourly job prunes the security records
        async with sessions() as session:
            assert await session.scalar(select(func.count(SecurityRecord.id))) == 0
        code = await link_code(owner)
        await clumsy.say(f"/lienket {code}")
        assert "Đã liên kết" in clumsy.text
