"""Village heads: their village's figures, households to visit, classes, and the report."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import func, select

from bot.core.auth import ADMIN, STAFF, VILLAGE_HEAD
from bot.core.context import Context
from bot.core.messages import Option
from bot.core.routes import Payload, Routes, roles
from bot.delivery.outbox import enqueue, reachable_identities
from bot.handlers import texts_village as t
from bot.stats.coverage import VillageCoverage, commune_coverage
from bot.storage import places
from bot.storage.deadlines import current_occurrence, deadlines_of, due_date, submission
from bot.storage.models import (
    AuditLog,
    Commune,
    Household,
    OfflineLearning,
    ReportSubmission,
    User,
    Village,
)
from bot.storage.participation import mark_participating

PAGE = 20
RECENT = timedelta(days=31)  # a deadline this recent is still "this year's"

routes = Routes()
HEAD = roles(VILLAGE_HEAD)


@dataclass(frozen=True)
class NotLearningPage(Payload, prefix="chuahoc"):
    """A page of the households with nobody learning yet."""

    page: int


@dataclass(frozen=True)
class ClassChoice(Payload, prefix="lop"):
    """At a community class record: a household id, "retype" or "done"."""

    choice: str


@dataclass(frozen=True)
class Submit(Payload, prefix="nop"):
    """Submit the report ("chat" or "paper") for a deadline of a year, or "cancel"."""

    method: str
    deadline: int = 0
    year: int = 0


async def _village(ctx: Context) -> tuple[Village, Commune, VillageCoverage]:
    village = await ctx.session.get(Village, ctx.user.scope_village_id or 0)
    if village is None:
        raise LookupError("village head without a village")
    commune = await ctx.session.get(Commune, village.commune_id)
    assert commune is not None
    [coverage] = await commune_coverage(ctx.session, [commune.id])
    row = next(v for v in coverage.villages if v.id == village.id)
    return village, commune, row


def _pct(value: float | None) -> str:
    return "—" if value is None else f"{value:.1f}%".replace(".", ",")


@routes.command("thon", "so lieu thon", access=HEAD)
async def village(ctx: Context) -> None:
    """Show the village's figures against the 60% target (/thon)."""
    village, commune, row = await _village(ctx)
    if row.households_total:
        need = -(-commune.target_household_pct * row.households_total // 100)
        missing = max(0, need - row.households_participating)
        gap = t.MET if row.met else t.GAP.format(need=missing)
    else:
        gap = t.NO_TOTAL
    ctx.say(
        t.VILLAGE.format(
            village=village.name,
            part=row.households_participating,
            total=row.households_total or "?",
            pct=_pct(row.coverage_pct),
            target=commune.target_household_pct,
            gap=gap,
            registered=row.households_registered,
            learners=row.learners,
            lessons=row.lessons_completed,
        )
    )


@routes.command("chuahoc", "chua hoc", access=HEAD)
@routes.button(NotLearningPage, access=HEAD)
async def not_learning(ctx: Context) -> None:
    """List the households with nobody learning yet, a page at a time (/chuahoc)."""
    village_id = ctx.user.scope_village_id or 0
    page = int(ctx.args) if ctx.args.isdecimal() else 0  # isdigit() takes "²", int() does not
    waiting = Household.village_id == village_id, Household.participating_since.is_(None)
    count = await ctx.session.scalar(select(func.count(Household.id)).where(*waiting)) or 0
    if not count:
        ctx.say(t.NOT_LEARNING_NONE)
        return
    pages = -(-count // PAGE)
    page = min(page, pages - 1)  # a typed page past the end shows the last one
    rows = list(
        await ctx.session.scalars(
            select(Household)
            .where(*waiting)
            .order_by(Household.code, Household.head_name_folded)
            .offset(page * PAGE)
            .limit(PAGE)
        )
    )
    lines = "\n".join(
        f"{page * PAGE + i}. {h.head_name}" + (f" ({h.code})" if h.code else "")
        for i, h in enumerate(rows, start=1)
    )
    label = f", trang {page + 1}/{pages}" if pages > 1 else ""
    text = t.NOT_LEARNING.format(count=count, page=label, lines=lines)
    if page + 1 < pages:
        ctx.ask(
            f"{text}\n\n{t.NOT_LEARNING_NOTE}",
            [Option(t.NEXT_PAGE, NotLearningPage(page + 1).pack())],
        )
    else:
        ctx.say(f"{text}\n\n{t.NOT_LEARNING_NOTE}")


@routes.command("sohodan", "so ho dan", access=HEAD, takes_args=True)
@routes.step("village_total", access=HEAD)
async def set_total(ctx: Context) -> None:
    """Declare the village's number of households (/sohodan N), audit-logged."""
    typed = ctx.args.replace(".", "").replace(",", "").replace(" ", "")
    if not typed:
        ctx.ask(t.ASK_TOTAL, step="village_total")
        return
    if not typed.isdecimal() or not 1 <= int(typed) <= 100_000:
        ctx.say(t.TOTAL_BAD)
        ctx.ask(t.ASK_TOTAL, step="village_total")
        return
    village = await ctx.session.get(Village, ctx.user.scope_village_id or 0)
    assert village is not None
    before = village.households_total
    village.households_total = int(typed)
    ctx.session.add(
        AuditLog(
            actor_id=ctx.user.id,
            action="village.households_total",
            target=f"village:{village.id}",
            detail={"before": before, "after": village.households_total},
            at=ctx.now,
        )
    )
    ctx.end_step()
    ctx.say(
        t.TOTAL_OK.format(
            village=village.name, total=village.households_total, before=before or "chưa có"
        )
    )


@routes.command("hoctructiep", "hoc truc tiep", access=HEAD)
async def community_class(ctx: Context) -> None:
    """Start recording households that attended a community class (/hoctructiep)."""
    ctx.ask(t.CLASS_ASK, [Option(t.CLASS_DONE, "lop:done")], step="class", count=0)


@routes.step("class", access=HEAD)
async def on_class_text(ctx: Context) -> None:
    """Find the household typed for the class record."""
    village_id = ctx.user.scope_village_id or 0
    count = int(ctx.data.get("count", 0))
    typed = " ".join(ctx.args.split())[:80]
    found = await places.household_by_code(ctx.session, village_id, typed)
    candidates = [found] if found else []
    if not candidates:
        ranked = await places.match_households(ctx.session, village_id, typed)
        exact = [h for h, s in ranked if s >= 100]
        candidates = exact[:1] or [h for h, s in ranked if s >= ranked[0][1] - 8][:6]
    if not candidates:
        ctx.say(t.CLASS_NOT_FOUND.format(typed=typed))
        ctx.ask(t.CLASS_ASK, [Option(t.CLASS_DONE, "lop:done")], step="class", count=count)
        return
    if len(candidates) == 1:
        h = candidates[0]
        code = f" ({h.code})" if h.code else ""
        ctx.ask(
            t.CLASS_CONFIRM.format(head=h.head_name, code=code),
            [Option(t.CLASS_YES, f"lop:{h.id}"), Option(t.CLASS_RETYPE, "lop:retype")],
            step="class",
            count=count,
        )
        return
    options = [
        Option(f"{h.head_name}" + (f" ({h.code})" if h.code else ""), f"lop:{h.id}")
        for h in candidates
    ]
    ctx.ask(
        t.CLASS_CHOOSE, [*options, Option(t.CLASS_RETYPE, "lop:retype")], step="class", count=count
    )


@routes.button(ClassChoice, access=HEAD)
async def on_class(ctx: Context) -> None:
    """Record the chosen household at the class, or finish."""
    count = int(ctx.data.get("count", 0))
    if ctx.args == "done":
        ctx.end_step()
        ctx.say(t.CLASS_FINISHED.format(count=count))
        return
    if ctx.args == "retype" or not ctx.args.isdigit():
        ctx.ask(t.CLASS_ASK, [Option(t.CLASS_DONE, "lop:done")], step="class", count=count)
        return
    household = await ctx.session.get(Household, int(ctx.args))
    if household is None or household.village_id != ctx.user.scope_village_id:
        ctx.ask(t.CLASS_ASK, [Option(t.CLASS_DONE, "lop:done")], step="class", count=count)
        return
    ctx.session.add(
        OfflineLearning(
            household_id=household.id,
            date=ctx.now,
            note="lớp học trực tiếp",
            recorded_by=ctx.user.id,
        )
    )
    first = await mark_participating(ctx.session, household.id, ctx.now)
    ctx.say((t.CLASS_RECORDED if first else t.CLASS_ALREADY).format(head=household.head_name))
    ctx.ask(t.CLASS_MORE, [Option(t.CLASS_DONE, "lop:done")], step="class", count=count + 1)


def _when(days: int) -> str:
    if days > 0:
        return t.WHEN_DAYS.format(days=days)
    if days == 0:
        return t.WHEN_TODAY
    return t.WHEN_PAST.format(days=-days)


@routes.command("hanbaocao", "han bao cao", access=roles(VILLAGE_HEAD, STAFF, ADMIN))
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
        year = today.year if due_date(deadline, today.year) >= today - RECENT else today.year + 1
        due = due_date(deadline, year)
        status = ""
        if ctx.user.scope_village_id:
            done = await ctx.session.scalar(
                select(ReportSubmission.id).where(
                    ReportSubmission.village_id == ctx.user.scope_village_id,
                    ReportSubmission.deadline_id == deadline.id,
                    ReportSubmission.year == year,
                )
            )
            status = t.STATUS_DONE if done else t.STATUS_MISSING
        lines.append(
            t.DEADLINE_LINE.format(
                due=due.strftime("%d/%m/%Y"),
                title=deadline.title,
                when=_when((due - today).days),
                status=status,
            )
        )
    ctx.say(t.DEADLINES.format(lines="\n".join(lines)))


@routes.command("nopbaocao", "nop bao cao", access=HEAD)
async def report(ctx: Context) -> None:
    """Show the village's figures as the report and ask to submit it (/nopbaocao)."""
    village, commune, row = await _village(ctx)
    today = ctx.now.astimezone(ZoneInfo(commune.timezone)).date()
    occurrence = current_occurrence(await deadlines_of(ctx.session, commune.id), today)
    if occurrence is None:
        ctx.say(t.NO_DEADLINE)
        return
    due = occurrence.due.strftime("%d/%m/%Y")
    existing = await submission(ctx.session, village.id, occurrence)
    if existing is not None:
        at = existing.submitted_at.astimezone(ZoneInfo(commune.timezone)).strftime(
            "%H:%M %d/%m/%Y"
        )
        method = "qua tin nhắn" if existing.method == "chat" else "bản giấy"
        ctx.say(t.ALREADY_SUBMITTED.format(village=village.name, due=due, at=at, method=method))
        return
    offline = await ctx.session.scalar(
        select(func.count(func.distinct(OfflineLearning.household_id)))
        .join(Household, Household.id == OfflineLearning.household_id)
        .where(Household.village_id == village.id)
    )
    ctx.ask(
        t.REPORT.format(
            village=village.name,
            title=occurrence.deadline.title,
            due=due,
            when=_when(occurrence.days_left(today)),
            total=row.households_total or "chưa khai báo",
            part=row.households_participating,
            pct=_pct(row.coverage_pct),
            target=commune.target_household_pct,
            learners=row.learners,
            lessons=row.lessons_completed,
            offline=offline or 0,
        ),
        [
            Option(t.SUBMIT, Submit("chat", occurrence.deadline.id, occurrence.year).pack()),
            Option(
                t.SUBMIT_PAPER, Submit("paper", occurrence.deadline.id, occurrence.year).pack()
            ),
            Option(t.CANCEL, Submit("cancel").pack()),
        ],
    )


@routes.button(Submit, access=HEAD)
async def on_report(ctx: Context) -> None:
    """Record the submission with a snapshot of the figures and tell the commune's staff."""
    chosen = ctx.payload
    assert isinstance(chosen, Submit)
    method, year = chosen.method, chosen.year
    if method not in ("chat", "paper"):
        ctx.say(t.CANCELLED)
        return
    village, commune, row = await _village(ctx)
    rows = {d.id: d for d in await deadlines_of(ctx.session, commune.id)}
    deadline = rows.get(chosen.deadline)
    if deadline is None or not year:
        ctx.say(t.CANCELLED)
        return
    key = f"{deadline.id}:{year}"
    due = due_date(deadline, year).strftime("%d/%m/%Y")
    exists = await ctx.session.scalar(
        select(ReportSubmission.id).where(
            ReportSubmission.village_id == village.id,
            ReportSubmission.deadline_id == deadline.id,
            ReportSubmission.year == year,
        )
    )
    if exists is None:
        ctx.session.add(
            ReportSubmission(
                village_id=village.id,
                deadline_id=deadline.id,
                year=year,
                submitted_at=ctx.now,
                by_user_id=ctx.user.id,
                method=method,
                snapshot=_snapshot(row, ctx.now),
            )
        )
        await _tell_staff(ctx, commune, village, deadline.title, due, method, key)
    done = t.SUBMITTED if method == "chat" else t.SUBMITTED_PAPER
    ctx.say(done.format(village=village.name, due=due))


def _snapshot(row: VillageCoverage, at: datetime) -> dict[str, object]:
    return {
        "at": at.isoformat(),
        "households_total": row.households_total,
        "households_registered": row.households_registered,
        "households_participating": row.households_participating,
        "coverage_pct": row.coverage_pct,
        "met": row.met,
        "learners": row.learners,
        "lessons_completed": row.lessons_completed,
    }


async def _tell_staff(
    ctx: Context, commune: Commune, village: Village, title: str, due: str, method: str, key: str
) -> None:
    staff = list(
        await ctx.session.scalars(
            select(User.id).where(
                User.role == STAFF, User.scope_commune_id == commune.id, User.deleted_at.is_(None)
            )
        )
    )
    note = "" if method == "chat" else " (bản giấy)"
    for user_id, identity in (await reachable_identities(ctx.session, staff)).items():
        await enqueue(
            ctx.session,
            channel=identity.channel,
            chat_id=identity.chat_id,
            user_id=user_id,
            text=t.STAFF_TOLD.format(village=village.name, title=title, due=due, method=note),
            kind="submitted",
            dedupe_key=f"submitted:{village.id}:{key}:{user_id}",
            not_before=ctx.now,
        )
