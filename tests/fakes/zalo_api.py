"""A fake Zalo Bot Platform API: a real aiohttp server on 127.0.0.1 for the bot's Zalo tests."""

from __future__ import annotations

import asyncio
import logging
import re
import secrets
import time
from collections import deque
from typing import Any

from aiohttp import web

from tests.fakes.base import (
    ERROR_DESCRIPTIONS,
    NO_RESULT,
    USE_CONFIGURED,
    WEBHOOK_TRIES,
    ApiError,
    FakeApiServer,
    Handler,
    JsonDict,
    NoResult,
)

log = logging.getLogger(__name__)

ACCOUNT_NAME = "hocvuso_bot"
SECRET_HEADER = "X-Bot-Api-Secret-Token"
DEFAULT_POLL_TIMEOUT = 30.0
MAX_TEXT = 2000
MAX_CAPTION = 2000
SECRET_LENGTH = (8, 256)
CHAT_ACTIONS = frozenset({"typing", "upload_photo"})

EVENT_TEXT = "message.text.received"
EVENT_IMAGE = "message.image.received"
EVENT_STICKER = "message.sticker.received"
EVENT_UNSUPPORTED = "message.unsupported.received"

# Tests run their webhook receiver on local plain HTTP; anything else must be HTTPS.
_WEBHOOK_URL = re.compile(r"https://[^/\s]+(/\S*)?")
_HTTP_URL = re.compile(r"https?://[^/\s]+(/\S*)?")

WEBHOOK_CONFLICT = "Webhook is active, call deleteWebhook first"
BLOCKED = "Forbidden: user has blocked the bot"
DEFAULT_DESCRIPTIONS = {**ERROR_DESCRIPTIONS, 408: "Request timeout", 429: "Quota exceeded"}


def _bad(description: str) -> ApiError:
    return ApiError(400, description)


def _now_ms() -> int:
    return int(time.time() * 1000)


class FakeZalo(FakeApiServer):
    """A fake Zalo Bot API server: tests push user events and inspect what the bot sent."""

    _platform = "Zalo"
    _secret_header = SECRET_HEADER
    _json_unparsable = "Invalid JSON body"
    _json_not_object = "JSON body must be an object"
    _error_descriptions = DEFAULT_DESCRIPTIONS

    def __init__(self, token: str = "1234567890:zalo-test-token", bot_id: str = "b0t1d") -> None:
        super().__init__(token)
        self.bot_id = bot_id

        # What the bot did (and `sent`, `chat_actions`).
        self.webhook: dict = {"url": "", "secret_token": None, "updated_at": _now_ms()}
        self.webhook_posts: list[tuple[str, int]] = []

        # Fault injection.
        self.blocked: set[str] = set()

        # Who exists: chats the bot may write to, users seen anywhere.
        self._chats: set[str] = set()
        self._names: dict[str, str] = {}
        self._texts: dict[str, list[str]] = {}
        self._message_ids: set[str] = set()
        # Pictures users sent, served at the event's `photo` URL (the platform's CDN).
        self._images: dict[str, bytes] = {}
        self.downloads: list[str] = []  # CDN paths the bot downloaded

        # Event delivery.
        self._pending: deque[JsonDict] = deque()

        # Keys are exact: Zalo method names are case-sensitive.
        self._methods: dict[str, Handler] = {
            "getMe": self._get_me,
            "getUpdates": self._get_updates,
            "setWebhook": self._set_webhook,
            "deleteWebhook": self._delete_webhook,
            "getWebhookInfo": self._get_webhook_info,
            "sendMessage": self._send_message,
            "sendPhoto": self._send_photo,
            "sendSticker": self._send_sticker,
            "sendChatAction": self._send_chat_action,
        }

    # --- what users do --------------------------------------------------------------------------
    def push_text(self, user_id: str, text: str, *, display_name: str = "Dân") -> dict:
        """A user sends a text message to the bot; returns the event (the `result` part)."""
        return self._push(self._event(EVENT_TEXT, user_id, {"text": text}, display_name))

    def push_image(
        self, user_id: str, *, caption: str = "", image: bytes | None = None, url: str = ""
    ) -> dict:
        """A user sends a photo (a CDN URL) with an optional caption.

        With `image`, the URL is served by this fake (its CDN) and returns those bytes; with
        `url`, it is that address; with neither, it points at a CDN the test cannot reach.
        """
        name = f"{secrets.token_hex(8)}.jpg"
        if url:
            photo = url
        elif image is None:
            photo = f"https://photo-zalo.example/jpg/{name}"
        else:
            self._images[f"/cdn/jpg/{name}"] = image
            photo = f"{self.base_url.removesuffix('/bot')}/cdn/jpg/{name}"
        content = {"photo": photo, "caption": caption}
        return self._push(self._event(EVENT_IMAGE, user_id, content))

    def push_sticker(self, user_id: str) -> dict:
        """A user sends a sticker: its id and the URL of its picture."""
        sticker = secrets.token_hex(4)
        content = {"sticker": sticker, "url": f"https://sticker-zalo.example/{sticker}.webp"}
        return self._push(self._event(EVENT_STICKER, user_id, content))

    def push_unsupported(self, user_id: str) -> dict:
        """A message from a protected user: Zalo sends it without text or content."""
        return self._push(self._event(EVENT_UNSUPPORTED, user_id, {}))

    def push_raw(self, event: dict) -> dict:
        """Push any event dict (the `result` part) as is; its chat becomes known."""
        message = event.get("message")
        if isinstance(message, dict):
            chat = message.get("chat")
            if isinstance(chat, dict) and isinstance(chat.get("id"), str):
                self._chats.add(chat["id"])
            sender = message.get("from")
            if isinstance(sender, dict) and isinstance(sender.get("id"), str):
                self._names.setdefault(sender["id"], str(sender.get("display_name") or "Dân"))
            if isinstance(message.get("message_id"), str):
                self._message_ids.add(message["message_id"])
        return self._push(event)

    def register_chat(self, chat_id: str, display_name: str = "Dân") -> None:
        """Make a chat known without an event (the user wrote to the bot before the test)."""
        self._chats.add(chat_id)
        self._names.setdefault(chat_id, display_name)

    # --- what the bot did -----------------------------------------------------------------------
    def texts(self, chat_id: str) -> list[str]:
        """Texts and photo captions ("" when none) the bot sent to a chat, in order."""
        # Cheap on purpose: wait_for() predicates call this often. Stickers have no text.
        return list(self._texts.get(chat_id, ()))

    async def wait_texts(self, chat_id: str, count: int, timeout: float = 5.0) -> list[str]:  # noqa: ASYNC109
        """Wait until `count` texts were sent to a chat since start; return all of them."""
        return await self._wait_count(
            lambda: self.texts(chat_id), count, timeout, f"texts sent to chat {chat_id}"
        )

    # --- fault injection ------------------------------------------------------------------------
    def fail_next(
        self, method: str, status: int, count: int = 1, description: str | None = None
    ) -> None:
        """Make the next `count` calls of a method (exact name) fail with that HTTP status."""
        if method not in self._methods:
            raise ValueError(f"unknown Zalo method {method!r} (names are case-sensitive)")
        self._queue_faults(method, status, count, description)

    # --- webhook --------------------------------------------------------------------------------
    async def deliver(self, event: dict, *, secret: str | None = USE_CONFIGURED) -> int:
        """POST one event to the webhook now; return the HTTP status (0: no connection)."""
        return await self._deliver_now(event, secret)

    async def _post(self, url: str, event: JsonDict, secret: str | None) -> int:
        status, reason = await self._post_json(url, {"ok": True, "result": event}, secret)
        if not status:
            log.info("fake Zalo: webhook POST to %s failed: %s", url, reason)
        message = event.get("message")
        message_id = message.get("message_id", "") if isinstance(message, dict) else ""
        self.webhook_posts.append((str(message_id), status))
        self._bump()
        return status

    async def _deliver_queued(self, event: JsonDict) -> None:
        """Post an event; a deleted webhook leaves it to getUpdates, first in line."""
        delivered = await self._post_with_retries(event)
        if delivered is None:
            self._pending.appendleft(event)
        elif not delivered:
            log.info("fake Zalo: dropped event after %d tries: %s", WEBHOOK_TRIES, event)

    # --- internals: events ----------------------------------------------------------------------
    def _new_message_id(self) -> str:
        while True:
            message_id = secrets.token_hex(10)
            if message_id not in self._message_ids:
                self._message_ids.add(message_id)
                return message_id

    def _event(
        self, event_name: str, user_id: str, content: JsonDict, display_name: str | None = None
    ) -> JsonDict:
        """A private-chat event from a user; the chat becomes one the bot may write to."""
        if display_name is not None:
            self._names[user_id] = display_name
        name = self._names.setdefault(user_id, "Dân")
        self._chats.add(user_id)
        message: JsonDict = {
            "from": {"id": user_id, "display_name": name, "is_bot": False},
            "chat": {"id": user_id, "chat_type": "PRIVATE"},
            **content,
            "message_id": self._new_message_id(),
            "date": _now_ms(),
        }
        return {"event_name": event_name, "message": message}

    def _serve_file(self, request: web.Request) -> web.Response | None:
        if not request.path.startswith("/cdn/"):
            return None
        data = self._images.get(request.path)
        if data is None:
            return web.Response(status=404, text="Not Found")
        self.downloads.append(request.path)
        self._bump()
        return web.Response(body=data, content_type="image/jpeg")

    # --- internals: validation ------------------------------------------------------------------
    def _chat(self, params: JsonDict) -> str:
        """The target chat of a send: 400 when missing or unknown."""
        chat_id = params.get("chat_id")
        if chat_id is None or chat_id == "":
            raise _bad("chat_id is required")
        chat_id = str(chat_id)
        if chat_id not in self._chats:
            raise _bad("Chat not found")
        return chat_id

    def _check_blocked(self, chat_id: str) -> None:
        if chat_id in self.blocked:
            raise ApiError(403, BLOCKED)

    @staticmethod
    def _check_text(text: Any) -> str:
        if not isinstance(text, str) or not text.strip():
            raise _bad("Text is empty")
        if len(text) > MAX_TEXT:
            raise _bad("Text is too long")
        return text

    @staticmethod
    def _check_caption(caption: Any) -> str:
        if caption is None:
            return ""
        if not isinstance(caption, str):
            raise _bad("Caption must be a string")
        if len(caption) > MAX_CAPTION:
            raise _bad("Caption is too long")
        return caption

    def _record_send(self, method: str, chat_id: str, **content: Any) -> JsonDict:
        """Log a successful send; return its result {"message_id", "date"}."""
        result = {"message_id": self._new_message_id(), "date": _now_ms()}
        entry: dict = {"method": method, "chat_id": chat_id, **content}
        entry.update(message_id=result["message_id"], at=time.monotonic())
        self.sent.append(entry)
        if content.get("text") is not None:
            self._texts.setdefault(chat_id, []).append(content["text"])
        return result

    # --- methods --------------------------------------------------------------------------------
    async def _get_me(self, params: JsonDict) -> JsonDict:
        return {
            "id": self.bot_id,
            "account_name": ACCOUNT_NAME,
            "account_type": "BASIC",
            "can_join_groups": False,
        }

    async def _get_updates(self, params: JsonDict) -> JsonDict:
        if self.webhook["url"]:
            raise _bad(WEBHOOK_CONFLICT)
        raw = params.get("timeout", DEFAULT_POLL_TIMEOUT)
        try:
            timeout = max(float(raw), 0.0)
        except (TypeError, ValueError):
            raise _bad("timeout must be a number") from None

        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while True:
            if self._closing:
                raise ApiError(408, "Request timeout")
            if self.webhook["url"]:
                raise _bad(WEBHOOK_CONFLICT)
            if self._pending:
                return self._pending.popleft()
            remaining = deadline - loop.time()
            if remaining <= 0:
                raise ApiError(408, "Request timeout")
            await self._wait_change(remaining)

    async def _set_webhook(self, params: JsonDict) -> JsonDict:
        url = params.get("url")
        if not isinstance(url, str) or not _WEBHOOK_URL.fullmatch(url):
            raise _bad("Invalid webhook URL: an HTTPS URL is required")
        secret = params.get("secret_token")
        low, high = SECRET_LENGTH
        if not isinstance(secret, str) or not low <= len(secret) <= high:
            raise _bad(f"secret_token must be {low}-{high} characters")
        # Events waiting for getUpdates now go to the webhook, in order.
        self._webhook_queue.extend(self._pending)
        self._pending.clear()
        self.webhook.update(url=url, secret_token=secret, updated_at=_now_ms())
        self._webhook_wake.set()
        self._bump()  # long polls now fail
        return {"url": url, "updated_at": self.webhook["updated_at"]}

    async def _delete_webhook(self, params: JsonDict) -> JsonDict:
        self.webhook.update(url="", secret_token=None, updated_at=_now_ms())
        # Events not yet delivered wait for getUpdates instead.
        self._pending.extend(self._webhook_queue)
        self._webhook_queue.clear()
        return {"url": "", "updated_at": self.webhook["updated_at"]}

    async def _get_webhook_info(self, params: JsonDict) -> JsonDict:
        return {"url": self.webhook["url"], "updated_at": self.webhook["updated_at"]}

    async def _send_message(self, params: JsonDict) -> JsonDict:
        chat_id = self._chat(params)
        text = self._check_text(params.get("text"))
        self._check_blocked(chat_id)
        return self._record_send("sendMessage", chat_id, text=text)

    async def _send_photo(self, params: JsonDict) -> JsonDict:
        chat_id = self._chat(params)
        photo = params.get("photo")
        if not isinstance(photo, str) or not _HTTP_URL.fullmatch(photo):
            raise _bad("photo must be an http(s) URL")
        caption = self._check_caption(params.get("caption"))
        self._check_blocked(chat_id)
        return self._record_send("sendPhoto", chat_id, text=caption, photo=photo)

    async def _send_sticker(self, params: JsonDict) -> JsonDict:
        chat_id = self._chat(params)
        sticker = params.get("sticker")
        if not isinstance(sticker, str) or not sticker:
            raise _bad("sticker is required")
        self._check_blocked(chat_id)
        return self._record_send("sendSticker", chat_id, text=None, sticker=sticker)

    async def _send_chat_action(self, params: JsonDict) -> NoResult:
        chat_id = self._chat(params)
        action = params.get("action")
        if action not in CHAT_ACTIONS:
            raise _bad("action must be typing or upload_photo")
        self._check_blocked(chat_id)
        self.chat_actions.append({"chat_id": chat_id, "action": action, "at": time.monotonic()})
        return NO_RESULT
