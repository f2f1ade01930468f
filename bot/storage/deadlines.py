"""Reporting deadlines per commune, and which one is current on a given day."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.storage.models import Deadline, ReportSubmission

DEFAULT_OFFSETS = [14, 7, 3, 1, 0]
DEFAULT_HOUR = 8
DEFAULTS = (
    (12, 5, "Báo cáo kết quả phong trào Bình dân học vụ số (hạn 05/12)"),
    (12, 15, "Báo cáo tổng hợp Bình dân học vụ số (hạn 15/12)"),
)


async def add_default_deadlines(session: AsyncSession, commune_id: int) -> None:
    """Give a new commune the 05/12 and 15/12 deadlines."""
    for month, day, title in DEFAULTS:
        session.add(
            Deadline(
                commune_id=commune_id,
                month=month,
                day=day,
                title=title,
                offsets_days=list(DEFAULT_OFFSETS),
                send_hour=DEFAULT_HOUR,
            )
        )
    await session.flush()


async def deadlines_of(session: AsyncSession, commune_id: int) -> list[Deadline]:
    """Return a commune's deadlines in calendar order."""
    rows = await session.scalars(
        select(Deadline)
        .where(Deadline.commune_id == commune_id)
        .order_by(Deadline.month, Deadline.day)
    )
    return list(rows)


def due_date(deadline: Deadline, year: int) -> date:
    """Return the deadline's date in a year (29/02 falls back to 28/02)."""
    try:
        return date(year, deadline.month, deadline.day)
    except ValueError:
        return date(year, deadline.month, 28)


@dataclass(frozen=True)
class Occurrence:
    """One deadline in one year."""

    deadline: Deadline
    year: int
    due: date

    def days_left(self, today: date) -> int:
        """Return whole days from today to the due date (negative when overdue)."""
        return (self.due - today).days


def current_occurrence(deadlines: list[Deadline], today: date) -> Occurrence | None:
    """The deadline a report is for today: the next one, else the latest of the past year."""
    upcoming = []
    for deadline in deadlines:
        for year in (today.year, today.year + 1):
            due = due_date(deadline, year)
            if due >= today:
                upcoming.append(Occurrence(deadline, year, due))
                break
    if upcoming:
        soonest = min(upcoming, key=lambda o: o.due)
        if (soonest.due - today).days <= 60:
            return soonest
    past = [
        Occurrence(d, today.year, due_date(d, today.year))
        for d in deadlines
        if due_date(d, today.year) < today
    ]
    recent = max(past, key=lambda o: o.due, default=None)
    if recent is not None and (today - recent.due) <= timedelta(days=30):
        return recent
    return min(upcoming, key=lambda o: o.due) if upcoming else None


async def submission(
    session: AsyncSession, village_id: int, occurrence: Occurrence
) -> ReportSubmission | None:
    """Return the village's report for that deadline and year, if any."""
    return await session.scalar(
        select(ReportSubmission).where(
            ReportSubmission.village_id == village_id,
            ReportSubmission.deadline_id == occurrence.deadline.id,
            ReportSubmission.year == occurrence.year,
        )
    )
