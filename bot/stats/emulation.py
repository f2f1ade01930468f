"""The commune's emulation year: villages at the year's end, units and their reports, cohorts,
reports received; several years side by side for the mid-term and final reviews."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time
from zoneinfo import ZoneInfo

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.formats import sort_key
from bot.stats.cohorts import CohortIndicator, UnitYear, cohort_indicators, units_of_year
from bot.stats.coverage import percent, target_met
from bot.storage.models import Commune, Household, ReportSubmission, Village


@dataclass
class VillageYear:
    """One village in one year: households taking part on 1 January and at the year's end."""

    id: int
    name: str
    households_total: int | None
    start: int  # households taking part at 00:00 on 1 January
    end: int  # households taking part at the year's end (or now, for the current year)
    target_pct: int
    reached_on: date | None = None  # the day the target was crossed, if it was by the end

    @property
    def check(self) -> bool:
        """More households taking part than declared: the figures need checking."""
        return bool(self.households_total) and self.end > (self.households_total or 0)

    @property
    def pct_start(self) -> float | None:
        """Coverage on 1 January."""
        return None if self.check else percent(self.start, self.households_total)

    @property
    def pct_end(self) -> float | None:
        """Coverage at the year's end."""
        return None if self.check else percent(self.end, self.households_total)

    @property
    def met(self) -> bool | None:
        """Whether the village is at or above the target at the year's end."""
        return None if self.check else target_met(self.end, self.households_total, self.target_pct)

    @property
    def gain(self) -> float | None:
        """Percentage points gained during the year."""
        if self.pct_start is None or self.pct_end is None:
            return None
        return round(self.pct_end - self.pct_start, 1)


@dataclass
class EmulationYear:
    """Everything the yearly emulation report and the award proposal show for one year."""

    commune_id: int
    commune: str
    province: str
    target_pct: int
    year: int
    start: datetime  # 1 January 00:00, commune time
    cutoff: datetime  # the year's last moment, or now for the current year
    generated_at: datetime
    villages: list[VillageYear] = field(default_factory=list)
    units: list[UnitYear] = field(default_factory=list)
    cohorts: list[CohortIndicator] = field(default_factory=list)
    villages_reported: int = 0  # villages that submitted a report for the year

    @property
    def counted(self) -> list[VillageYear]:
        """Villages that count toward the commune figure (a total, figures not to check)."""
        return [v for v in self.villages if v.households_total and not v.check]

    @property
    def households_total(self) -> int:
        """Households of the counted villages."""
        return sum(v.households_total or 0 for v in self.counted)

    @property
    def households_participating(self) -> int:
        """Households taking part at the cutoff in the counted villages."""
        return sum(v.end for v in self.counted)

    @property
    def coverage_pct(self) -> float | None:
        """The commune's coverage at the cutoff."""
        return percent(self.households_participating, self.households_total)

    @property
    def met(self) -> bool | None:
        """Whether the commune is at or above the target at the cutoff."""
        return target_met(self.households_participating, self.households_total, self.target_pct)

    @property
    def units_reported(self) -> int:
        """Units (other than villages) that reported for the year."""
        return sum(1 for x in self.units if x.reported)

    @property
    def complete(self) -> bool:
        """Whether the year is over (its figures are final)."""
        return self.cutoff.date() == date(self.year, 12, 31)


FIRST_YEAR = 2000  # no digital-learning figures before; an earlier year is a typing error


class YearError(ValueError):
    """A year that cannot be reported (in the future, or a range the wrong way round)."""


async def _villages(
    session: AsyncSession, commune: Commune, start: datetime, cutoff: datetime
) -> list[VillageYear]:
    villages = list(await session.scalars(select(Village).where(Village.commune_id == commune.id)))
    villages.sort(key=lambda v: sort_key(v.name))
    if not villages:
        return []
    since = Household.participating_since
    joined = (
        await session.execute(
            select(Household.village_id, since)
            .where(
                Household.village_id.in_([v.id for v in villages]),
                since.is_not(None),
                since <= cutoff,
            )
            .order_by(Household.village_id, since)
        )
    ).all()
    dates: dict[int, list[datetime]] = {}
    for village_id, when in joined:
        if when is not None:  # filtered in SQL; the column type allows None
            dates.setdefault(village_id, []).append(when)
    zone = ZoneInfo(commune.timezone)
    rows = []
    for v in villages:
        times = dates.get(v.id, [])
        row = VillageYear(
            v.id,
            v.name,
            v.households_total,
            start=sum(1 for when in times if when < start),
            end=len(times),
            target_pct=commune.target_household_pct,
        )
        if v.households_total and row.met:
            needed = -(-commune.target_household_pct * v.households_total // 100)
            row.reached_on = times[max(needed, 1) - 1].astimezone(zone).date()
        rows.append(row)
    return rows


async def emulation_year(
    session: AsyncSession, commune_id: int, year: int, now: datetime
) -> EmulationYear:
    """Compute one commune's emulation year (up to `now` for the current year)."""
    commune = await session.get(Commune, commune_id)
    if commune is None:
        raise LookupError(f"commune {commune_id} not found")
    zone = ZoneInfo(commune.timezone)
    local = now.astimezone(zone)
    if year > local.year:
        raise YearError(f"{year} has not begun")
    if year < FIRST_YEAR:
        raise YearError(f"{year} is before {FIRST_YEAR}")
    start = datetime.combine(date(year, 1, 1), time.min, zone)
    end = datetime.combine(date(year, 12, 31), time.max, zone)
    current = year == local.year
    cutoff = local if current else end
    units = await units_of_year(session, commune.id, year)
    reported = await session.scalar(
        select(func.count(func.distinct(ReportSubmission.village_id)))
        .join(Village, Village.id == ReportSubmission.village_id)
        .where(Village.commune_id == commune.id, ReportSubmission.year == year)
    )
    return EmulationYear(
        commune_id=commune.id,
        commune=commune.name,
        province=commune.province,
        target_pct=commune.target_household_pct,
        year=year,
        start=start,
        cutoff=cutoff,
        generated_at=local,
        villages=await _villages(session, commune, start, cutoff),
        units=units,
        cohorts=await cohort_indicators(
            session, commune, year, None if current else end, units=units
        ),
        villages_reported=int(reported or 0),
    )


async def emulation_period(
    session: AsyncSession, commune_id: int, first: int, last: int, now: datetime
) -> list[EmulationYear]:
    """Compute the years `first`…`last` side by side (a review: sơ kết, tổng kết)."""
    if first > last:
        raise YearError(f"{first} is after {last}")
    if last - first > 10:
        raise YearError("a review spans at most eleven years")
    return [await emulation_year(session, commune_id, y, now) for y in range(first, last + 1)]
