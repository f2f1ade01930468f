"""Notices from staff: recipients, quiet hours, fan-out through the outbox, live progress."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from datetime import datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.channels.base import Channel
from bot.delivery.outbox import enqueue, reachable_identities
from bot.storage.db import transaction
from bot.storage.models import Broadcast, Commune, OutboxMessage, User, Village
from bot.text import progress_bar

log = logging.getLogger(__name__)

QUIET_FROM, QUIET_UNTIL = time(21), time(7)
PROGRESS = "📣 Đang gửi thông báo: {sent}/{total} {bar}"
FINISHED = (
    "✅ Đã gửi xong thông báo: {sent}/{total} người nhận.\n"
    "Không gửi được: {failed}. Chưa liên lạc được (đã chặn bot hoặc chưa nhắn cho bot): {away}."
)


def number(n: int) -> str:
    """Format a count the Vietnamese way: 1.500."""
    return f"{n:,}".replace(",", ".")


def progress_text(sent: int, total: int) -> str:
    """Render "Đang gửi 820/1.500 ▓▓▓▓░░░"."""
    return PROGRESS.format(
        sent=number(sent), total=number(total), bar=progress_bar(sent, total, 10)
    )


def after_quiet_hours(now: datetime, zone: str) -> datetime:
    """Return `now`, or 07:00 local when `now` falls between 21:00 and 07:00."""
    tz = ZoneInfo(zone)
    local = now.astimezone(tz)
    if QUIET_UNTIL <= local.time() < QUIET_FROM:
        return now
    day = local.date() + (timedelta(days=1) if local.time() >= QUIET_FROM else timedelta())
    return datetime.combine(day, QUIET_UNTIL, tz)


async def recipients(
    session: AsyncSession, commune_id: int, audience: dict[str, Any]
) -> list[int]:
    """Return the users a notice reaches: the commune, one village, or one role."""
    active = User.deleted_at.is_(None)
    villages = select(Village.id).where(Village.commune_id == commune_id)
    kind = audience.get("kind")
    if kind == "village":
        where = or_(
            User.village_id == audience.get("village_id"),
            User.scope_village_id == audience.get("village_id"),
        )
    elif kind == "role":
        role = audience.get("role")
        where = (User.role == role) & or_(
            User.scope_commune_id == commune_id, User.scope_village_id.in_(villages)
        )
    else:
        where = or_(
            User.commune_id == commune_id,
            User.scope_commune_id == commune_id,
            User.scope_village_id.in_(villages),
        )
    rows = await session.scalars(
        select(User.id).where(active, where, User.consent_at.is_not(None)).order_by(User.id)
    )
    return list(rows)


async def start_broadcast(
    session: AsyncSession,
    *,
    commune: Commune,
    audience: dict[str, Any],
    text: str,
    sender: User,
    sender_channel: str,
    sender_chat_id: str,
    now: datetime,
) -> Broadcast:
    """Queue a notice for everyone in the audience and the sender's progress message."""
    users = await recipients(session, commune.id, audience)
    reach = await reachable_identities(session, users)
    broadcast = Broadcast(
        commune_id=commune.id,
        audience=audience,
        text=text,
        created_by=sender.id,
        created_at=now,
        total=len(reach),
        unreachable=len(users) - len(reach),
        progress_channel=sender_channel,
        progress_chat_id=sender_chat_id,
    )
    session.add(broadcast)
    await session.flush()
    send_at = after_quiet_hours(now, commune.timezone)
    for user_id, identity in reach.items():
        await _enqueue(
            session, identity.channel, identity.chat_id, user_id, text, send_at, broadcast.id
        )
    broadcast.progress_text = progress_text(0, broadcast.total)
    await enqueue(
        session,
        channel=sender_channel,
        chat_id=sender_chat_id,
        user_id=sender.id,
        text=broadcast.progress_text,
        kind="broadcast_progress",
        dedupe_key=f"bcp:{broadcast.id}",
        not_before=now,
    )
    return broadcast


async def _enqueue(
    session: AsyncSession,
    channel: str,
    chat_id: str,
    user_id: int,
    text: str,
    send_at: datetime,
    broadcast_id: int,
) -> None:
    await enqueue(
        session,
        channel=channel,
        chat_id=chat_id,
        user_id=user_id,
        text=f"📣 Thông báo của xã:\n{text}",
        kind="broadcast",
        dedupe_key=f"bc:{broadcast_id}:{user_id}",
        not_before=send_at,
        broadcast_id=broadcast_id,
    )


async def update_progress(
    sessions: async_sessionmaker[AsyncSession], channels: Mapping[str, Channel], now: datetime
) -> None:
    """Edit each running notice's progress message; send the final counts when done."""
    async with transaction(sessions) as session:
        running = list(
            await session.scalars(select(Broadcast).where(Broadcast.finished_at.is_(None)))
        )
        for broadcast in running:
            counts = dict(
                (
                    await session.execute(
                        select(OutboxMessage.status, func.count(OutboxMessage.id))
                        .where(
                            OutboxMessage.broadcast_id == broadcast.id,
                            OutboxMessage.kind == "broadcast",
                        )
                        .group_by(OutboxMessage.status)
                    )
                ).all()
            )
            progress = await session.scalar(
                select(OutboxMessage).where(OutboxMessage.dedupe_key == f"bcp:{broadcast.id}")
            )
            sent = counts.get("sent", 0)
            done = not counts.get("pending") and not counts.get("sending")
            text = (
                FINISHED.format(
                    sent=number(sent),
                    total=number(broadcast.total + broadcast.unreachable),
                    failed=number(counts.get("failed", 0)),
                    away=number(counts.get("unreachable", 0) + broadcast.unreachable),
                )
                if done
                else progress_text(sent, broadcast.total)
            )
            channel = channels.get(broadcast.progress_channel or "")
            if progress is None or channel is None or progress.status != "sent":
                continue  # the progress message itself is not out yet
            if text != broadcast.progress_text:
                edited = False
                if progress.message_ref:
                    try:
                        edited = await channel.edit(
                            broadcast.progress_chat_id or "", progress.message_ref, text
                        )
                    except Exception:
                        log.warning("progress edit failed", extra={"broadcast_id": broadcast.id})
                if not edited and done:
                    await enqueue(
                        session,
                        channel=broadcast.progress_channel or "",
                        chat_id=broadcast.progress_chat_id or "",
                        user_id=broadcast.created_by,
                        text=text,
                        kind="broadcast_progress",
                        dedupe_key=f"bcf:{broadcast.id}",
                        not_before=now,
                    )
                broadcast.progress_text = text
            if done:
                broadcast.finished_at = now
