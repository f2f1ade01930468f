"""Tell a commune's staff about a village's change, through the outbox."""

from __future__ import annotations

from sqlalchemy import select

from bot.core.auth import STAFF
from bot.core.context import Context
from bot.delivery.outbox import enqueue, reachable_identities
from bot.storage.models import User


async def tell_staff(ctx: Context, commune_id: int, text: str, kind: str, key: str) -> int:
    """Queue `text` for every reachable staff member of the commune; return how many."""
    staff = list(
        await ctx.session.scalars(
            select(User.id).where(
                User.role == STAFF, User.scope_commune_id == commune_id, User.deleted_at.is_(None)
            )
        )
    )
    queued = 0
    for user_id, identity in (await reachable_identities(ctx.session, staff)).items():
        await enqueue(
            ctx.session,
            channel=identity.channel,
            chat_id=identity.chat_id,
            user_id=user_id,
            text=text,
            kind=kind,
            dedupe_key=f"{kind}:{key}:{user_id}",
            not_before=ctx.now,
        )
        queued += 1
    return queued
