"""Record a unit head's report: the first submission, or a correction that replaces it.

A correction keeps the replaced version in `history` and is audit-logged; staff are told of
both through the outbox.
"""

from __future__ import annotations

from typing import Any

from bot import formats as f
from bot.core.context import Context
from bot.handlers import texts_units as t
from bot.handlers.notify import tell_staff
from bot.handlers.unit_draft import KEY, fields_of, occurrence_of
from bot.handlers.units import today_of, unit_of
from bot.handlers.village_report import titled
from bot.storage.deadlines import Occurrence, deadlines_of
from bot.storage.models import AuditLog, Commune, Unit
from bot.storage.units import add_unit_report, unit_report
from bot.units import KIND_NAMES


async def open_correction(
    ctx: Context, key: str
) -> tuple[Unit, dict[str, Any], Occurrence] | None:
    """Open a sent report ("<deadline>-<year>") as a draft to correct, until the deadline.

    None when there is nothing to correct (the person has been told why).
    """
    found = await unit_of(ctx)
    if found is None:
        ctx.say(t.NO_UNIT)
        return None
    unit, commune = found
    deadline_id, _, year = key.partition("-")
    deadlines = await deadlines_of(ctx.session, commune.id)
    occurrence = (
        occurrence_of({"deadline": int(deadline_id), "year": int(year)}, deadlines)
        if deadline_id.isdecimal() and year.isdecimal() and len(year) == 4
        else None
    )
    existing = await unit_report(ctx.session, unit.id, occurrence) if occurrence else None
    if occurrence is None or existing is None:
        ctx.forget_prompt()
        ctx.say(t.GONE)
        return None
    if today_of(ctx, commune) > occurrence.due:
        ctx.forget_prompt()
        ctx.say(t.TOO_LATE.format(due=f.day(occurrence.due)))
        return None
    draft = {
        "unit": unit.id,
        "deadline": occurrence.deadline.id,
        "year": occurrence.year,
        **fields_of(existing),
        "at": "review",
        "fixing": True,
        "revision": existing.revision,
    }
    return unit, draft, occurrence


async def send(ctx: Context, unit: Unit, draft: dict[str, Any], occurrence: Occurrence) -> None:
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
        ctx.put_role_draft(KEY, None)
        ctx.say(t.TOO_LATE.format(due=due))
        return
    title = titled(occurrence.deadline.title, occurrence.due)
    kind = KIND_NAMES.get(unit.kind, unit.kind)
    report = None
    if existing is None:
        report = await add_unit_report(
            ctx.session, unit.id, occurrence, fields, ctx.user.id, ctx.now
        )
        # None: another head of the unit sent it a moment ago; this one replaces it.
        existing = await unit_report(ctx.session, unit.id, occurrence) if report is None else None
    if report is not None:
        action, text = (
            "unit_report.submit",
            t.STAFF_TOLD.format(unit=unit.name, kind=kind, title=title),
        )
    else:
        assert existing is not None  # the report just found in the way
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
    ctx.put_role_draft(KEY, None)
    staff = t.STAFF_INFORMED if told else t.NO_STAFF
    if report.revision == 1:
        ctx.say(t.SENT.format(unit=unit.name, due=due, staff=staff))
    else:
        ctx.say(
            t.SENT_CORRECTION.format(
                unit=unit.name, due=due, staff=staff, revision=report.revision
            )
        )
