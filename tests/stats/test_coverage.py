"""The coverage service against hand-computed figures."""

from __future__ import annotations

import re
from datetime import UTC, datetime

import pytest
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.core.engine import Engine
from bot.stats.coverage import commune_coverage, percent, stats_json, target_met
from bot.storage.db import transaction
from bot.storage.imports import add_commune
from bot.storage.models import Household, LessonProgress, User, Village
from bot.storage.participation import recount_lessons, recount_members
from tests.factories import Chat
from tests.fuzzing.invariants import violations


@pytest.mark.parametrize(
    ("part", "whole", "expected"),
    [(88, 320, 27.5), (1, 3, 33.3), (2, 3, 66.7), (1, 8, 12.5), (0, 10, 0.0), (3, None, None)],
)
def test_percent_rounds_half_up_to_one_decimal(
    part: int, whole: int | None, expected: float | None
) -> None:
    assert percent(part, whole) == expected


def test_target_is_judged_on_the_exact_ratio() -> None:
    assert target_met(60, 100, 60) is True
    assert target_met(599, 1000, 60) is False  # 59.9% is not 60%
    assert target_met(1, None, 60) is None


async def test_figures_match_hand_computation(sessions: async_sessionmaker[AsyncSession]) -> None:
    at = datetime(2026, 11, 20, 3, 0, tzinfo=UTC)
    async with transaction(sessions) as s:
        commune, _ = await add_commune(s, "Xã Thử", "Tỉnh Thử")
        a = Village(
            commune_id=commune.id, name="Thôn A", name_folded="thon a", households_total=10
        )
        b = Village(commune_id=commune.id, name="Thôn B", name_folded="thon b", households_total=5)
        c = Village(commune_id=commune.id, name="Thôn C", name_folded="thon c")
        s.add_all([a, b, c])
        await s.flush()
        households = []
        for village, count, participating in ((a, 7, 6), (b, 2, 1), (c, 3, 3)):
            for i in range(count):
                h = Household(
                    village_id=village.id,
                    head_name=f"Hộ {i}",
                    head_name_folded=f"ho {i}",
                    participating_since=at if i < participating else None,
                )
                s.add(h)
                households.append((village, h))
        await s.flush()
        for village, h in households[:3]:  # three users in Thôn A, one deleted
            user = User(village_id=village.id, household_id=h.id, commune_id=commune.id, state={})
            s.add(user)
            await s.flush()
            s.add(LessonProgress(user_id=user.id, lesson_id="L01", completed_at=at, score=1.0))
            await recount_lessons(s, user)
        deleted = User(village_id=a.id, household_id=households[0][1].id, state={}, deleted_at=at)
        s.add(deleted)
        await recount_members(s, *(h.id for _, h in households))

    async with sessions() as s:
        [result] = await commune_coverage(s)
    assert (result.households_total, result.households_participating) == (15, 7)
    assert result.coverage_pct == 46.7
    assert result.met is False
    assert result.villages_without_total == ["Thôn C"]
    by_name = {v.name: v for v in result.villages}
    assert by_name["Thôn A"].coverage_pct == 60.0
    assert by_name["Thôn A"].met is True
    assert by_name["Thôn A"].households_registered == 3
    assert by_name["Thôn A"].learners == 3
    assert by_name["Thôn A"].lessons_completed == 3
    assert by_name["Thôn B"].coverage_pct == 20.0
    assert by_name["Thôn C"].coverage_pct is None
    assert by_name["Thôn C"].met is None
    doc = stats_json([result], datetime(2026, 12, 1, 1, 0, tzinfo=UTC))
    assert doc["generated_at"] == "2026-12-01T01:00:00+00:00"
    village = doc["communes"][0]["villages"][0]
    assert set(village) >= {
        "name",
        "households_total",
        "households_registered",
        "households_participating",
        "coverage_pct",
        "met",
        "learners",
        "lessons_completed",
    }


async def dong_tam(sessions: async_sessionmaker[AsyncSession]) -> tuple[int, int, int]:
    """Return Thôn Đồng Tâm's registered households, learners and lessons completed.

    Also check the database invariants.
    """
    # Among them: the stored lesson and member counts match the rows they summarise.
    assert await violations(sessions) == set()
    async with sessions() as session:
        [commune] = await commune_coverage(session)
    village = next(v for v in commune.villages if v.name == "Thôn Đồng Tâm")
    return village.households_registered, village.learners, village.lessons_completed


async def test_learners_lessons_and_registered_households_follow_every_change(
    engine: Engine, commune: int, sessions: async_sessionmaker[AsyncSession]
) -> None:
    an = Chat(engine, user="an", channel="telegram")
    await an.register()
    await an.say("/hoc")
    await an.press("Giải quyết vấn đề")
    await an.press("Bình dân học vụ số là gì?")
    assert await dong_tam(sessions) == (1, 1, 0)  # begun, not passed
    await an.complete_lesson("L01")
    assert await dong_tam(sessions) == (1, 1, 1)
    await an.complete_lesson("L01")  # taken again: still one lesson
    await an.complete_lesson("L02", right=False)  # failed: begun, not passed
    assert await dong_tam(sessions) == (1, 1, 1)

    anh = Chat(engine, user="anh", channel="zalo")
    await anh.register(household="nguyen van anh")
    await anh.complete_lesson("L01")
    await anh.complete_lesson("L02")
    assert await dong_tam(sessions) == (2, 2, 3)

    await an.say("/lienket")
    code = re.search(r"\b(\d{6})\b", an.text)
    assert code, an.text
    await anh.say(f"/lienket {code.group(1)}")
    assert "Đã liên kết" in anh.text
    assert await dong_tam(sessions) == (1, 1, 2)  # one person, L01 and L02 passed

    await anh.say("/xoadulieu")
    await anh.press("Xoá dữ liệu của tôi")
    assert await dong_tam(sessions) == (0, 0, 0)
