"""Help, the lesson finder for typed questions, and what to say when nothing else fits."""

from __future__ import annotations

from bot.core.context import Context
from bot.core.messages import Option
from bot.core.text import fold
from bot.handlers import onboarding
from bot.handlers import texts as t
from bot.handlers import texts_helpdesk as th
from bot.handlers.linking import looks_like_code, redeem
from bot.handlers.menu import BACK, MENU_OPTIONS, show_menu
from bot.storage.tickets import find_faq


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
    from bot.handlers import helpdesk, learning, progress

    actions = {
        "learn": learning.lesson_list,
        "resume": learning.resume,
        "results": progress.results,
        "help": help_,
        "ask": helpdesk.from_menu,
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
    """Show a matching FAQ answer first, then the one to three lessons that best match."""
    ctx.end_step()
    question = ctx.args[:1000]
    faq = await find_faq(ctx.session, ctx.user.commune_id, question)
    if faq is not None:
        ctx.say(th.FAQ_FOUND.format(question=faq[1], answer=faq[2]))
    found = ctx.curriculum.search(ctx.args)
    ask_person = Option(th.SEND_THIS, "hd:send")
    if not found:
        text = th.FAQ_STILL_ASK if faq else th.NOT_FOUND_ASK
        see = Option(th.SEE_LESSONS, "menu:learn")
        ctx.ask(text, [ask_person, see, BACK], question=question)
        return
    options = [Option(f"📘 {x.title}"[:60], f"lesson:{x.id}") for x in found]
    ctx.ask(t.ANSWER_FOUND, [*options, ask_person, BACK], question=question)


async def fallback(ctx: Context) -> None:
    """Handle free text no step expects: a question, a bad answer, or registration first."""
    if not ctx.registered and looks_like_code(ctx.args):
        await redeem(ctx, ctx.args)  # the first thing a linked account sends is often the code
        return
    offered = ctx.offered()
    is_question = len(fold(ctx.args).split()) >= 2
    if (
        ctx.registered
        and is_question
        and (
            ctx.curriculum.search(ctx.args, limit=1)
            or await find_faq(ctx.session, ctx.user.commune_id, ctx.args)
        )
    ):
        await find_lessons(ctx)
        return
    if offered:
        ctx.say(t.NOT_AN_OPTION.format(count=len(offered)))
        ctx.repeat_prompt()
    elif not ctx.registered:
        await onboarding.gate(ctx)
    else:
        ctx.ask(t.NOT_UNDERSTOOD, MENU_OPTIONS)
