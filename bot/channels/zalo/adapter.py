"""Zalo Bot Platform over aiohttp: webhook or long polling; choices typed as numbers.

Zalo's getUpdates hands out one event per call and has no way to confirm it later: the event is
handled and committed (tried again while the database is busy) before the next call, so only a
crash between receiving an event and committing it loses that event. A webhook has no such gap:
it is answered 200 only after the commit. Use the webhook for real work.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import json
import logging
from typing import Any

import aiohttp

from bot.channels.base import ChannelHost, ChannelSetupError, numbered
from bot.channels.platform import PlatformChannel
from bot.channels.split import split_text
from bot.channels.zalo.api import ZaloApi, ZaloError, translate
from bot.core.files import FileTooBig, FileUnavailable, image_suffix
from bot.core.messages import FileRef, Inbound, Reply
from bot.media import MediaStore

log = logging.getLogger(__name__)

MAX_TEXT = 2000
POLL_TIMEOUT = 30
RETRY_FIRST, RETRY_MAX = 0.5, 30.0  # seconds between tries of an event that failed to commit
EVENTS = {
    "message.text.received": "text",
    "message.image.received": "media",
    "message.sticker.received": "media",
    "message.unsupported.received": "unsupported",
}
NO_PHOTO = "(Ảnh này chỉ xem được trên Telegram. Bạn nhờ cán bộ xã gửi qua Telegram hoặc email.)"
# A picture people send is fetched within this time, or given up (they are told to resend it).
FETCH_TIMEOUT = aiohttp.ClientTimeout(total=20, sock_connect=5, sock_read=10)
FILE_LINK = "📎 Tải tệp {filename} tại: {url}\n(Đường dẫn dùng được trong 24 giờ.)"
NO_FILE = "(Tệp {filename} chỉ gửi được qua Telegram. Bạn dùng Telegram hoặc nhờ cán bộ xã gửi.)"


class ZaloChannel(PlatformChannel):
    """Receive Zalo events (webhook or getUpdates) and send replies as numbered text."""

    name = "zalo"

    def __init__(
        self,
        host: ChannelHost,
        token: str,
        api_url: str,
        *,
        rate: float = 10.0,
        webhook_url: str | None = None,
        webhook_secret: str | None = None,
        media: MediaStore | None = None,
        public_url: str | None = None,
        chat_interval: float = 0.05,
        fetch_timeout: aiohttp.ClientTimeout = FETCH_TIMEOUT,
    ) -> None:
        self.token = token
        self.fetch_timeout = fetch_timeout
        self.api_url = api_url
        self.media = media
        self.public_url = public_url.rstrip("/") if public_url else None
        self._http: aiohttp.ClientSession | None = None
        self.api: ZaloApi | None = None
        super().__init__(host, rate, webhook_url, webhook_secret, chat_interval)

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
                self.start_polling(self._poll())
                log.info("zalo polling started")
        except ZaloError as error:
            await self._http.close()
            raise ChannelSetupError(f"Zalo did not accept the bot token: {error}") from None

    async def stop(self) -> None:
        """Stop polling and close the HTTP session."""
        await self.stop_polling()
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
                delay = RETRY_FIRST
                while not await self.process_event(event):
                    await asyncio.sleep(delay)
                    delay = min(delay * 2, RETRY_MAX)

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
            outcome = await self.host.receive(inbound)
        except Exception:
            log.exception("zalo event failed", extra={"update_key": inbound.update_key})
            return True
        return not outcome.retry

    def to_inbound(self, event: dict[str, Any]) -> Inbound | None:
        """Convert a Zalo event to an Inbound (None for events we ignore)."""
        kind = EVENTS.get(str(event.get("event_name")))
        message = event.get("message")
        if kind is None or not isinstance(message, dict):
            return None
        sender = message.get("from")
        sender = sender if isinstance(sender, dict) else {}
        chat = message.get("chat")
        chat = chat if isinstance(chat, dict) else {}
        user_id = str(sender.get("id") or chat.get("id") or "")
        chat_id = str(chat.get("id") or user_id)
        if not user_id or chat.get("chat_type", "PRIVATE") != "PRIVATE":
            return None
        if kind == "unsupported":
            # The platform hides the content (a protected user); note it, never the content.
            log.info("zalo unsupported message", extra={"chat_id": chat_id})
        text = message.get("text") if kind == "text" else None
        photo = (
            message.get("photo") if event.get("event_name") == "message.image.received" else None
        )
        picture = (
            FileRef(self.name, photo)
            if isinstance(photo, str) and photo.startswith(("https://", "http://"))
            else None
        )
        return Inbound(
            channel=self.name,
            external_id=user_id[:64],
            chat_id=chat_id[:64],
            text=str(text) if text is not None else None,
            kind=kind,
            display_name=str(sender.get("display_name") or "")[:120] or None,
            update_key=_event_key(user_id, message, event),
            file=picture,
        )

    async def fetch_file(self, ref: FileRef, limit: int) -> bytes:
        """Fetch a picture from the URL of an image message, reading no more than `limit`."""
        http = self._http
        if http is None:
            raise FileUnavailable("channel not started")
        try:
            async with http.get(ref.ref, max_redirects=3, timeout=self.fetch_timeout) as response:
                if response.status != 200:
                    raise FileUnavailable(f"HTTP {response.status}")
                if (response.content_length or 0) > limit:
                    raise FileTooBig()
                data = bytearray()
                async for chunk in response.content.iter_chunked(64 * 1024):
                    data += chunk
                    if len(data) > limit:
                        raise FileTooBig()
                return bytes(data)
        except (aiohttp.ClientError, TimeoutError) as error:
            # A picture server that hangs is a picture that did not come, not a reason to hold
            # the person's messages and try again.
            raise FileUnavailable(type(error).__name__) from None

    # --- sending ----------------------------------------------------------------------------
    def _link(
        self, data: bytes, content_type: str, filename: str, picture: str | None = None
    ) -> str | None:
        """A link Zalo can fetch the file from for a day; a person's picture (named in the
        media directory) is linked, not copied, so deleting it ends the link."""
        if self.media is None or self.public_url is None:
            return None
        token = picture and self.media.share_picture(picture, content_type, filename)
        token = token or self.media.put(data, content_type, filename)
        return f"{self.public_url}/media/{token}"

    async def edit(self, chat_id: str, message_ref: str, text: str) -> bool:
        """Zalo cannot edit a sent message."""
        return False

    async def send(self, chat_id: str, reply: Reply) -> str | None:
        """Send one reply: options as a numbered list, text split at 2,000 characters."""
        text = numbered(reply)
        if reply.photo is not None:
            suffix = image_suffix(reply.photo) or ".png"
            kind = {".jpg": "jpeg"}.get(suffix, suffix[1:])
            filename = reply.filename or f"anh{suffix}"
            url = self._link(reply.photo, f"image/{kind}", filename, reply.photo_ref)
            if url is not None:
                # The caption carries the numbered choices too (Zalo has no buttons).
                caption = text if len(text) <= MAX_TEXT else ""
                sent = await self._call(chat_id, "sendPhoto", photo=url, caption=caption)
                if caption or not text.strip():
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
        api = self.api
        assert api is not None, "channel not started"
        return await self.policy.call(
            chat_id, lambda: translate(lambda: api.call(method, chat_id=chat_id, **params))
        )


def _event_key(user_id: str, message: dict[str, Any], event: dict[str, Any]) -> str:
    """Key an event for redeliveries: (sender, message_id), else a hash of the whole body."""
    message_id = message.get("message_id")
    if message_id:
        return f"{user_id[:40]}:{str(message_id)[:58]}"
    body = json.dumps(event, sort_keys=True, ensure_ascii=False, default=str)
    return f"{user_id[:40]}:h{hashlib.sha256(body.encode()).hexdigest()[:40]}"


def _ref(result: Any) -> str | None:
    return (
        str(result["message_id"]) if isinstance(result, dict) and "message_id" in result else None
    )
