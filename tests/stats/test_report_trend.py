"""The commune report's 12-week trend and 7-day count, counted in the database."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.stats.report import build_commune_report
from bot.storage.db import transaction
from bot.storage.models import Household
from tests.factories import village_named

NOW = datetime(2026, 11, 22, 3, 0, tzinfo=UTC)  # Sunday 10:00 in Hà Nội


async def test_the_trend_counts_households_by_the_end_of_each_week(
    commune: int, sessions: async_sessionmaker[AsyncSession]
) -> None:
    dong_tam = await village_named(sessions, "Thôn Đồng Tâm")  # 320 households declared
    thon_moi = await village_named(sessions, "Thôn Mới")  # no total: not counted
    joined = [
        (dong_tam.id, NOW - timedelta(weeks=20)),  # before the 12 weeks: in every point
        (dong_tam.id, NOW - timedelta(weeks=5, hours=1)),
        (dong_tam.id, NOW - timedelta(days=2)),
        (dong_tam.id, NOW - timedelta(minutes=5)),
        (thon_moi.id, NOW - timedelta(days=1)),
    ]
    async with transaction(sessions) as session:
        for i, (village_id, when) in enumerate(joined):
            session.add(
                Household(
                    village_id=village_id,
                    code=f"T-{i}",
                    head_name=f"Hộ {i}",
                    head_name_folded=f"ho {i}",
                    participating_since=when,
                )
            )
    async with sessions() as session:
        report = await build_commune_report(session, commune, NOW)
    counts = [p.households_participating for p in report.trend]
    assert len(counts) == 12
    assert report.trend[-1].week_end == NOW.date()
    # 5 weeks back is a point of its own (18/10, end of day): from there on, two.
    assert counts == [1] * 6 + [2] * 5 + [4]
    assert report.trend[-1].coverage_pct == 0.3  # 4 of 1,410 declared households
    assert report.new_households_7d == 2
