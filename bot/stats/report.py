"""Everything a commune report shows, computed once: coverage, change, cohorts, trend, reports."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.stats.cohorts import COHORT_TARGETS, CohortIndicator, cohort_indicators
from bot.stats.coverage import CommuneCoverage, commune_coverage, percent
from bot.storage.deadlines import current_occurrence, deadlines_of
from bot.storage.models import Commune, Household, ReportSubmission, Village
from bot.storage.tickets import TicketCounts, ticket_counts

__all__ = ["COHORT_TARGETS", "CohortIndicator", "CommuneReport", "build_commune_report"]


@dataclass
class TrendPoint:
    """Commune coverage at the end of one week."""

    week_end: date
    households_participating: int
    coverage_pct: float | None


@dataclass
class SubmissionStatus:
    """Whether a village has submitted its report for the current deadline."""

    village: str
    submitted_at: datetime | None
    method: str | None


@dataclass
class CommuneReport:
    """The figures of one commune at one moment, for chat, charts, Excel and Word alike."""

    coverage: CommuneCoverage
    generated_at: datetime  # in the commune's time zone
    learners: int
    lessons_completed: int
    new_households_7d: int
    cohorts: list[CohortIndicator] = field(default_factory=list)
    trend: list[TrendPoint] = field(default_factory=list)
    deadline_title: str | None = None
    deadline_due: date | None = None
    submissions: list[SubmissionStatus] = field(default_factory=list)
    tickets: TicketCounts = field(default_factory=TicketCounts)


async def build_commune_report(
    session: AsyncSession, commune_id: int, now: datetime, weeks: int = 12
) -> CommuneReport:
    """Compute a commune's report at `now`."""
    commune = await session.get(Commune, commune_id)
    if commune is None:
        raise LookupError(f"commune {commune_id} not found")
    zone = ZoneInfo(commune.timezone)
    local = now.astimezone(zone)
    [coverage] = await commune_coverage(session, [commune_id])
    counted = [v.id for v in coverage.villages if v.households_total and not v.check]
    week_ago = now - timedelta(days=7)
    days = [local.date() - timedelta(days=7 * back) for back in range(weeks - 1, -1, -1)]
    ends = [datetime.combine(day, time.max, zone) for day in days]
    # One pass over the participating households of the counted villages, counted in the
    # database (index ix_households_village_participating): households joined by each week's
    # end, and in the last 7 days.
    since = Household.participating_since
    counts = (
        await session.execute(
            select(
                *(func.count().filter(since <= end) for end in ends),
                func.count().filter(since > week_ago),
            ).where(Household.village_id.in_(counted or [0]), since.is_not(None))
        )
    ).one()
    trend = [
        TrendPoint(day, int(part or 0), percent(int(part or 0), coverage.households_total))
        for day, part in zip(days, counts[:-1], strict=True)
    ]
    report = CommuneReport(
        coverage=coverage,
        generated_at=local,
        learners=sum(v.learners for v in coverage.villages),
        lessons_completed=sum(v.lessons_completed for v in coverage.villages),
        new_households_7d=int(counts[-1] or 0),
        trend=trend,
        tickets=await ticket_counts(session, commune_id),
    )
    report.cohorts = await cohort_indicators(session, commune, local.year)
    occurrence = current_occurrence(await deadlines_of(session, commune_id), local.date())
    if occurrence is not None:
        report.deadline_title = occurrence.deadline.title
        report.deadline_due = occurrence.due
        done = {
            row.village_id: row
            for row in await session.scalars(
                select(ReportSubmission)
                .join(Village, Village.id == ReportSubmission.village_id)
                .where(
                    Village.commune_id == commune_id,
                    ReportSubmission.deadline_id == occurrence.deadline.id,
                    ReportSubmission.year == occurrence.year,
                )
            )
        }
        for village in coverage.villages:
            row = done.get(village.id)
            report.submissions.append(
                SubmissionStatus(
                    village.name,
                    row.submitted_at.astimezone(zone) if row else None,
                    row.method if row else None,
                )
            )
    return report
