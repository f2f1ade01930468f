"""Where a village stands: its place by coverage (ties share it), the households needed."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.stats.coverage import (
    VillageCoverage,
    commune_coverage,
    households_needed,
    rank_villages,
    stats_json,
    village_figures,
)
from bot.stats.standing import standing_of, standing_text
from tests.factories import add_participating, set_total


def figures(
    village_id: int, name: str, total: int | None, part: int, target: int
) -> VillageCoverage:
    counts = {"households_registered": part, "learners": part, "lessons_completed": part}
    return village_figures(village_id, name, total, part, target, **counts)


def ranks(rows: list[tuple[str, int | None, int]]) -> dict[str, int | None]:
    villages = [figures(i, name, total, part, 60) for i, (name, total, part) in enumerate(rows)]
    rank_villages(villages)
    return {v.name: v.rank for v in villages}


def test_ties_share_a_place_and_the_next_place_is_skipped() -> None:
    assert ranks(
        [("A", 100, 30), ("B", 200, 100), ("C", 100, 50), ("D", 300, 30), ("E", 100, 70)]
    ) == {"E": 1, "B": 2, "C": 2, "A": 4, "D": 5}


def test_villages_without_a_total_or_with_figures_to_check_are_not_ranked() -> None:
    assert ranks([("A", 100, 10), ("Mới", None, 40), ("Lỗi", 10, 12), ("B", 100, 0)]) == {
        "A": 1,
        "B": 2,
        "Mới": None,  # no declared total: no percentage, so no place (not last either)
        "Lỗi": None,  # more households taking part than declared
    }


def test_ties_follow_the_percentage_people_read() -> None:
    # 2/3 and 667/1000 both read 66,7%: the same place.
    assert ranks([("A", 3, 2), ("B", 1000, 667), ("C", 1000, 666)]) == {"A": 1, "B": 1, "C": 3}


@pytest.mark.parametrize(
    ("total", "part", "target", "needed"),
    [
        (320, 1, 60, 191),  # ceil(192) − 1
        (255, 0, 60, 153),  # 0.6 × 255 = 153 exactly
        (281, 100, 60, 69),  # ceil(168.6) = 169
        (281, 100, 65, 83),  # the commune's own target: ceil(182.65) = 183
        (100, 60, 60, 0),
        (100, 95, 60, 0),  # above the target: never negative
        (None, 5, 60, None),  # no declared total
        (10, 12, 60, None),  # figures to check
    ],
)
def test_households_needed(total: int | None, part: int, target: int, needed: int | None) -> None:
    assert households_needed(figures(1, "A", total, part, target), target) == needed


async def seed_ranking(sessions: async_sessionmaker[AsyncSession]) -> None:
    """Đồng Tâm 60%, Tân Tiến and Hòa Bình 50% (tied), Quyết Thắng 10%, Đoàn Kết 0%,
    Thôn Mới 10 households but no declared total."""
    await add_participating(sessions, "Thôn Đồng Tâm", 192)  # of 320
    await add_participating(sessions, "Thôn Tân Tiến", 140)  # of 280
    await add_participating(sessions, "Thôn Hòa Bình", 125)  # of 250
    await add_participating(sessions, "Thôn Quyết Thắng", 30)  # of 300
    await add_participating(sessions, "Thôn Mới", 10)


async def test_ranking_from_the_coverage_service_and_in_stats_json(
    commune: int, sessions: async_sessionmaker[AsyncSession]
) -> None:
    await seed_ranking(sessions)
    async with sessions() as session:
        [coverage] = await commune_coverage(session, [commune])
    doc = stats_json([coverage], datetime(2026, 12, 7, 1, tzinfo=UTC))
    got = {v["name"]: (v["coverage_pct"], v["rank"]) for v in doc["communes"][0]["villages"]}
    assert got == {
        "Thôn Đồng Tâm": (60.0, 1),
        "Thôn Tân Tiến": (50.0, 2),
        "Thôn Hòa Bình": (50.0, 2),
        "Thôn Quyết Thắng": (10.0, 4),
        "Thôn Đoàn Kết": (0.0, 5),
        "Thôn Mới": (None, None),
    }
    tan_tien = standing_of(coverage, next(v.id for v in coverage.villages if v.rank == 2))
    assert tan_tien is not None
    assert (tan_tien.ranked, tan_tien.unranked) == (5, 1)


async def test_standing_sentences(
    commune: int, sessions: async_sessionmaker[AsyncSession]
) -> None:
    await seed_ranking(sessions)
    await set_total(sessions, "Thôn Đoàn Kết", None)
    async with sessions() as session:
        [coverage] = await commune_coverage(session, [commune])
    by_name = {v.name: v.id for v in coverage.villages}

    def text(name: str, head: bool = False) -> str:
        standing = standing_of(coverage, by_name[name])
        assert standing is not None
        return standing_text(standing, head=head)

    assert text("Thôn Hòa Bình") == (
        "🏆 Thôn Hòa Bình đứng thứ 2/4 trong xã, đồng hạng với Thôn Tân Tiến "
        "(xếp theo tỷ lệ hộ có người học).\n"
        "(2 thôn chưa khai báo tổng số hộ hoặc có số liệu cần kiểm tra nên chưa được xếp hạng.)\n"
        "Cần thêm 25 hộ có người học nữa để thôn đạt mục tiêu 60%."
    )
    assert "🎉 Thôn đã đạt mục tiêu 60%" in text("Thôn Đồng Tâm")
    assert "đứng thứ 1/4" in text("Thôn Đồng Tâm")
    assert text("Thôn Mới") == (
        "🏆 Thôn Mới chưa được xếp hạng: thôn chưa khai báo tổng số hộ nên chưa tính được tỷ lệ. "
        "Thôn chưa khai báo không bị xếp cuối mà đứng ngoài bảng xếp hạng."
    )
    assert text("Thôn Mới", head=True).endswith("Gõ /sohodan để khai báo tổng số hộ.")


async def test_a_place_shared_by_many_counts_them_instead_of_naming_them(
    commune: int, sessions: async_sessionmaker[AsyncSession]
) -> None:
    async with sessions() as session:
        [coverage] = await commune_coverage(session, [commune])  # five villages at 0%
    standing = standing_of(coverage, coverage.villages[0].id)
    assert standing is not None
    assert "đứng thứ 1/5 trong xã, đồng hạng với 4 thôn khác" in standing_text(standing)
