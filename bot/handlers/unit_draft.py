"""The unit report's draft: what it holds, how a typed answer is read, how it reads back.

The draft is one of the unit head's role drafts, under `KEY` (plain JSON in their state, so it
survives restarts; dropped with the role, since it may name nominated people);
`bot/handlers/unit_report.py` asks its questions and `bot/handlers/unit_submit.py` records it.
"""

from __future__ import annotations

from typing import Any

from bot import formats as f
from bot.core.context import Context
from bot.handlers import texts_units as t
from bot.handlers.units import DRAFT
from bot.handlers.village_report import titled
from bot.lessons.answers import read_count
from bot.stats.coverage import percent
from bot.storage.deadlines import Occurrence, due_date
from bot.storage.models import Deadline, Unit, UnitReport
from bot.text import fold

KEY = DRAFT
FIELDS = ("total", "learned", "classes", "results", "initiatives", "nominations")
NUMBERS = ("total", "learned", "classes")
MAX_PEOPLE = 100_000  # more people than any commune's unit: a typing error
MAX_CLASSES = 5_000
MAX_TEXT = 900
MAX_NAME = 120
MAX_NOMINATIONS = 20
ZERO = {"khong", "ko", "k", "chua", "chua co", "khong co", "chua co ai", "khong co ai"}


def fields_of(report: UnitReport) -> dict[str, Any]:
    """The draft fields of a sent report (to correct it, or to start from it)."""
    return {
        "total": report.members_total,
        "learned": report.members_learned,
        "classes": report.classes_held,
        "results": report.results,
        "initiatives": report.initiatives,
        "nominations": list(report.nominations or []),
    }


def draft_of(ctx: Context, unit: Unit) -> dict[str, Any] | None:
    """Return the unit head's draft for their own unit (a draft of a former unit is dropped)."""
    draft = ctx.role_draft(KEY)
    if not isinstance(draft, dict):
        return None
    if draft.get("unit") != unit.id:
        ctx.put_role_draft(KEY, None)
        return None
    return dict(draft)


def occurrence_of(draft: dict[str, Any], deadlines: list[Deadline]) -> Occurrence | None:
    """The occurrence of a deadline a draft is about, if its deadline still exists."""
    deadline = next((d for d in deadlines if d.id == draft.get("deadline")), None)
    year = draft.get("year")
    if deadline is None or not isinstance(year, int):
        return None
    return Occurrence(deadline, year, due_date(deadline, year))


def advance(draft: dict[str, Any], answered: str) -> None:
    """Move the draft past a question: to the next one, or back to the review when fixing."""
    if draft.get("fixing"):
        draft["at"] = "review"
        return
    index = FIELDS.index(answered) if answered in FIELDS else len(FIELDS) - 1
    draft["at"] = FIELDS[index + 1] if index + 1 < len(FIELDS) else "review"


def read_number(typed: str, at: str, draft: dict[str, Any]) -> tuple[str, int]:
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


def text_problem(typed: str, longest: int) -> str:
    """Say what is wrong with a typed text (too short, too long), or ""."""
    if len(fold(typed)) < 2:
        return t.TOO_SHORT
    if len(typed) > longest:
        return t.TOO_LONG_TEXT.format(length=len(typed), max=longest)
    return ""


def nomination_lines(nominations: list[dict[str, Any]]) -> str:
    """One line a nomination: kind, name, achievement."""
    return "\n".join(
        t.NOM_LINE.format(
            kind=t.NOM_KIND.get(n.get("kind", ""), "").capitalize(),
            name=n.get("name", ""),
            achievement=n.get("achievement") or t.SKIPPED,
        )
        for n in nominations
    )


def review_text(unit: Unit, occurrence: Occurrence, draft: dict[str, Any]) -> str:
    """The whole report as the unit head reads it before sending."""

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
        nominations=("\n" + nomination_lines(nominations)) if nominations else t.NONE_NOMINATED,
        note=t.REVIEW_CORRECTING.format(revision=draft["revision"] + 1)
        if draft.get("revision")
        else "",
    )
