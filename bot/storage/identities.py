"""Queries about channel identities: reachability."""

from __future__ import annotations

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.storage.db import transaction
from bot.storage.models import Identity, User, utcnow


async def role_chats(
    sessions: async_sessionmaker[AsyncSession], channel: str
) -> list[tuple[str, str]]:
    """(chat id, role) of a channel's accounts whose person holds a role."""
    async with sessions() as session:
        rows = await session.execute(
            select(Identity.chat_id, User.role)
            .join(User, User.id == Identity.user_id)
            .where(Identity.channel == channel, User.role != "resident", User.deleted_at.is_(None))
        )
        return [(chat_id, role) for chat_id, role in rows.all()]


async def mark_unreachable(
    sessions: async_sessionmaker[AsyncSession], channel: str, chat_id: str
) -> None:
    """Record that a chat blocked the bot (it becomes reachable again when they write)."""
    async with transaction(sessions) as session:
        await session.execute(
            update(Identity)
            .where(
                Identity.channel == channel,
                Identity.chat_id == chat_id,
                Identity.unreachable_at.is_(None),
            )
            .values(unreachable_at=utcnow())
        )
