"""The dispatcher: claim due outbox rows with a lease, send them, record what happened."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Mapping
from datetime import datetime, timedelta

from sqlalchemy import or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.channels.base import Channel, PermanentFailure, Unreachable
from bot.delivery.outbox import reply_of
from bot.storage.db import transaction
from bot.storage.models import OutboxMessage, utcnow

log = logging.getLogger(__name__)

MAX_ATTEMPTS = 3
BACKOFF = (timedelta(seconds=10), timedelta(seconds=60))


class Dispatcher:
    """Deliver the outbox at least once: a row is leased, sent, then marked.

    A process killed between sending and marking leaves the row leased; after the lease
    expires another run sends it again. That window (the lease, 60 s by default) is the only
    way a message can arrive twice.
    """

    def __init__(
        self,
        sessions: async_sessionmaker[AsyncSession],
        channels: Mapping[str, Channel],
        *,
        batch: int = 200,
        lease: timedelta = timedelta(seconds=60),
        concurrency: int = 32,
        clock: Callable[[], datetime] = utcnow,
    ) -> None:
        self.sessions = sessions
        self.channels = channels
        self.batch = batch
        self.lease = lease
        self.clock = clock
        self._slots = asyncio.Semaphore(concurrency)
        self._waiting: set[int] = set()  # claimed, not yet being sent
        self._inflight: set[asyncio.Task[None]] = set()
        self._stopping = False

    async def run_once(self) -> int:
        """Claim and send one batch of due messages; return how many were claimed."""
        if self._stopping:
            return 0
        rows = await self.claim()
        if rows:
            self._waiting.update(row.id for row in rows)
            tasks = [asyncio.create_task(self._deliver(row)) for row in rows]  # owned: stop()
            self._inflight.update(tasks)
            try:
                await asyncio.gather(*tasks, return_exceptions=True)
            finally:
                self._inflight.difference_update(tasks)
        return len(rows)

    async def stop(self, grace: float = 3.0) -> None:
        """Stop claiming; let sends finish for `grace` seconds; hand back every other lease."""
        self._stopping = True
        pending, self._waiting = list(self._waiting), set()
        if pending:
            await self._release(pending)
        if self._inflight:
            _, late = await asyncio.wait(set(self._inflight), timeout=grace)
            for task in late:
                task.cancel()  # each releases its own row on the way out
            await asyncio.gather(*late, return_exceptions=True)

    async def _release(self, ids: list[int]) -> None:
        async with transaction(self.sessions) as session:
            await session.execute(
                update(OutboxMessage)
                .where(OutboxMessage.id.in_(ids), OutboxMessage.status == "sending")
                .values(status="pending", lease_until=None, attempts=OutboxMessage.attempts - 1)
            )

    async def drain(self, max_rounds: int = 1000) -> int:
        """Send until nothing is due (for the CLI and tests)."""
        total = 0
        for _ in range(max_rounds):
            claimed = await self.run_once()
            total += claimed
            if not claimed:
                break
        return total

    async def claim(self) -> list[OutboxMessage]:
        """Lease the due rows of the channels this process can send to."""
        now = self.clock()
        async with transaction(self.sessions) as session:
            query = (
                select(OutboxMessage)
                .where(
                    OutboxMessage.channel.in_(list(self.channels)),
                    or_(
                        (OutboxMessage.status == "pending") & (OutboxMessage.not_before <= now),
                        (OutboxMessage.status == "sending") & (OutboxMessage.lease_until < now),
                    ),
                )
                .order_by(OutboxMessage.not_before, OutboxMessage.id)
                .limit(self.batch)
            )
            if session.bind.dialect.name == "postgresql":
                query = query.with_for_update(skip_locked=True)
            rows = list(await session.scalars(query))
            for row in rows:
                row.status = "sending"
                row.lease_until = now + self.lease
                row.attempts += 1
            return rows

    async def _deliver(self, row: OutboxMessage) -> None:
        async with self._slots:
            if row.id not in self._waiting:
                return  # handed back by stop()
            self._waiting.discard(row.id)
            channel = self.channels[row.channel]
            try:
                ref = await channel.send(row.chat_id, reply_of(row.payload))
            except asyncio.CancelledError:
                await asyncio.shield(self._release([row.id]))  # shutting down: not sent
                raise
            except Unreachable:
                await self._finish(row, "unreachable", "blocked by the user")
            except PermanentFailure as error:
                await self._finish(row, "failed", str(error))
            except Exception as error:
                log.warning("outbox send failed", extra={"outbox_id": row.id, "kind": row.kind})
                if row.attempts >= MAX_ATTEMPTS:
                    await self._finish(row, "failed", _describe(error))
                else:
                    retry_at = self.clock() + BACKOFF[min(row.attempts, len(BACKOFF)) - 1]
                    await self._finish(row, "pending", _describe(error), not_before=retry_at)
            else:
                await self._finish(row, "sent", None, sent_at=self.clock(), message_ref=ref)

    async def _finish(
        self,
        row: OutboxMessage,
        status: str,
        error: str | None,
        *,
        not_before: datetime | None = None,
        sent_at: datetime | None = None,
        message_ref: str | None = None,
    ) -> None:
        values: dict[str, object] = {"status": status, "lease_until": None, "last_error": error}
        if message_ref is not None:
            values["message_ref"] = message_ref
        if not_before is not None:
            values["not_before"] = not_before
        if sent_at is not None:
            values["sent_at"] = sent_at
        async with transaction(self.sessions) as session:
            await session.execute(
                update(OutboxMessage)
                .where(OutboxMessage.id == row.id, OutboxMessage.status == "sending")
                .values(**values)
            )


def _describe(error: BaseException) -> str:
    return f"{type(error).__name__}: {error}"[:500]
