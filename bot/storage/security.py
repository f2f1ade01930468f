"""Counting failed code tries in security records that /xoadulieu cannot reset."""

from __future__ import annotations

import hashlib
from datetime import datetime, timedelta

from sqlalchemy import delete, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.storage.models import SecurityRecord

KEPT_FOR = timedelta(hours=24)
LINK_FAIL = "link_fail"
INVITE_FAIL = "invite_fail"
EVERYONE = "all"


def account_key(channel: str, external_id: str) -> str:
    """Name an app account without keeping its id: a one-way hash of channel and account."""
    digest = hashlib.sha256(f"{channel}\x00{external_id}".encode()).hexdigest()
    return f"acct:{digest}"


async def record_failure(session: AsyncSession, kind: str, keys: list[str], now: datetime) -> None:
    """Count one failed try against each key (an account, a code, everyone)."""
    session.add_all(SecurityRecord(kind=kind, key=key, at=now) for key in keys)
    await session.flush()


async def failures(session: AsyncSession, kind: str, key: str, since: datetime) -> int:
    """Count the failed tries of a kind against a key since a moment."""
    count = await session.scalar(
        select(func.count(SecurityRecord.id)).where(
            SecurityRecord.kind == kind, SecurityRecord.key == key, SecurityRecord.at > since
        )
    )
    return int(count or 0)


async def prune_security_records(session: AsyncSession, now: datetime) -> int:
    """Delete the records older than 24 hours; return how many went."""
    result = await session.execute(
        delete(SecurityRecord).where(SecurityRecord.at <= now - KEPT_FOR)
    )
    return int(getattr(result, "rowcount", 0) or 0)
