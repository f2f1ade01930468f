"""Zalo Bot Platform over aiohttp: webhook or long polling; choices typed as numbers."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from typing import Any

import aiohttp
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.channels.base import ChannelSetupError, PermanentFailure, Unreachable, numbered
from bot.channels.split import split_text
from bot.core.engine import Engine, KeyedLocks
from bot.core.messages import Inbound, Reply
from bot.delivery.ratelimit import ChatSpacing, TokenBucket
from bot.media import MediaStore
from bot.storage.identities import mark_unreachable

log = logging.getLogger(__name__)

MAX_TEXT = 2000
ATTEMPTS = 3
QUOTA_ATTEMPTS = 5
NETWORK = 599  # our code for "no answer" (refused connection, time-out): the send may have gone
POLL_TIMEOUT = 30
EVENTS = {
    "message.text.received": "text",
    "message.image.received": "media",
    "message.sticker.received": "media",
    "message.unsupported.received": "unsupported",
}
NO_PHOTO = "(Ảnh này chỉ xem được trên Telegram. Bạn nhờ cán bộ xã gửi qua Telegram hoặc email.)"
FILE_LINK = "📎 Tải tệp {filename} tại: {url}\n(Đường dẫn dùng được trong 24 giờ.)"
NO_FILE = "(Tệp {filename} chỉ gửi được qua Telegram. Bạn dùng Telegram hoặc nhờ cán bộ xã gửi.)"


class ZaloError(Exception):
    """An error answer of the Zalo Bot API."""

    def __init__(self, code: int, description: str) -> None:
        super().__init__(f"{code} {description}")
        self.code = code
        self.description = description

    @property
    def retryable(self) -> bool:
        """Tell whether the same call may succeed later."""
        return self.code in (408, 429) or self.code >= 500


class ZaloApi:
    """A small client for https://bot-api.zaloplatforms.com/bot<TOKEN>/<method>."""

    def __init__(self, session: aiohttp.ClientSession, base_url: str, token: str) -> None:
        self.session = session
        self.url = f"{base_url}{token}/"

    async def call(self, method: str, *, http_seconds: float = 15, **params: Any) -> Any:
        """Call a method with JSON parameters; return `result` or raise ZaloError."""
        try:
            async with self.session.post(
                self.url + method, json=params, timeout=aiohttp.ClientTimeout(total=http_seconds)
            ) as response:
                try:
                    body = await response.json(content_type=None)
                except ValueError:
                    raise ZaloError(response.status or 502, "answer is not JSON") from None
        except (aiohttp.ClientError, TimeoutError) as error:
            raise ZaloError(NETWORK, f"network: {type(error).__name__}") from error
        if not isinstance(body, dict):
            raise ZaloError(502, "answer is not a JSON object")
        if not body.get("ok"):
            raise ZaloError(
                int(body.get("error_code") or response.status), str(body.get("description", ""))
            )
        return body.get("result", True)


class ZaloChannel:
    """Receive Zalo events (webhook or getUpdates) and send replies as numbered text."""

    name = "zalo"

    def __init__(
        self,
        engine: Engine,
        sessions: async_sessionmaker[AsyncSession],
        token: str,
        api_url: str,
        *,
        rate: float = 10.0,
        webhook_url: str | None = None,
        webhook_secret: str | None = None,
        media: MediaStore | None = None,
        public_url: str | None = None,
        chat_interval: float = 0.05,
    ) -> None:
        self.engine = engine
        self.sessions = sessions
        self.token = token
        self.api_url = api_url
        self.webhook_url = webhook_url
        self.webhook_secret = webhook_secret
        self.media = media
        self.public_url = public_url.rstrip("/") if public_url else None
        self.bucket = TokenBucket(rate)
        self.spacing = ChatSpacing(chat_interval)
        self.order = KeyedLocks()
        self._http: aiohttp.ClientSession | None = None
        self._poller: asyncio.Task[None] | None = None
        self.api: ZaloApi | None = None

    # --- lifecycle --------------------------------------------------------------------------
    async def start(self) -> None:
        """Check the token, then set the webhook or start long polling."""
        self._http = aiohttp.ClientSession()
        self.api = ZaloApi(self._http, self.api_url, self.token)
        try:
            await self.api.call("getMe")
            if self.webhook_url:
                await self.api.call(
                    "setWebhook", url=self.webhook_url, secret_token=self.webhook_secret
                )
                log.info("zalo webhook set")
            else:
                with contextlib.suppress(ZaloError):
                    await self.api.call("deleteWebhook")
                poll = self._poll()
                self._poller = asyncio.create_task(poll, name="zalo-poll")  # owned: stop() cancels
                log.info("zalo polling started")
        except ZaloError as error:
            await self._http.close()
            raise ChannelSetupError(f"Zalo did not accept the bot token: {error}") from error

    async def stop(self) -> None:
        """Stop polling and close the HTTP session."""
        if self._poller is not None:
            self._poller.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._poller
            self._poller = None
        if self._http is not None:
            await self._http.close()
            self._http = None

    async def _poll(self) -> None:
        assert self.api is not None
        backoff = 1.0
        while True:
            try:
                event = await self.api.call(
                    "getUpdates", http_seconds=POLL_TIMEOUT + 10, timeout=POLL_TIMEOUT
                )
            except ZaloError as error:
                if error.code == 408:  # nothing came during the long poll
                    backoff = 1.0
                    continue
                log.warning("zalo getUpdates failed: %s", error)
                await asyncio.sleep(backoff)
                backoff = min(backoff * 2, 30)
                continue
            backoff = 1.0
            if isinstance(event, dict):
                await self.process_event(event)

    # --- receiving --------------------------------------------------------------------------
    async def process_json(self, data: dict[str, Any]) -> bool:
        """Handle one webhook body {"ok": true, "result": event}; False means retry later."""
        event = data.get("result") if "result" in data else data
        if not isinstance(event, dict):
            return True  # nothing we can use: acknowledge so it is not sent again
        return await self.process_event(event)

    async def process_event(self, event: dict[str, Any]) -> bool:
        """Handle one event end to end; return False when it should be delivered again."""
        inbound = self.to_inbound(event)
        if inbound is None:
            return True
        try:
            async with self.order.hold(inbound.chat_id):
                outcome = await self.engine.handle(inbound)
                for reply in outcome.replies:
                    await self.send(inbound.chat_id, reply)
            return not outcome.failed
        except (Unreachable, PermanentFailure):
            return True
        except Exception:
            log.exception("zalo event failed", extra={"update_key": inbound.update_key})
            return True

    def to_inbound(self, event: dict[str, Any]) -> Inbound | None:
        """Convert a Zalo event to an Inbound (None for events we ignore)."""
        kind = EVENTS.get(str(event.get("event_name")))
        message = event.get("message")
        if kind is None or not isinstance(message, dict):
            return None
        sender = message.get("from") if isinstance(message.get("from"), dict) else {}
        chat = message.get("chat") if isinstance(message.get("chat"), dict) else {}
        user_id = str(sender.get("id") or chat.get("id") or "")
        chat_id = str(chat.get("id") or user_id)
        if not user_id or chat.get("chat_type", "PRIVATE") != "PRIVATE":
            return None
        if kind == "unsupported":
            # The platform hides the content (a protected user); note it, never the content.
            log.info("zalo unsupported message", extra={"chat_id": chat_id})
        text = message.get("text") if kind == "text" else None
        message_id = message.get("message_id")
        return Inbound(
            channel=self.name,
            external_id=user_id[:64],
            chat_id=chat_id[:64],
            text=str(text) if text is not None else None,
            kind=kind,
            display_name=str(sender.get("display_name") or "")[:120] or None,
            update_key=str(message_id)[:100] if message_id else None,
        )

    # --- sending ----------------------------------------------------------------------------
    def _link(self, data: bytes, content_type: str, filename: str) -> str | None:
        if self.media is None or self.public_url is None:
            return None
        token = self.media.put(data, content_type, filename)
        return f"{self.public_url}/media/{token}"

    async def edit(self, chat_id: str, message_ref: str, text: str) -> bool:
        """Zalo cannot edit a sent message."""
        return False

    async def send(self, chat_id: str, reply: Reply) -> str | None:
        """Send one reply: options as a numbered list, text split at 2,000 characters."""
        text = numbered(reply)
        if reply.photo is not None:
            url = self._link(reply.photo, "image/png", reply.filename or "bieudo.png")
            if url is not None:
                caption = reply.text if len(reply.text) <= MAX_TEXT else ""
                sent = await self._call(chat_id, "sendPhoto", photo=url, caption=caption)
                if caption or not reply.text.strip():
                    return _ref(sent)
            else:
                text = f"{text}\n\n{NO_PHOTO}"
        if reply.document is not None:
            filename = reply.filename or "tep"
            url = self._link(reply.document, "application/octet-stream", filename)
            note = FILE_LINK if url else NO_FILE
            text = f"{text}\n\n{note.format(filename=filename, url=url)}"
        ref = None
        for part in split_text(text, MAX_TEXT):
            ref = _ref(await self._call(chat_id, "sendMessage", text=part))
        return ref

    async def _call(self, chat_id: str, method: str, **params: Any) -> Any:
        assert self.api is not None, "channel not started"
        delay = 1.0
        failures = quota = 0
        while True:
            await self.spacing.wait(chat_id)
            await self.bucket.acquire()
            try:
                return await self.api.call(method, chat_id=chat_id, **params)
            except ZaloError as error:
                if 500 <= error.code < NETWORK:
                    self.bucket.refund()  # Zalo answered that it failed: nothing was sent
                if error.code == 429 and quota < QUOTA_ATTEMPTS:
                    quota += 1  # "slow down": not a failure, everyone waits a little
                    self.bucket.pause(delay)
                    delay = min(delay * 2, 30)
                    continue
                if error.retryable and error.code != 429 and failures + 1 < ATTEMPTS:
                    failures += 1
                    await asyncio.sleep(0.5 * 2**failures)
                    continue
                log.warning("zalo %s failed: %s", method, error, extra={"chat_id": chat_id})
                if error.code == 403:
                    await mark_unreachable(self.sessions, self.name, chat_id)
                    raise Unreachable(chat_id) from error
                if not error.retryable:
                    raise PermanentFailure(str(error)) from error
                raise


def _ref(result: Any) -> str | None:
    return (
        str(result["message_id"]) if isinstance(result, dict) and "message_id" in result else None
    )


async def zalo_check(settings: Any) -> list[tuple[str, str]]:
    """Check the token (getMe) and the webhook registration, for `hocvuso doctor`."""
    async with aiohttp.ClientSession() as http:
        api = ZaloApi(http, settings.zalo_api_url, settings.zalo_token.get_secret_value())
        try:
            me = await api.call("getMe")
            info = await api.call("getWebhookInfo")
        except ZaloError as error:
            return [("✗", f"Zalo refused the token or did not answer: {error}")]
    name = me.get("account_name", "?") if isinstance(me, dict) else "?"
    url = info.get("url", "") if isinstance(info, dict) else ""
    lines = [("✓", f"Zalo token valid: {name}")]
    wanted = settings.zalo_webhook_url
    if wanted and url != wanted:
        lines.append(("✗", f"Zalo webhook is {url or 'not set'}; `hocvuso run` sets it"))
    elif wanted:
        lines.append(("✓", f"Zalo webhook {url}"))
    elif url:
        lines.append(("✗", f"a Zalo webhook is set ({url}) but none is configured"))
    else:
        lines.append(("✓", "Zalo: polling (no webhook)"))
    return lines
