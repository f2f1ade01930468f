"""Help, the lesson finder for typed questions, and what to say when nothing else fits."""

from __future__ import annotations

from bot.core.context import Context
from bot.core.messages import Option
from bot.core.routes import ANYONE, Routes
from bot.handlers import onboarding
from bot.handlers import texts as t
from bot.handlers.learning import OpenLesson, lesson_list
from bot.handlers.linking import looks_like_code, redeem
from bot.handlers.menu import BACK, MENU_OPTIONS, MenuItem, show_menu
from bot.text import fold

routes = Routes()


@routes.command("trogiup", "tro giup", "help", "huong dan", access=ANYONE)
async def help_(ctx: Context) -> None:
    """Explain how to answer and list the commands."""
    ctx.say(t.HELP)
    if ctx.registered:
        await show_menu(ctx)
    else:
        await onboarding.resume(ctx)


@routes.command("menu", access=ANYONE)
async def menu(ctx: Context) -> None:
    """Show the main menu (or continue registration if it is not finished)."""
    if not ctx.registered:
        await onboarding.gate(ctx)
        return
    await show_menu(ctx)


@routes.button(MenuItem, access=ANYONE)
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


@routes.command("hoi", takes_args=True)
async def ask(ctx: Context) -> None:
    """Find lessons for a typed question (/hoi), or ask for the question first."""
    if not ctx.args:
        ctx.ask(t.ASK_QUESTION, step="question")
        return
    await find_lessons(ctx)


@routes.step("question")
async def find_lessons(ctx: Context) -> None:
    """Offer the one to three lessons whose title or keywords best match the question."""
    ctx.end_step()
    found = ctx.curriculum.search(ctx.args)
    if not found:
        ctx.say(t.ANSWER_NOT_FOUND)
        await lesson_list(ctx)
        return
    options = [Option(f"📘 {x.title}"[:60], OpenLesson(x.id).pack()) for x in found]
    ctx.ask(t.ANSWER_FOUND, [*options, BACK])


async def fallback(ctx: Context) -> None:
    """Handle free text no step expects: a question, a bad answer, or registration first."""
    if not ctx.registered and looks_like_code(ctx.args):
        await redeem(ctx, ctx.args)  # the first thing a linked account sends is often the code
        return
    offered = ctx.offered()
    is_question = len(fold(ctx.args).split()) >= 2
    if ctx.registered and is_question and ctx.curriculum.search(ctx.args, limit=1):
        await find_lessons(ctx)
        return
    if offered:
        ctx.say(t.NOT_AN_OPTION.format(count=len(offered)))
        ctx.repeat_prompt()
    elif not ctx.registered:
        await onboarding.gate(ctx)
    else:
        ctx.ask(t.NOT_UNDERSTOOD, MENU_OPTIONS)
