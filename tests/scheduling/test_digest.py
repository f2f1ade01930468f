"""The weekly digest to village heads: Monday 08:00 local, once a week, if they want it."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import time_machine
from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.core.engine import Engine
from bot.lessons.model import Curriculum
from bot.scheduling.digest import KIND
from bot.scheduling.scheduler import plan_now
from bot.storage.db import transaction
from bot.storage.models import Identity, OutboxMessage
from tests.factories import Chat, add_participating, grant, user_of

HCM = ZoneInfo("Asia/Ho_Chi_Minh")


def local(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=HCM)


async def run_hours(
    sessions: async_sessionmaker[AsyncSession], lessons: Curriculum, start: str, end: str
) -> None:
    """Run the planner hourly from start to end (local time), as the scheduler does."""
    now, stop = local(start), local(end)
    with time_machine.travel(now, tick=False) as clock:
        while now < stop:
            clock.move_to(now)
            await plan_now(sessions, now, lessons)
            now += timedelta(hours=1)


async def digests(sessions: async_sessionmaker[AsyncSession]) -> list[tuple[str, str, str]]:
    """The digests in the outbox: (chat, local time to send, text), oldest first."""
    async with sessions() as session:
        rows = await session.scalars(
            select(OutboxMessage)
            .where(OutboxMessage.kind == KIND)
            .order_by(OutboxMessage.not_before, OutboxMessage.id)
        )
        return [
            (r.chat_id, r.not_before.astimezone(HCM).strftime("%a %d/%m %H:%M"), r.payload["text"])
            for r in rows
        ]


async def head_of(engine: Engine, village: str, user: str) -> Chat:
    chat = Chat(engine, user=user)
    with time_machine.travel(local("2026-12-01T09:00"), tick=False):
        await grant(engine, chat, "village_head", village)
    return chat


async def test_the_digest_comes_on_monday_at_eight_local_once_a_week(
    engine: Engine,
    commune: int,
    sessions: async_sessionmaker[AsyncSession],
    curriculum: Curriculum,
) -> None:
    await add_participating(sessions, "Thôn Tân Tiến", 140)  # 50%: first
    await add_participating(sessions, "Thôn Đồng Tâm", 97, since="2026-11-02T10:00+07:00")
    await add_participating(sessions, "Thôn Đồng Tâm", 2, since="2026-12-03T10:00+07:00")
    await add_participating(sessions, "Thôn Đồng Tâm", 1, since="2026-11-30T08:00+07:00")
    await head_of(engine, "Thôn Đồng Tâm", "head")

    # Sunday and Monday morning: nothing yet (00:00-00:59 UTC Monday is still 07:xx here).
    await run_hours(sessions, curriculum, "2026-12-06T00:00", "2026-12-07T08:00")
    assert await digests(sessions) == []

    await run_hours(sessions, curriculum, "2026-12-07T08:00", "2026-12-08T08:00")
    [(chat, when, text)] = await digests(sessions)
    assert (chat, when) == ("head", "Mon 07/12 08:00")
    assert text == (
        "📰 Bản tin thứ Hai — Thôn Đồng Tâm\n"
        "🏆 Thôn Đồng Tâm đứng thứ 2/5 trong xã (xếp theo tỷ lệ hộ có người học).\n"
        "(1 thôn chưa khai báo tổng số hộ hoặc có số liệu cần kiểm tra nên chưa được xếp hạng.)\n"
        "Tuần qua: thêm 3 hộ có người học.\n"  # 30/11 08:00 and 03/12 count, 02/11 does not
        "Cần thêm 92 hộ có người học nữa để thôn đạt mục tiêu 60%.\n"
        "Gõ /thon để xem chi tiết.\n"
        "(Không muốn nhận bản tin này? Gõ /bantin để tắt.)"
    )

    # Planned again that Monday (a restart, a second instance): nothing new.
    await run_hours(sessions, curriculum, "2026-12-07T09:00", "2026-12-07T11:00")
    assert len(await digests(sessions)) == 1

    # A household joins on Monday after 08:00: next week's digest counts it.
    await add_participating(sessions, "Thôn Đồng Tâm", 1, since="2026-12-07T09:30+07:00")
    await run_hours(sessions, curriculum, "2026-12-14T07:00", "2026-12-14T10:00")
    week2 = await digests(sessions)
    assert [w for _, w, _ in week2] == ["Mon 07/12 08:00", "Mon 14/12 08:00"]
    assert "Tuần qua: thêm 1 hộ có người học." in week2[1][2]
    assert "Cần thêm 91 hộ" in week2[1][2]


async def test_the_hour_is_the_communes_own(
    engine: Engine,
    commune: int,
    sessions: async_sessionmaker[AsyncSession],
    curriculum: Curriculum,
) -> None:
    from bot.storage.models import Commune

    async with transaction(sessions) as session:
        await session.execute(update(Commune).values(timezone="Asia/Tokyo"))  # 2 h ahead
    await head_of(engine, "Thôn Đồng Tâm", "head")
    await run_hours(sessions, curriculum, "2026-12-07T00:00", "2026-12-07T06:00")  # HCM time
    assert await digests(sessions) == []  # up to 05:00 here, 07:00 in Tokyo
    await run_hours(sessions, curriculum, "2026-12-07T06:00", "2026-12-07T07:00")
    [(_, when, text)] = await digests(sessions)
    assert when == "Mon 07/12 06:00"  # 08:00 in Tokyo
    assert "Tuần qua: chưa có thêm hộ nào có người học." in text


async def test_a_head_can_switch_the_digest_off_and_on_again(
    engine: Engine,
    commune: int,
    sessions: async_sessionmaker[AsyncSession],
    curriculum: Curriculum,
) -> None:
    head = await head_of(engine, "Thôn Đồng Tâm", "head")
    await head.say("/trogiup")
    assert "/bantin — Bật/tắt bản tin thứ Hai của thôn" in head.text

    await head.say("/bantin")
    assert "Bản tin thứ Hai" in head.text and "đang bật" in head.text
    await head.press("Tắt bản tin")
    assert "Đã tắt bản tin thứ Hai. Gõ /bantin để bật lại" in head.text
    await run_hours(sessions, curriculum, "2026-12-07T08:00", "2026-12-07T10:00")
    assert await digests(sessions) == []

    await head.say("bantin bat")  # typed, without "/" or diacritics
    assert "Đã bật bản tin thứ Hai" in head.text
    await run_hours(sessions, curriculum, "2026-12-14T08:00", "2026-12-14T09:00")
    assert [w for _, w, _ in await digests(sessions)] == ["Mon 14/12 08:00"]

    async with transaction(sessions) as session:  # the dispatcher sent it
        await session.execute(update(OutboxMessage).values(status="sent"))

    # Switched off after the digest was planned but before it went out: it does not go.
    await run_hours(sessions, curriculum, "2026-12-21T08:00", "2026-12-21T09:00")
    assert len(await digests(sessions)) == 2
    await head.say("/bantin")
    await head.say("2")  # "Tắt bản tin", typed as on Zalo
    assert "Đã tắt bản tin" in head.text
    assert [w for _, w, _ in await digests(sessions)] == ["Mon 14/12 08:00"]

    resident = Chat(engine, user="an")
    await resident.register()
    await resident.say("/bantin")
    assert "Lệnh này chỉ dành cho" in resident.text


async def test_no_digest_to_a_head_who_deleted_their_data_or_cannot_be_reached(
    engine: Engine,
    commune: int,
    sessions: async_sessionmaker[AsyncSession],
    curriculum: Curriculum,
) -> None:
    gone = await head_of(engine, "Thôn Đồng Tâm", "gone")
    await head_of(engine, "Thôn Tân Tiến", "blocked")
    await head_of(engine, "Thôn Hòa Bình", "kept")
    await gone.say("/xoadulieu")
    await gone.press("Xoá dữ liệu của tôi")
    blocked = await user_of(sessions, "blocked")
    assert blocked is not None
    async with transaction(sessions) as session:
        await session.execute(
            update(Identity)
            .where(Identity.user_id == blocked.id)
            .values(unreachable_at=local("2026-12-02T10:00"))
        )
    await run_hours(sessions, curriculum, "2026-12-07T08:00", "2026-12-07T09:00")
    assert [chat for chat, _, _ in await digests(sessions)] == ["kept"]
