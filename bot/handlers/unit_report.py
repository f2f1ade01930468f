"""The unit head's yearly report in chat (/nopbaocao for a unit head).

The report is a role draft of the unit head (`unit_report`), kept across restarts and
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
from bot.core.resolver import intent_of, normalise
from bot.core.routes import Payload, Routes, roles
from bot.handlers import texts_units as t
from bot.handlers.unit_draft import (
    FIELDS,
    KEY,
    MAX_NAME,
    MAX_NOMINATIONS,
    MAX_TEXT,
    NUMBERS,
    advance,
    draft_of,
    fields_of,
    nomination_lines,
    occurrence_of,
    read_number,
    review_text,
    text_problem,
)
from bot.handlers.unit_submit import open_correction, send
from bot.handlers.units import choose_occurrence, today_of, unit_of, when
from bot.handlers.village_report import titled
from bot.storage.deadlines import Occurrence, deadlines_of
from bot.storage.models import Commune, Unit, UnitReport

routes = Routes()
HEAD = roles(UNIT_HEAD)
STEP = "unit_report"
NOMINATION_STEPS = ("nom_name", "nom_achievement")
QUESTIONS = {
    "learned": t.ASK_LEARNED,
    "classes": t.ASK_CLASSES,
    "results": t.ASK_RESULTS,
    "initiatives": t.ASK_INITIATIVES,
}
NO_NOMINATION = ("next", "stop", "skip")  # "xong", "thôi", "bỏ qua" typed as a nominee's name


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
    draft = draft_of(ctx, unit)
    typed = ctx.args.strip()
    if draft is not None and not typed:
        occurrence = occurrence_of(draft, deadlines)
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
    ctx.say(
        t.START.format(
            unit=unit.name,
            title=titled(occurrence.deadline.title, occurrence.due),
            when=when(occurrence.days_left(today)),
        )
    )
    await _ask(ctx, unit, draft, occurrence)


def _show_submitted(
    ctx: Context,
    unit: Unit,
    commune: Commune,
    occurrence: Occurrence,
    existing: UnitReport,
    today: date,
) -> None:
    """Show a sent report, offering a correction until the deadline."""
    draft = {"unit": unit.id, **fields_of(existing)}
    at = f.day_time(existing.submitted_at.astimezone(ZoneInfo(commune.timezone)))
    text = (
        review_text(unit, occurrence, draft)
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


async def _ask(ctx: Context, unit: Unit, draft: dict[str, Any], occurrence: Occurrence) -> None:
    """Keep the draft and ask its current question (or show the whole report)."""
    ctx.put_role_draft(KEY, draft)
    at = draft.get("at")
    # The question's place travels with it, so "quay lại" followed by an answer fills the
    # question shown again, not the one the draft had moved on to.
    asked: dict[str, Any] = {"at": at}
    if at in NOMINATION_STEPS:
        asked["pending"] = draft.get("pending")
        asked["slot"] = len(draft.get("nominations") or [])
    pending = draft.get("pending") or {}
    options: list[Option] = []
    if at == "total":
        keep = t.KEEP_TOTAL.format(total=f.number(draft["total"])) if draft.get("total") else ""
        question = t.ASK_TOTAL.format(keep=keep)
    elif at in ("learned", "classes", "results", "initiatives"):
        question = QUESTIONS[at]
    elif at == "nominations":
        nominations = draft.get("nominations") or []
        current = (
            t.NOMINATIONS_SO_FAR.format(
                count=len(nominations), lines=nomination_lines(nominations)
            )
            if nominations
            else ""
        )
        question = t.ASK_NOMINATION.format(current=current)
        options = [
            Option(t.NOM_TEAM, UnitAct("kind", "tap_the").pack()),
            Option(t.NOM_PERSON, UnitAct("kind", "ca_nhan").pack()),
            Option(t.NOM_DONE, UnitAct("done").pack(), intent="next"),
        ]
        if nominations:
            options.append(Option(t.NOM_CLEAR, UnitAct("clear").pack()))
    elif at == "nom_name":
        team = pending.get("kind") == "tap_the"
        question = t.ASK_NOM_NAME_TEAM if team else t.ASK_NOM_NAME_PERSON
    elif at == "nom_achievement":
        question = t.ASK_NOM_ACHIEVEMENT.format(name=pending.get("name", ""))
    else:
        draft["at"] = "review"
        ctx.put_role_draft(KEY, draft)
        _review(ctx, unit, draft, occurrence)
        return
    ctx.ask(
        question,
        options,
        step=STEP,
        skippable=True,
        # "thôi" at a nominee's name drops that nomination, not the whole report.
        stoppable=at == "nom_name",
        resume=t.REPORT_KEPT,
        **asked,
    )


def _answering(ctx: Context, draft: dict[str, Any]) -> None:
    """Point the draft at the question being answered (asked again after "quay lại")."""
    asked = ctx.data.get("at")
    if isinstance(asked, str) and (asked in FIELDS or asked in NOMINATION_STEPS):
        draft["at"] = asked
        if asked in NOMINATION_STEPS:
            draft["pending"] = ctx.data.get("pending")
    found = draft.get("pending")
    pending: dict[str, Any] = found if isinstance(found, dict) else {}
    if draft.get("at") in NOMINATION_STEPS and pending.get("kind") not in t.NOM_KIND:
        draft["at"] = "nominations"  # a nomination without its kind: choose again
    elif draft.get("at") == "nom_achievement" and not pending.get("name"):
        draft["at"] = "nom_name"


def _placed(
    ctx: Context, nominations: list[dict[str, Any]], pending: dict[str, Any]
) -> list[dict[str, Any]]:
    """Add a finished nomination, or replace it when its question was asked again."""
    slot = ctx.data.get("slot")
    if isinstance(slot, int) and 0 <= slot < len(nominations):
        earlier = nominations[slot]
        if (earlier.get("kind"), earlier.get("name")) == (pending.get("kind"), pending["name"]):
            nominations[slot] = pending
            return nominations
    return [*nominations, pending]


def _review(ctx: Context, unit: Unit, draft: dict[str, Any], occurrence: Occurrence) -> None:
    correcting = bool(draft.get("revision"))
    ctx.ask(
        review_text(unit, occurrence, draft),
        [
            Option(t.SEND_CORRECTION if correcting else t.SEND, UnitAct("send").pack()),
            Option(t.FIX, UnitAct("fix").pack()),
            Option(t.DISCARD_CORRECTION if correcting else t.DISCARD, UnitAct("discard").pack()),
        ],
        resume=t.REPORT_KEPT,
    )


async def _context(ctx: Context) -> tuple[Unit, dict[str, Any], Occurrence] | None:
    """The unit, the draft and its occurrence for a step or button; None (and told) if gone."""
    found = await unit_of(ctx)
    draft = draft_of(ctx, found[0]) if found else None
    occurrence = None
    if found is not None and draft is not None:
        occurrence = occurrence_of(draft, await deadlines_of(ctx.session, found[1].id))
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
    _answering(ctx, draft)
    at = str(draft.get("at"))
    skip = ctx.intent == "skip"
    typed = ctx.args.strip()
    if at == "nominations":
        if skip:
            advance(draft, "nominations")
        else:
            ctx.say(t.NOM_PICK)
        await _ask(ctx, unit, draft, occurrence)
        return
    if at in NUMBERS:
        if not skip:
            problem, value = read_number(typed, at, draft)
            if problem:
                ctx.say(problem)
                await _ask(ctx, unit, draft, occurrence)
                return
            draft[at] = value
        advance(draft, at)
    elif at in ("results", "initiatives"):
        if not skip:
            problem = text_problem(typed, MAX_TEXT)
            if problem:
                ctx.say(problem)
                await _ask(ctx, unit, draft, occurrence)
                return
            draft[at] = typed
        advance(draft, at)
    elif at == "nom_name":
        if skip or ctx.intent == "stop" or intent_of(normalise(typed)) in NO_NOMINATION:
            draft["pending"] = None
            draft["at"] = "nominations"
            ctx.say(t.NOM_NOT_ADDED)
        else:
            problem = text_problem(typed, MAX_NAME)
            if problem:
                ctx.say(problem)
                await _ask(ctx, unit, draft, occurrence)
                return
            draft["pending"] = {**(draft.get("pending") or {}), "name": typed}
            draft["at"] = "nom_achievement"
    elif at == "nom_achievement":
        pending = dict(draft.get("pending") or {})
        if not skip:
            problem = text_problem(typed, MAX_TEXT // 2)
            if problem:
                ctx.say(problem)
                await _ask(ctx, unit, draft, occurrence)
                return
        pending["achievement"] = "" if skip else typed
        draft["nominations"] = _placed(ctx, list(draft.get("nominations") or []), pending)
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
        opened = await open_correction(ctx, chosen.arg)
        if opened is not None:
            await _ask(ctx, *opened)
        return
    loaded = await _context(ctx)
    if loaded is None:
        return
    unit, draft, occurrence = loaded
    action = chosen.action
    if action == "kind" and chosen.arg in t.NOM_KIND:
        if len(draft.get("nominations") or []) >= MAX_NOMINATIONS:
            ctx.say(t.NOM_TOO_MANY.format(max=MAX_NOMINATIONS))
            advance(draft, "nominations")
        else:
            draft["pending"] = {"kind": chosen.arg}
            draft["at"] = "nom_name"
    elif action == "done":
        advance(draft, "nominations")
    elif action == "clear":
        draft["nominations"] = []
    elif action == "fix":
        ctx.put_role_draft(KEY, draft)
        ctx.end_step()
        ctx.ask(
            t.ASK_FIX,
            [Option(label, UnitAct("part", part).pack()) for part, label in t.FIX_PARTS.items()]
            + [Option(t.BACK_TO_REVIEW, UnitAct("review").pack())],
            resume=t.REPORT_KEPT,
        )
        return
    elif action == "part" and chosen.arg in FIELDS:
        draft["at"] = chosen.arg
        draft["fixing"] = True
    elif action == "review":
        draft["at"] = "review"
    elif action == "discard":
        ctx.put_role_draft(KEY, None)
        ctx.end_step()
        ctx.forget_prompt()
        ctx.say(t.DISCARDED_CORRECTION if draft.get("revision") else t.DISCARDED)
        return
    elif action == "send":
        await send(ctx, unit, draft, occurrence)
        return
    await _ask(ctx, unit, draft, occurrence)
