"""Help, the lesson finder for typed questions, and what to say when nothing else fits."""

from __future__ import annotations

from bot.core.context import Context
from bot.core.messages import Option
from bot.core.text import fold
from bot.handlers import onboarding
from bot.handlers import texts as t
from bot.handlers.linking import looks_like_code, redeem
from bot.handlers.menu import BACK, MENU_OPTIONS, show_menu
from bot.storage.gaps import record_gap
from bot.storage.models import Village

NOT_FOUND_OPTIONS = (
    Option(t.ASK_STAFF, "hoicanbo"),  # the help desk's ticket flow takes this payload over
    Option(t.SEE_LESSONS, "menu:learn"),
    BACK,
)
# Prompts that are not a question waiting for its answer: typed text there is a new question.
AT_REST = ("menu:", "lesson:", "hoicanbo")


async def help_(ctx: Context) -> None:
    """Explain how to answer and list the commands."""
    ctx.say(t.HELP)
    if ctx.registered:
        await show_menu(ctx)
    else:
        await onboarding.resume(ctx)


async def menu(ctx: Context) -> None:
    """Show the main menu (or continue registration if it is not finished)."""
    if not ctx.registered:
        await onboarding.gate(ctx)
        return
    await show_menu(ctx)


async def on_menu(ctx: Context) -> None:
    """Run the main-menu item the user chose."""
    from bot.handlers import learning, progress

    actions = {
        "learn": learning.lesson_list,
        "resume": learning.resume,
        "results": progress.results,
        "help": help_,
    }
    action = actions.get(ctx.args)
    if action is None or not ctx.registered:
        await menu(ctx)
        return
    await action(ctx)


async def ask(ctx: Context) -> None:
    """Find lessons for a typed question (/hoi), or ask for the question first."""
    if not ctx.args:
        ctx.ask(t.ASK_QUESTION, step="question")
        return
    await find_lessons(ctx)


async def find_lessons(ctx: Context) -> None:
    """Offer the one to three lessons that answer the question, or a way forward if none does."""
    ctx.end_step()
    found = ctx.curriculum.search(ctx.args)
    if not found:
        await record_gap(ctx.session, ctx.args, ctx.now)
        ctx.ask(t.ANSWER_NOT_FOUND, NOT_FOUND_OPTIONS)
        return
    options = [Option(f"📘 {x.title}"[:60], f"lesson:{x.id}") for x in found]
    ctx.ask(t.ANSWER_FOUND, [*options, BACK])


async def ask_staff(ctx: Context) -> None:
    """Tell who can answer a question no lesson covers (the help desk will plug in here)."""
    village = await ctx.session.get(Village, ctx.user.village_id) if ctx.user.village_id else None
    where = f" {village.name}" if village else ""
    ctx.ask(t.ASK_STAFF_REPLY.format(village=where), [Option(t.SEE_LESSONS, "menu:learn"), BACK])


async def fallback(ctx: Context) -> None:
    """Handle free text no step expects: a question, a bad answer, or registration first."""
    if not ctx.registered and looks_like_code(ctx.args):
        await redeem(ctx, ctx.args)  # the first thing a linked account sends is often the code
        return
    offered = ctx.offered()
    is_question = len(fold(ctx.args).split()) >= 2
    at_rest = all(o.payload.startswith(AT_REST) for o in offered)
    if ctx.registered and is_question and (at_rest or ctx.curriculum.search(ctx.args, limit=1)):
        await find_lessons(ctx)  # a question typed at the menu is always searched
        return
    if offered:
        ctx.say(t.NOT_AN_OPTION.format(count=len(offered)))
        ctx.repeat_prompt()
    elif not ctx.registered:
        await onboarding.gate(ctx)
    else:
        ctx.ask(t.NOT_UNDERSTOOD, MENU_OPTIONS)
