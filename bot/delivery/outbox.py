"""The outbox: proactive messages as rows with a unique dedupe key; planning twice is harmless."""

from __future__ import annotations

from datetime import datetime
from typing import Any, cast

from sqlalchemy import func, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.engine import CursorResult
from sqlalchemy.ext.asyncio import AsyncSession

from bot.core.messages import Option, Reply
from bot.storage.models import Identity, OutboxMessage, utcnow

STATUSES = ("pending", "sending", "sent", "failed", "unreachable")


def payload_of(reply: Reply) -> dict[str, Any]:
    """Store a reply as JSON."""
    return {"text": reply.text, "options": [[o.label, o.payload] for o in reply.options]}


def reply_of(payload: dict[str, Any]) -> Reply:
    """Rebuild a reply from its JSON."""
    options = tuple(Option(label, data) for label, data in payload.get("options", []))
    return Reply(str(payload.get("text", "")), options)


async def enqueue(
    session: AsyncSession,
    *,
    channel: str,
    chat_id: str,
    text: str,
    kind: str,
    dedupe_key: str,
    not_before: datetime | None = None,
    user_id: int | None = None,
    broadcast_id: int | None = None,
    options: tuple[Option, ...] = (),
) -> bool:
    """Add a message unless one with the same dedupe key exists; return True if added."""
    values = {
        "channel": channel,
        "chat_id": chat_id,
        "user_id": user_id,
        "payload": payload_of(Reply(text, options)),
        "dedupe_key": dedupe_key[:200],
        "kind": kind,
        "not_before": not_before or utcnow(),
        "attempts": 0,
        "status": "pending",
        "created_at": utcnow(),
        "broadcast_id": broadcast_id,
    }
    insert = pg_insert if session.get_bind().dialect.name == "postgresql" else sqlite_insert
    result = await session.execute(
        insert(OutboxMessage)
        .values(**values)
        .on_conflict_do_nothing(index_elements=["dedupe_key"])
    )
    return bool(cast("CursorResult[Any]", result).rowcount)


async def reachable_identities(session: AsyncSession, user_ids: list[int]) -> dict[int, Identity]:
    """Return, per user, the identity to write to: the newest one not marked unreachable."""
    if not user_ids:
        return {}
    rows = await session.scalars(
        select(Identity)
        .where(Identity.user_id.in_(user_ids), Identity.unreachable_at.is_(None))
        .order_by(Identity.created_at, Identity.id)
    )
    return {identity.user_id: identity for identity in rows}


async def status_counts(session: AsyncSession) -> dict[tuple[str, str], int]:
    """Count outbox rows by (kind, status)."""
    rows = await session.execute(
        select(OutboxMessage.kind, OutboxMessage.status, func.count(OutboxMessage.id)).group_by(
            OutboxMessage.kind, OutboxMessage.status
        )
    )
    return {(kind, status): count for kind, status, count in rows.all()}


async def recent_failures(session: AsyncSession, limit: int = 10) -> list[OutboxMessage]:
    """Return the latest messages that could not be delivered."""
    rows = await session.scalars(
        select(OutboxMessage)
        .where(OutboxMessage.status.in_(("failed", "unreachable")))
        .order_by(OutboxMessage.id.desc())
        .limit(limit)
    )
    return list(rows)
