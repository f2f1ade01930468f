"""Village heads: their village's figures, the households to visit and to confirm, the total."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select

from bot import formats as f
from bot.core.auth import VILLAGE_HEAD
from bot.core.context import Context
from bot.core.messages import Option
from bot.core.routes import Payload, Routes, roles
from bot.handlers import texts_village as t
from bot.handlers.notify import tell_staff
from bot.handlers.paging import page_number, page_of
from bot.lessons.answers import read_count
from bot.stats.coverage import (
    SOURCE_NAMES,
    SOURCES,
    CommuneCoverage,
    VillageCoverage,
    commune_coverage,
)
from bot.stats.standing import rank_text, standing_of
from bot.storage.models import AuditLog, Commune, Household, OfflineLearning, Village
from bot.storage.participation import mark_participating, recompute
from bot.text import fit

BIG_CHANGE = 0.30  # a new total this far from the old one is asked about first

routes = Routes()
HEAD = roles(VILLAGE_HEAD)


@dataclass(frozen=True)
class WaitingList(Payload, prefix="chuahoc"):
    """/chuahoc: a page number, or an entry ("h", "hh" or "dh" with its id)."""

    kind: str
    item: str = ""


@dataclass(frozen=True)
class TotalChoice(Payload, prefix="sohodan"):
    """/sohodan: "ok" to save a big change of the total, or "retype"."""

    action: str
    total: int = 0


@dataclass(frozen=True)
class ClassStep(Payload, prefix="lop"):
    """/hoctructiep: save, sure, restart, cancel, or one household ("one" and its id)."""

    action: str
    arg: str = ""


async def village_of(ctx: Context) -> tuple[Village, Commune, VillageCoverage]:
    """Return the head's village, its commune and its figures."""
    village, commune, coverage = await _village_and_commune(ctx)
    row = next(v for v in coverage.villages if v.id == village.id)
    return village, commune, row


async def _village_and_commune(ctx: Context) -> tuple[Village, Commune, CommuneCoverage]:
    """Return the head's village, its commune and the commune's figures."""
    village = await ctx.session.get(Village, ctx.user.scope_village_id or 0)
    if village is None:
        raise LookupError("village head without a village")
    commune = await ctx.session.get(Commune, village.commune_id)
    assert commune is not None
    [coverage] = await commune_coverage(ctx.session, [commune.id])
    return village, commune, coverage


def sources_text(by_source: dict[str, int]) -> str:
    """Render the breakdown by source, one line each."""
    return "\n".join(
        t.SOURCE_LINE.format(name=SOURCE_NAMES[k], count=f.number(by_source.get(k, 0)))
        for k in SOURCES
    )


@routes.command("thon", "so lieu thon", access=HEAD)
async def village(ctx: Context) -> None:
    """Show the village's figures against the 60% target and its place in the commune."""
    village, commune, coverage = await _village_and_commune(ctx)
    standing = standing_of(coverage, village.id)
    assert standing is not None  # the commune's figures hold every village of it
    row = standing.village
    needed = standing.needed
    if row.check:
        gap = t.CHECK.format(part=f.number(row.households_participating))
    elif needed is not None:
        gap = t.MET if needed == 0 else t.GAP.format(need=f.number(needed))
    else:
        gap = t.NO_TOTAL
    gap += "\n" + rank_text(standing)  # the line above says how to fix a missing total
    ctx.say(
        t.VILLAGE.format(
            village=village.name,
            part=f.number(row.households_participating),
            total=f.number(row.households_total) if row.households_total else "?",
            pct=t.CHECK_SHORT if row.check else f.percent(row.coverage_pct),
            target=commune.target_household_pct,
            gap=gap,
            registered=f.number(row.households_registered),
            learners=f.number(row.learners),
            lessons=f.number(row.lessons_completed),
            sources=sources_text(row.by_source),
        )
    )


@dataclass(frozen=True)
class Entry:
    """One line of /chuahoc: a household to confirm, a course to confirm, or one to visit."""

    kind: str  # "hh" pending household · "dh" declared course · "visit"
    id: int
    label: str


async def _entries(ctx: Context, village_id: int) -> list[Entry]:
    """Return what waits for the head: confirmations first, then households to visit."""
    households = list(
        await ctx.session.scalars(
            select(Household).where(
                Household.village_id == village_id, Household.participating_since.is_(None)
            )
        )
    )
    declared = (
        await ctx.session.execute(
            select(OfflineLearning, Household)
            .join(Household, Household.id == OfflineLearning.household_id)
            .where(
                Household.village_id == village_id,
                OfflineLearning.source == "platform",
                OfflineLearning.confirmed_at.is_(None),
            )
            .order_by(OfflineLearning.date)
        )
    ).all()
    pending = f.sorted_vi((h for h in households if h.status == "pending"), lambda h: h.head_name)
    visit = sorted(
        (h for h in households if h.status != "pending"),
        key=lambda h: (h.code is None, h.code or "", f.sort_key(h.head_name)),
    )
    return [
        *(Entry("hh", h.id, t.CONFIRM_HOUSEHOLD_LABEL.format(head=h.head_name)) for h in pending),
        *(
            Entry(
                "dh",
                d.id,
                t.CONFIRM_COURSE_LABEL.format(head=h.head_name, course=d.note)
                + (t.WITH_PHOTO if d.photo else ""),
            )
            for d, h in declared
        ),
        *(Entry("visit", h.id, household_label(h)) for h in visit),
    ]


def household_label(household: Household) -> str:
    """Return "Head Name (CODE)", short enough for a button."""
    code = f" ({household.code})" if household.code else ""
    return fit(f"{household.head_name}{code}")


@routes.command("chuahoc", "chua hoc", access=HEAD)
@routes.button(WaitingList, access=HEAD)
async def not_learning(ctx: Context) -> None:
    """List what waits for the head, a phone-sized page at a time (/chuahoc)."""
    kind, _, arg = ctx.args.partition(":")
    if kind in ("h", "hh", "dh"):
        await _on_entry(ctx, kind, arg)
        return
    await show_waiting(ctx, page_number(ctx.args), "")


async def show_waiting(ctx: Context, number: int, note: str) -> None:
    """Show one page of the households to confirm and to visit, after an optional note."""
    entries = await _entries(ctx, ctx.user.scope_village_id or 0)
    if not entries:
        ctx.say(f"{note}\n\n{t.NOT_LEARNING_NONE}".strip())
        ctx.forget_prompt()
        return
    page = page_of(entries, number)
    visit = sum(1 for e in entries if e.kind == "visit")
    confirm = len(entries) - visit
    text = t.NOT_LEARNING.format(
        count=f.number(visit),
        page=f", {page.label}" if page.label else "",
        confirm=t.TO_CONFIRM.format(count=confirm) if confirm else "",
    )
    ctx.ask(
        f"{note}\n\n{text}\n{t.NOT_LEARNING_NOTE}".strip(),
        page.options(
            lambda e: Option(
                e.label, WaitingList("h" if e.kind == "visit" else e.kind, str(e.id)).pack()
            ),
            lambda n: WaitingList(str(n)).pack(),
        ),
    )


async def _on_entry(ctx: Context, kind: str, arg: str) -> None:
    """Confirm a pending household or course in one tap, or offer to record a visit."""
    village_id = ctx.user.scope_village_id or 0
    key = int(arg) if arg.isdecimal() and len(arg) < 12 else 0
    if kind == "dh":
        record = await ctx.session.get(OfflineLearning, key)
        household = await ctx.session.get(Household, record.household_id) if record else None
        if record is None or household is None or household.village_id != village_id:
            await show_waiting(ctx, 0, t.GONE)
            return
        record.confirmed_at = record.confirmed_at or ctx.now
        await mark_participating(ctx.session, household.id, record.date)
        await show_waiting(ctx, 0, t.COURSE_CONFIRMED.format(head=household.head_name))
        return
    household = await ctx.session.get(Household, key)
    if household is None or household.village_id != village_id:
        await show_waiting(ctx, 0, t.GONE)
        return
    if kind == "hh":
        household.status = "confirmed"
        await ctx.session.flush()
        await recompute(ctx.session, household.id)
        ctx.session.add(
            AuditLog(
                actor_id=ctx.user.id,
                action="household.confirm",
                target=f"household:{household.id}",
                detail={},
                at=ctx.now,
            )
        )
        await show_waiting(ctx, 0, t.HOUSEHOLD_CONFIRMED.format(head=household.head_name))
        return
    ctx.ask(
        t.VISIT.format(head=household_label(household)),
        [
            Option(t.CLASS_YES, ClassStep("one", str(household.id)).pack()),
            Option(t.BACK_TO_LIST, WaitingList("0").pack()),
        ],
    )


async def known_households(ctx: Context, village_id: int) -> tuple[int, int]:
    """Return the households the village is known to have, and those taking part."""
    known, part = (
        await ctx.session.execute(
            select(func.count(), func.count(Household.participating_since)).where(
                Household.village_id == village_id, Household.status == "confirmed"
            )
        )
    ).one()
    return int(known), int(part)


def _typed_total(text: str) -> int | None:
    """The number of households typed: "1.200", "320 hộ", "ba trăm hai mươi"."""
    typed = text.replace(".", "").replace(",", "").replace(" ", "")
    if typed.isdecimal() and len(typed) <= 7:
        number: int | None = int(typed)
    elif any(c.isalpha() for c in text) and all(c in "0123456789" for c in text if c.isdigit()):
        number = read_count(text)  # words, with plain digits only ("12²" is no number)
    else:
        number = None
    return number if number is not None and 1 <= number <= 100_000 else None


@routes.command("sohodan", "so ho dan", access=HEAD, takes_args=True)
@routes.step("village_total", access=HEAD)
async def set_total(ctx: Context) -> None:
    """Declare the village's number of households (/sohodan N), checked against what is known."""
    if not ctx.args.strip():
        ctx.ask(t.ASK_TOTAL, step="village_total")
        return
    total = _typed_total(ctx.args)
    if total is None:
        ctx.say(t.TOTAL_BAD)
        ctx.ask(t.ASK_TOTAL, step="village_total")
        return
    village = await ctx.session.get(Village, ctx.user.scope_village_id or 0)
    assert village is not None
    known, part = await known_households(ctx, village.id)
    if total < max(known, part):
        why = t.TOTAL_BELOW_KNOWN if known >= part else t.TOTAL_BELOW_PART
        ctx.say(why.format(total=f.number(total), known=f.number(known), part=f.number(part)))
        ctx.ask(t.ASK_TOTAL, step="village_total")
        return
    before = village.households_total
    if total == before:
        ctx.end_step()
        ctx.say(t.TOTAL_SAME.format(village=village.name, total=f.number(total)))
        return
    if before and abs(total - before) > BIG_CHANGE * before:
        ctx.ask(
            t.TOTAL_CONFIRM.format(before=f.number(before), total=f.number(total)),
            [
                Option(t.TOTAL_YES.format(total=f.number(total)), TotalChoice("ok", total).pack()),
                Option(t.TOTAL_RETYPE, TotalChoice("retype").pack()),
            ],
        )
        return
    await _save_total(ctx, village, total)


@routes.button(TotalChoice, access=HEAD)
async def on_total(ctx: Context) -> None:
    """Apply a confirmed big change of the total, or ask for it again."""
    action, _, typed = ctx.args.partition(":")
    total = _typed_total(typed) if action == "ok" else None
    village = await ctx.session.get(Village, ctx.user.scope_village_id or 0)
    if total is None or village is None:
        ctx.ask(t.ASK_TOTAL, step="village_total")
        return
    known, part = await known_households(ctx, village.id)
    if total < max(known, part):  # the village changed since the question was asked
        ctx.ask(t.ASK_TOTAL, step="village_total")
        return
    await _save_total(ctx, village, total)


async def _save_total(ctx: Context, village: Village, total: int) -> None:
    """Write the total, audit-log it and tell the commune's staff the old and new value."""
    before = village.households_total
    village.households_total = total
    ctx.session.add(
        AuditLog(
            actor_id=ctx.user.id,
            action="village.households_total",
            target=f"village:{village.id}",
            detail={"before": before, "after": total},
            at=ctx.now,
        )
    )
    ctx.end_step()
    ctx.forget_prompt()
    old = f.number(before) if before else t.NO_BEFORE
    told = await tell_staff(
        ctx,
        village.commune_id,
        t.STAFF_TOTAL.format(village=village.name, before=old, total=f.number(total)),
        "total_changed",
        f"{village.id}:{ctx.now.isoformat()}",
    )
    ctx.say(
        t.TOTAL_OK.format(village=village.name, total=f.number(total), before=old)
        + "\n"
        + (t.STAFF_INFORMED if told else t.NO_STAFF)
    )
