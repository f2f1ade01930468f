"""Telegram on python-telegram-bot v22's Bot: updates become Inbound, replies become messages.

Polling is our own `getUpdates` loop: an update is confirmed (the offset moves past it) only after
it was committed, and one that failed for a passing reason (the database locked or down) is tried
again, in order, before anything newer of the same chat. The Bot API calls themselves are in
`api.py` (and their HTTP in `http.py`).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections import defaultdict
from collections.abc import Awaitable, Callable
from functools import partial
from typing import Any, TypeVar

from telegram import BotCommand, BotCommandScopeChat, InputFile, Message, Update
from telegram import User as TelegramUser
from telegram.constants import ChatMemberStatus, ChatType
from telegram.error import InvalidToken, TelegramError

from bot.channels.base import (
    ChannelHost,
    ChannelSetupError,
    PermanentFailure,
    Transient,
    Unreachable,
)
from bot.channels.platform import PlatformChannel
from bot.channels.split import split_text
from bot.channels.telegram.api import POLL_TIMEOUT, keyboard, keyboard_data, make_bot, translate
from bot.core.commands import menu_for
from bot.core.files import FileTooBig, FileUnavailable
from bot.core.messages import STALE, FileRef, Inbound, Outcome, Reply

log = logging.getLogger(__name__)
T = TypeVar("T")

MAX_TEXT = 4096
MAX_CAPTION = 1024
ALLOWED_UPDATES = ["message", "edited_message", "callback_query", "my_chat_member"]
GROUP_NOTE = "Mình chỉ trò chuyện riêng thôi. Bạn nhắn riêng cho mình để học nhé 🙏"
RETRY_FIRST, RETRY_MAX = 0.5, 30.0  # seconds between tries of an update that failed to commit


class TelegramChannel(PlatformChannel):
    """Receive Telegram updates (polling or webhook) and send replies within Telegram's limits."""

    name = "telegram"

    def __init__(
        self,
        host: ChannelHost,
        token: str,
        api_url: str,
        *,
        rate: float = 25.0,
        webhook_url: str | None = None,
        webhook_secret: str | None = None,
        chat_interval: float = 0.05,
    ) -> None:
        self.bot_api = make_bot(token, api_url)
        self._batches: set[asyncio.Task[Any]] = set()  # updates being handled or answered
        super().__init__(host, rate, webhook_url, webhook_secret, chat_interval)

    # --- lifecycle --------------------------------------------------------------------------
    async def start(self) -> None:
        """Connect, publish the command menus, then poll or register the webhook."""
        try:
            await self.bot_api.initialize()
        except (InvalidToken, TelegramError) as error:
            raise ChannelSetupError(f"Telegram did not accept the bot token: {error}") from None
        await self.publish_commands()
        if self.webhook_url:
            await self.bot_api.set_webhook(
                self.webhook_url,
                secret_token=self.webhook_secret,
                allowed_updates=ALLOWED_UPDATES,
            )
            log.info("telegram webhook set")
        else:
            await self.bot_api.delete_webhook()
            self.start_polling(self._poll())
            log.info("telegram polling started")

    async def stop(self) -> None:
        """Stop polling and close the connections."""
        await self.stop_polling()
        for task in list(self._batches):
            task.cancel()
        await asyncio.gather(*self._batches, return_exceptions=True)
        with contextlib.suppress(TelegramError):
            await self.bot_api.shutdown()

    async def publish_commands(self) -> None:
        """Set the resident menu for everyone, and each role holder's menu in their chat."""
        with contextlib.suppress(Unreachable, PermanentFailure, Transient):
            await self._call(None, lambda: self.bot_api.set_my_commands(_commands("resident")))
        try:
            holders = await self.host.role_chats(self.name)
        except Exception:  # the database may be busy at start: menus are set again on changes
            log.warning("role menus not published: the database did not answer")
            return
        for chat_id, role in holders:
            await self.set_role_commands(chat_id, role)

    async def set_role_commands(self, chat_id: str, role: str) -> None:
        """Show a user the command menu of their role."""
        scope = BotCommandScopeChat(int(chat_id))
        commands = _commands(role)
        try:
            await self._call(chat_id, lambda: self.bot_api.set_my_commands(commands, scope=scope))
        except (Unreachable, PermanentFailure, Transient, ValueError):
            log.warning("could not set the command menu", extra={"chat_id": chat_id})

    # --- receiving --------------------------------------------------------------------------
    async def _poll(self) -> None:
        """Fetch updates; confirm a batch (the next offset) only once all of it is committed."""
        offset: int | None = None
        backoff = 1.0
        while True:
            try:
                updates = await self.bot_api.get_updates(
                    offset=offset, timeout=POLL_TIMEOUT, allowed_updates=ALLOWED_UPDATES
                )
            except InvalidToken:
                log.error("telegram refused the token: polling stopped")
                return
            except TelegramError as error:
                log.warning("telegram getUpdates failed: %s", type(error).__name__)
                await asyncio.sleep(backoff)
                backoff = min(backoff * 2, RETRY_MAX)
                continue
            backoff = 1.0
            if not updates:
                continue
            await self.process_batch(list(updates))
            offset = updates[-1].update_id + 1

    async def process_batch(self, updates: list[Update]) -> None:
        """Handle a batch: each chat's updates in order, chats side by side, each until done.

        Returns once every update of the batch is committed, so the next `getUpdates` may
        confirm them; their replies, already durable in the outbox, may still be going out.
        """
        loop = asyncio.get_running_loop()
        committed = {update.update_id: loop.create_future() for update in updates}
        by_chat: dict[str, list[Update]] = defaultdict(list)
        for update in updates:
            by_chat[_chat_key(update)].append(update)

        async def one_chat(chat_updates: list[Update]) -> None:
            for update in chat_updates:
                await self._until_committed(update, committed[update.update_id])

        for chat in by_chat.values():
            task = asyncio.create_task(one_chat(chat))  # owned: self._batches, stop() cancels
            self._batches.add(task)
            task.add_done_callback(self._batches.discard)
        await asyncio.wait(committed.values())

    async def _until_committed(self, update: Update, committed: asyncio.Future[None]) -> None:
        def done() -> None:
            if not committed.done():
                committed.set_result(None)

        delay = RETRY_FIRST
        try:
            while not await self.process(update, done):
                await asyncio.sleep(delay)
                delay = min(delay * 2, RETRY_MAX)
        finally:
            done()

    async def process_json(self, data: dict[str, Any]) -> bool:
        """Handle one webhook body; return False when nothing was committed (answer non-200)."""
        try:
            update = Update.de_json(data, self.bot_api)
        except Exception:
            # Not an update we can read: acknowledge it, or Telegram would resend it for ever.
            log.warning("unreadable telegram update ignored")
            return True
        if update is None or not _readable(update):
            log.warning("unreadable telegram update ignored")
            return True
        return await self.process(update)

    async def process(self, update: Update, on_commit: Callable[[], None] | None = None) -> bool:
        """Handle one update end to end; return False when it should be delivered again.

        `on_commit` is called as soon as the update is committed, before its replies go out.
        """
        try:
            inbound = await self._inbound(update)
            if inbound is None:
                return True

            async def settle(outcome: Outcome) -> None:
                if on_commit is not None and not outcome.retry:
                    on_commit()
                if outcome.role_changed:
                    await self.set_role_commands(inbound.chat_id, outcome.role_changed)
                if update.callback_query is not None:
                    await self._settle_callback(update, outcome.refused)

            outcome = await self.host.receive(inbound, settle)
            return not outcome.retry
        except Exception:
            log.exception("telegram update failed", extra={"update_id": update.update_id})
            return True  # the engine answered; sending failed and was logged

    async def _inbound(self, update: Update) -> Inbound | None:
        key = str(update.update_id)
        if update.my_chat_member is not None:
            member = update.my_chat_member
            if (
                member.chat.type == ChatType.PRIVATE
                and member.new_chat_member.status == ChatMemberStatus.BANNED
            ):
                await self.host.mark_unreachable(self.name, str(member.chat.id))
            return None
        if update.callback_query is not None:
            query = update.callback_query
            chat = query.message.chat if query.message is not None else None
            if chat is None or chat.id != query.from_user.id:
                # A button must sit in the presser's own private chat with the bot.
                await self._settle_callback(update, refused=True)
                return None
            return Inbound(
                channel=self.name,
                external_id=str(query.from_user.id),
                chat_id=str(chat.id),
                payload=query.data or "",
                kind="button",
                display_name=query.from_user.full_name,
                update_key=key,
            )
        message = update.message
        if message is None or message.from_user is None:
            return None  # edited messages, channel posts: nothing to answer
        if message.chat.type != ChatType.PRIVATE:
            if message.text and message.text.startswith("/"):
                with contextlib.suppress(Unreachable, PermanentFailure, Transient):
                    await self.send(str(message.chat.id), Reply(GROUP_NOTE))
            return None
        kind = "text" if message.text is not None else "media" if _has_content(message) else ""
        if not kind:
            return None  # service messages (pinned, joined…)
        return Inbound(
            channel=self.name,
            external_id=str(message.from_user.id),
            chat_id=str(message.chat.id),
            text=message.text,
            kind=kind,
            display_name=message.from_user.full_name,
            update_key=key,
            file=_picture(message, self.name),
        )

    async def fetch_file(self, ref: FileRef, limit: int) -> bytes:
        """Fetch a picture: getFile, then the download path /file/bot<token>/<file_path>."""
        try:
            found = await self.bot_api.get_file(ref.ref)
            if found.file_size is not None and found.file_size > limit:
                raise FileTooBig()
            data = bytes(await found.download_as_bytearray())
        except TelegramError as error:
            raise FileUnavailable(type(error).__name__) from error
        if len(data) > limit:
            raise FileTooBig()
        return data

    async def _settle_callback(self, update: Update, refused: bool) -> None:
        """Answer the button press and remove the buttons (best effort: only the moment counts)."""
        query = update.callback_query
        assert query is not None
        toast = STALE if refused else None
        try:
            await self._call(None, lambda: query.answer(text=toast))
        except (Unreachable, PermanentFailure, Transient):
            log.info("callback answer failed", extra={"update_id": update.update_id})
        message = query.message
        if isinstance(message, Message) and message.reply_markup is not None:
            # Already removed, or too old to edit: nothing the user would notice.
            with contextlib.suppress(Unreachable, PermanentFailure, Transient):
                await self._call(
                    str(message.chat.id), lambda: message.edit_reply_markup(reply_markup=None)
                )

    # --- sending ----------------------------------------------------------------------------
    async def edit(self, chat_id: str, message_ref: str, text: str) -> bool:
        """Replace the text of a message the bot sent (progress of a notice)."""
        bot = self.bot_api
        with contextlib.suppress(PermanentFailure):  # unchanged text: nothing to do
            await self._call(
                chat_id,
                lambda: bot.edit_message_text(text[:MAX_TEXT], chat_id, int(message_ref)),
            )
        return True

    async def send(self, chat_id: str, reply: Reply) -> str | None:
        """Send one reply: text split at 4,096 characters, buttons on the last part."""
        markup = keyboard(reply)
        bot = self.bot_api
        data = reply.photo if reply.photo is not None else reply.document
        if data is not None:
            caption = reply.text if len(reply.text) <= MAX_CAPTION else None
            upload = InputFile(data, filename=reply.filename or "tep")
            send_file = bot.send_photo if reply.photo is not None else bot.send_document
            sent = await self._call(
                chat_id,
                lambda: send_file(
                    chat_id, upload, caption=caption, reply_markup=markup if caption else None
                ),
            )
            if caption is not None or not reply.text.strip():
                return str(sent.message_id)
        # Text goes through the raw Bot API call: the answer is read for its message id only,
        # where `send_message` would build a whole Message (with its keyboard) to throw away;
        # that cost more than the request (bench/RESULTS.md, "updates").
        buttons = keyboard_data(reply)
        parts = split_text(reply.text, MAX_TEXT)
        ref = None
        for index, part in enumerate(parts):
            call: dict[str, Any] = {"chat_id": chat_id, "text": part}
            if buttons is not None and index == len(parts) - 1:
                call["reply_markup"] = buttons
            sent = await self._call(chat_id, partial(bot.post_raw, "sendMessage", call))
            ref = str(sent["message_id"])
        return ref

    async def _call(self, chat_id: str | None, request: Callable[[], Awaitable[T]]) -> T:
        return await self.policy.call(chat_id, lambda: translate(request))


def _chat_key(update: Update) -> str:
    chat = update.effective_chat
    return str(chat.id) if chat is not None else f"u{update.update_id}"


def _commands(role: str) -> list[BotCommand]:
    return [BotCommand(name, description) for name, description in menu_for(role)]


def _readable(update: Update) -> bool:
    """Tell whether an update has the fields `_inbound` reads, of the right types.

    Telegram always sends them, but PTB does not check: a forged webhook body may lack them.
    """
    member, query, message = update.my_chat_member, update.callback_query, update.message
    if member is not None:
        return member.chat is not None and member.new_chat_member is not None
    if query is not None:
        return _named(query.from_user) and isinstance(query.data, str | None)
    if message is not None:
        return (
            message.chat is not None
            and (message.from_user is None or _named(message.from_user))
            and isinstance(message.text, str | None)
        )
    return True


def _named(user: TelegramUser | None) -> bool:
    return user is not None and isinstance(user.first_name, str)


def _picture(message: Message, channel: str) -> FileRef | None:
    """The largest size of a photo, or an image sent as a file; None for anything else."""
    if message.photo:
        largest = max(message.photo, key=lambda p: (p.width * p.height, p.file_size or 0))
        return FileRef(channel, largest.file_id, largest.file_size, "image/jpeg")
    document = message.document
    if document is not None and (document.mime_type or "").startswith("image/"):
        return FileRef(channel, document.file_id, document.file_size, document.mime_type)
    return None


def _has_content(message: Message) -> bool:
    return any(
        getattr(message, attr, None)
        for attr in (
            "photo",
            "sticker",
            "voice",
            "audio",
            "video",
            "video_note",
            "animation",
            "document",
            "location",
            "contact",
            "venue",
            "poll",
            "dice",
        )
    )
