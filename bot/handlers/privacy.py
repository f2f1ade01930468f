"""Personal data: delete everything (/xoadulieu) and reminder preferences (/nhacnho)."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import delete, select

from bot.core.context import Context
from bot.core.messages import Option
from bot.core.routes import ANYONE, Payload, Routes
from bot.delivery.outbox import cancel_pending, drop_photos
from bot.handlers import texts as t
from bot.handlers.menu import show_menu
from bot.scheduling.nudges import cancel_nudges
from bot.storage.models import (
    AuditLog,
    Household,
    Identity,
    LessonProgress,
    LinkCode,
    OfflineLearning,
    QuizAnswer,
)
from bot.storage.participation import recompute, recount_members
from bot.storage.self_declared import anonymise_own, drop_own_unused
from bot.storage.tickets import delete_tickets_of

routes = Routes()


@dataclass(frozen=True)
class Delete(Payload, prefix="del"):
    """The answer to "delete my data?": yes or no."""

    answer: str


@dataclass(frozen=True)
class Reminders(Payload, prefix="remind"):
    """Switch learning reminders on or off."""

    state: str


@routes.command("xoadulieu", "xoa du lieu", access=ANYONE)
async def ask_delete(ctx: Context) -> None:
    """Ask the user to confirm deleting their data."""
    user = ctx.user
    if user.consent_at is None and user.household_id is None:
        ctx.clear()
        ctx.say(t.NOTHING_TO_DELETE)
        return
    ctx.ask(
        t.DELETE_ASK,
        [Option(t.DELETE_YES, Delete("yes").pack()), Option(t.DELETE_NO, Delete("no").pack())],
    )


@routes.button(Delete, access=ANYONE)
async def on_delete(ctx: Context) -> None:
    """Delete the user's personal data and recompute their household's participation."""
    if ctx.args != "yes":
        ctx.say(t.DELETE_KEPT)
        if ctx.registered:
            await show_menu(ctx)
        else:
            ctx.clear()
        return
    user = ctx.user
    household_id = user.household_id
    session = ctx.session
    await session.execute(delete(QuizAnswer).where(QuizAnswer.user_id == user.id))
    await session.execute(delete(LessonProgress).where(LessonProgress.user_id == user.id))
    await session.execute(delete(LinkCode).where(LinkCode.user_id == user.id))
    await cancel_pending(session, user.id)
    await session.execute(delete(Identity).where(Identity.user_id == user.id))
    await delete_tickets_of(session, user.id)
    await _delete_certificates(ctx)
    user.display_name = None
    user.cohort = None
    user.village_id = None
    user.household_id = None
    user.consent_at = None
    user.lessons_started = user.lessons_completed = 0
    user.deleted_at = ctx.now
    await recount_members(session, household_id)
    await drop_own_unused(session, user.id)
    await anonymise_own(session, user.id)
    if household_id and await session.get(Household, household_id) is not None:
        await recompute(session, household_id)
    session.add(
        AuditLog(actor_id=user.id, action="user.delete", target=f"user:{user.id}", at=ctx.now)
    )
    ctx.clear()
    ctx.say(t.DELETED)


async def _delete_certificates(ctx: Context) -> None:
    """Delete the certificate pictures the person sent: the files, and the heads' copies."""
    records = await ctx.session.scalars(
        select(OfflineLearning).where(OfflineLearning.user_id == ctx.user.id)
    )
    for record in records:
        if record.photo is not None and ctx.media is not None:
            ctx.media.delete(record.photo)
        record.photo = None
        await drop_photos(ctx.session, f"declared:{record.id}:")


@routes.command("nhacnho", "nhac nho")
async def reminders(ctx: Context) -> None:
    """Show whether reminders are on and offer to switch (/nhacnho)."""
    state = "bật" if ctx.user.reminders_opt_in else "tắt"
    ctx.ask(
        t.REMINDERS_ASK.format(state=state),
        [
            Option(t.REMINDERS_TURN_ON, Reminders("on").pack()),
            Option(t.REMINDERS_TURN_OFF, Reminders("off").pack()),
        ],
    )


@routes.button(Reminders)
async def on_reminders(ctx: Context) -> None:
    """Switch reminders on or off."""
    ctx.user.reminders_opt_in = ctx.args == "on"
    if not ctx.user.reminders_opt_in:
        await cancel_nudges(ctx.session, ctx.user.id)  # nothing already planned goes out
    await show_menu(ctx, t.REMINDERS_ON if ctx.user.reminders_opt_in else t.REMINDERS_OFF)
