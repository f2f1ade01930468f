"""Reporting units in chat: a unit head's /donvi, staff's list of units, and what both share."""

from __future__ import annotations

from datetime import date
from zoneinfo import ZoneInfo

from sqlalchemy import select

from bot import formats as f
from bot.core.auth import ADMIN, STAFF, UNIT_HEAD, sees_unit
from bot.core.context import Context
from bot.core.routes import Routes, roles
from bot.handlers import texts_units as t
from bot.handlers.staff import commune_of
from bot.handlers.village_report import AHEAD, matches, occurrence_on, titled
from bot.storage.deadlines import Occurrence, current_occurrence, deadlines_of
from bot.storage.models import Commune, Deadline, Unit, UnitReport, User
from bot.storage.units import unit_report, unit_statuses
from bot.units import KIND_NAMES

routes = Routes()
DRAFT = "unit_report"  # a unit head's report: one of their role drafts (unit_report.py)


def when(days: int) -> str:
    """Say how far the due date is: "còn 3 ngày", "hôm nay là hạn cuối", "đã quá hạn 2 ngày"."""
    if days > 0:
        return t.WHEN_DAYS.format(days=days)
    if days == 0:
        return t.WHEN_TODAY
    return t.WHEN_PAST.format(days=-days)


async def unit_of(ctx: Context) -> tuple[Unit, Commune] | None:
    """Return the unit head's own unit and its commune, re-read from the role's scope."""
    unit = await ctx.session.get(Unit, ctx.user.scope_unit_id or 0)
    if unit is None or not sees_unit(ctx.user, unit):
        return None
    commune = await ctx.session.get(Commune, unit.commune_id)
    return (unit, commune) if commune is not None else None


def today_of(ctx: Context, commune: Commune) -> date:
    """Return today's date in the commune's time zone."""
    return ctx.now.astimezone(ZoneInfo(commune.timezone)).date()


async def choose_occurrence(
    ctx: Context, unit: Unit, deadlines: list[Deadline], today: date, typed: str = ""
) -> tuple[Occurrence, UnitReport | None]:
    """The occurrence a report today is about: the one typed, else the soonest not reported."""
    occurrences = [occurrence_on(d, today) for d in deadlines]
    near = [o for o in occurrences if o.due - today <= AHEAD] or occurrences[:1]
    chosen = [o for o in near if typed and matches(typed, o)]
    if len(chosen) == 1:
        return chosen[0], await unit_report(ctx.session, unit.id, chosen[0])
    for occurrence in sorted(near, key=lambda o: o.due):
        existing = await unit_report(ctx.session, unit.id, occurrence)
        if existing is None:
            return occurrence, None
    nearest = min(near, key=lambda o: abs((o.due - today).days))
    return nearest, await unit_report(ctx.session, unit.id, nearest)


# --- /donvi -----------------------------------------------------------------------------------
@routes.command("donvi", "don vi", access=roles(UNIT_HEAD, STAFF, ADMIN))
async def show_unit(ctx: Context) -> None:
    """Show a unit head their unit and its report status; show staff every unit (/donvi)."""
    if ctx.user.role != UNIT_HEAD:
        await _list_units(ctx)
        return
    found = await unit_of(ctx)
    if found is None:
        ctx.say(t.NO_UNIT)
        return
    unit, commune = found
    heads = list(
        await ctx.session.scalars(
            select(User.display_name).where(
                User.role == UNIT_HEAD, User.scope_unit_id == unit.id, User.deleted_at.is_(None)
            )
        )
    )
    today = today_of(ctx, commune)
    deadlines = await deadlines_of(ctx.session, commune.id)
    if not deadlines:
        status = t.NO_DEADLINE
    else:
        occurrence, existing = await choose_occurrence(ctx, unit, deadlines, today)
        title = titled(occurrence.deadline.title, occurrence.due)
        if existing is not None:
            at = existing.submitted_at.astimezone(ZoneInfo(commune.timezone))
            correct = (
                t.UNIT_CAN_CORRECT.format(due=f.day(occurrence.due))
                if today <= occurrence.due
                else t.UNIT_NO_CORRECT
            )
            status = t.UNIT_STATUS_DONE.format(
                title=title, at=f.day_time(at), revision=existing.revision, correct=correct
            )
        else:
            status = t.UNIT_STATUS_MISSING.format(
                title=title, when=when(occurrence.days_left(today))
            )
        draft = ctx.role_draft(DRAFT)
        if existing is None and isinstance(draft, dict) and draft.get("unit") == unit.id:
            status += t.UNIT_STATUS_DRAFT
    ctx.say(
        t.UNIT.format(
            unit=unit.name,
            kind=KIND_NAMES.get(unit.kind, unit.kind),
            commune=commune.name,
            members=f.number(unit.members_total) if unit.members_total else t.UNKNOWN,
            heads=", ".join(h or "(chưa có tên)" for h in heads),
            status=status,
        )
    )


async def _list_units(ctx: Context) -> None:
    """List the commune's units by kind, with who reported for the current deadline."""
    commune_id = await commune_of(ctx)
    commune = await ctx.session.get(Commune, commune_id or 0)
    if commune is None:
        ctx.say(t.NO_UNIT)
        return
    occurrence = current_occurrence(
        await deadlines_of(ctx.session, commune.id), today_of(ctx, commune)
    )
    statuses = await unit_statuses(ctx.session, commune.id, occurrence)
    if not statuses:
        ctx.say(t.UNITS_NONE)
        return
    headed = set(
        await ctx.session.scalars(
            select(User.scope_unit_id).where(
                User.role == UNIT_HEAD, User.deleted_at.is_(None), User.scope_unit_id.is_not(None)
            )
        )
    )
    title = titled(occurrence.deadline.title, occurrence.due) if occurrence else t.NO_DEADLINE
    lines = [t.UNITS_TITLE.format(title=title)]
    zone = ZoneInfo(commune.timezone)
    for kind in dict.fromkeys(s.unit.kind for s in statuses):
        group = [s for s in statuses if s.unit.kind == kind]
        done = [s for s in group if s.report is not None]
        lines.append(
            t.UNITS_KIND.format(
                kind=group[0].kind_name.capitalize(), done=len(done), total=len(group)
            )
        )
        for s in group:
            members = f.number(s.unit.members_total) if s.unit.members_total else t.UNKNOWN
            if s.report is None:
                head = "" if s.unit.id in headed else t.UNIT_NO_HEAD
                lines.append(
                    t.UNIT_LINE_MISSING.format(unit=s.unit.name, members=members, head=head)
                )
                continue
            learned = s.report.members_learned
            lines.append(
                t.UNIT_LINE_DONE.format(
                    unit=s.unit.name,
                    members=f.number(s.report.members_total or s.unit.members_total),
                    learned=f.number(learned) if learned is not None else t.UNKNOWN,
                    at=f.day_time(s.report.submitted_at.astimezone(zone)),
                    revision=t.REVISION.format(revision=s.report.revision)
                    if s.report.revision > 1
                    else "",
                )
            )
    done_all = sum(1 for s in statuses if s.report is not None)
    lines.append(t.UNITS_DONE.format(done=done_all, total=len(statuses)))
    ctx.say("\n".join(lines))
