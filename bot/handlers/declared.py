"""Residents declare a course finished on another platform (/dahoc); the village head confirms."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select

from bot.core.auth import VILLAGE_HEAD
from bot.core.context import Context
from bot.core.messages import Option
from bot.core.routes import Payload, Routes
from bot.delivery.outbox import enqueue, reachable_identities
from bot.handlers import texts as t
from bot.handlers.menu import BACK
from bot.storage.models import Household, OfflineLearning, User
from bot.text import fold

routes = Routes()


@dataclass(frozen=True)
class PhotoAnswer(Payload, prefix="dahoc"):
    """Whether the resident has a photo of the certificate: "photo" or "none"."""

    answer: str


MAX_PENDING = 5  # declarations waiting for the head, per person
COURSE_LIMIT = 150


@routes.command("dahoc", "da hoc", takes_args=True)
async def declare(ctx: Context) -> None:
    """Ask which course the resident finished elsewhere, or take it from the command (/dahoc)."""
    if ctx.args.strip():
        await on_course(ctx)
        return
    ctx.ask(t.DECLARE_ASK, [BACK], step="declare")


@routes.step("declare")
async def on_course(ctx: Context) -> None:
    """Take the course name, then ask whether there is a certificate photo."""
    course = " ".join(ctx.args.split())[:COURSE_LIMIT]
    if len(fold(course).replace(" ", "")) < 3:
        ctx.say(t.DECLARE_TOO_SHORT)
        ctx.ask(t.DECLARE_ASK, [BACK], step="declare")
        return
    waiting = await _waiting(ctx)
    if any(fold(r.note).startswith(fold(course)) for r in waiting):
        ctx.end_step()
        ctx.forget_prompt()
        ctx.say(t.DECLARE_ALREADY.format(course=course))
        return
    if len(waiting) >= MAX_PENDING:
        ctx.end_step()
        ctx.forget_prompt()
        ctx.say(t.DECLARE_TOO_MANY.format(count=len(waiting)))
        return
    ctx.ask(
        t.DECLARE_PHOTO,
        [
            Option(t.DECLARE_PHOTO_YES, PhotoAnswer("photo").pack()),
            Option(t.DECLARE_PHOTO_NO, PhotoAnswer("none").pack()),
        ],
        step="declare_photo",
        course=course,
    )


async def _waiting(ctx: Context) -> list[OfflineLearning]:
    """Return this person's declarations still waiting for the head."""
    return list(
        await ctx.session.scalars(
            select(OfflineLearning).where(
                OfflineLearning.user_id == ctx.user.id,
                OfflineLearning.source == "platform",
                OfflineLearning.confirmed_at.is_(None),
            )
        )
    )


@routes.button(PhotoAnswer)
async def on_photo(ctx: Context) -> None:
    """Record the declaration for the village head to confirm, and tell the head."""
    course = str(ctx.data.get("course") or "")
    household = await ctx.session.get(Household, ctx.user.household_id or 0)
    if not course or household is None:
        ctx.ask(t.DECLARE_ASK, [BACK], step="declare")
        return
    note = f"{course} ({t.DECLARE_WITH_PHOTO})" if ctx.args == "photo" else course
    ctx.session.add(
        OfflineLearning(
            household_id=household.id,
            user_id=ctx.user.id,
            date=ctx.now,
            note=note[:200],
            recorded_by=ctx.user.id,
            source="platform",
            confirmed_at=None,
        )
    )
    await _tell_heads(ctx, household, course)
    ctx.end_step()
    ctx.forget_prompt()
    ctx.say(t.DECLARE_SENT.format(course=course))


@routes.step("declare_photo")
async def on_photo_text(ctx: Context) -> None:
    """Repeat the photo question when something else was typed."""
    ctx.repeat_prompt()


async def _tell_heads(ctx: Context, household: Household, course: str) -> None:
    """Queue a note for the village's heads that a course waits for their confirmation."""
    heads = list(
        await ctx.session.scalars(
            select(User.id).where(
                User.role == VILLAGE_HEAD,
                User.scope_village_id == household.village_id,
                User.deleted_at.is_(None),
            )
        )
    )
    for user_id, identity in (await reachable_identities(ctx.session, heads)).items():
        await enqueue(
            ctx.session,
            channel=identity.channel,
            chat_id=identity.chat_id,
            user_id=user_id,
            text=t.DECLARE_HEAD_TOLD.format(head=household.head_name, course=course),
            kind="declared",
            dedupe_key=f"declared:{household.id}:{ctx.now.isoformat()}:{user_id}",
            not_before=ctx.now,
        )
