"""The one coverage service: participating households against the commune's 60% target."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from datetime import datetime
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.formats import sort_key
from bot.storage.models import (
    LEARNING_USER,
    REGISTERED_HOUSEHOLD,
    Commune,
    Household,
    OfflineLearning,
    User,
    Village,
)

# Where a household's learning comes from; a household may have several sources, so the
# breakdown's parts can add up to more than the households taking part.
SOURCES = ("bot", "class", "platform")
SOURCE_NAMES = {
    "bot": "bài học trên trợ lý",
    "class": "lớp học trực tiếp",
    "platform": "nền tảng Bình dân học vụ số",
}


def percent(part: int, whole: int | None) -> float | None:
    """Return part/whole as a percentage rounded half-up to one decimal, None without a whole."""
    if not whole:
        return None
    value = Decimal(part * 100) / Decimal(whole)
    return float(value.quantize(Decimal("0.1"), rounding=ROUND_HALF_UP))


def target_met(part: int, whole: int | None, target_pct: int) -> bool | None:
    """Tell whether part/whole reaches the target, exactly (no rounding), None without a whole."""
    if not whole:
        return None
    return part * 100 >= target_pct * whole


@dataclass
class VillageCoverage:
    """One village's figures."""

    id: int
    name: str
    households_total: int | None
    households_registered: int
    households_participating: int
    coverage_pct: float | None
    met: bool | None
    learners: int
    lessons_completed: int
    # More households taking part than the village has: the data needs checking. Such a village
    # shows no percentage, is not "đạt" and is left out of the commune figure until fixed.
    check: bool = False
    by_source: dict[str, int] = field(default_factory=lambda: dict.fromkeys(SOURCES, 0))
    # Place in the commune by coverage (1 = highest; ties share a place); None for a village
    # without a declared total or with figures to check: it is left out of the ranking.
    rank: int | None = None


def households_needed(row: VillageCoverage, target_pct: int) -> int | None:
    """Return how many more households must take part to reach the target, never negative.

    ceil(target% × total) − participating; None without a declared total or with figures to
    check.
    """
    if not row.households_total or row.check:
        return None
    need = -(-target_pct * row.households_total // 100)
    return max(0, need - row.households_participating)


def rank_villages(villages: list[VillageCoverage]) -> None:
    """Set each village's place by coverage: standard competition ranking ("1, 2, 2, 4").

    The percentage is the one everyone reads (rounded to one decimal), so villages that show
    the same figure share a place. Villages without a percentage are not ranked.
    """
    ranked = sorted(
        (v for v in villages if v.coverage_pct is not None),
        key=lambda v: -(v.coverage_pct or 0.0),
    )
    for v in villages:
        v.rank = None
    for index, village in enumerate(ranked):
        previous = ranked[index - 1] if index else None
        if previous is not None and previous.coverage_pct == village.coverage_pct:
            village.rank = previous.rank
        else:
            village.rank = index + 1


def village_figures(
    village_id: int,
    name: str,
    total: int | None,
    participating: int,
    target_pct: int,
    **counts: Any,
) -> VillageCoverage:
    """Build one village's figures, flagging a participating count above the total."""
    check = bool(total) and participating > (total or 0)
    return VillageCoverage(
        id=village_id,
        name=name,
        households_total=total,
        households_participating=participating,
        coverage_pct=None if check else percent(participating, total),
        met=None if check else target_met(participating, total, target_pct),
        check=check,
        **counts,
    )


@dataclass
class CommuneCoverage:
    """A commune's figures; villages without a declared total are left out of the totals."""

    id: int
    name: str
    province: str
    target_pct: int
    households_total: int
    households_participating: int
    coverage_pct: float | None
    met: bool | None
    villages_without_total: list[str]
    villages: list[VillageCoverage] = field(default_factory=list)
    villages_to_check: list[str] = field(default_factory=list)
    by_source: dict[str, int] = field(default_factory=lambda: dict.fromkeys(SOURCES, 0))

    def as_json(self) -> dict[str, Any]:
        """Return the shape `hocvuso stats --format json` prints (DESIGN.md)."""
        data = asdict(self)
        data.pop("id")
        for village in data["villages"]:
            village.pop("id")
        return data


async def _counts(session: AsyncSession, stmt: Any) -> dict[int, tuple[int, ...]]:
    """Run a `village_id, count...` query into {village_id: (counts...)}."""
    return {
        row[0]: tuple(int(n or 0) for n in row[1:]) for row in (await session.execute(stmt)).all()
    }


async def _village_figures(
    session: AsyncSession, village_ids: list[int] | None
) -> dict[str, dict[int, tuple[int, ...]]]:
    """Count participating and registered households, learners and completed lessons.

    Only `village_ids` are counted, or every village when None. Each count is read from one
    index (migration 0006): households by (village, participating_since), registered households
    (members > 0) by village, learners who have not deleted their data by (village, lessons
    passed). The conditions repeat the partial indexes' predicates word for word, as literal
    SQL, which SQLite needs to use a partial index.
    """

    def scoped(column: Any) -> list[Any]:
        return [] if village_ids is None else [column.in_(village_ids)]

    participating = await _counts(
        session,
        select(Household.village_id, func.count())
        .where(Household.participating_since.is_not(None), *scoped(Household.village_id))
        .group_by(Household.village_id),
    )
    # A household is registered while at least one member has not deleted their data.
    registered = await _counts(
        session,
        select(Household.village_id, func.count())
        .where(REGISTERED_HOUSEHOLD, *scoped(Household.village_id))
        .group_by(Household.village_id),
    )
    learners = await _counts(
        session,
        select(User.village_id, func.count(), func.sum(User.lessons_completed))
        .where(LEARNING_USER, User.village_id.is_not(None), *scoped(User.village_id))
        .group_by(User.village_id),
    )
    # Households with a member who passed a lesson. Driven from the learners' partial index
    # (a member's village is their household's: changing village leaves the household), so a
    # commune reads its few thousand learners, not every user of the province.
    bot = await _counts(
        session,
        select(Household.village_id, func.count(func.distinct(Household.id)))
        .select_from(User)
        .join(Household, User.household_id == Household.id)
        .where(
            LEARNING_USER,
            User.lessons_completed > 0,
            Household.status == "confirmed",
            *scoped(User.village_id),
            *scoped(Household.village_id),
        )
        .group_by(Household.village_id),
    )
    elsewhere = (
        await session.execute(
            select(
                Household.village_id,
                OfflineLearning.source,
                func.count(func.distinct(Household.id)),
            )
            .join(OfflineLearning, OfflineLearning.household_id == Household.id)
            .where(
                OfflineLearning.confirmed_at.is_not(None),
                Household.status == "confirmed",
                *scoped(Household.village_id),
            )
            .group_by(Household.village_id, OfflineLearning.source)
        )
    ).all()
    sources: dict[int, tuple[int, ...]] = {}
    for village_id, (n,) in bot.items():
        sources[village_id] = (n, 0, 0)
    for village_id, source, n in elsewhere:
        row = list(sources.get(village_id, (0, 0, 0)))
        if source in SOURCES:
            row[SOURCES.index(source)] = int(n)
        sources[village_id] = tuple(row)
    return {
        "participating": participating,
        "registered": registered,
        "learners": learners,
        "sources": sources,
    }


async def commune_coverage(
    session: AsyncSession, commune_ids: list[int] | None = None
) -> list[CommuneCoverage]:
    """Compute coverage for the given communes (all when None), villages ranked by name."""
    query = select(Commune).order_by(Commune.name)
    if commune_ids is not None:
        query = query.where(Commune.id.in_(commune_ids))
    communes = list(await session.scalars(query))
    if not communes:
        return []
    ids = [c.id for c in communes]
    villages = list(
        await session.scalars(
            select(Village).where(Village.commune_id.in_(ids)).order_by(Village.name_folded)
        )
    )
    villages.sort(key=lambda v: sort_key(v.name))
    figures = (
        await _village_figures(session, None if commune_ids is None else [v.id for v in villages])
        if villages
        else {"participating": {}, "registered": {}, "learners": {}, "sources": {}}
    )
    participating = {k: v[0] for k, v in figures["participating"].items()}
    registered = {k: v[0] for k, v in figures["registered"].items()}
    learners = {k: v[0] for k, v in figures["learners"].items()}
    completed = {k: v[1] for k, v in figures["learners"].items()}
    result = []
    for commune in communes:
        rows = []
        for village in (v for v in villages if v.commune_id == commune.id):
            rows.append(
                village_figures(
                    village.id,
                    village.name,
                    village.households_total,
                    participating.get(village.id, 0),
                    commune.target_household_pct,
                    households_registered=registered.get(village.id, 0),
                    learners=learners.get(village.id, 0),
                    lessons_completed=completed.get(village.id, 0),
                    by_source=dict(
                        zip(SOURCES, figures["sources"].get(village.id, (0, 0, 0)), strict=True)
                    ),
                )
            )
        rank_villages(rows)
        counted = [r for r in rows if r.households_total and not r.check]
        total = sum(r.households_total or 0 for r in counted)
        part = sum(r.households_participating for r in counted)
        result.append(
            CommuneCoverage(
                id=commune.id,
                name=commune.name,
                province=commune.province,
                target_pct=commune.target_household_pct,
                households_total=total,
                households_participating=part,
                coverage_pct=percent(part, total),
                met=target_met(part, total, commune.target_household_pct),
                villages_without_total=[r.name for r in rows if not r.households_total],
                villages=rows,
                villages_to_check=[r.name for r in rows if r.check],
                by_source={k: sum(r.by_source[k] for r in counted) for k in SOURCES},
            )
        )
    return result


def stats_json(communes: list[CommuneCoverage], generated_at: datetime) -> dict[str, Any]:
    """Return the whole `stats --format json` document."""
    return {
        "generated_at": generated_at.isoformat(timespec="seconds"),
        "communes": [c.as_json() for c in communes],
    }
