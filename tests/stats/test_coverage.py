"""The coverage service against hand-computed figures."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.stats.coverage import commune_coverage, percent, stats_json, target_met
from bot.storage.db import transaction
from bot.storage.imports import add_commune
from bot.storage.models import Household, LessonProgress, User, Village


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
        deleted = User(village_id=a.id, household_id=households[0][1].id, state={}, deleted_at=at)
        s.add(deleted)

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
