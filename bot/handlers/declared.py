"""Residents declare a course finished on another platform (/dahoc); the village head confirms.

The certificate picture is fetched before the message's transaction (bot.core.engine), kept in
the media directory under a random name, and sent to the village heads with a confirm button.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select

from bot.core.auth import VILLAGE_HEAD
from bot.core.context import Context
from bot.core.files import image_suffix
from bot.core.messages import Option, Reply
from bot.core.routes import Payload, Routes
from bot.delivery.outbox import enqueue, payload_of, reachable_identities
from bot.handlers import texts as t
from bot.handlers.menu import BACK
from bot.handlers.village_head import WaitingList
from bot.storage.models import Household, OfflineLearning, User
from bot.text import fold

log = logging.getLogger(__name__)
routes = Routes()


@dataclass(frozen=True)
class PhotoAnswer(Payload, prefix="dahoc"):
    """The resident goes on without a certificate picture ("none")."""

    answer: str


MAX_PENDING = 5  # declarations waiting for the head, per person
COURSE_LIMIT = 150
PHOTO_KEY = "declared:{record}:"  # the dedupe-key prefix of the heads' notices of a declaration


@routes.command("dahoc", "da hoc", takes_args=True)
async def declare(ctx: Context) -> None:
    """Ask which course the resident finished elsewhere, or take it from the command (/dahoc)."""
    if ctx.args.strip():
        await on_course(ctx)
        return
    ctx.ask(t.DECLARE_ASK, [BACK], step="declare")


@routes.step("declare")
async def on_course(ctx: Context) -> None:
    """Take the course name, then ask for a picture of the certificate."""
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
    _ask_photo(ctx, t.DECLARE_PHOTO, t.DECLARE_PHOTO_SKIP, course=course)


def _ask_photo(ctx: Context, text: str, skip: str, **data: Any) -> None:
    ctx.ask(
        text,
        [Option(skip, PhotoAnswer("none").pack(), intent="skip")],
        step="declare_photo",
        **data,
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
async def on_skip(ctx: Context) -> None:
    """Record the declaration without a picture (or keep the one recorded), and tell the head."""
    course = str(ctx.data.get("course") or "")
    ctx.end_step()
    ctx.forget_prompt()
    if ctx.data.get("record"):
        ctx.say(t.DECLARE_NO_PHOTO_KEPT.format(course=course))
        return
    record = await _record(ctx, course, None, None)
    if record is not None:
        ctx.say(t.DECLARE_SENT.format(course=course))


@routes.step("declare_photo", media=True)
async def on_photo(ctx: Context) -> None:
    """Take the certificate picture: keep it, record the declaration and show it to the head."""
    course = str(ctx.data.get("course") or "")
    if ctx.inbound.kind != "media":
        ctx.say(t.DECLARE_PHOTO_WAITING)
        ctx.repeat_prompt()
        return
    download = ctx.download
    problem = download.problem if download is not None else "failed"
    if ctx.inbound.file is None or problem == "not_image":
        ctx.say(t.DECLARE_NOT_IMAGE)
        ctx.repeat_prompt()
        return
    if problem == "too_big":
        ctx.say(t.DECLARE_PHOTO_TOO_BIG)
        ctx.repeat_prompt()
        return
    data = download.data if download is not None else None
    name = _save(ctx, data)
    if name is None:
        data = None
    record_id = ctx.data.get("record")
    if record_id:
        record = await ctx.session.get(OfflineLearning, int(record_id))
        if record is None or record.user_id != ctx.user.id or record.confirmed_at is not None:
            if name is not None and ctx.media is not None:
                ctx.media.delete(name)
            ctx.end_step()
            ctx.forget_prompt()
            ctx.say(t.DECLARE_SENT.format(course=course))
            return
        if name is not None:
            record.photo = name
            await _tell_heads(ctx, record, course, data)
    else:
        record = await _record(ctx, course, name, data)
        if record is None:
            return
    if name is None:
        _ask_photo(
            ctx, t.DECLARE_PHOTO_FAILED, t.DECLARE_PHOTO_GIVE_UP, course=course, record=record.id
        )
        return
    ctx.end_step()
    ctx.forget_prompt()
    if record_id:
        ctx.say(t.DECLARE_PHOTO_ADDED.format(course=course))
    else:
        ctx.say(f"{t.DECLARE_SENT.format(course=course)}\n{t.DECLARE_PHOTO_SAVED}")


def _save(ctx: Context, data: bytes | None) -> str | None:
    """Write the picture to the media directory; None when there is nothing or no room."""
    suffix = image_suffix(data) if data else None
    if data is None or suffix is None or ctx.media is None:
        return None
    try:
        return ctx.media.save(data, suffix)
    except OSError as error:
        log.warning("certificate picture not saved: %s", type(error).__name__)
        return None


async def _record(
    ctx: Context, course: str, photo: str | None, data: bytes | None
) -> OfflineLearning | None:
    """Record the declaration for the village head to confirm, and tell the heads."""
    household = await ctx.session.get(Household, ctx.user.household_id or 0)
    if not course or household is None:
        if photo is not None and ctx.media is not None:
            ctx.media.delete(photo)
        ctx.ask(t.DECLARE_ASK, [BACK], step="declare")
        return None
    record = OfflineLearning(
        household_id=household.id,
        user_id=ctx.user.id,
        date=ctx.now,
        note=course[:200],
        recorded_by=ctx.user.id,
        source="platform",
        confirmed_at=None,
        photo=photo,
    )
    ctx.session.add(record)
    await ctx.session.flush()
    await _tell_heads(ctx, record, course, data)
    return record


async def _tell_heads(
    ctx: Context, record: OfflineLearning, course: str, photo: bytes | None
) -> None:
    """Queue for the village's heads a note, with the picture and a confirm button if any."""
    household = await ctx.session.get(Household, record.household_id)
    if household is None:
        return
    heads = list(
        await ctx.session.scalars(
            select(User.id).where(
                User.role == VILLAGE_HEAD,
                User.scope_village_id == household.village_id,
                User.deleted_at.is_(None),
            )
        )
    )
    told = t.DECLARE_HEAD_PHOTO if photo is not None else t.DECLARE_HEAD_TOLD
    text = told.format(head=household.head_name, course=course)
    options = (Option(t.DECLARE_HEAD_CONFIRM, WaitingList("dh", str(record.id)).pack()),)
    key = PHOTO_KEY.format(record=record.id) + ("photo:" if photo is not None else "")
    for user_id, identity in (await reachable_identities(ctx.session, heads)).items():
        await enqueue(
            ctx.session,
            channel=identity.channel,
            chat_id=identity.chat_id,
            user_id=user_id,
            text=text,
            kind="declared",
            dedupe_key=f"{key}{user_id}",
            not_before=ctx.now,
            options=options,
            photo_ref=record.photo if photo is not None else None,
            filename="chung-nhan" + (image_suffix(photo) or ".jpg") if photo else None,
        )
        await _offer_confirm(ctx, user_id, Reply(text, options))


async def _offer_confirm(ctx: Context, head_id: int, reply: Reply) -> None:
    """Make the notice's confirm button the head's current question, if they are not busy.

    A head in the middle of a step (recording a class, typing a total) keeps it: the notice
    says /chuahoc, where the course waits too. The head's row is locked first on PostgreSQL.
    """
    if head_id == ctx.user.id:
        return
    head = await ctx.session.get(User, head_id)
    if head is None:
        return
    if ctx.session.get_bind().dialect.name == "postgresql":
        await ctx.session.refresh(head, with_for_update=True)
    state = dict(head.state or {})
    if state.get("step"):
        return
    state.update(prompt=payload_of(reply), step=None, data={})
    head.state = state
