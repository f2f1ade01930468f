"""The dispatcher: claim due outbox rows with a lease, send them, record what happened."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Mapping, Sequence
from datetime import datetime, timedelta

from sqlalchemy import or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.channels.base import Channel, PermanentFailure, Unreachable
from bot.core.messages import Reply
from bot.delivery.outbox import MENU, REPLY, reply_of
from bot.locks import KeyedLocks
from bot.media import MediaDir
from bot.storage.db import dialect, transaction
from bot.storage.models import Identity, OutboxMessage, User, utcnow

log = logging.getLogger(__name__)

MAX_ATTEMPTS = 3
BACKOFF = (timedelta(seconds=10), timedelta(seconds=60))


class Dispatcher:
    """Deliver the outbox at least once: a row is leased, sent, then marked.

    A process killed between sending and marking leaves the row leased; after the lease
    expires another run sends it again. That window (the lease, 60 s by default) is the only
    way a message can arrive twice. A live process renews the leases of the rows it still holds
    whenever it claims more, so a send slowed down by retries is not claimed a second time.

    Messages to one chat go out one at a time, in the order they were claimed (the replies of
    the fast path, `send_now`, included). At send time a row is dropped ("cancelled") when its
    person deleted their data since it was planned, and marked unreachable when the chat
    blocked the bot; replies always go (they answer what the person just did).
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
        media: MediaDir | None = None,
    ) -> None:
        self.sessions = sessions
        self.media = media  # pictures an outbox row names (certificates) are read from here
        self.channels = channels
        self.batch = batch
        self.lease = lease
        self.clock = clock
        self._slots = asyncio.Semaphore(concurrency)
        self._waiting: set[int] = set()  # claimed, not yet being sent
        self._held: set[int] = set()  # claimed, not yet finished (waiting or being sent)
        self._inflight: set[asyncio.Task[None]] = set()
        self._stopping = False
        self._chats = KeyedLocks()  # one send at a time per chat, first come first served
        # Replies sent by the fast path, marked "sent" together: one transaction for all the
        # chats whose sends ended while the previous marking was under way (a group commit).
        self._to_mark: list[int] = []
        self._marked: asyncio.Future[None] | None = None
        self._marker: asyncio.Task[None] | None = None

    async def run_once(self, max_claims: int = 10_000) -> int:
        """Send what is due now; return how many rows were claimed.

        Claims go on while they come back full, keeping at most `batch` rows claimed: once half
        of them are done the next claim tops them up. So the channel never idles waiting for
        the slowest send of a batch (a retried 5xx) or for the scheduler's next tick, and every
        claimed row still waits behind fewer than `batch` others, which keeps it in its lease.
        Returns once a claim comes back short (nothing else is due) and every send has ended.
        """
        claimed = 0
        tasks: set[asyncio.Task[None]] = set()
        more = True
        try:
            for _ in range(max_claims):
                if more and not self._stopping:
                    want = self.batch - len(tasks)
                    rows = await self.claim(want)
                    if self._stopping:  # stop() came while claiming: these were never sent
                        await self._release([row.id for row in rows])
                        break
                    more = len(rows) == want
                    claimed += len(rows)
                    self._waiting.update(row.id for row in rows)
                    self._held.update(row.id for row in rows)
                    # Kept in self._inflight, awaited below and cancelled in stop().
                    new = {asyncio.create_task(self._deliver(r)) for r in rows}  # owned: see above
                    tasks |= new
                    self._inflight |= new
                # Wait until half the claimed rows are done (or all, when no claim follows).
                low = self.batch // 2 if more and not self._stopping else 0
                while len(tasks) > low:
                    done, _ = await asyncio.wait(tasks, return_when=asyncio.FIRST_COMPLETED)
                    tasks -= done
                    self._inflight -= done
                    if self._stopping:
                        low = 0
                if not more or self._stopping:
                    break
        finally:
            if tasks:
                await asyncio.gather(*tasks, return_exceptions=True)
                self._inflight -= tasks
        return claimed

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

    async def send_replies(
        self, channel_name: str, chat_id: str, ids: list[int], replies: Sequence[Reply]
    ) -> None:
        """Send an update's replies right after their commit, in order (the fast path).

        The rows were committed leased to this process (bot.delivery.outbox.add_replies), so no
        other run sends them while this one does; what is sent is marked in one transaction.
        A reply that cannot go now is handed back to the dispatcher, with the ones after it.
        """
        channel = self.channels.get(channel_name)
        if channel is None or self._stopping or not ids:
            return
        self._held.update(ids)
        sent: list[int] = []
        try:
            async with self._chats.hold((channel_name, chat_id)):
                for index, (row_id, reply) in enumerate(zip(ids, replies, strict=True)):
                    try:
                        await channel.send(chat_id, reply)
                    except Unreachable:
                        await self._finish_ids(ids[index:], "unreachable", "blocked by the user")
                        return
                    except PermanentFailure as error:
                        await self._finish_ids([row_id], "failed", str(error)[:500])
                        continue
                    except Exception as error:
                        log.warning("reply send failed", extra={"outbox_id": row_id})
                        retry_at = self.clock() + BACKOFF[0]
                        await self._finish_ids(
                            ids[index:], "pending", _describe(error), not_before=retry_at
                        )
                        return
                    sent.append(row_id)
        except asyncio.CancelledError:
            # Shutting down: what was not sent goes back to the outbox for the next run.
            unsent = [row_id for row_id in ids if row_id not in sent]
            await asyncio.shield(self._release(unsent))
            raise
        finally:
            if sent:
                await asyncio.shield(self._mark_sent(sent))
            self._held.difference_update(ids)

    async def _mark_sent(self, ids: list[int]) -> None:
        """Mark fast-path replies sent; return once their transaction is committed.

        Chats whose sends end while a marking is under way share the next one, so a busy bot
        writes one transaction for many chats instead of one each.
        """
        if self._marked is None:
            self._marked = asyncio.get_running_loop().create_future()
        done = self._marked
        self._to_mark.extend(ids)
        if self._marker is None:
            self._marker = asyncio.create_task(self._mark_batches())  # owned: ends when empty
        await asyncio.shield(done)

    async def _mark_batches(self) -> None:
        """Write the waiting "sent" marks, a batch at a time, until none are left."""
        try:
            while self._to_mark:
                ids, self._to_mark = self._to_mark, []
                done, self._marked = self._marked, None
                assert done is not None
                try:
                    await self._finish_ids(ids, "sent", None, sent_at=self.clock())
                except Exception as error:
                    done.set_exception(error)
                except BaseException:
                    done.cancel()
                    raise
                else:
                    done.set_result(None)
        finally:
            self._marker = None
            if self._to_mark:  # cut off (shutting down): nobody may wait for a batch forever
                self._to_mark = []
                if self._marked is not None:
                    self._marked.cancel()
                    self._marked = None

    async def send_pending_replies(self, prefix: str) -> None:
        """Send the replies of an update delivered again whose send never finished (a crash)."""
        now = self.clock()
        async with transaction(self.sessions) as session:
            rows = list(
                await session.scalars(
                    select(OutboxMessage)
                    .where(
                        OutboxMessage.dedupe_key.startswith(prefix, autoescape=True),
                        or_(
                            OutboxMessage.status == "pending",
                            (OutboxMessage.status == "sending")
                            & (OutboxMessage.lease_until < now),
                        ),
                    )
                    .order_by(OutboxMessage.id)
                )
            )
            for row in rows:
                row.status, row.lease_until = "sending", now + self.lease
                row.attempts += 1
        if rows:
            await self.send_replies(
                rows[0].channel,
                rows[0].chat_id,
                [row.id for row in rows],
                [reply_of(row.payload, self.media) for row in rows],
            )

    async def _finish_ids(
        self,
        ids: list[int],
        status: str,
        error: str | None,
        *,
        not_before: datetime | None = None,
        sent_at: datetime | None = None,
    ) -> None:
        values: dict[str, object] = {"status": status, "lease_until": None, "last_error": error}
        if not_before is not None:
            values["not_before"] = not_before
        if sent_at is not None:
            values["sent_at"] = sent_at
        async with transaction(self.sessions) as session:
            await session.execute(
                update(OutboxMessage)
                .where(OutboxMessage.id.in_(ids), OutboxMessage.status == "sending")
                .values(**values)
            )

    async def claim(self, limit: int | None = None) -> list[OutboxMessage]:
        """Lease up to `limit` (default: `batch`) due rows of the channels this process serves.

        The rows this process still holds get their lease renewed first: a send slowed down by
        retries must not outlive its lease and be claimed a second time while it is under way.
        """
        now = self.clock()
        async with transaction(self.sessions) as session:
            if self._held:
                await session.execute(
                    update(OutboxMessage)
                    .where(OutboxMessage.id.in_(list(self._held)))
                    .where(OutboxMessage.status == "sending")
                    .values(lease_until=now + self.lease)
                )
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
                .limit(self.batch if limit is None else limit)
            )
            if dialect(session) == "postgresql":
                query = query.with_for_update(skip_locked=True)
            rows = list(await session.scalars(query))
            gone = await _not_to_send(session, rows)
            for row in rows:
                if row.id in gone:
                    row.status, row.last_error = gone[row.id]
                    continue
                row.status = "sending"
                row.lease_until = now + self.lease
                row.attempts += 1
            return [row for row in rows if row.id not in gone]

    async def _deliver(self, row: OutboxMessage) -> None:
        try:
            await self._send(row)
        finally:
            self._held.discard(row.id)

    async def _send(self, row: OutboxMessage) -> None:
        async with self._chats.hold((row.channel, row.chat_id)), self._slots:
            if row.id not in self._waiting:
                return  # handed back by stop()
            self._waiting.discard(row.id)
            channel = self.channels[row.channel]
            try:
                if row.kind == MENU:
                    # Only apps with command menus (Telegram) have one to change.
                    setter = getattr(channel, "set_role_commands", None)
                    if setter is not None:
                        await setter(row.chat_id, str(row.payload.get("menu", "resident")))
                    await self._finish(row, "sent", None, sent_at=self.clock())
                    return
                ref = await channel.send(row.chat_id, reply_of(row.payload, self.media))
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


async def _not_to_send(
    session: AsyncSession, rows: list[OutboxMessage]
) -> dict[int, tuple[str, str]]:
    """Rows that must not go out any more, with the status and reason to record."""
    planned = [row for row in rows if row.kind != REPLY]
    if not planned:
        return {}
    users = {row.user_id for row in planned if row.user_id is not None}
    deleted = set(
        await session.scalars(
            select(User.id).where(User.id.in_(users), User.deleted_at.is_not(None))
        )
    )
    chats = {(row.channel, row.chat_id) for row in planned}
    blocked = set(
        (
            await session.execute(
                select(Identity.channel, Identity.chat_id).where(
                    Identity.chat_id.in_({chat for _, chat in chats}),
                    Identity.unreachable_at.is_not(None),
                )
            )
        ).all()
    )
    gone: dict[int, tuple[str, str]] = {}
    for row in planned:
        if row.user_id in deleted:
            gone[row.id] = ("cancelled", "the person deleted their data")
        elif (row.channel, row.chat_id) in blocked:
            gone[row.id] = ("unreachable", "blocked by the user")
    return gone


def _describe(error: BaseException) -> str:
    return f"{type(error).__name__}: {error}"[:500]
