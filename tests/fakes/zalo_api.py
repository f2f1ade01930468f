"""A fake Zalo Bot Platform API: a real aiohttp server on 127.0.0.1 for the bot's Zalo tests."""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import re
import secrets
import time
from collections import deque
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

import aiohttp
from aiohttp import web

log = logging.getLogger(__name__)

JsonDict = dict[str, Any]
Handler = Callable[[JsonDict], Awaitable[Any]]

ACCOUNT_NAME = "hocvuso_bot"
USE_CONFIGURED = "USE_CONFIGURED"
SECRET_HEADER = "X-Bot-Api-Secret-Token"
WEBHOOK_TRIES = 5
WEBHOOK_RETRY_DELAY = 0.2
DEFAULT_POLL_TIMEOUT = 30.0
MAX_TEXT = 2000
MAX_CAPTION = 2000
SECRET_LENGTH = (8, 256)
CHAT_ACTIONS = frozenset({"typing", "upload_photo"})

EVENT_TEXT = "message.text.received"
EVENT_IMAGE = "message.image.received"
EVENT_STICKER = "message.sticker.received"
EVENT_UNSUPPORTED = "message.unsupported.received"

_PATH = re.compile(r"/bot([^/]+)/([A-Za-z]+)/?")
# Tests run their webhook receiver on local plain HTTP; anything else must be HTTPS.
_WEBHOOK_URL = re.compile(r"(https://[^/\s]+|http://127\.0\.0\.1(:\d+)?)(/\S*)?")
_HTTP_URL = re.compile(r"https?://[^/\s]+(/\S*)?")

WEBHOOK_CONFLICT = "Webhook is active, call deleteWebhook first"
BLOCKED = "Forbidden: user has blocked the bot"
DEFAULT_DESCRIPTIONS = {
    400: "Bad Request",
    401: "Unauthorized",
    403: "Forbidden",
    404: "Not Found",
    408: "Request timeout",
    409: "Conflict",
    429: "Quota exceeded",
}


class _NoResult:
    """Marks an answer that is just {"ok": true}, without a `result` (sendChatAction)."""


NO_RESULT = _NoResult()


@dataclass(frozen=True)
class UploadedFile:
    """A file that arrived as a multipart/form-data part (Zalo wants URLs, so sends reject it)."""

    filename: str | None
    content: bytes
    content_type: str | None


class ApiError(Exception):
    """A Zalo error answer: HTTP status = error_code, with a description."""

    def __init__(self, status: int, description: str) -> None:
        super().__init__(description)
        self.status = status
        self.description = description

    def body(self) -> JsonDict:
        """The JSON answer Zalo gives for this error."""
        return {"ok": False, "error_code": self.status, "description": self.description}


def _bad(description: str) -> ApiError:
    return ApiError(400, description)


def _now_ms() -> int:
    return int(time.time() * 1000)


class FakeZalo:
    """A fake Zalo Bot API server: tests push user events and inspect what the bot sent."""

    def __init__(self, token: str = "1234567890:zalo-test-token", bot_id: str = "b0t1d") -> None:
        self.token = token
        self.bot_id = bot_id

        # What the bot did.
        self.sent: list[dict] = []
        self.chat_actions: list[dict] = []
        self.webhook: dict = {"url": "", "secret_token": None, "updated_at": _now_ms()}
        self.webhook_posts: list[tuple[str, int]] = []

        # Fault injection.
        self.blocked: set[str] = set()
        self._faults: dict[str, deque[ApiError]] = {}
        self._calls: dict[str, list[dict]] = {}
        # Bumped on every API call and every push: wakes wait_for() and long polls.
        self._changed = asyncio.Event()

        # Who exists: chats the bot may write to, users seen anywhere.
        self._chats: set[str] = set()
        self._names: dict[str, str] = {}
        self._texts: dict[str, list[str]] = {}
        self._message_ids: set[str] = set()

        # Event delivery.
        self._pending: deque[JsonDict] = deque()
        self._webhook_queue: deque[JsonDict] = deque()
        self._webhook_wake = asyncio.Event()

        # Server.
        self._runner: web.AppRunner | None = None
        self._port: int | None = None
        self._session: aiohttp.ClientSession | None = None
        self._worker: asyncio.Task[None] | None = None
        self._closing = False
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

    # --- lifecycle ------------------------------------------------------------------------------
    async def start(self) -> None:
        """Listen on 127.0.0.1 on a free port and start the webhook delivery task."""
        app = web.Application(client_max_size=50 * 1024 * 1024)
        app.router.add_route("*", "/{tail:.*}", self._handle)
        self._runner = web.AppRunner(
            app, access_log=None, handler_cancellation=True, shutdown_timeout=1.0
        )
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        self._port = int(self._runner.addresses[0][1])
        self._session = aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=10))
        self._closing = False
        self._worker = asyncio.create_task(self._webhook_worker(), name="fake-zalo-webhook")

    async def stop(self) -> None:
        """Wake long polls, stop webhook delivery, close the client session and the server."""
        self._closing = True
        self._bump()
        if self._worker is not None:
            self._worker.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._worker
            self._worker = None
        if self._session is not None:
            await self._session.close()
            self._session = None
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    async def __aenter__(self) -> FakeZalo:
        await self.start()
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.stop()

    @property
    def base_url(self) -> str:
        """The base URL of the API: the client appends `{token}/{method}` to it."""
        if self._port is None:
            raise RuntimeError("FakeZalo.start() has not been awaited")
        return f"http://127.0.0.1:{self._port}/bot"

    # --- what users do --------------------------------------------------------------------------
    def push_text(self, user_id: str, text: str, *, display_name: str = "Dân") -> dict:
        """A user sends a text message to the bot; returns the event (the `result` part)."""
        return self._push(self._event(EVENT_TEXT, user_id, {"text": text}, display_name))

    def push_image(self, user_id: str, *, caption: str = "") -> dict:
        """A user sends a photo (a CDN URL) with an optional caption."""
        photo = f"https://photo-zalo.example/jpg/{secrets.token_hex(8)}.jpg"
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

    def calls(self, method: str) -> list[dict]:
        """The parameters of every call of a method (exact name), failed ones included."""
        return list(self._calls.get(method, []))

    async def wait_for(self, predicate: Callable[[], bool], timeout: float = 5.0) -> None:  # noqa: ASYNC109
        """Wait until predicate() holds, else fail with the last texts the bot sent.

        Woken by every API call the bot makes, so many waiters cost nothing while idle.
        """
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while not predicate():
            remaining = deadline - loop.time()
            if remaining <= 0:
                last = [entry.get("text") for entry in self.sent[-5:]]
                name = getattr(predicate, "__qualname__", repr(predicate))
                raise AssertionError(
                    f"condition {name} not met within {timeout}s; last sent texts: {last!r}"
                )
            changed = self._changed
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(changed.wait(), min(remaining, 0.5))

    async def wait_texts(self, chat_id: str, count: int, timeout: float = 5.0) -> list[str]:  # noqa: ASYNC109
        """Wait until `count` texts were sent to a chat since start; return all of them."""
        try:
            await self.wait_for(lambda: len(self._texts.get(chat_id, ())) >= count, timeout)
        except AssertionError:
            got = self.texts(chat_id)
            raise AssertionError(
                f"expected {count} texts sent to chat {chat_id} within {timeout}s, "
                f"got {len(got)}: {got!r}"
            ) from None
        return self.texts(chat_id)

    def _bump(self) -> None:
        """Wake every wait_for() and long poll: something changed."""
        self._changed.set()
        self._changed = asyncio.Event()

    # --- fault injection ------------------------------------------------------------------------
    def fail_next(
        self, method: str, status: int, count: int = 1, description: str | None = None
    ) -> None:
        """Make the next `count` calls of a method (exact name) fail with that HTTP status."""
        if method not in self._methods:
            raise ValueError(f"unknown Zalo method {method!r} (names are case-sensitive)")
        if status == 429:
            error = ApiError(429, description or DEFAULT_DESCRIPTIONS[429])
        elif status >= 500:
            error = ApiError(status, description or "Internal Server Error")
        else:
            error = ApiError(status, description or DEFAULT_DESCRIPTIONS.get(status, "Error"))
        self._faults.setdefault(method, deque()).extend([error] * count)

    # --- webhook --------------------------------------------------------------------------------
    async def deliver(self, event: dict, *, secret: str | None = USE_CONFIGURED) -> int:
        """POST one event to the webhook now; return the HTTP status (0: no connection)."""
        url = self.webhook["url"]
        if not url:
            raise AssertionError("deliver() needs a webhook: the bot has not called setWebhook")
        if secret == USE_CONFIGURED:
            secret = self.webhook["secret_token"]
        return await self._post_event(url, event, secret)

    async def _post_event(self, url: str, event: JsonDict, secret: str | None) -> int:
        if self._session is None:
            raise RuntimeError("FakeZalo.start() has not been awaited")
        headers = {"Content-Type": "application/json"}
        if secret is not None:
            headers[SECRET_HEADER] = secret
        body = json.dumps({"ok": True, "result": event}, ensure_ascii=False).encode()
        try:
            async with self._session.post(url, data=body, headers=headers) as response:
                await response.read()
                status = response.status
        except (aiohttp.ClientError, OSError, TimeoutError) as err:
            log.info("fake Zalo: webhook POST to %s failed: %r", url, err)
            status = 0
        message = event.get("message")
        message_id = message.get("message_id", "") if isinstance(message, dict) else ""
        self.webhook_posts.append((str(message_id), status))
        self._bump()
        return status

    async def _webhook_worker(self) -> None:
        """Deliver queued events one by one, in order, retrying failures a few times."""
        while True:
            while not (self._webhook_queue and self.webhook["url"]):
                self._webhook_wake.clear()
                await self._webhook_wake.wait()
            event = self._webhook_queue.popleft()
            delivered = False
            try:
                for attempt in range(WEBHOOK_TRIES):
                    if attempt:
                        await asyncio.sleep(WEBHOOK_RETRY_DELAY)
                    url = self.webhook["url"]
                    if not url:
                        # Deleted meanwhile: the event waits for getUpdates, first in line.
                        self._pending.appendleft(event)
                        delivered = True
                        break
                    if await self._post_event(url, event, self.webhook["secret_token"]) == 200:
                        delivered = True
                        break
            except Exception:
                log.exception("fake Zalo: webhook delivery of %s failed", event)
            if not delivered:
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

    def _push(self, event: JsonDict) -> JsonDict:
        if self.webhook["url"]:
            self._webhook_queue.append(event)
            self._webhook_wake.set()
        else:
            self._pending.append(event)
        self._bump()
        return event

    # --- internals: HTTP ------------------------------------------------------------------------
    async def _handle(self, request: web.Request) -> web.Response:
        match = _PATH.fullmatch(request.path)
        if match is None:
            return self._answer_error(ApiError(404, "Not Found"))
        token, method = match.groups()
        if token != self.token:
            return self._answer_error(ApiError(401, "Unauthorized"))
        try:
            params = await self._read_params(request)
        except ApiError as err:
            return self._answer_error(err)
        self._calls.setdefault(method, []).append(params)
        self._bump()
        try:
            handler = self._methods.get(method)
            if handler is None:
                raise ApiError(404, "Not Found")
            faults = self._faults.get(method)
            if faults:
                raise faults.popleft()
            result = await handler(params)
        except ApiError as err:
            return self._answer_error(err)
        finally:
            self._bump()
        if isinstance(result, _NoResult):
            return self._answer({"ok": True}, 200)
        return self._answer({"ok": True, "result": result}, 200)

    @staticmethod
    def _answer(body: JsonDict, status: int) -> web.Response:
        return web.Response(
            text=json.dumps(body, ensure_ascii=False),
            status=status,
            content_type="application/json",
        )

    def _answer_error(self, err: ApiError) -> web.Response:
        return self._answer(err.body(), err.status)

    @staticmethod
    async def _read_params(request: web.Request) -> JsonDict:
        """Query string, then the body (JSON, urlencoded or multipart form) over it."""
        params: JsonDict = dict(request.query)
        if not request.can_read_body:
            return params
        if request.content_type == "application/json":
            try:
                body = await request.json()
            except ValueError:
                raise _bad("Invalid JSON body") from None
            if not isinstance(body, dict):
                raise _bad("JSON body must be an object")
            return {**params, **body}
        form = await request.post()
        for name, value in form.items():
            if isinstance(value, web.FileField):
                with value.file as handle:
                    content = handle.read()
                params[name] = UploadedFile(value.filename, content, value.content_type)
            else:
                params[name] = value
        return params

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
            changed = self._changed
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(changed.wait(), remaining)

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

    async def _send_chat_action(self, params: JsonDict) -> _NoResult:
        chat_id = self._chat(params)
        action = params.get("action")
        if action not in CHAT_ACTIONS:
            raise _bad("action must be typing or upload_photo")
        self._check_blocked(chat_id)
        self.chat_actions.append({"chat_id": chat_id, "action": action, "at": time.monotonic()})
        return NO_RESULT
