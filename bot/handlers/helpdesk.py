"""Ask a person: residents' questions to their village head or the commune staff, and back."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select

from bot.core.auth import ADMIN, STAFF, VILLAGE_HEAD, has_role
from bot.core.context import Context
from bot.core.messages import Option, Reply
from bot.core.routes import Payload, Routes, roles
from bot.delivery.outbox import payload_of
from bot.handlers import texts_helpdesk as t
from bot.handlers.menu import BACK, show_menu
from bot.scheduling.tickets import helpers_of, notify, who_asked, zone_of
from bot.storage import tickets as store
from bot.storage.models import Commune, Ticket, User, Village
from bot.text import fit, fold

HELPERS = (VILLAGE_HEAD, STAFF, ADMIN)
routes = Routes()
HELPER = roles(*HELPERS)


@dataclass(frozen=True)
class HelpDesk(Payload, prefix="hd"):
    """A resident's button about their question: send, new, up, down or reopen (a ticket)."""

    action: str
    ticket: int = 0


@dataclass(frozen=True)
class PickTicket(Payload, prefix="tk"):
    """A helper chooses a ticket to answer from /hoidap."""

    ticket: int


ADDITION = "\n+ "  # separates what the resident added from the first question
ADD_WINDOW = timedelta(minutes=30)  # how long after asking typed text is added to the question
QUEUE_SIZE = 10


# --- residents ----------------------------------------------------------------------------
@routes.command("hoicanbo", "hoi can bo", takes_args=True)
async def start(ctx: Context) -> None:
    """Show the waiting or last answered question, or ask for a new one (/hoicanbo)."""
    waiting = await store.waiting_ticket(ctx.session, ctx.user.id)
    if waiting is not None:
        ctx.ask(
            t.ALREADY_WAITING.format(id=waiting.id, question=waiting.question),
            [Option(t.DONE, "menu:main")],
            step="ticket_add",
            ticket=waiting.id,
            at=ctx.now.isoformat(),
        )
        return
    if ctx.args.strip():
        await create(ctx, ctx.args)
        return
    last = await store.latest_ticket(ctx.session, ctx.user.id)
    if last is not None and last.status == store.ANSWERED and last.rating is None:
        text = t.LAST_ANSWER.format(
            id=last.id, question=last.question, answer=last.answer, ask=t.RATE_ASK
        )
        ctx.ask(text, [*_rating_options(last), Option(t.NEW_QUESTION, HelpDesk("new").pack())])
        return
    ctx.ask(t.ASK, step="ticket_question")


async def from_menu(ctx: Context) -> None:
    """Start from the main menu's "Hỏi cán bộ" (the button carries no question)."""
    ctx.args = ""
    await start(ctx)


@routes.step("ticket_question")
async def on_question(ctx: Context) -> None:
    """Take the typed text as the question."""
    await create(ctx, ctx.args)


async def create(ctx: Context, text: str) -> None:
    """Open a ticket, route it to the village head or the staff, and tell them."""
    question = text.strip()
    if len(fold(question).split()) < 3:
        ctx.ask(t.TOO_SHORT, step="ticket_question")
        return
    user = ctx.user
    village = await ctx.session.get(Village, user.village_id or 0)
    if village is None:
        ctx.end_step()
        ctx.say(t.NO_PLACE)
        return
    commune = await ctx.session.get(Commune, village.commune_id)
    assert commune is not None  # villages belong to a commune (foreign key)
    head = await store.village_head_of(ctx.session, village.id)
    if head is not None and head.id == user.id:
        head = None  # a village head asking goes to the staff
    ticket = Ticket(
        resident_id=user.id,
        commune_id=commune.id,
        village_id=village.id,
        household_id=user.household_id,
        helper_id=head.id if head else None,
        status=store.OPEN,
        question=question[: store.MAX_QUESTION],
        opened_at=ctx.now,
    )
    ctx.session.add(ticket)
    await ctx.session.flush()
    asked = await who_asked(ctx.session, ticket)
    helpers = await helpers_of(ctx.session, ticket)
    await notify(
        ctx.session,
        helpers,
        t.NEW_TICKET.format(id=ticket.id, question=ticket.question, **asked),
        kind="ticket_new",
        key=f"tkn:{ticket.id}",
        now=ctx.now,
        zone=commune.timezone,
    )
    who = (
        t.TO_HEAD.format(village=village.name) if head else t.TO_STAFF.format(commune=commune.name)
    )
    sent = t.SENT if helpers else t.SENT_NOBODY_YET
    ctx.ask(
        sent.format(id=ticket.id, who=who),
        [Option(t.DONE, "menu:main")],
        step="ticket_add",
        ticket=ticket.id,
        at=ctx.now.isoformat(),
    )


@routes.step("ticket_add")
async def on_addition(ctx: Context) -> None:
    """Add what the resident typed to their waiting ticket and tell the helper.

    Only right after asking: text typed much later is a new matter, handled as usual.
    """
    since = ctx.data.get("at")
    if since and ctx.now - datetime.fromisoformat(since) > ADD_WINDOW:
        from bot.handlers.help import fallback

        ctx.end_step()
        await fallback(ctx)
        return
    ticket = await ctx.session.get(Ticket, int(ctx.data.get("ticket") or 0))
    if ticket is None or ticket.resident_id != ctx.user.id:
        ctx.end_step()
        ctx.say(t.NOT_YOURS)
        return
    if ticket.status != store.OPEN:
        ctx.end_step()
        ctx.say(t.ALREADY_ANSWERED.format(id=ticket.id))
        return
    text = ctx.args.strip()
    if not any(c.isalpha() for c in text):
        # A number that is no option on screen ("2", "3") says nothing to the helper.
        ctx.ask(
            t.ADD_NO_WORDS,
            [Option(t.DONE, "menu:main")],
            step="ticket_add",
            ticket=ticket.id,
            at=since or ctx.now.isoformat(),
        )
        return
    if len(ticket.question) + len(text) > store.MAX_QUESTION:
        ctx.say(t.TOO_LONG)
        return
    ticket.question += ADDITION + text
    ticket.additions += 1
    asked = await who_asked(ctx.session, ticket)
    await notify(
        ctx.session,
        await helpers_of(ctx.session, ticket),
        t.ADDED_TICKET.format(id=ticket.id, text=text, name=asked["name"]),
        kind="ticket_added",
        key=f"tka:{ticket.id}:{ticket.additions}",
        now=ctx.now,
        zone=await zone_of(ctx.session, ticket.commune_id),
    )
    ctx.ask(
        t.ADDED.format(id=ticket.id),
        [Option(t.DONE, "menu:main")],
        step="ticket_add",
        ticket=ticket.id,
        at=ctx.now.isoformat(),
    )


def _rating_options(ticket: Ticket) -> list[Option]:
    return [
        Option(t.RATE_UP, HelpDesk("up", ticket.id).pack()),
        Option(t.RATE_DOWN, HelpDesk("down", ticket.id).pack()),
    ]


@routes.button(HelpDesk)
async def on_resident_button(ctx: Context) -> None:
    """Handle a resident's button: rate an answer, ask again, or send a question."""
    action, _, arg = ctx.args.partition(":")
    if action == "new":
        ctx.ask(t.ASK, step="ticket_question")
        return
    if action == "send":
        question = str(ctx.data.get("question") or "")
        if question:
            await create(ctx, question)
        else:
            ctx.ask(t.ASK, step="ticket_question")
        return
    ticket = await ctx.session.get(Ticket, int(arg)) if arg.isdecimal() else None
    if ticket is None or ticket.resident_id != ctx.user.id:
        ctx.say(t.NOT_YOURS)
        await show_menu(ctx)
        return
    if action == "reopen":
        if ticket.status == store.ANSWERED and ticket.reopened_at is None:
            ctx.ask(t.REOPEN_ASK, step="ticket_reopen", ticket=ticket.id)
        else:
            await show_menu(ctx, t.THANKS_DOWN_FINAL)
        return
    if ticket.status != store.ANSWERED or ticket.rating is not None:
        await show_menu(ctx, t.RATED if ticket.rating else t.NOT_YOURS)
        return
    ticket.rating = "up" if action == "up" else "down"
    if ticket.rating == "up":
        await show_menu(ctx, t.THANKS_UP)
    elif ticket.reopened_at is None:
        ctx.ask(t.THANKS_DOWN, [Option(t.REOPEN, HelpDesk("reopen", ticket.id).pack()), BACK])
    else:
        await show_menu(ctx, t.THANKS_DOWN_FINAL)


@routes.step("ticket_reopen")
async def on_reopen_text(ctx: Context) -> None:
    """Reopen an answered ticket once, with what is still unclear."""
    ticket = await ctx.session.get(Ticket, int(ctx.data.get("ticket") or 0))
    ctx.end_step()
    if (
        ticket is None
        or ticket.resident_id != ctx.user.id
        or ticket.status != store.ANSWERED
        or ticket.reopened_at is not None
    ):
        await show_menu(ctx, t.NOT_YOURS)
        return
    text = ctx.args.strip()
    earlier = t.EARLIER_ANSWER.format(answer=ticket.answer)
    ticket.question = f"{ticket.question}{earlier}{ADDITION}{text}"[: store.MAX_QUESTION]
    ticket.status, ticket.answer, ticket.rating = store.OPEN, None, None
    ticket.reopened_at = ctx.now
    asked = await who_asked(ctx.session, ticket)
    await notify(
        ctx.session,
        await helpers_of(ctx.session, ticket),
        t.REOPENED_TICKET.format(id=ticket.id, text=text, **asked),
        kind="ticket_reopened",
        key=f"tkr:{ticket.id}",
        now=ctx.now,
        zone=await zone_of(ctx.session, ticket.commune_id),
    )
    village = await ctx.session.get(Village, ticket.village_id or 0)
    who = (
        t.TO_HEAD.format(village=village.name)
        if village and ticket.helper_id and not ticket.escalated_at
        else t.TO_STAFF.format(commune=(await _commune_name(ctx, ticket)))
    )
    ctx.ask(
        t.REOPENED.format(id=ticket.id, who=who),
        [Option(t.DONE, "menu:main")],
        step="ticket_add",
        ticket=ticket.id,
        at=ctx.now.isoformat(),
    )


async def _commune_name(ctx: Context, ticket: Ticket) -> str:
    commune = await ctx.session.get(Commune, ticket.commune_id)
    return commune.name if commune else ""


# --- village heads and staff ----------------------------------------------------------------
def _age(now: datetime, then: datetime) -> str:
    minutes = max(0, int((now - then).total_seconds() // 60))
    if minutes < 60:
        return t.AGE_MINUTES.format(n=minutes)
    if minutes < 48 * 60:
        return t.AGE_HOURS.format(n=minutes // 60)
    return t.AGE_DAYS.format(n=minutes // (24 * 60))


@routes.command("hoidap", "hoi dap", access=HELPER)
async def queue(ctx: Context) -> None:
    """List the open tickets the helper should answer, oldest first (/hoidap)."""
    rows = await store.open_tickets_for(ctx.session, ctx.user, QUEUE_SIZE)
    if not rows:
        ctx.say(t.QUEUE_EMPTY)
        return
    names = dict(
        (
            await ctx.session.execute(
                select(Village.id, Village.name).where(
                    Village.id.in_([r.village_id for r in rows if r.village_id] or [0])
                )
            )
        ).all()
    )
    options = [
        Option(
            fit(
                t.QUEUE_LINE.format(
                    id=r.id,
                    village=names.get(r.village_id or 0, "—"),
                    age=_age(ctx.now, store.waited_since(r)),
                )
            ),
            PickTicket(r.id).pack(),
        )
        for r in rows
    ]
    ctx.ask(t.QUEUE.format(count=len(rows)), [*options, BACK])


async def _ticket_in_scope(ctx: Context, raw: str) -> Ticket | None:
    """Return the ticket numbered `raw` if the helper may handle it; else say so."""
    ticket = await ctx.session.get(Ticket, int(raw)) if raw.isdecimal() else None
    if ticket is None or not has_role(ctx.user, HELPERS) or not store.may_handle(ctx.user, ticket):
        ctx.end_step()
        ctx.say(t.NO_SUCH_TICKET.format(id=raw[:10] or "?"))
        return None
    if ticket.status != store.OPEN:
        ctx.end_step()
        ctx.say(t.ALREADY_DONE.format(id=ticket.id, who=await _answerer(ctx, ticket)))
        return None
    return ticket


@routes.button(PickTicket, access=HELPER)
async def on_pick(ctx: Context) -> None:
    """Show the chosen ticket in full and wait for the typed answer."""
    ticket = await _ticket_in_scope(ctx, ctx.args)
    if ticket is None:
        return
    asked = await who_asked(ctx.session, ticket)
    ctx.ask(
        t.SHOW_TICKET.format(
            id=ticket.id,
            question=ticket.question,
            age=_age(ctx.now, store.waited_since(ticket)),
            escalated=t.ESCALATED_MARK if ticket.escalated_at else "",
            **asked,
        ),
        step="ticket_answer",
        ticket=ticket.id,
    )


@routes.command("traloi", "tra loi", access=HELPER, takes_args=True)
async def answer_command(ctx: Context) -> None:
    """Answer a ticket: /traloi N text, or /traloi N to see it first."""
    number, _, text = ctx.args.strip().partition(" ")
    if not number:
        ctx.say(t.ANSWER_USAGE)
        await queue(ctx)
        return
    if not number.isdecimal():
        ctx.say(t.ANSWER_USAGE)
        return
    if not text.strip():
        ctx.args = number
        await on_pick(ctx)
        return
    ticket = await _ticket_in_scope(ctx, number)
    if ticket is not None:
        await _answer(ctx, ticket, text.strip())


@routes.step("ticket_answer", access=HELPER)
async def on_answer_text(ctx: Context) -> None:
    """Take the typed text as the answer to the ticket chosen in /hoidap."""
    ticket = await _ticket_in_scope(ctx, str(ctx.data.get("ticket") or ""))
    if ticket is not None:
        await _answer(ctx, ticket, ctx.args.strip())


async def _answerer(ctx: Context, ticket: Ticket) -> str:
    helper = await ctx.session.get(User, ticket.answered_by or 0)
    if helper is not None and helper.role == VILLAGE_HEAD:
        village = await ctx.session.get(Village, helper.scope_village_id or 0)
        return t.HELPER_HEAD.format(village=village.name if village else "")
    return t.HELPER_STAFF.format(commune=await _commune_name(ctx, ticket))


async def _answer(ctx: Context, ticket: Ticket, text: str) -> None:
    """Close the ticket with the answer and send it to the resident on their own app."""
    if len(fold(text).split()) < 2:
        ctx.ask(t.ANSWER_TOO_SHORT, step="ticket_answer", ticket=ticket.id)
        return
    ctx.end_step()
    ticket.status, ticket.answer = store.ANSWERED, text
    ticket.answered_at, ticket.answered_by = ctx.now, ctx.user.id
    message = t.ANSWER.format(
        who=await _answerer(ctx, ticket), id=ticket.id, question=ticket.question, answer=text
    )
    options = tuple(_rating_options(ticket))
    send_at = await notify(
        ctx.session,
        [ticket.resident_id],
        message,
        kind="ticket_answer",
        key=f"tkans:{ticket.id}:{2 if ticket.reopened_at else 1}",
        now=ctx.now,
        zone=await zone_of(ctx.session, ticket.commune_id),
        options=options,
    )
    await _offer_rating(ctx, ticket.resident_id, Reply(message, options))
    left = len(await store.open_tickets_for(ctx.session, ctx.user, QUEUE_SIZE))
    more = t.MORE_WAITING.format(count=left) if left else ""
    done = t.ANSWER_SENT if send_at <= ctx.now else t.ANSWER_SENT_LATER
    ctx.say(done.format(id=ticket.id, more=more))


async def _offer_rating(ctx: Context, resident_id: int, reply: Reply) -> None:
    """Make the answer's 👍/👎 the resident's current question (typed numbers and words too).

    The answer is the last thing the resident receives, so its options are the ones a typed
    "1" or "có" refers to. The resident's row is locked first on PostgreSQL, so a message they
    send at the same moment is handled before or after, never half-way.
    """
    locks = ctx.session.get_bind().dialect.name == "postgresql"
    resident = await ctx.session.get(User, resident_id)
    if resident is None or resident.id == ctx.user.id:
        return
    if locks:
        await ctx.session.refresh(resident, with_for_update=True)
    state = dict(resident.state or {})
    state.update(prompt=payload_of(reply), step=None, data={})
    resident.state = state
