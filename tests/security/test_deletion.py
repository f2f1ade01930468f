"""Deletion that deletes: declared households, waiting messages, and old rows."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.core.engine import Engine
from bot.delivery.outbox import enqueue
from bot.scheduling.scheduler import plan_now
from bot.storage.db import transaction
from bot.storage.models import (
    Household,
    OutboxMessage,
    ProcessedUpdate,
    SecurityRecord,
    Village,
    utcnow,
)
from tests.factories import Chat, grant, user_of


async def delete_data(chat: Chat) -> None:
    await chat.say("/xoadulieu")
    await chat.press("Xoá dữ liệu của tôi")
    assert "Đã xoá thông tin của bạn" in chat.text


async def households_in(sessions: async_sessionmaker[AsyncSession], village: str) -> list[str]:
    async with sessions() as session:
        return list(
            await session.scalars(
                select(Household.head_name).join(Village).where(Village.name == village)
            )
        )


async def test_thirty_register_and_delete_loops_leave_no_junk_household(
    engine: Engine, commune: int, sessions: async_sessionmaker[AsyncSession]
) -> None:
    head = Chat(engine, user="head")
    await grant(engine, head, "village_head", "Thôn Mới")
    before = await households_in(sessions, "Thôn Mới")
    for n in range(30):
        troll = Chat(engine, user="troll")
        await troll.register(village="thon moi", household=f"Rác Số {n} Văn Thử")
        await delete_data(troll)
    assert await households_in(sessions, "Thôn Mới") == before
    await head.say("/chuahoc")
    assert "Rác" not in head.text


async def test_a_shared_declared_household_loses_the_typed_name(
    engine: Engine, commune: int, sessions: async_sessionmaker[AsyncSession]
) -> None:
    first = Chat(engine, user="first")
    await first.register(village="thon moi", household="Lê Văn Riêngtư")
    second = Chat(engine, user="second")
    await second.register(village="thon moi", household="le van riengtu")  # joins it
    await delete_data(first)
    names = await households_in(sessions, "Thôn Mới")
    assert len(names) == 1 and "Riêngtư" not in names[0]
    assert names[0].startswith("Hộ tự khai số")
    assert (await user_of(sessions, "second")).household_id is not None  # still counted


async def test_messages_waiting_for_a_deleted_person_are_cancelled(
    engine: Engine, commune: int, sessions: async_sessionmaker[AsyncSession]
) -> None:
    chat = Chat(engine, user="an", channel="telegram")
    await chat.register()
    user = await user_of(sessions, "an")
    async with transaction(sessions) as session:
        await enqueue(
            session,
            channel="telegram",
            chat_id="an",
            text="Nhắc học lúc 7 giờ sáng",
            kind="nudge",
            dedupe_key="nudge:an:tomorrow",
            not_before=utcnow() + timedelta(hours=9),
            user_id=user.id,
        )
    await delete_data(chat)
    async with sessions() as session:
        row = await session.scalar(select(OutboxMessage).where(OutboxMessage.kind == "nudge"))
        assert row is not None and row.status == "cancelled"
        assert row.chat_id == "" and row.user_id is None and "Nhắc" not in str(row.payload)


async def test_the_hourly_job_prunes_old_rows(
    engine: Engine, commune: int, sessions: async_sessionmaker[AsyncSession]
) -> None:
    now = utcnow()
    async with transaction(sessions) as session:
        session.add_all(
            [
                ProcessedUpdate(
                    channel="telegram", update_key="old", at=now - timedelta(hours=49)
                ),
                ProcessedUpdate(
                    channel="telegram", update_key="new", at=now - timedelta(hours=47)
                ),
                SecurityRecord(kind="link_fail", key="acct:x", at=now - timedelta(hours=25)),
                SecurityRecord(kind="link_fail", key="acct:y", at=now - timedelta(hours=23)),
            ]
        )
        for key, status, age in (
            ("sent-old", "sent", 91),
            ("failed-old", "failed", 91),
            ("sent-new", "sent", 89),
            ("pending-old", "pending", 91),
        ):
            await enqueue(
                session,
                channel="telegram",
                chat_id="1",
                text="x",
                kind="nudge",
                dedupe_key=key,
            )
            row = await session.scalar(
                select(OutboxMessage).where(OutboxMessage.dedupe_key == key)
            )
            row.status, row.created_at = status, now - timedelta(days=age)
    await plan_now(sessions, now)
    async with sessions() as session:
        assert list(await session.scalars(select(ProcessedUpdate.update_key))) == ["new"]
        assert list(await session.scalars(select(SecurityRecord.key))) == ["acct:y"]
        kept = set(await session.scalars(select(OutboxMessage.dedupe_key)))
        assert kept == {"sent-new", "pending-old"}
        assert await session.scalar(select(func.count(Household.id))) > 0
