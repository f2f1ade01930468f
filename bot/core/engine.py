"""The engine: identity → user, one message at a time per user, dedupe, route, commit."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from datetime import datetime
from typing import Any

from sqlalchemy import bindparam, insert, inspect, select, update
from sqlalchemy.exc import DBAPIError, IntegrityError, InterfaceError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from sqlalchemy.orm import make_transient_to_detached
from sqlalchemy.orm.attributes import set_committed_value

from bot.core.context import Context
from bot.core.files import (
    MAX_PHOTO_BYTES,
    Download,
    FileSource,
    FileTooBig,
    FileUnavailable,
    image_suffix,
)
from bot.core.messages import Inbound, Outcome, Reply
from bot.core.router import Router
from bot.delivery.outbox import add_replies
from bot.lessons.model import Curriculum
from bot.locks import KeyedLocks
from bot.media import MediaDir
from bot.metrics import Metrics
from bot.storage.db import dialect
from bot.storage.models import Identity, ProcessedUpdate, User, utcnow


class AccountTaken(Exception):
    """Another worker created this channel account while we were creating it."""


log = logging.getLogger(__name__)

BUSY = "Hệ thống đang bận, bạn thử lại sau nhé 🙏"
# Said once when a message could not be handled for a passing reason and will be handled again.
BUSY_RETRY = "Hệ thống đang bận, mình sẽ trả lời bạn ngay khi xong nhé 🙏"


def transient(error: BaseException) -> bool:
    """Tell whether a failure may pass by itself (database locked, down or out of connections)."""
    if isinstance(error, OperationalError | InterfaceError | PoolTimeout | OSError | TimeoutError):
        return True
    return isinstance(error, DBAPIError) and error.connection_invalidated


class Engine:
    """Turn an Inbound into replies, with the user's state read and written in one transaction."""

    def __init__(
        self,
        sessions: async_sessionmaker[AsyncSession],
        router: Router,
        curriculum: Curriculum,
        clock: Callable[[], datetime] = utcnow,
        metrics: Metrics | None = None,
        media: MediaDir | None = None,
    ) -> None:
        self.metrics = metrics
        self.media = media  # where pictures people send are kept (none: they are not kept)
        self.files: FileSource | None = None  # set by the pipeline: fetches through channels
        self.sessions = sessions
        self.router = router
        self.curriculum = curriculum
        self.clock = clock
        self.locks = KeyedLocks()

    async def handle(self, inbound: Inbound) -> Outcome:
        """Handle one message; never raises: errors become a kind "busy" reply and a log line."""
        started = time.perf_counter()
        outcome = await self._handle(inbound)
        if self.metrics is not None:
            channel = inbound.channel
            self.metrics.updates.labels(channel).inc()
            self.metrics.replies.labels(channel).inc(len(outcome.replies))
            self.metrics.latency.labels(channel).observe(time.perf_counter() - started)
            if outcome.failed:
                self.metrics.errors.labels(channel).inc()
        return outcome

    async def _handle(self, inbound: Inbound) -> Outcome:
        user_id: int | None = None
        try:
            # The account lock is taken before any await, so one person's messages keep their
            # order; the user lock covers a person writing from two linked apps at once.
            async with self.locks.hold((inbound.channel, inbound.external_id)):
                download = await self._prefetch(inbound)
                try:
                    done = await self._handle_at_once(inbound, download)
                except AccountTaken:  # created a moment ago by another worker
                    done = None
                if done is not None:
                    return done
                user_id = await self.user_for(inbound)
                async with self.locks.hold(user_id):
                    return await self._handle_locked(inbound, user_id, download)
        except IntegrityError:
            try:
                if inbound.update_key and await self._already_processed(inbound):
                    return Outcome(duplicate=True, user_id=user_id)
            except Exception as lookup:
                log.exception("handling failed", extra=_context(inbound, user_id))
                if transient(lookup):
                    return Outcome([Reply(BUSY_RETRY)], user_id=user_id, failed=True, retry=True)
            log.exception("integrity error", extra=_context(inbound, user_id))
        except Exception as error:
            log.exception("handling failed", extra=_context(inbound, user_id))
            if transient(error):
                return Outcome([Reply(BUSY_RETRY)], user_id=user_id, failed=True, retry=True)
        return Outcome([Reply(BUSY)], user_id=user_id, failed=True)

    async def _prefetch(self, inbound: Inbound) -> Download | None:
        """Fetch a picture sent to a step that takes one, before any transaction opens.

        The download (a few seconds at most) runs under the account's in-process lock only, so
        the person's messages keep their order while no database lock or connection is held.
        Pictures no step waits for are never fetched.
        """
        if inbound.file is None or self.files is None:
            return None
        async with self.sessions() as session:
            state = await session.scalar(
                select(User.state)
                .join(Identity, Identity.user_id == User.id)
                .where(
                    Identity.channel == inbound.channel,
                    Identity.external_id == inbound.external_id,
                )
            )
        if not self.router.takes_media((state or {}).get("step")):
            return None
        if inbound.file.size is not None and inbound.file.size > MAX_PHOTO_BYTES:
            return Download(problem="too_big")
        try:
            data = await self.files.fetch(inbound.file, MAX_PHOTO_BYTES)
        except FileTooBig:
            return Download(problem="too_big")
        except FileUnavailable as error:
            # The reason only: a file id or URL points at personal data.
            log.warning(
                "picture not fetched: %s",
                type(error.__cause__ or error).__name__,
                extra={"channel": inbound.channel},
            )
            return Download(problem="failed")
        if image_suffix(data) is None:
            return Download(problem="not_image")
        return Download(data=data)

    async def _handle_at_once(
        self, inbound: Inbound, download: Download | None = None
    ) -> Outcome | None:
        """Handle a message in one transaction, when nothing has to wait.

        The common case: the account exists and its user is not busy with a message from a
        linked account (the account and its user are read in one query), or it is a new
        person's first message (account and user are created, and the message handled, in the
        same transaction). Otherwise return None and let the general path (look-up, then the
        user lock, then the work, in two transactions) take over, so no session is ever held
        while waiting for a lock.
        """
        async with self.sessions() as session, session.begin():
            connection = await session.connection()
            found = (
                await connection.execute(
                    _KNOWN, {"channel": inbound.channel, "external_id": inbound.external_id}
                )
            ).first()
            if found is None:
                user = await self._first_contact(session, inbound)
                async with self.locks.hold_if_free(user.id) as free:
                    assert free  # nobody else knows this user yet
                    return await self._work(session, inbound, user, download)
            user = _attach(session, {c: getattr(found, c) for c in _USER_COLUMNS})
            async with self.locks.hold_if_free(user.id) as free:
                if not free:
                    return None
                if _claims_chat(inbound) and found.chat_id != inbound.chat_id:
                    identity = await session.get(Identity, found.identity_id)
                    if identity is not None:
                        identity.chat_id = inbound.chat_id
                if found.unreachable_at:
                    identity = await session.get(Identity, found.identity_id)
                    if identity is not None:
                        identity.unreachable_at = None
                if _locks_rows(session):
                    # Read again under a row lock: another worker may have changed it since.
                    await session.refresh(user, with_for_update=True)
                return await self._work(session, inbound, user, download)

    @staticmethod
    async def _first_contact(session: AsyncSession, inbound: Inbound) -> User:
        """Create the user and account of a first message.

        Both rows are Core inserts: the new user's row comes back whole (`RETURNING`, defaults
        filled in) and is put in the session as if loaded, so the handler works on it like on
        a known user's, without the unit of work's insert or a second read.

        Raises AccountTaken when another worker created the same account at this moment; the
        transaction is then spoilt and the caller starts again. No savepoint: a first contact is
        the commonest write of a busy day, and a race for one account is rare.
        """
        connection = await session.connection()
        row = (await connection.execute(_NEW_USER, {"state": {}})).one()
        user = _attach(session, row._asdict())
        try:
            await connection.execute(
                _NEW_IDENTITY,
                {
                    "user_id": user.id,
                    "channel": inbound.channel,
                    "external_id": inbound.external_id,
                    "chat_id": inbound.chat_id,
                    "created_at": user.created_at,
                },
            )
        except IntegrityError as error:
            raise AccountTaken from error
        return user

    async def _handle_locked(
        self, inbound: Inbound, user_id: int, download: Download | None = None
    ) -> Outcome:
        async with self.sessions() as session, session.begin():
            user = await session.get(User, user_id, with_for_update=_locks_rows(session))
            if user is None:  # deleted between lookup and lock
                raise LookupError(f"user {user_id} vanished")
            return await self._work(session, inbound, user, download)

    async def _work(
        self,
        session: AsyncSession,
        inbound: Inbound,
        user: User,
        download: Download | None = None,
    ) -> Outcome:
        """Record the update, route the message and keep the new state."""
        user_id = user.id
        if inbound.update_key:
            # A second delivery of the same update fails here, on the unique key, before any
            # handler runs; _handle reports it.
            connection = await session.connection()
            await connection.execute(
                _RECORD, {"channel": inbound.channel, "update_key": inbound.update_key}
            )
        ctx = Context(session, user, inbound, self.curriculum, self.clock())
        ctx.download, ctx.media = download, self.media
        refused = await self.router.dispatch(ctx)
        state = inspect(ctx.user)
        gone = state.deleted or state.was_deleted  # a refusal of consent keeps no account
        if not gone:
            await _touch(session, ctx)
        # The replies are committed with the state they answer, and sent right after.
        ids = await add_replies(
            session,
            channel=inbound.channel,
            chat_id=inbound.chat_id,
            user_id=None if gone else ctx.user.id,
            replies=ctx.replies,
            update_key=inbound.update_key,
            now=ctx.now,
        )
        return Outcome(
            ctx.replies,
            refused=refused,
            user_id=user_id,
            role_changed=ctx.role_changed,
            outbox_ids=ids,
        )

    async def user_for(self, inbound: Inbound) -> int:
        """Find the user behind a channel account, creating both on first contact."""
        for _ in range(2):
            try:
                async with self.sessions() as session, session.begin():
                    identity = await session.scalar(
                        select(Identity).where(
                            Identity.channel == inbound.channel,
                            Identity.external_id == inbound.external_id,
                        )
                    )
                    if identity is not None:
                        if _claims_chat(inbound):
                            identity.chat_id = inbound.chat_id
                        identity.unreachable_at = None
                        return identity.user_id
                    return (await self._first_contact(session, inbound)).id
            except AccountTaken:
                continue  # created concurrently by another message: look it up again
        raise LookupError("could not create the identity")

    async def _already_processed(self, inbound: Inbound) -> bool:
        async with self.sessions() as session:
            return await _seen(session, inbound)


async def _seen(session: AsyncSession, inbound: Inbound) -> bool:
    found = await session.scalar(
        select(ProcessedUpdate.id).where(
            ProcessedUpdate.channel == inbound.channel,
            ProcessedUpdate.update_key == inbound.update_key,
        )
    )
    return found is not None


# The key of an update being handled: a Core insert, cheaper than the ORM's unit of work.
_RECORD = insert(ProcessedUpdate)
_NEW_IDENTITY = insert(Identity)
_TOUCH = (
    update(User)
    .where(User.id == bindparam("uid"))
    .values(state=bindparam("state"), last_seen_at=bindparam("now"))
)
# A new user's row, returned whole so that no read follows the insert.
_NEW_USER = insert(User).returning(*User.__table__.columns)


# A known account and its user, in one query.
_USER_COLUMNS = tuple(c.key for c in User.__table__.columns)
_KNOWN = (
    select(
        *User.__table__.columns,
        Identity.id.label("identity_id"),
        Identity.chat_id,
        Identity.unreachable_at,
    )
    .join(Identity, Identity.user_id == User.id)
    .where(
        Identity.channel == bindparam("channel"),
        Identity.external_id == bindparam("external_id"),
    )
)


async def _touch(session: AsyncSession, ctx: Context) -> None:
    """Write the conversation state and the time of the person's last message.

    Nudges count from the last message. Both are written after the handler with one Core
    `UPDATE` and set on the entity as already saved, never assigned: the unit of work then has
    nothing to look at when the commit flushes, unless the handler changed something else in
    the row (bench/RESULTS.md, "updates").
    """
    user = ctx.user
    state = ctx.state_to_write()
    connection = await session.connection()
    await connection.execute(_TOUCH, {"uid": user.id, "state": state, "now": ctx.now})
    set_committed_value(user, "state", state)
    set_committed_value(user, "last_seen_at", ctx.now)


def _attach(session: AsyncSession, row: dict[str, Any]) -> User:
    """Put a user read with Core in the session as if the ORM had loaded it.

    The hot path reads and creates users with Core statements: the ORM's loading and its
    unit of work's insert cost more than the statements themselves (bench/RESULTS.md).
    """
    user = User(**row)
    make_transient_to_detached(user)  # no pending changes: the row is what the database holds
    session.add(user)
    return user


def _claims_chat(inbound: Inbound) -> bool:
    """Only a message the person sent tells where they chat; a button press may be replayed."""
    return inbound.kind != "button"


def _locks_rows(session: AsyncSession) -> bool:
    """PostgreSQL locks the user's row for the transaction; SQLite's BEGIN IMMEDIATE already
    holds the whole database."""
    return dialect(session) == "postgresql"


def _context(inbound: Inbound, user_id: int | None) -> dict[str, object]:
    # Never log what the user typed: only where it came from.
    return {
        "channel": inbound.channel,
        "user_id": user_id,
        "kind": inbound.kind,
        "update_key": inbound.update_key,
    }
