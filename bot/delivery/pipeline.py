"""The way every update travels: handle and commit it, then send its replies at once.

Channels hand their updates to a `Pipeline` (their `ChannelHost`). The engine commits an update's
state and its replies (as outbox rows) in one transaction; the pipeline then sends those rows
straight away through the dispatcher (the fast path), in order per chat. If the process dies
between the commit and the send, the dispatcher sends them after restart: a reply is never lost
once its update is committed, and an update is acknowledged only once it is committed.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections import OrderedDict
from datetime import timedelta

from bot.channels.base import BeforeSend, Channel, PermanentFailure, Transient, Unreachable
from bot.core.engine import Engine
from bot.core.files import FETCH_SECONDS, FileTooBig, FileUnavailable
from bot.core.messages import FileRef, Inbound, Outcome
from bot.delivery.dispatcher import Dispatcher
from bot.delivery.outbox import reply_key
from bot.locks import KeyedLocks
from bot.storage.identities import mark_unreachable, role_chats

log = logging.getLogger(__name__)

REMEMBER_BUSY = 10_000  # updates whose sender was already told "busy" (each told once)


class Pipeline:
    """Receive → handle and commit → send the committed replies; one per process."""

    def __init__(
        self,
        engine: Engine,
        *,
        lease: timedelta = timedelta(seconds=60),
        batch: int = 200,
    ) -> None:
        self.engine = engine
        self.channels: dict[str, Channel] = {}
        self.dispatcher = Dispatcher(
            engine.sessions,
            self.channels,
            lease=lease,
            batch=batch,
            clock=engine.clock,
            media=engine.media,
        )
        self.order = KeyedLocks()
        engine.files = self  # pictures people send are fetched through their channel
        self._told_busy: OrderedDict[tuple[str, str], None] = OrderedDict()

    def attach(self, channel: Channel) -> None:
        """Send through this channel (its replies, and the outbox rows of its chats)."""
        self.channels[channel.name] = channel

    async def fetch(self, ref: FileRef, limit: int) -> bytes:
        """Fetch a picture through the channel it came from, within FETCH_SECONDS."""
        fetch_file = getattr(self.channels.get(ref.channel), "fetch_file", None)
        if fetch_file is None:
            raise FileUnavailable("the channel cannot fetch files")
        try:
            async with asyncio.timeout(FETCH_SECONDS):
                data = await fetch_file(ref, limit)
        except (FileTooBig, FileUnavailable):
            raise
        except Exception as error:  # a time-out, the network, the platform's refusal
            raise FileUnavailable(type(error).__name__) from error
        if not isinstance(data, bytes | bytearray):
            raise FileUnavailable("no bytes")
        if len(data) > limit:
            raise FileTooBig()
        return bytes(data)

    async def receive(self, inbound: Inbound, before_send: BeforeSend | None = None) -> Outcome:
        """Handle one update and send its replies; the chat's next update waits its turn."""
        async with self.order.hold((inbound.channel, inbound.chat_id)):
            outcome = await self.engine.handle(inbound)
            if before_send is not None:
                try:
                    await before_send(outcome)
                except Exception:
                    log.warning("before-send step failed", extra={"channel": inbound.channel})
            if outcome.failed:
                await self._tell_busy(inbound, outcome)
            elif outcome.outbox_ids:
                await self.dispatcher.send_replies(
                    inbound.channel, inbound.chat_id, outcome.outbox_ids, outcome.replies
                )
            elif outcome.duplicate and inbound.update_key:
                # Delivered again: its replies may not have gone out before a crash.
                prefix = reply_key(inbound.channel, inbound.update_key)
                await self.dispatcher.send_pending_replies(prefix)
            return outcome

    async def _tell_busy(self, inbound: Inbound, outcome: Outcome) -> None:
        """Send the "busy" answer (nothing was committed) once per update, best effort."""
        key = (inbound.channel, inbound.update_key or f"chat:{inbound.chat_id}")
        if key in self._told_busy and outcome.retry:
            return
        self._told_busy[key] = None
        while len(self._told_busy) > REMEMBER_BUSY:
            self._told_busy.popitem(last=False)
        channel = self.channels.get(inbound.channel)
        if channel is None:
            return
        with contextlib.suppress(Unreachable, PermanentFailure, Transient):
            for reply in outcome.replies:
                await channel.send(inbound.chat_id, reply)

    async def mark_unreachable(self, channel: str, chat_id: str) -> None:
        """Record that a chat blocked the bot."""
        await mark_unreachable(self.engine.sessions, channel, chat_id)

    async def role_chats(self, channel: str) -> list[tuple[str, str]]:
        """(chat id, role) of the people of this channel who hold a role."""
        return await role_chats(self.engine.sessions, channel)
