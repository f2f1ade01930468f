"""The outbox: proactive messages as rows with a unique dedupe key; planning twice is harmless."""

from __future__ import annotations

import base64
from collections.abc import Collection, Iterable, Sequence
from datetime import datetime, timedelta
from typing import Any, Protocol, cast
from uuid import uuid4

from sqlalchemy import Table, delete, func, insert, or_, select, tuple_, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncSession

from bot.core.messages import Option, Reply
from bot.media import MediaDir
from bot.storage.db import dialect
from bot.storage.models import Identity, OutboxMessage, utcnow

STATUSES = ("pending", "sending", "sent", "failed", "unreachable", "cancelled")
REPLY = "reply"
# Replies are committed already leased to the process that handles the update, which sends them
# right after the commit (the fast path). A crash between the commit and the send leaves them
# leased: when the lease runs out the dispatcher (of any process) sends them.
REPLY_LEASE = timedelta(seconds=15)
KEPT_FOR = timedelta(days=90)  # sent, failed, unreachable and cancelled rows


def payload_of(reply: Reply) -> dict[str, Any]:
    """Store a reply as JSON (a photo or document as base64)."""
    data: dict[str, Any] = {
        "text": reply.text,
        "options": [[o.label, o.payload] for o in reply.options],
    }
    for key in ("photo", "document"):
        value = getattr(reply, key)
        if value is not None:
            data[key] = base64.b64encode(value).decode()
    if reply.filename:
        data["filename"] = reply.filename
    if reply.photo_ref:
        data["photo_ref"] = reply.photo_ref
    return data


def reply_of(payload: dict[str, Any], media: MediaDir | None = None) -> Reply:
    """Rebuild a reply from its JSON; a picture named from the media directory is read now.

    A picture deleted since (the person deleted their data) leaves the text alone.
    """
    options = tuple(Option(label, data) for label, data in payload.get("options", []))
    photo, document = (
        base64.b64decode(payload[key]) if payload.get(key) else None
        for key in ("photo", "document")
    )
    ref = payload.get("photo_ref")
    if photo is None and ref and media is not None:
        photo = media.read(str(ref))
    filename = payload.get("filename") if photo is not None or document is not None else None
    shared = str(ref) if ref and photo is not None else None  # channels that link to it
    return Reply(str(payload.get("text", "")), options, photo, document, filename, shared)


MENU = "menu"  # a row that sets a person's command menu to a role's (Telegram), sends no text


async def enqueue_menu(
    session: AsyncSession, *, channel: str, chat_id: str, user_id: int, role: str, key: str
) -> None:
    """Queue the change of a person's command menu to their (new) role's."""
    insert = pg_insert if dialect(session) == "postgresql" else sqlite_insert
    await session.execute(
        insert(OutboxMessage)
        .values(
            channel=channel,
            chat_id=chat_id,
            user_id=user_id,
            payload={"text": "", "options": [], "menu": role},
            dedupe_key=key[:200],
            kind=MENU,
            not_before=utcnow(),
            attempts=0,
            status="pending",
            created_at=utcnow(),
        )
        .on_conflict_do_nothing(index_elements=["dedupe_key"])
    )


def reply_key(channel: str, update_key: str | None) -> str:
    """The dedupe-key prefix of an update's replies (a random one for updates without a key)."""
    return f"r:{channel}:{update_key or uuid4().hex}:"


_OUTBOX = cast(Table, OutboxMessage.__table__)
_INSERT_REPLIES = insert(_OUTBOX).returning(_OUTBOX.c.id, sort_by_parameter_order=True)


async def add_replies(
    session: AsyncSession,
    *,
    channel: str,
    chat_id: str,
    user_id: int | None,
    replies: Sequence[Reply],
    update_key: str | None,
    now: datetime,
) -> list[int]:
    """Write an update's replies to the outbox, in the transaction of the state they answer.

    They are written leased ("sending") to this process, which sends them after the commit.
    """
    if not replies:
        return []
    prefix = reply_key(channel, update_key)
    rows = [
        {
            "channel": channel,
            "chat_id": chat_id,
            "user_id": user_id,
            "payload": payload_of(reply),
            "dedupe_key": f"{prefix}{index}",
            "kind": REPLY,
            "not_before": now,
            "attempts": 1,
            "status": "sending",
            "lease_until": now + REPLY_LEASE,
            "created_at": now,
        }
        for index, reply in enumerate(replies)
    ]
    # A Core insert on the table: the ORM's bulk-insert machinery costs more than the row itself
    # on the path every update takes (bench/RESULTS.md, "updates").
    connection = await session.connection()
    result = await connection.execute(_INSERT_REPLIES, rows)
    return [row[0] for row in result.all()]


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
    filename: str | None = None,
    photo_ref: str | None = None,
) -> bool:
    """Add a message unless one with the same dedupe key exists; return True if added."""
    values = {
        "channel": channel,
        "chat_id": chat_id,
        "user_id": user_id,
        "payload": payload_of(Reply(text, options, filename=filename, photo_ref=photo_ref)),
        "dedupe_key": dedupe_key[:200],
        "kind": kind,
        "not_before": not_before or utcnow(),
        "attempts": 0,
        "status": "pending",
        "created_at": utcnow(),
        "broadcast_id": broadcast_id,
    }
    insert = pg_insert if dialect(session) == "postgresql" else sqlite_insert
    result = await session.execute(
        insert(OutboxMessage)
        .values(**values)
        .on_conflict_do_nothing(index_elements=["dedupe_key"])
    )
    return bool(getattr(result, "rowcount", 0))


async def drop_photos(session: AsyncSession, key_prefix: str) -> None:
    """Remove the photo of every message whose dedupe key starts with the prefix.

    A message still waiting is cancelled (its text named the person too); one already sent
    keeps its text for the record, without the photo.
    """
    rows = await session.scalars(
        select(OutboxMessage).where(
            OutboxMessage.dedupe_key.startswith(key_prefix, autoescape=True)
        )
    )
    for row in rows:
        if row.status == "pending":
            row.status, row.payload = "cancelled", {"text": ""}
            row.last_error = "cancelled: the person deleted their data"
        elif {"photo", "photo_ref"} & set(row.payload or {}):
            row.payload = {k: v for k, v in row.payload.items() if k not in ("photo", "photo_ref")}


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


async def cancel_pending(session: AsyncSession, user_id: int) -> int:
    """Cancel the messages still waiting for a person who deleted their data.

    Matched by user and by their app accounts (call before the accounts are deleted); the
    chat id and the text are wiped, the row stays so a notice's counts still add up.
    """
    accounts = [
        (identity.channel, identity.chat_id)
        for identity in await session.scalars(select(Identity).where(Identity.user_id == user_id))
    ]
    mine = OutboxMessage.user_id == user_id
    if accounts:
        mine = or_(mine, tuple_(OutboxMessage.channel, OutboxMessage.chat_id).in_(accounts))
    result = await session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.status == "pending", mine)
        .values(
            status="cancelled",
            chat_id="",
            user_id=None,
            payload={"text": ""},
            last_error="cancelled: the person deleted their data",
        )
        .execution_options(synchronize_session=False)
    )
    return int(getattr(result, "rowcount", 0) or 0)


async def prune_finished(session: AsyncSession, now: datetime) -> int:
    """Delete sent, failed, unreachable and cancelled messages older than 90 days."""
    result = await session.execute(
        delete(OutboxMessage)
        .where(
            OutboxMessage.status.in_(("sent", "failed", "unreachable", "cancelled")),
            OutboxMessage.created_at < now - KEPT_FOR,
        )
        .execution_options(synchronize_session=False)
    )
    return int(getattr(result, "rowcount", 0) or 0)


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


class PlannedMessage(Protocol):
    """A proactive message a planner (reminders, nudges, digests) wants sent."""

    @property
    def kind(self) -> str:
        """The outbox kind (reminder, nudge_resume, village_digest…)."""

    @property
    def user_id(self) -> int:
        """Whom it is for."""

    @property
    def channel(self) -> str:
        """Their channel."""

    @property
    def chat_id(self) -> str:
        """Their chat on it."""

    @property
    def dedupe_key(self) -> str:
        """Planned twice, added once."""

    @property
    def not_before(self) -> datetime:
        """Not sent before this moment."""

    @property
    def text(self) -> str:
        """The message."""


async def enqueue_planned(session: AsyncSession, planned: Iterable[PlannedMessage]) -> int:
    """Put planned messages in the outbox; those already there are skipped. Return how many new."""
    added = 0
    for item in planned:
        added += await enqueue(
            session,
            channel=item.channel,
            chat_id=item.chat_id,
            user_id=item.user_id,
            text=item.text,
            kind=item.kind,
            dedupe_key=item.dedupe_key,
            not_before=item.not_before,
        )
    return added


async def withdraw_planned(session: AsyncSession, user_id: int, kinds: Collection[str]) -> None:
    """Drop a person's planned messages of these kinds not sent yet (they switched them off)."""
    await session.execute(
        delete(OutboxMessage).where(
            OutboxMessage.user_id == user_id,
            OutboxMessage.kind.in_(list(kinds)),
            OutboxMessage.status == "pending",
        )
    )
