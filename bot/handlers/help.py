"""Help, the lesson finder for typed questions, and what to say when nothing else fits."""

from __future__ import annotations

from bot.core.commands import EXAMPLES, menu_for
from bot.core.context import Context
from bot.core.messages import Option
from bot.core.routes import ANYONE, Routes
from bot.handlers import onboarding
from bot.handlers import texts as t
from bot.handlers import texts_helpdesk as th
from bot.handlers.helpdesk import HelpDesk
from bot.handlers.learning import OpenLesson
from bot.handlers.linking import looks_like_code, redeem
from bot.handlers.menu import (
    BACK,
    MENU_OPTIONS,
    MenuItem,
    RunCommand,
    holds_role_menu,
    show_menu,
)
from bot.storage.gaps import record_gap
from bot.storage.tickets import find_faq
from bot.text import fit, fold

routes = Routes()


# Prompts that are not a question waiting for its answer: typed text there is a new question.
AT_REST = ("menu:", "lesson:", "hd:send", "cmd:")
RATING = ("hd:up", "hd:down")


def help_text(ctx: Context) -> str:
    """How to answer, and the commands of the person's own role, one line each."""
    lines = []
    for name, description in menu_for(ctx.user.role):
        line = t.HELP_LINE.format(name=name, description=description)
        if name in EXAMPLES:
            line += t.HELP_EXAMPLE.format(example=EXAMPLES[name])
        lines.append(line)
    return t.HELP.format(commands="\n".join(lines))


@routes.command("trogiup", "tro giup", "help", "huong dan", access=ANYONE)
async def help_(ctx: Context) -> None:
    """Explain how to answer and list the person's own commands."""
    ctx.say(help_text(ctx))
    if ctx.registered or holds_role_menu(ctx):
        await show_menu(ctx)
    else:
        await onboarding.resume(ctx)


@routes.command("menu", access=ANYONE)
async def menu(ctx: Context) -> None:
    """Show the main menu (a role's own menu; a resident not signed up yet continues sign-up)."""
    if not ctx.registered and not holds_role_menu(ctx):
        await onboarding.gate(ctx)
        return
    await show_menu(ctx)


@routes.button(RunCommand, access=ANYONE)
async def run_command(ctx: Context) -> None:
    """Run the command a menu entry names (the command's own access decides)."""
    chosen = ctx.payload
    assert isinstance(chosen, RunCommand)
    await ctx.router.run_command(ctx, chosen.name, "")


@routes.button(MenuItem, access=ANYONE)
async def on_menu(ctx: Context) -> None:
    """Run the main-menu item the user chose."""
    from bot.handlers import helpdesk, learning, progress

    actions = {
        "learn": learning.lesson_list,
        "resume": learning.resume,
        "results": progress.results,
        "help": help_,
        "ask": helpdesk.from_menu,
    }
    action = actions.get(ctx.args)
    if action is None:
        await menu(ctx)
        return
    if not ctx.registered:
        if holds_role_menu(ctx) and ctx.args == "help":
            await action(ctx)  # offered in a role holder's menu before any sign-up
        else:
            await onboarding.gate(ctx)  # learning starts with signing up
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
    """Show a matching FAQ answer first, then the lessons that answer it, or a way on."""
    ctx.end_step()
    question = ctx.args[:1000]
    faq = await find_faq(ctx.session, ctx.user.commune_id, question)
    if faq is not None:
        ctx.say(th.FAQ_FOUND.format(question=faq[1], answer=faq[2]))
    found = ctx.curriculum.search(ctx.args)
    ask_person = Option(th.SEND_THIS, HelpDesk("send").pack())
    if not found:
        if faq is None:
            await record_gap(ctx.session, ctx.args, ctx.now)
        text = th.FAQ_STILL_ASK if faq else th.NOT_FOUND_ASK
        see = Option(th.SEE_LESSONS, MenuItem("learn").pack())
        ctx.ask(text, [ask_person, see, BACK], question=question)
        return
    options = [Option(fit(f"📘 {x.title}"), OpenLesson(x.id).pack()) for x in found]
    ctx.ask(t.ANSWER_FOUND, [*options, ask_person, BACK], question=question)


async def fallback(ctx: Context) -> None:
    """Handle free text no step expects: a question, a bad answer, or registration first."""
    if not ctx.registered and looks_like_code(ctx.args):
        await redeem(ctx, ctx.args)  # the first thing a linked account sends is often the code
        return
    offered = ctx.offered()
    is_question = len(fold(ctx.args).split()) >= 2
    at_rest = all(o.payload.startswith(AT_REST) for o in offered)
    # "Did the answer help?" waits for its answer: typed text there is not a new question.
    rating = any(o.payload.startswith(RATING) for o in offered)
    if (
        ctx.registered
        and is_question
        and not rating
        and (
            at_rest
            or ctx.curriculum.search(ctx.args, limit=1)
            or await find_faq(ctx.session, ctx.user.commune_id, ctx.args)
        )
    ):
        await find_lessons(ctx)  # a question typed at the menu is always searched
        return
    if offered:
        ctx.say(t.NOT_AN_OPTION.format(count=len(offered)))
        ctx.repeat_prompt()
    elif not ctx.registered and holds_role_menu(ctx) and ctx.user.consent_at is not None:
        await show_menu(ctx, t.NOT_UNDERSTOOD)  # a role holder's own menu, not sign-up
    elif not ctx.registered:
        await onboarding.gate(ctx)
    else:
        ctx.ask(t.NOT_UNDERSTOOD, MENU_OPTIONS)
