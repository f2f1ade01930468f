"""Residents and village heads see their village's place in the commune and what it still needs."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.core.engine import Engine
from tests.factories import Chat, add_participating, grant, set_total


async def seed(sessions: async_sessionmaker[AsyncSession]) -> None:
    """Tân Tiến 140/280 and Hòa Bình 125/250 (both 50%), Đồng Tâm 100/320, Thôn Mới no total."""
    await add_participating(sessions, "Thôn Tân Tiến", 140)
    await add_participating(sessions, "Thôn Hòa Bình", 125)
    await add_participating(sessions, "Thôn Đồng Tâm", 100)
    await add_participating(sessions, "Thôn Mới", 4)


async def test_a_resident_sees_the_village_place_and_the_households_still_needed(
    engine: Engine, commune: int, sessions: async_sessionmaker[AsyncSession]
) -> None:
    await seed(sessions)
    an = Chat(engine, user="an")
    await an.register()  # Thôn Đồng Tâm: 100/320 = 31,3%, behind the two villages at 50%
    await an.say("/ketqua")
    assert "Kết quả của bạn" in an.text
    assert "🏆 Thôn Đồng Tâm đứng thứ 3/5 trong xã (xếp theo tỷ lệ hộ có người học)." in an.text
    assert "(1 thôn chưa khai báo tổng số hộ" in an.text  # Thôn Mới, said, not ranked last
    assert "Cần thêm 92 hộ có người học nữa để thôn đạt mục tiêu 60%." in an.text  # 192 − 100

    await an.complete_lesson("L01")  # her own household now counts
    await an.say("ket qua")
    assert "Cần thêm 91 hộ có người học nữa" in an.text

    binh = Chat(engine, user="binh")
    await binh.register(village="tan tien", household="T-0001")
    await binh.say("/ketqua")
    assert "Thôn Tân Tiến đứng thứ 1/5 trong xã, đồng hạng với Thôn Hòa Bình" in binh.text
    assert "Cần thêm 28 hộ" in binh.text  # ceil(0,6 × 280) = 168


async def test_a_village_without_a_total_is_not_ranked_and_a_village_at_the_target_says_so(
    engine: Engine, commune: int, sessions: async_sessionmaker[AsyncSession]
) -> None:
    await seed(sessions)
    moi = Chat(engine, user="moi")
    await moi.register(village="thon moi", household="T-0001")
    await moi.say("/ketqua")
    assert "Thôn Mới chưa được xếp hạng: thôn chưa khai báo tổng số hộ" in moi.text
    assert "Cần thêm" not in moi.text  # no total: nothing guessed

    await set_total(sessions, "Thôn Hòa Bình", 200)  # 125/200 = 62,5%
    hoa = Chat(engine, user="hoa")
    await hoa.register(village="hoa binh", household="T-0002")
    await hoa.say("/ketqua")
    assert "Thôn Hòa Bình đứng thứ 1/5 trong xã" in hoa.text
    assert "🎉 Thôn đã đạt mục tiêu 60% số hộ có người học!" in hoa.text


async def test_the_village_head_sees_the_same_in_thon(
    engine: Engine, commune: int, sessions: async_sessionmaker[AsyncSession]
) -> None:
    await seed(sessions)
    head = Chat(engine, user="head")
    await grant(engine, head, "village_head", "Thôn Đồng Tâm")
    await head.say("/thon")
    assert "Hộ có người học: 100/320 hộ (31,3%) — mục tiêu 60%." in head.text
    assert "Cần thêm 92 hộ nữa để đạt mục tiêu." in head.text
    assert "🏆 Thôn Đồng Tâm đứng thứ 3/5 trong xã" in head.text

    other = Chat(engine, user="head-moi")
    await grant(engine, other, "village_head", "Thôn Mới")
    await other.say("/thon")
    assert "Thôn chưa khai báo tổng số hộ nên chưa tính được tỷ lệ. Gõ /sohodan" in other.text
    assert "Thôn Mới chưa được xếp hạng" in other.text
    await other.say("/sohodan 40")
    await other.say("/thon")
    assert "Thôn Mới đứng thứ 4/6 trong xã" in other.text  # 4/40 = 10%, now ranked
    assert "Cần thêm 20 hộ nữa" in other.text
