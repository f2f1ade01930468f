"""The deadline planner: which reminders, overdue notices and summaries are due right now."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import datetime, time
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot import formats as f
from bot.core.auth import STAFF, UNIT_HEAD, VILLAGE_HEAD
from bot.delivery.outbox import reachable_identities
from bot.scheduling import texts as t
from bot.stats.coverage import VillageCoverage, commune_coverage
from bot.storage.deadlines import Occurrence, deadlines_of, due_date
from bot.storage.models import Commune, Identity, ReportSubmission, Unit, UnitReport, User
from bot.storage.units import units_of
from bot.units import by_kind


@dataclass
class Planned:
    """One message the planner wants sent."""

    kind: str  # reminder | overdue | missing_summary
    user_id: int
    channel: str
    chat_id: str
    village: str | None
    deadline: str
    due: str
    days_left: int
    dedupe_key: str
    not_before: datetime
    text: str
    unit: str | None = None  # a reporting unit's head is reminded about the unit

    def as_json(self) -> dict[str, Any]:
        """Return the fields `hocvuso reminders plan --json` prints."""
        data = asdict(self)
        data["not_before"] = self.not_before.isoformat()
        return data


def _figures(row: VillageCoverage | None, target: int) -> str:
    if row is None:
        return ""
    part, total = f.number(row.households_participating), f.number(row.households_total)
    if row.check:
        return t.FIGURES_CHECK.format(part=part, total=total)
    if row.households_total:
        return t.FIGURES.format(
            part=part, total=total, pct=f.percent(row.coverage_pct), target=target
        )
    return t.FIGURES_NO_TOTAL.format(part=part)


async def plan_deadline_reminders(session: AsyncSession, now: datetime) -> list[Planned]:
    """Work out what is due at `now`, for every commune, from the deadlines in the database.

    A reminder belongs to its day: it is planned from the send hour until midnight, local time,
    and never later, so a bot that was down all day skips it rather than send a wrong count.
    """
    planned: list[Planned] = []
    for commune in await session.scalars(select(Commune)):
        zone = ZoneInfo(commune.timezone)
        local = now.astimezone(zone)
        today = local.date()
        deadlines = await deadlines_of(session, commune.id)
        if not deadlines:
            continue
        [coverage] = await commune_coverage(session, [commune.id])
        by_village = {v.id: v for v in coverage.villages}
        heads = list(
            await session.scalars(
                select(User).where(
                    User.role == VILLAGE_HEAD,
                    User.deleted_at.is_(None),
                    User.scope_village_id.in_(list(by_village) or [0]),
                )
            )
        )
        staff = list(
            await session.scalars(
                select(User).where(
                    User.role == STAFF,
                    User.deleted_at.is_(None),
                    User.scope_commune_id == commune.id,
                )
            )
        )
        units = {u.id: u for u in await units_of(session, commune.id)}
        unit_heads = list(
            await session.scalars(
                select(User).where(
                    User.role == UNIT_HEAD,
                    User.deleted_at.is_(None),
                    User.scope_unit_id.in_(list(units) or [0]),
                )
            )
        )
        reach = await reachable_identities(session, [u.id for u in heads + unit_heads + staff])
        for deadline in deadlines:
            if local.hour < deadline.send_hour:
                continue
            send_at = datetime.combine(today, time(deadline.send_hour), zone)
            for year in (today.year, today.year - 1):
                occurrence = Occurrence(deadline, year, due_date(deadline, year))
                days = occurrence.days_left(today)
                if days not in deadline.offsets_days and days != -1:
                    continue
                done = set(
                    await session.scalars(
                        select(ReportSubmission.village_id).where(
                            ReportSubmission.deadline_id == deadline.id,
                            ReportSubmission.year == year,
                        )
                    )
                )
                due = occurrence.due.strftime("%d/%m/%Y")
                key = f"{deadline.id}:{year}"
                occasion = _Occasion(deadline.title, due, days, key, send_at)
                for head in heads:
                    village = by_village.get(head.scope_village_id or 0)
                    identity = reach.get(head.id)
                    if village is None or identity is None or village.id in done:
                        continue
                    text = _reminder_text(days, due, deadline.title, village, commune)
                    planned.append(_remind(head, identity, occasion, text, village=village.name))
                reported = set(
                    await session.scalars(
                        select(UnitReport.unit_id).where(
                            UnitReport.unit_id.in_(list(units) or [0]),
                            UnitReport.year == year,  # once a year answers every deadline
                        )
                    )
                )
                for head in unit_heads:
                    unit = units.get(head.scope_unit_id or 0)
                    identity = reach.get(head.id)
                    if unit is None or identity is None or unit.id in reported:
                        continue
                    text = _unit_reminder_text(days, due, deadline.title, unit.name)
                    planned.append(_remind(head, identity, occasion, text, unit=unit.name))
                if days != -1:
                    continue
                missing = [v.name for v in coverage.villages if v.id not in done]
                missing_units = [u for u in units.values() if u.id not in reported]
                for member in staff:
                    identity = reach.get(member.id)
                    if identity is None:
                        continue
                    planned.append(
                        Planned(
                            kind="missing_summary",
                            user_id=member.id,
                            channel=identity.channel,
                            chat_id=identity.chat_id,
                            village=None,
                            deadline=deadline.title,
                            due=due,
                            days_left=days,
                            dedupe_key=f"missing:{key}:{member.id}",
                            not_before=send_at,
                            text=_summary_text(
                                due, deadline.title, missing, len(coverage.villages)
                            )
                            + _units_missing_text(missing_units, len(units)),
                        )
                    )
    return planned


@dataclass(frozen=True)
class _Occasion:
    """One reminder day of one deadline occurrence."""

    title: str
    due: str
    days: int
    key: str
    send_at: datetime


def _remind(
    head: User,
    identity: Identity,
    occasion: _Occasion,
    text: str,
    *,
    village: str | None = None,
    unit: str | None = None,
) -> Planned:
    """A village or unit head's reminder (or, the day after, overdue notice) for an occasion."""
    kind = "overdue" if occasion.days == -1 else "reminder"
    return Planned(
        kind=kind,
        user_id=head.id,
        channel=identity.channel,
        chat_id=identity.chat_id,
        village=village,
        unit=unit,
        deadline=occasion.title,
        due=occasion.due,
        days_left=occasion.days,
        dedupe_key=f"{kind}:{occasion.key}:{occasion.days}:{head.id}",
        not_before=occasion.send_at,
        text=text,
    )


def _reminder_text(
    days: int, due: str, title: str, village: VillageCoverage, commune: Commune
) -> str:
    figures = _figures(village, commune.target_household_pct)
    if days == -1:
        return t.OVERDUE.format(due=due, village=village.name, title=title, short=due[:5])
    template = {0: t.REMINDER_TODAY, 1: t.REMINDER_TOMORROW}.get(days, t.REMINDER)
    return template.format(
        days=days, due=due, title=title, village=village.name, figures=figures, short=due[:5]
    )


def _unit_reminder_text(days: int, due: str, title: str, unit: str) -> str:
    if days == -1:
        return t.UNIT_OVERDUE.format(due=due, unit=unit, title=title)
    template = {0: t.UNIT_REMINDER_TODAY, 1: t.UNIT_REMINDER_TOMORROW}.get(days, t.UNIT_REMINDER)
    return template.format(days=days, due=due, title=title, unit=unit)


def _units_missing_text(missing: list[Unit], total: int) -> str:
    """The units that have not reported, grouped by kind ("" when the commune has none)."""
    if not total:
        return ""
    if not missing:
        return t.UNITS_ALL_DONE.format(total=total)
    return t.UNITS_MISSING.format(
        missing=len(missing), total=total, groups=by_kind([(u.kind, u.name) for u in missing])
    )


def _summary_text(due: str, title: str, missing: list[str], total: int) -> str:
    if not missing:
        return t.STAFF_ALL_DONE.format(due=due, title=title, total=total)
    names = "\n".join(f"• {name}" for name in missing)
    return t.STAFF_MISSING.format(
        due=due, title=title, missing=len(missing), total=total, names=names
    )
