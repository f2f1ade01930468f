"""Staff turn an answered ticket into a frequently asked question (/themfaq N), edited first."""

from __future__ import annotations

from dataclasses import dataclass

from bot.core.auth import ADMIN, STAFF, has_role
from bot.core.context import Context
from bot.core.messages import Option
from bot.core.routes import Payload, Routes, roles
from bot.handlers import texts_helpdesk as t
from bot.handlers.helpdesk import ADDITION
from bot.storage import tickets as store
from bot.storage.models import FaqEntry, Ticket

routes = Routes()
STAFF_ONLY = roles(STAFF, ADMIN)


@dataclass(frozen=True)
class FaqStep(Payload, prefix="faq"):
    """/themfaq: save, edit the question (q) or the answer (a), or cancel."""

    action: str


MAX_FAQ = 900  # leaves room for the draft's frame within one chat message


def _draft(ctx: Context, ticket: int, question: str, answer: str) -> None:
    ctx.ask(
        t.FAQ_DRAFT.format(question=question, answer=answer),
        [
            Option(t.FAQ_SAVE, FaqStep("save").pack()),
            Option(t.FAQ_EDIT_Q, FaqStep("q").pack()),
            Option(t.FAQ_EDIT_A, FaqStep("a").pack()),
            Option(t.FAQ_CANCEL, FaqStep("cancel").pack()),
        ],
        ticket=ticket,
        question=question,
        answer=answer,
    )


@routes.command("themfaq", "them faq", access=STAFF_ONLY, takes_args=True)
async def add(ctx: Context) -> None:
    """Show an answered ticket of the commune as a draft FAQ entry (/themfaq N)."""
    raw = ctx.args.strip().split(" ", 1)[0]
    if not raw.isdecimal():
        ctx.say(t.FAQ_USAGE)
        return
    ticket = await ctx.session.get(Ticket, int(raw))
    if ticket is None or not store.may_handle(ctx.user, ticket):
        ctx.say(t.NO_SUCH_TICKET.format(id=raw[:10]))
        return
    if ticket.status != store.ANSWERED or not ticket.answer:
        ctx.say(t.FAQ_NOT_ANSWERED.format(id=ticket.id))
        return
    first = ticket.question.split(ADDITION, 1)[0].split("\n— ", 1)[0]
    _draft(ctx, ticket.id, first[:MAX_FAQ], ticket.answer[:MAX_FAQ])


@routes.button(FaqStep, access=STAFF_ONLY)
async def on_button(ctx: Context) -> None:
    """Save, edit or drop the draft."""
    data = dict(ctx.data)
    if not has_role(ctx.user, (STAFF, ADMIN)) or "ticket" not in data:
        ctx.say(t.FAQ_GONE)
        return
    if ctx.args == "q":
        ctx.ask(t.FAQ_ASK_Q, step="faq_question", **data)
    elif ctx.args == "a":
        ctx.ask(t.FAQ_ASK_A, step="faq_answer", **data)
    elif ctx.args == "save":
        ticket = await ctx.session.get(Ticket, int(data["ticket"]))
        if ticket is None or not store.may_handle(ctx.user, ticket):
            ctx.clear()
            ctx.say(t.FAQ_GONE)
            return
        entry = FaqEntry(
            commune_id=ticket.commune_id,
            ticket_id=ticket.id,
            question=str(data["question"]),
            answer=str(data["answer"]),
            created_by=ctx.user.id,
            created_at=ctx.now,
        )
        ctx.session.add(entry)
        await ctx.session.flush()
        ctx.end_step()
        ctx.say(t.FAQ_SAVED.format(id=entry.id))
    else:
        ctx.end_step()
        ctx.say(t.FAQ_CANCELLED)


@routes.step("faq_question", access=STAFF_ONLY)
@routes.step("faq_answer", access=STAFF_ONLY)
async def on_text(ctx: Context) -> None:
    """Take the typed text as the new question or answer, then show the draft again."""
    data = dict(ctx.data)
    if not has_role(ctx.user, (STAFF, ADMIN)) or "ticket" not in data:
        ctx.end_step()
        ctx.say(t.FAQ_GONE)
        return
    text = ctx.args.strip()
    if len(text) > MAX_FAQ:
        ctx.say(t.FAQ_TOO_LONG.format(length=len(text), limit=MAX_FAQ))
        ctx.repeat_prompt()
        return
    field = "question" if ctx.step == "faq_question" else "answer"
    data[field] = text
    _draft(ctx, int(data["ticket"]), str(data["question"]), str(data["answer"]))
