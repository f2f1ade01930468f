"""Queries about channel identities: reachability."""

from __future__ import annotations

from sqlalchemy import update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.storage.db import transaction
from bot.storage.models import Identity, utcnow


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
