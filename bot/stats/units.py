"""The reporting units' figures for `stats --format json`: members, learned, reported."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy.ext.asyncio import AsyncSession

from bot.storage.deadlines import current_occurrence, deadlines_of
from bot.storage.models import Commune
from bot.storage.units import latest_reports, unit_statuses


async def units_json(
    session: AsyncSession, commune_id: int, now: datetime
) -> list[dict[str, Any]]:
    """Each unit of a commune: name, kind, members_total, members_learned, reported.

    `members_learned` comes from the unit's latest report of the report year (else null);
    `reported` says whether the unit reported for the current year (once a year answers every
    deadline).
    """
    commune = await session.get(Commune, commune_id)
    if commune is None:
        return []
    today = now.astimezone(ZoneInfo(commune.timezone)).date()
    occurrence = current_occurrence(await deadlines_of(session, commune_id), today)
    statuses = await unit_statuses(session, commune_id, occurrence)
    year = occurrence.year if occurrence else today.year
    latest = await latest_reports(session, [s.unit.id for s in statuses], year)
    rows = []
    for status in statuses:
        report = latest.get(status.unit.id)
        rows.append(
            {
                "name": status.unit.name,
                "kind": status.unit.kind,
                "members_total": (
                    report.members_total
                    if report and report.members_total is not None
                    else status.unit.members_total
                ),
                "members_learned": report.members_learned if report else None,
                "reported": status.report is not None,
            }
        )
    return rows
