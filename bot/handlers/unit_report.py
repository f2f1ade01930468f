"""The unit head's yearly report in chat (/nopbaocao for a unit head).

The report is a draft in the unit head's state (`unit_report`), kept across restarts and
detours: every question can be skipped, the whole report is shown before sending, and a sent
report can be corrected until the deadline (the replaced version goes to `history`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any
from zoneinfo import ZoneInfo

from bot import formats as f
from bot.core.auth import UNIT_HEAD
from bot.core.context import Context
from bot.core.messages import Option
from bot.core.routes import Payload, Routes, roles
from bot.handlers import texts_units as t
from bot.handlers.notify import tell_staff
from bot.handlers.units import DRAFT, choose_occurrence, today_of, unit_of, when
from bot.handlers.village_report import titled
from bot.lessons.answers import read_count
from bot.stats.coverage import percent
from bot.storage.deadlines import Occurrence, deadlines_of, due_date
from bot.storage.models import AuditLog, Commune, Deadline, Unit, UnitReport
from bot.storage.units import latest_reports, unit_report
from bot.text import fold
from bot.units import KIND_NAMES

routes = Routes()
HEAD = roles(UNIT_HEAD)
KEY = DRAFT
STEP = "unit_report"
FIELDS = ("total", "learned", "classes", "results", "initiatives", "nominations")
NUMBERS = ("total", "learned", "classes")
MAX_PEOPLE = 100_000  # more people than any commune's unit: a typing error
MAX_CLASSES = 5_000
MAX_TEXT = 900
MAX_NAME = 120
MAX_NOMINATIONS = 20
ZERO = {"khong", "ko", "k", "chua", "chua co", "khong co", "chua co ai", "khong co ai"}


@dataclass(frozen=True)
class UnitAct(Payload, prefix="dv"):
    """A button of the unit report: skip, kind, done, clear, send, fix, part, review,
    discard, correct or keep (with the kind or part it names)."""

    action: str
    arg: str = ""


# --- /nopbaocao for a unit head ------------------------------------------------------------------
async def start_report(ctx: Context) -> None:
    """Start, resume or show the unit's report for the open deadline (/nopbaocao)."""
    found = await unit_of(ctx)
    if found is None:
        ctx.say(t.NO_UNIT)
        return
    unit, commune = found
    deadlines = await deadlines_of(ctx.session, commune.id)
    if not deadlines:
        ctx.say(t.NO_DEADLINE)
        return
    draft = await _draft(ctx, unit)
    typed = ctx.args.strip()
    if draft is not None and not typed:
        occurrence = _occurrence_of(draft, deadlines)
        if occurrence is not None:
            ctx.say(
                t.RESUME.format(
                    unit=unit.name, title=titled(occurrence.deadline.title, occurrence.due)
                )
            )
            await _ask(ctx, unit, draft, occurrence)
            return
    today = today_of(ctx, commune)
    occurrence, existing = await choose_occurrence(ctx, unit, deadlines, today, typed)
    if existing is not None:
        _show_submitted(ctx, unit, commune, occurrence, existing, today)
        return
    draft = {
        "unit": unit.id,
        "deadline": occurrence.deadline.id,
        "year": occurrence.year,
        "total": unit.members_total or None,
        "learned": None,
        "classes": None,
        "results": "",
        "initiatives": "",
        "nominations": [],
        "at": "total",
        "fixing": False,
        "revision": None,
    }
    earlier = (await latest_reports(ctx.session, [unit.id], occurrence.year)).get(unit.id)
    ctx.say(
        t.START.format(
            unit=unit.name,
            title=titled(occurrence.deadline.title, occurrence.due),
            when=when(occurrence.days_left(today)),
        )
    )
    if earlier is not None:
        draft.update(_fields_of(earlier))
        ctx.say(t.CARRIED)
    await _ask(ctx, unit, draft, occurrence)


def _fields_of(report: UnitReport) -> dict[str, Any]:
    return {
        "total": report.members_total,
        "learned": report.members_learned,
        "classes": report.classes_held,
        "results": report.results,
        "initiatives": report.initiatives,
        "nominations": list(report.nominations or []),
    }


def _show_submitted(
    ctx: Context,
    unit: Unit,
    commune: Commune,
    occurrence: Occurrence,
    existing: UnitReport,
    today: date,
) -> None:
    """Show a sent report, offering a correction until the deadline."""
    draft = {"unit": unit.id, **_fields_of(existing)}
    at = f.day_time(existing.submitted_at.astimezone(ZoneInfo(commune.timezone)))
    text = (
        _review_text(unit, occurrence, draft)
        + "\n"
        + t.SUBMITTED_VIEW.format(at=at, revision=existing.revision)
    )
    if today > occurrence.due:
        ctx.forget_prompt()
        ctx.say(text + "\n" + t.TOO_LATE.format(due=f.day(occurrence.due)))
        return
    ctx.ask(
        text,
        [
            Option(
                t.CORRECT, UnitAct("correct", f"{occurrence.deadline.id}-{occurrence.year}").pack()
            ),
            Option(t.KEEP, UnitAct("keep").pack()),
        ],
    )


async def _draft(ctx: Context, unit: Unit) -> dict[str, Any] | None:
    """Return the unit head's draft for their own unit (a draft of a former unit is dropped)."""
    draft = ctx.get(KEY)
    if not isinstance(draft, dict):
        return None
    if draft.get("unit") != unit.id:
        ctx.put(KEY, None)
        return None
    return dict(draft)


def _occurrence_of(draft: dict[str, Any], deadlines: list[Deadline]) -> Occurrence | None:
    deadline = next((d for d in deadlines if d.id == draft.get("deadline")), None)
    year = draft.get("year")
    if deadline is None or not isinstance(year, int):
        return None
    return Occurrence(deadline, year, due_date(deadline, year))


async def _ask(ctx: Context, unit: Unit, draft: dict[str, Any], occurrence: Occurrence) -> None:
    """Keep the draft and ask its current question (or show the whole report)."""
    ctx.put(KEY, draft)
    at = draft.get("at")
    if at == "total":
        keep = t.KEEP_TOTAL.format(total=f.number(draft["total"])) if draft.get("total") else ""
        ctx.ask(t.ASK_TOTAL.format(keep=keep), step=STEP, skippable=True)
    elif at == "learned":
        ctx.ask(t.ASK_LEARNED, step=STEP, skippable=True)
    elif at == "classes":
        ctx.ask(t.ASK_CLASSES, step=STEP, skippable=True)
    elif at == "results":
        ctx.ask(t.ASK_RESULTS, step=STEP, skippable=True)
    elif at == "initiatives":
        ctx.ask(t.ASK_INITIATIVES, step=STEP, skippable=True)
    elif at == "nominations":
        nominations = draft.get("nominations") or []
        current = (
            t.NOMINATIONS_SO_FAR.format(
                count=len(nominations), lines=_nomination_lines(nominations)
            )
            if nominations
            else ""
        )
        options = [
            Option(t.NOM_TEAM, UnitAct("kind", "tap_the").pack()),
            Option(t.NOM_PERSON, UnitAct("kind", "ca_nhan").pack()),
            Option(t.NOM_DONE, UnitAct("done").pack(), intent="next"),
        ]
        if nominations:
            options.append(Option(t.NOM_CLEAR, UnitAct("clear").pack()))
        ctx.ask(t.ASK_NOMINATION.format(current=current), options, step=STEP, skippable=True)
    elif at == "nom_name":
        pending = draft.get("pending") or {}
        ask = t.ASK_NOM_NAME_TEAM if pending.get("kind") == "tap_the" else t.ASK_NOM_NAME_PERSON
        ctx.ask(ask, step=STEP, skippable=True)
    elif at == "nom_achievement":
        pending = draft.get("pending") or {}
        ctx.ask(
            t.ASK_NOM_ACHIEVEMENT.format(name=pending.get("name", "")), step=STEP, skippable=True
        )
    else:
        draft["at"] = "review"
        ctx.put(KEY, draft)
        _review(ctx, unit, draft, occurrence)


def _nomination_lines(nominations: list[dict[str, Any]]) -> str:
    return "\n".join(
        t.NOM_LINE.format(
            kind=t.NOM_KIND.get(n.get("kind", ""), "").capitalize(),
            name=n.get("name", ""),
            achievement=n.get("achievement") or t.SKIPPED,
        )
        for n in nominations
    )


def _review_text(unit: Unit, occurrence: Occurrence, draft: dict[str, Any]) -> str:
    def count(value: Any) -> str:
        return f.number(value) if isinstance(value, int) else t.SKIPPED

    learned = draft.get("learned")
    total = draft.get("total")
    learned_text = count(learned)
    if isinstance(learned, int) and isinstance(total, int) and total:
        learned_text = t.LEARNED_PCT.format(
            learned=f.number(learned), pct=f.percent(percent(learned, total))
        )
    nominations = draft.get("nominations") or []
    return t.REVIEW.format(
        unit=unit.name,
        title=titled(occurrence.deadline.title, occurrence.due),
        total=count(total),
        learned=learned_text,
        classes=count(draft.get("classes")),
        results=draft.get("results") or t.SKIPPED,
        initiatives=draft.get("initiatives") or t.SKIPPED,
        nominations=("\n" + _nomination_lines(nominations)) if nominations else t.NONE_NOMINATED,
        note=t.REVIEW_CORRECTING.format(revision=draft["revision"] + 1)
        if draft.get("revision")
        else "",
    )


def _review(ctx: Context, unit: Unit, draft: dict[str, Any], occurrence: Occurrence) -> None:
    correcting = bool(draft.get("revision"))
    ctx.ask(
        _review_text(unit, occurrence, draft),
        [
            Option(t.SEND_CORRECTION if correcting else t.SEND, UnitAct("send").pack()),
            Option(t.FIX, UnitAct("fix").pack()),
            Option(t.DISCARD_CORRECTION if correcting else t.DISCARD, UnitAct("discard").pack()),
        ],
    )


def _advance(draft: dict[str, Any], answered: str) -> None:
    """Move the draft past a question: to the next one, or back to the review when fixing."""
    if draft.get("fixing"):
        draft["at"] = "review"
        return
    index = FIELDS.index(answered) if answered in FIELDS else len(FIELDS) - 1
    draft["at"] = FIELDS[index + 1] if index + 1 < len(FIELDS) else "review"


async def _context(ctx: Context) -> tuple[Unit, dict[str, Any], Occurrence] | None:
    """The unit, the draft and its occurrence for a step or button; None (and told) if gone."""
    found = await unit_of(ctx)
    draft = await _draft(ctx, found[0]) if found else None
    occurrence = None
    if found is not None and draft is not None:
        occurrence = _occurrence_of(draft, await deadlines_of(ctx.session, found[1].id))
    if found is None or draft is None or occurrence is None:
        ctx.end_step()
        ctx.forget_prompt()
        ctx.say(t.GONE)
        return None
    return found[0], draft, occurrence


@routes.step(STEP, access=HEAD)
async def on_answer(ctx: Context) -> None:
    """Read the answer to the report's current question (a number, a text, or "bỏ qua")."""
    loaded = await _context(ctx)
    if loaded is None:
        return
    unit, draft, occurrence = loaded
    at = str(draft.get("at"))
    skip = ctx.intent == "skip"
    typed = ctx.args.strip()
    if at == "nominations":
        if skip:
            _advance(draft, "nominations")
        else:
            ctx.say(t.NOM_PICK)
        await _ask(ctx, unit, draft, occurrence)
        return
    if at in NUMBERS:
        if not skip:
            problem, value = _read_number(typed, at, draft)
            if problem:
                ctx.say(problem)
                await _ask(ctx, unit, draft, occurrence)
                return
            draft[at] = value
        _advance(draft, at)
    elif at in ("results", "initiatives"):
        if not skip:
            problem = _text_problem(typed, MAX_TEXT)
            if problem:
                ctx.say(problem)
                await _ask(ctx, unit, draft, occurrence)
                return
            draft[at] = typed
        _advance(draft, at)
    elif at == "nom_name":
        if skip:
            draft["pending"] = None
            draft["at"] = "nominations"
        else:
            problem = _text_problem(typed, MAX_NAME)
            if problem:
                ctx.say(problem)
                await _ask(ctx, unit, draft, occurrence)
                return
            draft["pending"] = {**(draft.get("pending") or {}), "name": typed}
            draft["at"] = "nom_achievement"
    elif at == "nom_achievement":
        pending = dict(draft.get("pending") or {})
        if not skip:
            problem = _text_problem(typed, MAX_TEXT // 2)
            if problem:
                ctx.say(problem)
                await _ask(ctx, unit, draft, occurrence)
                return
        pending["achievement"] = "" if skip else typed
        draft["nominations"] = [*(draft.get("nominations") or []), pending]
        draft["pending"] = None
        draft["at"] = "nominations"
        ctx.say(
            t.NOM_ADDED.format(
                kind=t.NOM_KIND.get(pending.get("kind", ""), ""), name=pending["name"]
            )
        )
    else:
        draft["at"] = "review"
    await _ask(ctx, unit, draft, occurrence)


def _read_number(typed: str, at: str, draft: dict[str, Any]) -> tuple[str, int]:
    """Read a count; return a problem to tell the person, or "" and the value."""
    folded = fold(typed)
    if folded in ZERO:
        value = 0
    else:
        read = read_count(typed)
        if read is None:
            return t.NOT_A_NUMBER, 0
        value = read
    if typed.lstrip().startswith(("-", "âm", "am ")) and value:
        return t.NEGATIVE, 0
    if value > (MAX_CLASSES if at == "classes" else MAX_PEOPLE):
        return t.TOO_LARGE.format(value=f.number(value)), 0
    total, learned = draft.get("total"), draft.get("learned")
    if at == "learned" and isinstance(total, int) and value > total:
        return t.LEARNED_OVER_TOTAL.format(learned=f.number(value), total=f.number(total)), 0
    if at == "total" and isinstance(learned, int) and value < learned:
        return t.TOTAL_UNDER_LEARNED.format(total=f.number(value), learned=f.number(learned)), 0
    return "", value


def _text_problem(typed: str, longest: int) -> str:
    if len(fold(typed)) < 2:
        return t.TOO_SHORT
    if len(typed) > longest:
        return t.TOO_LONG_TEXT.format(length=len(typed), max=longest)
    return ""


@routes.button(UnitAct, access=HEAD)
async def on_button(ctx: Context) -> None:
    """Act on a button of the unit report: nominations, review, send, fix, discard, correct."""
    chosen = ctx.payload
    assert isinstance(chosen, UnitAct)
    if chosen.action == "keep":
        ctx.forget_prompt()
        ctx.say(t.KEPT)
        return
    if chosen.action == "correct":
        await _correct(ctx, chosen.arg)
        return
    loaded = await _context(ctx)
    if loaded is None:
        return
    unit, draft, occurrence = loaded
    action = chosen.action
    if action == "kind" and chosen.arg in t.NOM_KIND:
        if len(draft.get("nominations") or []) >= MAX_NOMINATIONS:
            ctx.say(t.NOM_TOO_MANY.format(max=MAX_NOMINATIONS))
            _advance(draft, "nominations")
        else:
            draft["pending"] = {"kind": chosen.arg}
            draft["at"] = "nom_name"
    elif action == "done":
        _advance(draft, "nominations")
    elif action == "clear":
        draft["nominations"] = []
    elif action == "fix":
        ctx.put(KEY, draft)
        ctx.end_step()
        ctx.ask(
            t.ASK_FIX,
            [Option(label, UnitAct("part", part).pack()) for part, label in t.FIX_PARTS.items()]
            + [Option(t.BACK_TO_REVIEW, UnitAct("review").pack())],
        )
        return
    elif action == "part" and chosen.arg in FIELDS:
        draft["at"] = chosen.arg
        draft["fixing"] = True
    elif action == "review":
        draft["at"] = "review"
    elif action == "discard":
        ctx.put(KEY, None)
        ctx.end_step()
        ctx.forget_prompt()
        ctx.say(t.DISCARDED_CORRECTION if draft.get("revision") else t.DISCARDED)
        return
    elif action == "send":
        await _send(ctx, unit, draft, occurrence)
        return
    await _ask(ctx, unit, draft, occurrence)


async def _correct(ctx: Context, key: str) -> None:
    """Open a sent report as a draft for correction, if the deadline has not passed."""
    found = await unit_of(ctx)
    if found is None:
        ctx.say(t.NO_UNIT)
        return
    unit, commune = found
    deadline_id, _, year = key.partition("-")
    deadlines = await deadlines_of(ctx.session, commune.id)
    occurrence = (
        _occurrence_of({"deadline": int(deadline_id), "year": int(year)}, deadlines)
        if deadline_id.isdecimal() and year.isdecimal() and len(year) == 4
        else None
    )
    existing = await unit_report(ctx.session, unit.id, occurrence) if occurrence else None
    if occurrence is None or existing is None:
        ctx.forget_prompt()
        ctx.say(t.GONE)
        return
    if today_of(ctx, commune) > occurrence.due:
        ctx.forget_prompt()
        ctx.say(t.TOO_LATE.format(due=f.day(occurrence.due)))
        return
    draft = {
        "unit": unit.id,
        "deadline": occurrence.deadline.id,
        "year": occurrence.year,
        **_fields_of(existing),
        "at": "review",
        "fixing": True,
        "revision": existing.revision,
    }
    await _ask(ctx, unit, draft, occurrence)


async def _send(ctx: Context, unit: Unit, draft: dict[str, Any], occurrence: Occurrence) -> None:
    """Record the report (or replace the sent one, keeping it in history) and tell staff."""
    commune = await ctx.session.get(Commune, unit.commune_id)
    assert commune is not None
    today = today_of(ctx, commune)
    due = f.day(occurrence.due)
    existing = await unit_report(ctx.session, unit.id, occurrence)
    fields = {
        "members_total": draft.get("total"),
        "members_learned": draft.get("learned"),
        "classes_held": draft.get("classes"),
        "results": draft.get("results") or "",
        "initiatives": draft.get("initiatives") or "",
        "nominations": list(draft.get("nominations") or []),
    }
    ctx.end_step()
    ctx.forget_prompt()
    if existing is not None and today > occurrence.due:
        ctx.put(KEY, None)
        ctx.say(t.TOO_LATE.format(due=due))
        return
    title = titled(occurrence.deadline.title, occurrence.due)
    kind = KIND_NAMES.get(unit.kind, unit.kind)
    if existing is None:
        report = UnitReport(
            unit_id=unit.id,
            deadline_id=occurrence.deadline.id,
            year=occurrence.year,
            submitted_at=ctx.now,
            by_user_id=ctx.user.id,
            revision=1,
            history=[],
            **fields,
        )
        ctx.session.add(report)
        await ctx.session.flush()
        action, text = (
            "unit_report.submit",
            t.STAFF_TOLD.format(unit=unit.name, kind=kind, title=title),
        )
    else:
        report = existing
        replaced = {
            "revision": report.revision,
            "submitted_at": report.submitted_at.isoformat(),
            "by_user_id": report.by_user_id,
            "members_total": report.members_total,
            "members_learned": report.members_learned,
            "classes_held": report.classes_held,
            "results": report.results,
            "initiatives": report.initiatives,
            "nominations": list(report.nominations or []),
            "replaced_at": ctx.now.isoformat(),
            "replaced_by": ctx.user.id,
        }
        report.history = [*(report.history or []), replaced]
        for name, value in fields.items():
            setattr(report, name, value)
        report.revision += 1
        report.submitted_at, report.by_user_id = ctx.now, ctx.user.id
        action = "unit_report.correct"
        text = t.STAFF_TOLD_CORRECTION.format(
            unit=unit.name, kind=kind, revision=report.revision, title=title
        )
    ctx.session.add(
        AuditLog(
            actor_id=ctx.user.id,
            action=action,
            target=f"unit_report:{report.id}",
            detail={"unit_id": unit.id, "revision": report.revision},
            at=ctx.now,
        )
    )
    told = await tell_staff(
        ctx,
        unit.commune_id,
        text,
        "unit_submitted",
        f"{unit.id}:{occurrence.deadline.id}:{occurrence.year}:{report.revision}",
    )
    ctx.put(KEY, None)
    staff = t.STAFF_INFORMED if told else t.NO_STAFF
    if report.revision == 1:
        ctx.say(t.SENT.format(unit=unit.name, due=due, staff=staff))
    else:
        ctx.say(
            t.SENT_CORRECTION.format(
                unit=unit.name, due=due, staff=staff, revision=report.revision
            )
        )
