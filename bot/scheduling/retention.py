"""The retention job: forget what is no longer needed (run hourly with the planner)."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete
from sqlalchemy.ext.asyncio import AsyncSession

from bot.delivery.outbox import prune_finished
from bot.storage.models import ProcessedUpdate
from bot.storage.security import prune_security_records

log = logging.getLogger(__name__)

PROCESSED_UPDATES_KEPT = timedelta(hours=48)  # longer than any platform redelivers an update


@dataclass(frozen=True)
class Pruned:
    """How many rows of each kind the retention job removed."""

    processed_updates: int
    outbox: int
    security_records: int


async def prune_expired(session: AsyncSession, now: datetime) -> Pruned:
    """Delete processed-update keys (> 48 h), finished outbox rows (> 90 days) and security
    records (> 24 h)."""
    result = await session.execute(
        delete(ProcessedUpdate)
        .where(ProcessedUpdate.at < now - PROCESSED_UPDATES_KEPT)
        .execution_options(synchronize_session=False)
    )
    pruned = Pruned(
        processed_updates=int(getattr(result, "rowcount", 0) or 0),
        outbox=await prune_finished(session, now),
        security_records=await prune_security_records(session, now),
    )
    if any((pruned.processed_updates, pruned.outbox, pruned.security_records)):
        log.info("retention", extra={"pruned": pruned.__dict__})
    return pruned
