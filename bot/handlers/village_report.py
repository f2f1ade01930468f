"""Village heads and their reports: the deadlines, and submitting in chat or on paper."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import func, select

from bot import formats as f
from bot.core.auth import ADMIN, STAFF, UNIT_HEAD, VILLAGE_HEAD
from bot.core.context import Context
from bot.core.messages import Option
from bot.core.routes import Payload, Routes, roles
from bot.handlers import texts_village as t
from bot.handlers.notify import tell_staff
from bot.handlers.village_head import village_of
from bot.stats.coverage import VillageCoverage
from bot.storage.deadlines import Occurrence, deadlines_of, due_date, submission
from bot.storage.models import (
    Commune,
    Deadline,
    Household,
    OfflineLearning,
    ReportSubmission,
)
from bot.storage.units import unit_report
from bot.text import fit

routes = Routes()
HEAD = roles(VILLAGE_HEAD)


@dataclass(frozen=True)
class Submit(Payload, prefix="nop"):
    """Show, submit ("chat" or "paper") or cancel the report of a deadline of a year."""

    method: str
    deadline: int = 0
    year: int = 0


RECENT = timedelta(days=31)  # a deadline this recent is still "this year's"
AHEAD = timedelta(days=60)  # a deadline this close is open for reports


def _when(days: int) -> str:
    if days > 0:
        return t.WHEN_DAYS.format(days=days)
    if days == 0:
        return t.WHEN_TODAY
    return t.WHEN_PAST.format(days=-days)


def occurrence_on(deadline: Deadline, today: date) -> Occurrence:
    """Return this deadline's occurrence that a report today is about."""
    year = today.year if due_date(deadline, today.year) >= today - RECENT else today.year + 1
    return Occurrence(deadline, year, due_date(deadline, year))


@routes.command("hanbaocao", "han bao cao", access=roles(VILLAGE_HEAD, UNIT_HEAD, STAFF, ADMIN))
async def deadlines(ctx: Context) -> None:
    """Show the commune's reporting deadlines and this village's status (/hanbaocao)."""
    commune_id = ctx.user.scope_commune_id or ctx.user.commune_id or 0
    commune = await ctx.session.get(Commune, commune_id)
    rows = await deadlines_of(ctx.session, commune_id)
    if commune is None or not rows:
        ctx.say(t.NO_DEADLINE)
        return
    today = ctx.now.astimezone(ZoneInfo(commune.timezone)).date()
    lines = []
    for deadline in rows:
        occurrence = occurrence_on(deadline, today)
        status = ""
        if ctx.user.scope_village_id:
            done = await submission(ctx.session, ctx.user.scope_village_id, occurrence)
            status = t.STATUS_DONE if done else t.STATUS_MISSING
        elif ctx.user.role == UNIT_HEAD and ctx.user.scope_unit_id:
            sent = await unit_report(ctx.session, ctx.user.scope_unit_id, occurrence)
            status = t.STATUS_DONE if sent else t.STATUS_MISSING
        lines.append(
            t.DEADLINE_LINE.format(
                due=f.day(occurrence.due),
                title=deadline.title,
                when=_when(occurrence.days_left(today)),
                status=status,
            )
        )
    ctx.say(t.DEADLINES.format(lines="\n".join(lines)))


def titled(title: str, due: date) -> str:
    """Return the deadline's title with its date, without repeating a date the title holds."""
    full = f.day(due)
    if full in title:
        return title
    if full[:5] in title:  # "(hạn 05/12)" → "(hạn 05/12/2026)"
        return title.replace(full[:5], full, 1)
    return t.TITLE_DUE.format(title=title, due=full)


def matches(typed: str, occurrence: Occurrence) -> bool:
    """Tell whether "15/12", "15-12" or "15" typed after /nopbaocao names this deadline."""
    parts = [p for p in typed.replace("-", "/").replace(".", "/").split("/") if p.strip()]
    if not parts or not all(p.strip().isdecimal() and len(p.strip()) <= 4 for p in parts):
        return False
    numbers = [int(p) for p in parts]
    wanted = (occurrence.due.day, occurrence.due.month, occurrence.due.year)
    return numbers == list(wanted[: len(numbers)])


@routes.command("nopbaocao", "nop bao cao", access=roles(VILLAGE_HEAD, UNIT_HEAD), takes_args=True)
async def report(ctx: Context) -> None:
    """Show the report for the open deadline, asking which one when two are open (/nopbaocao).

    A unit head gets their unit's report instead (bot/handlers/unit_report.py).
    """
    if ctx.user.role == UNIT_HEAD:
        from bot.handlers.unit_report import start_report  # it builds on this module

        await start_report(ctx)
        return
    village, commune, row = await village_of(ctx)
    today = ctx.now.astimezone(ZoneInfo(commune.timezone)).date()
    rows = await deadlines_of(ctx.session, commune.id)
    if not rows:
        ctx.say(t.NO_DEADLINE)
        return
    occurrences = [occurrence_on(d, today) for d in rows]
    occurrences = [o for o in occurrences if o.due - today <= AHEAD] or occurrences[:1]
    typed = ctx.args.strip()
    if typed:
        chosen = [o for o in occurrences if matches(typed, o)]
        if len(chosen) == 1:
            await _show_report(ctx, village.id, commune, row, chosen[0], today)
            return
        ctx.say(t.REPORT_WHICH_UNKNOWN.format(typed=typed[:20]))
    open_ = [o for o in occurrences if await submission(ctx.session, village.id, o) is None]
    if len(open_) > 1:
        ctx.ask(
            t.REPORT_WHICH,
            [
                Option(
                    fit(titled(o.deadline.title, o.due)),
                    Submit("show", o.deadline.id, o.year).pack(),
                )
                for o in sorted(open_, key=lambda o: o.due)
            ],
        )
        return
    chosen_one = open_[0] if open_ else min(occurrences, key=lambda o: abs((o.due - today).days))
    await _show_report(ctx, village.id, commune, row, chosen_one, today)


async def _show_report(
    ctx: Context,
    village_id: int,
    commune: Commune,
    row: VillageCoverage,
    occurrence: Occurrence,
    today: date,
) -> None:
    """Show one deadline's report with its submit buttons, or say it was already submitted."""
    due = f.day(occurrence.due)
    existing = await submission(ctx.session, village_id, occurrence)
    if existing is not None:
        ctx.forget_prompt()
        ctx.say(_already(existing, row.name, due, commune))
        return
    offline = await ctx.session.scalar(
        select(func.count(func.distinct(OfflineLearning.household_id)))
        .join(Household, Household.id == OfflineLearning.household_id)
        .where(
            Household.village_id == village_id,
            OfflineLearning.source == "class",
            OfflineLearning.confirmed_at.is_not(None),
        )
    )
    ctx.ask(
        t.REPORT.format(
            village=row.name,
            title=titled(occurrence.deadline.title, occurrence.due),
            when=_when(occurrence.days_left(today)),
            total=f.number(row.households_total) if row.households_total else "chưa khai báo",
            part=f.number(row.households_participating),
            pct=t.CHECK_SHORT if row.check else f.percent(row.coverage_pct),
            target=commune.target_household_pct,
            learners=f.number(row.learners),
            lessons=f.number(row.lessons_completed),
            offline=f.number(offline or 0),
        ),
        [
            Option(t.SUBMIT, Submit("chat", occurrence.deadline.id, occurrence.year).pack()),
            Option(
                t.SUBMIT_PAPER, Submit("paper", occurrence.deadline.id, occurrence.year).pack()
            ),
            Option(t.CANCEL, Submit("cancel").pack()),
        ],
    )


def _already(existing: ReportSubmission, village: str, due: str, commune: Commune) -> str:
    at = f.day_time(existing.submitted_at.astimezone(ZoneInfo(commune.timezone)))
    method = t.METHOD_CHAT if existing.method == "chat" else t.METHOD_PAPER
    return t.ALREADY_SUBMITTED.format(village=village, due=due, at=at, method=method)


@routes.button(Submit, access=HEAD)
async def on_report(ctx: Context) -> None:
    """Record one submission per deadline with a snapshot, and tell the commune's staff."""
    method, _, key = ctx.args.partition(":")
    if method not in ("chat", "paper", "show"):
        ctx.forget_prompt()
        ctx.say(t.CANCELLED)
        return
    village, commune, row = await village_of(ctx)
    deadline_id, _, year = key.partition(":")
    rows = {d.id: d for d in await deadlines_of(ctx.session, commune.id)}
    deadline = rows.get(int(deadline_id)) if deadline_id.isdecimal() else None
    if deadline is None or not year.isdecimal() or len(year) != 4:
        ctx.forget_prompt()
        ctx.say(t.CANCELLED)
        return
    occurrence = Occurrence(deadline, int(year), due_date(deadline, int(year)))
    today = ctx.now.astimezone(ZoneInfo(commune.timezone)).date()
    if method == "show":
        await _show_report(ctx, village.id, commune, row, occurrence, today)
        return
    due = f.day(occurrence.due)
    # Every earlier report screen is stale from here on: its buttons are refused.
    ctx.forget_prompt()
    existing = await submission(ctx.session, village.id, occurrence)
    if existing is not None:
        ctx.say(_already(existing, village.name, due, commune))
        return
    ctx.session.add(
        ReportSubmission(
            village_id=village.id,
            deadline_id=deadline.id,
            year=int(year),
            submitted_at=ctx.now,
            by_user_id=ctx.user.id,
            method=method,
            snapshot=_snapshot(row, ctx.now),
        )
    )
    note = "" if method == "chat" else t.PAPER_NOTE
    told = await tell_staff(
        ctx,
        commune.id,
        t.STAFF_TOLD.format(
            village=village.name, title=titled(deadline.title, occurrence.due), method=note
        ),
        "submitted",
        f"{village.id}:{key}",
    )
    done = t.SUBMITTED if method == "chat" else t.SUBMITTED_PAPER
    staff = t.STAFF_INFORMED if told else t.NO_STAFF
    ctx.say(done.format(village=village.name, due=due, staff=staff))


def _snapshot(row: VillageCoverage, at: datetime) -> dict[str, object]:
    return {
        "at": at.isoformat(),
        "households_total": row.households_total,
        "households_registered": row.households_registered,
        "households_participating": row.households_participating,
        "coverage_pct": row.coverage_pct,
        "met": row.met,
        "check": row.check,
        "by_source": dict(row.by_source),
        "learners": row.learners,
        "lessons_completed": row.lessons_completed,
    }
