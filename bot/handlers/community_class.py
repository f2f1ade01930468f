"""Village heads record a community class: several households at once, one confirmation."""

from __future__ import annotations

import re
from typing import Any
from zoneinfo import ZoneInfo

from bot import formats as f
from bot.core.context import Context
from bot.core.messages import Option
from bot.core.routes import Routes
from bot.handlers import texts_village as t
from bot.handlers.village_head import HEAD, ClassStep, household_label
from bot.storage import places
from bot.storage.models import Household, OfflineLearning
from bot.storage.participation import mark_participating
from bot.text import fold

routes = Routes()

ZONE = ZoneInfo("Asia/Ho_Chi_Minh")  # the class day as the village sees it
MAX_ENTRIES = 60  # one class; a longer list is cut and the head is told
SURE = 90  # a name this close (and alone) is taken as that household
_SPLIT = re.compile(r"[\n,;]+")

# An entry kept in the conversation state: [typed, household id or 0, mark].
SURE_MARK, GUESS_MARK, NEW_MARK, MISSING_MARK = "sure", "guess", "new", "missing"


@routes.command("hoctructiep", "hoc truc tiep", access=HEAD, takes_args=True)
async def community_class(ctx: Context) -> None:
    """Start a class record, or take the households typed after the command (/hoctructiep)."""
    if ctx.args.strip():
        await _add(ctx, [], ctx.args)
        return
    ctx.ask(
        t.CLASS_ASK, [Option(t.CLASS_CANCEL, ClassStep("cancel").pack())], step="class", entries=[]
    )


@routes.step("class", access=HEAD)
async def on_class_text(ctx: Context) -> None:
    """Add the households typed (one per line or comma-separated) to the list being built."""
    await _add(ctx, list(ctx.data.get("entries") or []), ctx.args)


async def _resolve(ctx: Context, typed: str) -> list[Any]:
    """Find one typed household: by code, by a sure name, by a best guess, or as new."""
    village_id = ctx.user.scope_village_id or 0
    by_code = await places.household_by_code(ctx.session, village_id, typed)
    if by_code is not None:
        return [typed, by_code.id, SURE_MARK]
    ranked = await places.match_households(ctx.session, village_id, typed)
    if not ranked:
        # A name (two words or more, no digits) can be added as a new household; a code or a
        # single word that matches nothing is only reported as not found.
        words = fold(typed).split()
        name = len(words) >= 2 and not any(ch.isdigit() for ch in typed)
        return [typed, 0, NEW_MARK if name else MISSING_MARK]
    exact = [h for h, s in ranked if s >= 100]
    if len(exact) == 1:
        return [typed, exact[0].id, SURE_MARK]
    best, score = ranked[0]
    alone = len(ranked) == 1 or ranked[1][1] < score - 8
    return [typed, best.id, SURE_MARK if score >= SURE and alone else GUESS_MARK]


async def _add(ctx: Context, entries: list[Any], text: str) -> None:
    """Resolve each typed household, add it to the list and show the list for confirmation."""
    typed = [" ".join(part.split())[:80] for part in _SPLIT.split(text)]
    typed = [part for part in typed if fold(part)]
    cut = False
    for part in typed:
        if len(entries) >= MAX_ENTRIES:
            cut = True
            break
        entry = await _resolve(ctx, part)
        same = [e for e in entries if (entry[1] and e[1] == entry[1]) or e[0] == entry[0]]
        if not same:
            entries.append(entry)
    await _show(ctx, entries, t.CLASS_CUT.format(limit=MAX_ENTRIES) if cut else "")


async def _show(ctx: Context, entries: list[Any], note: str) -> None:
    """Show the list with the uncertain and new households marked, and ask to record it."""
    if not entries:
        ctx.ask(
            t.CLASS_ASK,
            [Option(t.CLASS_CANCEL, ClassStep("cancel").pack())],
            step="class",
            entries=[],
        )
        return
    lines = []
    for i, (typed, household_id, mark) in enumerate(entries, start=1):
        household = await ctx.session.get(Household, household_id) if household_id else None
        if mark == MISSING_MARK:
            lines.append(t.CLASS_LINE_MISSING.format(i=i, typed=typed))
        elif mark == NEW_MARK or household is None:
            lines.append(t.CLASS_LINE_NEW.format(i=i, typed=typed))
        elif mark == GUESS_MARK:
            lines.append(
                t.CLASS_LINE_GUESS.format(i=i, head=household_label(household), typed=typed)
            )
        else:
            lines.append(t.CLASS_LINE_SURE.format(i=i, head=household_label(household)))
    usable = sum(1 for e in entries if e[2] != MISSING_MARK)
    sure = sum(1 for e in entries if e[2] == SURE_MARK)
    guessed = any(e[2] == GUESS_MARK for e in entries)
    save_all = t.CLASS_SAVE_WITH_GUESSES if guessed else t.CLASS_SAVE_ALL
    options = []
    if usable:
        options.append(Option(save_all.format(count=usable), ClassStep("save").pack()))
    if 0 < sure < usable:
        keep_sure = Option(t.CLASS_SAVE_SURE.format(count=sure), ClassStep("sure").pack())
        # With a guess in the list, the first choice (what "1" picks) leaves the guesses out.
        options.insert(0 if guessed else len(options), keep_sure)
    options += [
        Option(t.CLASS_RESTART, ClassStep("restart").pack()),
        Option(t.CLASS_CANCEL, ClassStep("cancel").pack()),
    ]
    text = t.CLASS_LIST.format(count=len(entries), lines="\n".join(lines))
    ctx.ask(f"{note}\n{text}".strip(), options, step="class", entries=entries)


@routes.button(ClassStep, access=HEAD)
async def on_class(ctx: Context) -> None:
    """Record the list (all of it, or only the sure ones), start again, or cancel."""
    action, _, arg = ctx.args.partition(":")
    entries = list(ctx.data.get("entries") or [])
    if action == "one":
        entries = [["", int(arg) if arg.isdecimal() and len(arg) < 12 else 0, SURE_MARK]]
        action = "save"
    if action == "restart":
        ctx.ask(
            t.CLASS_ASK,
            [Option(t.CLASS_CANCEL, ClassStep("cancel").pack())],
            step="class",
            entries=[],
        )
        return
    if action not in ("save", "sure") or not entries:
        ctx.end_step()
        ctx.forget_prompt()
        ctx.say(t.CLASS_CANCELLED)
        return
    chosen = [
        e for e in entries if e[2] != MISSING_MARK and (action == "save" or e[2] == SURE_MARK)
    ]
    lines = []
    for typed, household_id, mark in chosen:
        line = await _record(ctx, typed, int(household_id or 0), mark)
        if line:
            lines.append(line)
    ctx.end_step()
    ctx.forget_prompt()
    if not lines:
        ctx.say(t.CLASS_NOTHING)
        return
    ctx.say(
        t.CLASS_FINISHED.format(
            count=len(lines), day=f.day(ctx.now.astimezone(ZONE)), lines="\n".join(lines)
        )
    )


async def _record(ctx: Context, typed: str, household_id: int, mark: str) -> str | None:
    """Record one household at today's class (adding it when new); return its report line."""
    village_id = ctx.user.scope_village_id or 0
    household = await ctx.session.get(Household, household_id) if household_id else None
    added = False
    if mark == MISSING_MARK:
        return None
    if mark == NEW_MARK or household is None:
        if not typed:
            return None
        household = await _new_household(ctx, village_id, typed)
        added = True
    if household.village_id != village_id:
        return None
    ctx.session.add(
        OfflineLearning(
            household_id=household.id,
            date=ctx.now,
            note="lớp học trực tiếp",
            recorded_by=ctx.user.id,
            source="class",
            confirmed_at=ctx.now,
        )
    )
    first = await mark_participating(ctx.session, household.id, ctx.now)
    label = household_label(household)
    if added:
        return t.CLASS_DONE_NEW.format(head=label)
    return (t.CLASS_DONE_FIRST if first else t.CLASS_DONE_ALREADY).format(head=label)


async def _new_household(ctx: Context, village_id: int, typed: str) -> Household:
    """Add a household the head named that is not on the village's list (confirmed by them)."""
    head = " ".join(typed.split()).title()[:120]
    household = Household(
        village_id=village_id,
        head_name=head,
        head_name_folded=fold(head)[:120],
        source="self",
        status="confirmed",
    )
    ctx.session.add(household)
    await ctx.session.flush()
    return household
