"""Telegram on python-telegram-bot v22: updates become Inbound, replies become messages."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import warnings
from collections.abc import Awaitable, Callable
from datetime import timedelta
from typing import Any, TypeVar

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from telegram import (
    BotCommand,
    BotCommandScopeChat,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    InputFile,
    Message,
    Update,
)
from telegram import User as TelegramUser
from telegram.constants import ChatMemberStatus, ChatType
from telegram.error import (
    BadRequest,
    Forbidden,
    NetworkError,
    RetryAfter,
    TelegramError,
    TimedOut,
)
from telegram.ext import Application, ContextTypes, TypeHandler

from bot.channels.base import ChannelSetupError, PermanentFailure, Unreachable
from bot.channels.split import split_text
from bot.core.commands import menu_for
from bot.core.engine import Engine, KeyedLocks
from bot.core.messages import Inbound, Outcome, Reply
from bot.core.router import STALE
from bot.delivery.ratelimit import ChatSpacing, TokenBucket
from bot.storage.identities import mark_unreachable
from bot.storage.models import Identity, User

log = logging.getLogger(__name__)
T = TypeVar("T")

MAX_TEXT = 4096
MAX_CAPTION = 1024
ALLOWED_UPDATES = ["message", "edited_message", "callback_query", "my_chat_member"]
GROUP_NOTE = "Mình chỉ trò chuyện riêng thôi. Bạn nhắn riêng cho mình để học nhé 🙏"
ATTEMPTS = 3


def keyboard(reply: Reply) -> InlineKeyboardMarkup | None:
    """One big button per row, which older users find easiest to hit."""
    if not reply.options:
        return None
    return InlineKeyboardMarkup(
        [[InlineKeyboardButton(o.label, callback_data=o.payload)] for o in reply.options]
    )


def retry_seconds(error: RetryAfter) -> float:
    """Read retry_after whether PTB gives seconds or a timedelta (without its deprecation)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        value = error.retry_after
    return value.total_seconds() if isinstance(value, timedelta) else float(value)


def file_url(base_url: str) -> str:
    """Derive the file download base from the API base (…/bot → …/file/bot)."""
    return base_url[: -len("bot")] + "file/bot" if base_url.endswith("bot") else base_url


class TelegramChannel:
    """Receive Telegram updates (polling or webhook) and send replies within Telegram's limits."""

    name = "telegram"

    def __init__(
        self,
        engine: Engine,
        sessions: async_sessionmaker[AsyncSession],
        token: str,
        api_url: str,
        *,
        rate: float = 25.0,
        webhook_url: str | None = None,
        webhook_secret: str | None = None,
        chat_interval: float = 0.05,
    ) -> None:
        # Opt in to PTB's coming timedelta durations now; otherwise every 429 it parses raises a
        # deprecation warning from inside RetryAfter.
        os.environ.setdefault("PTB_TIMEDELTA", "true")
        self.engine = engine
        self.sessions = sessions
        self.webhook_url = webhook_url
        self.webhook_secret = webhook_secret
        builder = (
            Application.builder()
            .token(token)
            .base_url(api_url)
            .base_file_url(file_url(api_url))
            .concurrent_updates(256)
            .job_queue(None)  # schedules are ours (APScheduler over our tables), not PTB's
        )
        if webhook_url:
            builder = builder.updater(None)
        self.app = builder.build()
        self.app.add_handler(TypeHandler(Update, self._on_update))
        self.bucket = TokenBucket(rate)
        self.spacing = ChatSpacing(chat_interval)
        self.order = KeyedLocks()

    @property
    def bot_api(self) -> Any:
        """Return the PTB Bot."""
        return self.app.bot

    # --- lifecycle --------------------------------------------------------------------------
    async def start(self) -> None:
        """Connect, publish the command menus, then poll or register the webhook."""
        try:
            await self.app.initialize()
        except TelegramError as error:
            raise ChannelSetupError(f"Telegram did not accept the bot token: {error}") from error
        await self.app.start()
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
            assert self.app.updater is not None
            await self.app.updater.start_polling(allowed_updates=ALLOWED_UPDATES)
            log.info("telegram polling started")

    async def stop(self) -> None:
        """Stop receiving and close the connections."""
        if self.app.updater is not None and self.app.updater.running:
            await self.app.updater.stop()
        if self.app.running:
            await self.app.stop()
        await self.app.shutdown()

    async def publish_commands(self) -> None:
        """Set the resident menu for everyone and the role menus for those who have a role."""
        await self._call(None, lambda: self.bot_api.set_my_commands(_commands("resident")))
        async with self.sessions() as session:
            rows = await session.execute(
                select(Identity.chat_id, User.role)
                .join(User, User.id == Identity.user_id)
                .where(Identity.channel == self.name, User.role != "resident")
            )
            for chat_id, role in rows.all():
                await self.set_role_commands(chat_id, role)

    async def set_role_commands(self, chat_id: str, role: str) -> None:
        """Show a user the command menu of their role."""
        scope = BotCommandScopeChat(int(chat_id))
        commands = _commands(role)
        try:
            await self._call(chat_id, lambda: self.bot_api.set_my_commands(commands, scope=scope))
        except (Unreachable, PermanentFailure, TelegramError):
            log.warning("could not set the command menu", extra={"chat_id": chat_id})

    # --- receiving --------------------------------------------------------------------------
    async def _on_update(self, update: object, _context: ContextTypes.DEFAULT_TYPE) -> None:
        if isinstance(update, Update):
            await self.process(update)

    async def process_json(self, data: dict[str, Any]) -> bool:
        """Handle one webhook body; return False when nothing was committed (answer non-200)."""
        try:
            update = Update.de_json(data, self.bot_api)
        except Exception:
            # Not an update we can read: acknowledge it, or Telegram would resend it for ever.
            log.warning("unreadable telegram update ignored")
            return True
        if update is None:
            return True
        if not _readable(update):
            log.warning("unreadable telegram update ignored")
            return True
        return await self.process(update)

    async def process(self, update: Update) -> bool:
        """Handle one update end to end; return False when it should be delivered again."""
        try:
            inbound = await self._inbound(update)
            if inbound is None:
                return True
            async with self.order.hold(inbound.chat_id):
                outcome = await self.engine.handle(inbound)
                if outcome.role_changed:
                    await self.set_role_commands(inbound.chat_id, outcome.role_changed)
                if update.callback_query is not None:
                    await self._settle_callback(update, outcome)
                for reply in outcome.replies:
                    await self.send(inbound.chat_id, reply)
            return not outcome.failed
        except (Unreachable, PermanentFailure):
            return True
        except Exception:
            log.exception("telegram update failed", extra={"update_id": update.update_id})
            return True  # handled by the engine already; sending failed and was logged

    async def _inbound(self, update: Update) -> Inbound | None:
        key = str(update.update_id)
        if update.my_chat_member is not None:
            member = update.my_chat_member
            if (
                member.chat.type == ChatType.PRIVATE
                and member.new_chat_member.status == ChatMemberStatus.BANNED
            ):
                await mark_unreachable(self.sessions, self.name, str(member.chat.id))
            return None
        if update.callback_query is not None:
            query = update.callback_query
            chat = query.message.chat if query.message is not None else None
            chat_id = str(chat.id) if chat else str(query.from_user.id)
            return Inbound(
                channel=self.name,
                external_id=str(query.from_user.id),
                chat_id=chat_id,
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
        )

    async def _settle_callback(self, update: Update, outcome: Outcome) -> None:
        query = update.callback_query
        assert query is not None
        toast = STALE if outcome.refused else None
        try:
            await self._call(None, lambda: query.answer(text=toast))
        except (TelegramError, PermanentFailure):
            log.info("callback answer failed", extra={"update_id": update.update_id})
        message = query.message
        if isinstance(message, Message) and message.reply_markup is not None:
            # Already removed, or too old to edit: nothing the user would notice.
            with contextlib.suppress(TelegramError, PermanentFailure):
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
        if reply.photo is not None or reply.document is not None:
            caption = reply.text if len(reply.text) <= MAX_CAPTION else None
            data = reply.photo if reply.photo is not None else reply.document
            upload = InputFile(data, filename=reply.filename or "tep")
            if reply.photo is not None:
                sent = await self._call(
                    chat_id,
                    lambda: bot.send_photo(
                        chat_id,
                        upload,
                        caption=caption,
                        reply_markup=None if not caption else markup,
                    ),
                )
            else:
                sent = await self._call(
                    chat_id,
                    lambda: bot.send_document(
                        chat_id,
                        upload,
                        caption=caption,
                        reply_markup=None if not caption else markup,
                    ),
                )
            if caption is not None or not reply.text.strip():
                return str(sent.message_id)
        parts = split_text(reply.text, MAX_TEXT)
        ref = None
        for index, part in enumerate(parts):
            last = index == len(parts) - 1
            sent = await self._call(
                chat_id,
                lambda part=part, last=last: bot.send_message(  # type: ignore[misc]
                    chat_id, part, reply_markup=markup if last else None
                ),
            )
            ref = str(sent.message_id)
        return ref

    async def _call(self, chat_id: str | None, request: Callable[[], Awaitable[T]]) -> T:
        """Make one Bot API call within the rate limits, retrying what is worth retrying."""
        delay = 0.5
        attempt = 0
        while True:
            if chat_id is not None:
                await self.spacing.wait(chat_id)
            await self.bucket.acquire()
            try:
                return await request()
            except RetryAfter as error:
                # Flood control is not a failure: everyone waits, then this call goes again.
                self.bucket.pause(retry_seconds(error))
            except Forbidden as error:
                if chat_id is not None:
                    await mark_unreachable(self.sessions, self.name, chat_id)
                raise Unreachable(chat_id) from error
            except BadRequest as error:
                raise PermanentFailure(str(error)) from error
            except NetworkError as error:
                if not isinstance(error, TimedOut):
                    # Telegram answered with a 5xx (or was never reached): nothing was sent.
                    self.bucket.refund()
                attempt += 1
                if attempt >= ATTEMPTS:
                    raise
                await asyncio.sleep(delay)
                delay *= 2


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


async def telegram_check(settings: Any) -> list[tuple[str, str]]:
    """Check the token (getMe) and the webhook registration, for `hocvuso doctor`."""
    from telegram import Bot

    os.environ.setdefault("PTB_TIMEDELTA", "true")
    token = settings.telegram_token.get_secret_value()
    bot = Bot(
        token,
        base_url=settings.telegram_api_url,
        base_file_url=file_url(settings.telegram_api_url),
    )
    try:
        async with bot:
            me = await bot.get_me()
            info = await bot.get_webhook_info()
    except TelegramError as error:
        return [("✗", f"Telegram refused the token or did not answer: {error}")]
    lines = [("✓", f"Telegram token valid: @{me.username}")]
    wanted = settings.telegram_webhook_url
    if wanted and info.url != wanted:
        lines.append(("✗", f"Telegram webhook is {info.url or 'not set'}; `hocvuso run` sets it"))
    elif wanted:
        lines.append(("✓", f"Telegram webhook {info.url} ({info.pending_update_count} waiting)"))
    elif info.url:
        lines.append(("✗", f"a Telegram webhook is set ({info.url}) but none is configured"))
    else:
        lines.append(("✓", "Telegram: polling (no webhook)"))
    if info.last_error_message:
        lines.append(("✗", f"Telegram's last webhook error: {info.last_error_message}"))
    return lines
