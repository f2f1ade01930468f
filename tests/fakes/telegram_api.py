"""A fake Telegram Bot API: a real aiohttp server on 127.0.0.1 for python-telegram-bot tests."""

from __future__ import annotations

import asyncio
import copy
import json
import re
import time
from collections import Counter
from typing import Any

from aiohttp import web

from tests.fakes.base import (
    USE_CONFIGURED,
    ApiError,
    FakeApiServer,
    Handler,
    JsonDict,
    UploadedFile,
)

BOT_FIRST_NAME = "Học vụ số"
MAX_TEXT = 4096
MAX_CAPTION = 1024
MAX_CALLBACK_DATA_BYTES = 64
MAX_CALLBACK_ANSWER = 200

# Form fields are strings on the wire; these are turned back into their real types.
JSON_FIELDS = frozenset(
    {
        "reply_markup",
        "commands",
        "scope",
        "allowed_updates",
        "entities",
        "caption_entities",
        "link_preview_options",
        "reply_parameters",
        "media",
    }
)
INT_FIELDS = frozenset(
    {
        "chat_id",
        "message_id",
        "offset",
        "limit",
        "max_connections",
        "user_id",
        "reply_to_message_id",
        "cache_time",
        "message_thread_id",
        "width",
        "height",
        "duration",
    }
)
FLOAT_FIELDS = frozenset({"timeout"})
BOOL_FIELDS = frozenset(
    {
        "show_alert",
        "drop_pending_updates",
        "disable_notification",
        "protect_content",
        "disable_web_page_preview",
        "allow_sending_without_reply",
        "disable_content_type_detection",
        "has_spoiler",
        "show_caption_above_media",
        "allow_paid_broadcast",
    }
)
# Update types Telegram leaves out unless allowed_updates asks for them.
OPT_IN_UPDATES = frozenset({"chat_member", "message_reaction", "message_reaction_count"})
CHAT_ACTIONS = frozenset(
    {
        "typing",
        "upload_photo",
        "record_video",
        "upload_video",
        "record_voice",
        "upload_voice",
        "upload_document",
        "choose_sticker",
        "find_location",
        "record_video_note",
        "upload_video_note",
    }
)

_SECRET = re.compile(r"[A-Za-z0-9_-]+")
_COMMAND = re.compile(r"[a-z0-9_]{1,32}")
_BOT_COMMAND = re.compile(r"/[A-Za-z0-9_]{1,32}(?:@[A-Za-z0-9_]{3,32})?(?=\s|$)")

NOT_MODIFIED = (
    "Bad Request: message is not modified: specified new message content and reply markup are "
    "exactly the same as a current content and reply markup of the message"
)
QUERY_TOO_OLD = "Bad Request: query is too old and response timeout expired or query id is invalid"
WEBHOOK_CONFLICT = (
    "Conflict: can't use getUpdates method while webhook is active; "
    "use deleteWebhook to delete the webhook first"
)
POLL_CONFLICT = (
    "Conflict: terminated by other getUpdates request; "
    "make sure that only one bot instance is running"
)


def _bad(description: str) -> ApiError:
    return ApiError(400, f"Bad Request: {description}")


def _utf16_len(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


def _update_type(update: JsonDict) -> str | None:
    return next((key for key in update if key != "update_id"), None)


def _inline(markup: Any) -> JsonDict | None:
    """The inline keyboard of a reply_markup, or None (an empty keyboard is no keyboard)."""
    if isinstance(markup, dict) and markup.get("inline_keyboard"):
        return markup
    return None


class FakeTelegram(FakeApiServer):
    """A fake Bot API server: tests push user updates and inspect what the bot sent."""

    _platform = "Telegram"
    _secret_header = "X-Telegram-Bot-Api-Secret-Token"
    _json_unparsable = "Bad Request: can't parse JSON request body"
    _json_not_object = "Bad Request: JSON request body must be an object"
    # The Bot API server reads every field of a JSON body as text, as it reads a form:
    # "chat_id": "42" and "reply_markup": "{…}" are taken like 42 and {…}.
    _coerce_json = True

    def __init__(
        self,
        token: str = "123456:TEST-TOKEN",
        bot_id: int = 123456,
        username: str = "hocvuso_test_bot",
    ) -> None:
        super().__init__(token)
        self.bot_id = bot_id
        self.username = username
        self._new_messages: Counter[int] = Counter()  # per chat, edits not counted
        self.bot_user: JsonDict = {
            "id": bot_id,
            "is_bot": True,
            "first_name": BOT_FIRST_NAME,
            "username": username,
        }

        # What the bot did (and `sent`, `chat_actions`).
        self.answered_callbacks: list[dict] = []
        self.commands: dict[str, list[dict]] = {}
        self.webhook: dict = {
            "url": "",
            "secret_token": None,
            "allowed_updates": None,
            "max_connections": 40,
        }
        self.webhook_posts: list[tuple[int, int]] = []

        # Fault injection.
        self.blocked: set[int] = set()

        # Who exists: chats the bot may write to, users seen anywhere.
        self._chats: dict[int, JsonDict] = {}
        self._users: dict[int, JsonDict] = {}
        self._next_message_id: dict[int, int] = {}
        self._user_messages: dict[int, list[int]] = {}
        self._bot_messages: dict[int, dict[int, dict]] = {}
        self._open_callbacks: set[str] = set()
        self._callback_counter = 0
        self._file_counter = 0
        # Files users sent: file_id -> (file_path, bytes), served by getFile and /file/bot…/.
        self._files: dict[str, tuple[str, bytes]] = {}
        self.downloads: list[str] = []  # file paths the bot downloaded

        # Update delivery.
        self._update_id = 0
        self._pending: list[JsonDict] = []
        self._allowed_updates: list[str] | None = None
        self._poll_generation = 0
        self._webhook_inflight: JsonDict | None = None
        self._webhook_last_error: tuple[int, str] | None = None

        # Keys are lower case: Telegram method names are case-insensitive.
        self._methods: dict[str, Handler] = {
            "getme": self._get_me,
            "getupdates": self._get_updates,
            "setwebhook": self._set_webhook,
            "deletewebhook": self._delete_webhook,
            "getwebhookinfo": self._get_webhook_info,
            "setmycommands": self._set_my_commands,
            "deletemycommands": self._delete_my_commands,
            "getmycommands": self._get_my_commands,
            "sendmessage": self._send_message,
            "sendphoto": self._send_photo,
            "senddocument": self._send_document,
            "sendchataction": self._send_chat_action,
            "editmessagetext": self._edit_message_text,
            "editmessagecaption": self._edit_message_caption,
            "editmessagereplymarkup": self._edit_message_reply_markup,
            "deletemessage": self._delete_message,
            "answercallbackquery": self._answer_callback_query,
            "getfile": self._get_file,
        }

    # --- what users do --------------------------------------------------------------------------
    def push_message(
        self,
        user_id: int,
        text: str | None = None,
        *,
        kind: str = "text",
        chat_type: str = "private",
        chat_id: int | None = None,
        first_name: str = "Dân",
        edited: bool = False,
        image: bytes | None = None,
        file_size: int | None = None,
    ) -> dict:
        """A user writes to the bot (or edits their last message); returns the update.

        A "photo" (or an "image_document", a picture sent as a file) carries `image` as its
        content, downloadable through getFile; `file_size` overrides the size Telegram reports.
        """
        user = self._user(user_id, first_name)
        if chat_type == "private":
            chat_id = user_id if chat_id is None else chat_id
            chat: JsonDict = {"id": chat_id, "type": "private", "first_name": first_name}
        else:
            chat_id = -1000 - user_id if chat_id is None else chat_id
            chat = {"id": chat_id, "type": chat_type, "title": f"Nhóm {abs(chat_id)}"}
        self._chats[chat_id] = chat

        own = self._user_messages.setdefault(chat_id, [])
        if edited and own:
            message_id = own[-1]
        else:
            message_id = self._new_message_id(chat_id)
            own.append(message_id)
        now = int(time.time())
        message: JsonDict = {"message_id": message_id, "from": user, "chat": chat, "date": now}
        if edited:
            message["edit_date"] = now
        message.update(self._content(kind, text, image, file_size))
        return self._push({"edited_message" if edited else "message": message})

    def push_callback(self, user_id: int, message_id: int, data: str) -> dict:
        """A user taps an inline button of the bot's message in their private chat."""
        user = self._user(user_id)
        chat = self._private_chat(user_id)
        record = self._bot_messages.get(user_id, {}).get(message_id)
        if record is not None:
            message = copy.deepcopy(record["message"])
        else:  # deleted or never sent: Telegram sends an InaccessibleMessage (date 0)
            message = {"message_id": message_id, "chat": chat, "date": 0}
        self._callback_counter += 1
        query_id = str(4_000_000_000_000 + self._callback_counter)
        self._open_callbacks.add(query_id)
        query = {
            "id": query_id,
            "from": user,
            "message": message,
            "chat_instance": str(-7_000_000_000 - user_id),
            "data": data,
        }
        return self._push({"callback_query": query})

    def push_block(self, user_id: int) -> dict:
        """A user blocks the bot: later sends to them fail with 403."""
        self.blocked.add(user_id)
        member = {
            "chat": self._private_chat(user_id),
            "from": self._user(user_id),
            "date": int(time.time()),
            "old_chat_member": {"user": self.bot_user, "status": "member"},
            "new_chat_member": {"user": self.bot_user, "status": "kicked", "until_date": 0},
        }
        return self._push({"my_chat_member": member})

    def register_chat(self, chat_id: int, first_name: str = "Dân") -> None:
        """Make a private chat known without an update (the user wrote to the bot before)."""
        self._user(chat_id, first_name)
        self._chats[chat_id] = {"id": chat_id, "type": "private", "first_name": first_name}

    def push_raw(self, update: dict) -> dict:
        """Push any update dict; an update_id is assigned when missing."""
        for value in update.values():
            if not isinstance(value, dict):
                continue
            chat = value.get("chat") or (value.get("message") or {}).get("chat")
            if isinstance(chat, dict) and isinstance(chat.get("id"), int):
                self._chats.setdefault(chat["id"], chat)
            sender = value.get("from")
            if isinstance(sender, dict) and isinstance(sender.get("id"), int):
                self._users.setdefault(sender["id"], sender)
        return self._push(update)

    # --- what the bot did -----------------------------------------------------------------------
    def messages(self, chat_id: int) -> list[dict]:
        """The bot's messages in a chat as they now stand (edits, removals and deletes applied)."""
        views = []
        for record in self._bot_messages.get(chat_id, {}).values():  # ids grow with insertion
            view = copy.deepcopy(record["message"])
            view["text"] = view.get("text") or view.get("caption") or ""
            view["reply_markup"] = copy.deepcopy(record["reply_markup"])
            views.append(view)
        return views

    def message_count(self, chat_id: int) -> int:
        """How many messages the bot has sent to a chat (edits are not new messages)."""
        return self._new_messages[chat_id]

    def texts(self, chat_id: int) -> list[str]:
        """The text (or caption) of each of the bot's messages in a chat, as they now stand."""
        # Cheap on purpose: wait_for() predicates call this every 10 ms.
        return [
            record["message"].get("text") or record["message"].get("caption") or ""
            for record in self._bot_messages.get(chat_id, {}).values()
        ]

    async def wait_texts(self, chat_id: int, count: int, timeout: float = 5.0) -> list[str]:  # noqa: ASYNC109
        """Wait until `count` messages were sent to a chat since start; return all their texts."""

        def sent_to_chat() -> list[str]:
            return [
                entry.get("text") or ""
                for entry in self.sent
                if entry["chat_id"] == chat_id
                and entry["method"] in ("sendMessage", "sendPhoto", "sendDocument")
            ]

        return await self._wait_count(
            sent_to_chat, count, timeout, f"messages sent to chat {chat_id}"
        )

    # --- fault injection ------------------------------------------------------------------------
    def fail_next(
        self,
        method: str,
        status: int,
        count: int = 1,
        retry_after: int | None = None,
        description: str | None = None,
    ) -> None:
        """Make the next `count` calls of a method fail with that HTTP status."""
        if status == 429:
            retry_after = 1 if retry_after is None else retry_after
            description = description or f"Too Many Requests: retry after {retry_after}"
        self._queue_faults(method, status, count, description, retry_after)

    # --- webhook --------------------------------------------------------------------------------
    async def deliver(self, update: dict, *, secret: str | None = USE_CONFIGURED) -> int:
        """POST one update to the webhook now; return the HTTP status (0: no connection)."""
        return await self._deliver_now(update, secret)

    async def _post(self, url: str, update: JsonDict, secret: str | None) -> int:
        status, reason = await self._post_json(url, update, secret)
        self.webhook_posts.append((update.get("update_id", 0), status))
        if not status:
            self._webhook_last_error = (int(time.time()), f"Connection failed: {reason}")
        elif status != 200:
            reason = f"Wrong response from the webhook: {status} {reason}".strip()
            self._webhook_last_error = (int(time.time()), reason)
        return status

    async def _deliver_queued(self, update: JsonDict) -> None:
        """Post an update allowed_updates lets through; a deleted webhook drops it."""
        if not self._is_allowed(update, self.webhook["allowed_updates"]):
            return
        self._webhook_inflight = update
        try:
            await self._post_with_retries(update)
        finally:
            self._webhook_inflight = None

    # --- internals: updates ---------------------------------------------------------------------
    def _push(self, update: JsonDict) -> JsonDict:
        if "update_id" in update:
            self._update_id = max(self._update_id, int(update["update_id"]))
        else:
            self._update_id += 1
            update["update_id"] = self._update_id
        return super()._push(update)

    @staticmethod
    def _is_allowed(update: JsonDict, allowed: list[str] | None) -> bool:
        kind = _update_type(update)
        if allowed:
            return kind in allowed
        return kind not in OPT_IN_UPDATES

    def _user(self, user_id: int, first_name: str | None = None) -> JsonDict:
        user = self._users.get(user_id)
        if user is None or (first_name is not None and user.get("first_name") != first_name):
            user = {
                "id": user_id,
                "is_bot": False,
                "first_name": first_name or "Dân",
                "language_code": "vi",
            }
            self._users[user_id] = user
        return user

    def _private_chat(self, user_id: int) -> JsonDict:
        chat = self._chats.get(user_id)
        if chat is None:
            first_name = self._user(user_id)["first_name"]
            chat = {"id": user_id, "type": "private", "first_name": first_name}
            self._chats[user_id] = chat
        return chat

    def _new_message_id(self, chat_id: int) -> int:
        message_id = self._next_message_id.get(chat_id, 1)
        self._next_message_id[chat_id] = message_id + 1
        return message_id

    def _file_ids(self, prefix: str) -> tuple[str, str]:
        self._file_counter += 1
        return f"{prefix}-{self._file_counter:06d}", f"u{prefix}{self._file_counter:06d}"

    def _keep_file(self, file_id: str, folder: str, suffix: str, data: bytes) -> None:
        """Make a file the user sent downloadable (its path is as opaque as Telegram's)."""
        self._files[file_id] = (f"{folder}/file_{len(self._files)}{suffix}", data)

    def _content(
        self,
        kind: str,
        text: str | None,
        image: bytes | None = None,
        file_size: int | None = None,
    ) -> JsonDict:
        """The kind-specific part of a user's message."""
        if kind == "text":
            if text is None:
                raise ValueError("push_message(kind='text') needs a text")
            content: JsonDict = {"text": text}
            command = _BOT_COMMAND.match(text)
            if command:
                content["entities"] = [
                    {"type": "bot_command", "offset": 0, "length": _utf16_len(command.group())}
                ]
            return content
        if kind == "photo":
            file_id, unique = self._file_ids("AgAC")
            sizes = [(90, 67), (320, 240), (1280, 960)]
            content = {
                "photo": [
                    {
                        "file_id": f"{file_id}-{w}",
                        "file_unique_id": f"{unique}{w}",
                        "width": w,
                        "height": h,
                        "file_size": w * h // 10,
                    }
                    for w, h in sizes
                ]
            }
            largest = content["photo"][-1]
            if image is not None:
                largest["file_size"] = len(image)
                self._keep_file(largest["file_id"], "photos", ".jpg", image)
            if file_size is not None:
                largest["file_size"] = file_size
        elif kind == "sticker":
            file_id, unique = self._file_ids("CAAC")
            content = {
                "sticker": {
                    "file_id": file_id,
                    "file_unique_id": unique,
                    "type": "regular",
                    "width": 512,
                    "height": 512,
                    "is_animated": False,
                    "is_video": False,
                    "emoji": "👍",
                }
            }
            return content
        elif kind == "voice":
            file_id, unique = self._file_ids("AwAC")
            content = {
                "voice": {
                    "file_id": file_id,
                    "file_unique_id": unique,
                    "duration": 3,
                    "mime_type": "audio/ogg",
                    "file_size": 12000,
                }
            }
        elif kind == "image_document":
            file_id, unique = self._file_ids("BQAC")
            data = image or b""
            content = {
                "document": {
                    "file_id": file_id,
                    "file_unique_id": unique,
                    "file_name": "chung-nhan.jpg",
                    "mime_type": "image/jpeg",
                    "file_size": len(data) if file_size is None else file_size,
                }
            }
            self._keep_file(file_id, "documents", ".jpg", data)
        elif kind == "location":
            return {"location": {"latitude": 21.0285, "longitude": 105.8542}}
        elif kind == "document":
            file_id, unique = self._file_ids("BQAC")
            content = {
                "document": {
                    "file_id": file_id,
                    "file_unique_id": unique,
                    "file_name": "tai-lieu.pdf",
                    "mime_type": "application/pdf",
                    "file_size": 20480,
                }
            }
        else:
            raise ValueError(f"unknown message kind {kind!r}")
        if text:
            content["caption"] = text
        return content

    # --- internals: HTTP ------------------------------------------------------------------------
    @staticmethod
    def _method_key(method: str) -> str:
        return method.lower()

    @staticmethod
    def _coerce(name: str, value: Any) -> Any:
        if not isinstance(value, str):
            return value
        try:
            if name in JSON_FIELDS:
                return json.loads(value)
            if name in INT_FIELDS and re.fullmatch(r"-?\d+", value):
                return int(value)
            if name in FLOAT_FIELDS:
                return float(value)
        except ValueError:
            raise _bad(f"can't parse {name} JSON object") from None
        if name in BOOL_FIELDS:
            return value.lower() in ("true", "1")
        return value

    # --- internals: validation ------------------------------------------------------------------
    def _chat(self, params: JsonDict) -> int:
        """The target chat of a send: 400 when unknown, 403 when the user blocked the bot."""
        chat_id = params.get("chat_id")
        if chat_id is None or chat_id == "":
            raise _bad("chat_id is empty")
        if not isinstance(chat_id, int) or chat_id not in self._chats:
            if isinstance(chat_id, int) and chat_id in self._users:
                raise ApiError(403, "Forbidden: bot can't initiate conversation with a user")
            raise _bad("chat not found")
        return chat_id

    def _check_blocked(self, chat_id: int) -> None:
        if chat_id in self.blocked:
            raise ApiError(403, "Forbidden: bot was blocked by the user")

    @staticmethod
    def _check_text(text: Any) -> str:
        if not isinstance(text, str) or not text.strip():
            raise _bad("message text is empty")
        if len(text) > MAX_TEXT:
            raise _bad("message is too long")
        return text

    @staticmethod
    def _check_caption(caption: Any) -> str | None:
        if caption is None or caption == "":
            return None
        caption = str(caption)
        if len(caption) > MAX_CAPTION:
            raise _bad("message caption is too long")
        return caption

    @staticmethod
    def _check_markup(markup: Any) -> JsonDict | None:
        """Validate a reply_markup like Telegram does; return it parsed (None when absent)."""
        if markup is None or markup == "":
            return None
        if not isinstance(markup, dict):
            raise _bad("can't parse reply keyboard markup JSON object")
        if "inline_keyboard" not in markup:
            return markup
        rows = markup["inline_keyboard"]
        if not isinstance(rows, list) or not all(isinstance(row, list) for row in rows):
            raise _bad(
                'field "inline_keyboard" of the InlineKeyboardMarkup should be an Array of Arrays'
            )
        for row in rows:
            for button in row:
                if not isinstance(button, dict) or not button.get("text"):
                    raise _bad("can't parse inline keyboard button: Text must be non-empty")
                actions = [key for key in button if key != "text"]
                if not actions:
                    raise _bad("text buttons are unallowed in the inline keyboard")
                if "callback_data" in button:
                    data = button["callback_data"]
                    size = len(str(data).encode("utf-8"))
                    if not isinstance(data, str) or not 1 <= size <= MAX_CALLBACK_DATA_BYTES:
                        raise _bad("BUTTON_DATA_INVALID")
                if "url" in button and not re.match(r"(https?|tg)://\S+", str(button["url"])):
                    raise _bad("BUTTON_URL_INVALID")
        return markup

    # --- internals: the bot's messages ----------------------------------------------------------
    def _store(self, chat_id: int, content: JsonDict, markup: JsonDict | None) -> JsonDict:
        message_id = self._new_message_id(chat_id)
        message: JsonDict = {
            "message_id": message_id,
            "from": self.bot_user,
            "chat": self._chats[chat_id],
            "date": int(time.time()),
            **content,
        }
        if _inline(markup):
            message["reply_markup"] = markup
        # A reply keyboard is shown in messages() too; an empty inline keyboard is no keyboard.
        shown = markup if markup is not None and "inline_keyboard" not in markup else None
        self._bot_messages.setdefault(chat_id, {})[message_id] = {
            "message": message,
            "reply_markup": _inline(markup) or shown,
        }
        return message

    def _log_sent(self, method: str, chat_id: int, message: JsonDict, **extra: Any) -> None:
        text = message.get("text", message.get("caption"))
        entry: dict = {
            "method": method,
            "chat_id": chat_id,
            "text": text,
            "reply_markup": copy.deepcopy(message.get("reply_markup")),
            "message_id": message["message_id"],
            "at": time.monotonic(),
        }
        if "photo" in message or "document" in message:
            entry["caption"] = message.get("caption")
        entry.update(extra)
        self.sent.append(entry)
        if "edit" not in method:
            self._new_messages[chat_id] += 1

    def _editable(self, params: JsonDict) -> tuple[int, dict]:
        """The stored record of the bot's message an edit targets."""
        if params.get("inline_message_id"):
            raise _bad("message to edit not found")
        chat_id = self._chat(params)
        message_id = params.get("message_id")
        if not isinstance(message_id, int):
            raise _bad("message identifier is not specified")
        record = self._bot_messages.get(chat_id, {}).get(message_id)
        if record is None:
            if message_id in self._user_messages.get(chat_id, []):
                raise _bad("message can't be edited")
            raise _bad("message to edit not found")
        return chat_id, record

    @staticmethod
    def _apply_edit(record: dict, changes: JsonDict, markup: JsonDict | None) -> JsonDict:
        message = record["message"]
        before = ({k: message.get(k) for k in changes}, _inline(message.get("reply_markup")))
        if before == (changes, _inline(markup)):
            raise ApiError(400, NOT_MODIFIED)
        for key, value in changes.items():
            if value is None:
                message.pop(key, None)
            else:
                message[key] = value
        if _inline(markup):
            message["reply_markup"] = markup
        else:
            message.pop("reply_markup", None)
        message["edit_date"] = int(time.time())
        record["reply_markup"] = _inline(markup)
        return message

    # --- methods --------------------------------------------------------------------------------
    async def _get_me(self, params: JsonDict) -> JsonDict:
        return {
            **self.bot_user,
            "can_join_groups": True,
            "can_read_all_group_messages": False,
            "supports_inline_queries": False,
            "can_connect_to_business": False,
            "has_main_web_app": False,
        }

    async def _get_updates(self, params: JsonDict) -> list[JsonDict]:
        self._poll_generation += 1
        generation = self._poll_generation
        self._bump()  # an older long poll is terminated by this one
        if self.webhook["url"]:
            raise ApiError(409, WEBHOOK_CONFLICT)

        offset = params.get("offset")
        if isinstance(offset, int) and offset > 0:
            self._pending = [u for u in self._pending if u["update_id"] >= offset]
        elif isinstance(offset, int) and offset < 0:
            self._pending = self._pending[offset:]
        limit = params.get("limit")
        limit = min(max(limit, 1), 100) if isinstance(limit, int) else 100
        timeout = params.get("timeout")
        timeout = max(float(timeout), 0.0) if isinstance(timeout, int | float) else 0.0
        if "allowed_updates" in params:
            allowed = params["allowed_updates"]
            self._allowed_updates = allowed if isinstance(allowed, list) else None

        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while True:
            if self._closing:
                return []
            if generation != self._poll_generation:
                raise ApiError(409, POLL_CONFLICT)
            if self.webhook["url"]:
                raise ApiError(409, WEBHOOK_CONFLICT)
            self._pending = [
                u for u in self._pending if self._is_allowed(u, self._allowed_updates)
            ]
            remaining = deadline - loop.time()
            if self._pending or remaining <= 0:
                return self._pending[:limit]
            await self._wait_change(remaining)

    async def _set_webhook(self, params: JsonDict) -> bool:
        url = params.get("url") or ""
        if not url:
            return await self._delete_webhook(params)
        if not re.fullmatch(r"https://[^/\s]+(/\S*)?", str(url)):
            raise _bad("bad webhook: An HTTPS URL must be provided for webhook")
        secret = params.get("secret_token")
        if secret is not None:
            if not isinstance(secret, str) or not _SECRET.fullmatch(secret):
                raise _bad("secret token contains unallowed characters")
            if len(secret) > 256:
                raise _bad("secret token is too long")
        max_connections = params.get("max_connections", 40)
        if not isinstance(max_connections, int) or not 1 <= max_connections <= 100:
            raise _bad("bad webhook: max_connections must be between 1 and 100")
        allowed = params.get("allowed_updates")
        if allowed is not None and not (
            isinstance(allowed, list) and all(isinstance(a, str) for a in allowed)
        ):
            raise _bad("can't parse allowed_updates JSON array")

        if params.get("drop_pending_updates"):
            self._pending.clear()
            self._webhook_queue.clear()
        else:
            self._webhook_queue.extend(self._pending)
            self._pending.clear()
        self.webhook.update(
            url=url, secret_token=secret, allowed_updates=allowed, max_connections=max_connections
        )
        self._webhook_last_error = None
        self._webhook_wake.set()
        self._bump()  # long polls now conflict with the webhook
        return True

    async def _delete_webhook(self, params: JsonDict) -> bool:
        self.webhook.update(url="", secret_token=None, allowed_updates=None, max_connections=40)
        if params.get("drop_pending_updates"):
            self._pending.clear()
            self._webhook_queue.clear()
        else:
            self._pending.extend(self._webhook_queue)
            self._pending.sort(key=lambda u: u["update_id"])
            self._webhook_queue.clear()
        self._webhook_last_error = None
        return True

    async def _get_webhook_info(self, params: JsonDict) -> JsonDict:
        url = self.webhook["url"]
        if not url:
            return {"url": "", "has_custom_certificate": False, "pending_update_count": 0}
        pending = len(self._webhook_queue) + (self._webhook_inflight is not None)
        info: JsonDict = {
            "url": url,
            "has_custom_certificate": False,
            "pending_update_count": pending,
            "max_connections": self.webhook["max_connections"],
        }
        if self.webhook["allowed_updates"]:
            info["allowed_updates"] = self.webhook["allowed_updates"]
        if self._webhook_last_error is not None:
            info["last_error_date"], info["last_error_message"] = self._webhook_last_error
        return info

    def _commands_key(self, params: JsonDict) -> str:
        scope = params.get("scope") or {"type": "default"}
        if not isinstance(scope, dict) or "type" not in scope:
            raise _bad("can't parse BotCommandScope JSON object")
        kind = scope["type"]
        if kind in ("chat", "chat_administrators", "chat_member"):
            # Not checked against known chats: a scope usually names a user from the database,
            # who did write to the bot in real life even when the test never pushed for them.
            chat_id = scope.get("chat_id")
            if isinstance(chat_id, str) and re.fullmatch(r"-?\d+", chat_id):
                chat_id = int(chat_id)
            if not isinstance(chat_id, int):
                raise _bad("chat not found")
            key = f"chat:{chat_id}" if kind == "chat" else f"{kind}:{chat_id}"
            if kind == "chat_member":
                key += f":{scope.get('user_id')}"
        else:
            key = str(kind)
        language = params.get("language_code")
        return f"{key}/{language}" if language else key

    async def _set_my_commands(self, params: JsonDict) -> bool:
        commands = params.get("commands")
        if not isinstance(commands, list):
            raise _bad("can't parse commands JSON array")
        if len(commands) > 100:
            raise _bad("BOT_COMMANDS_TOO_MUCH")
        for command in commands:
            if not isinstance(command, dict) or not _COMMAND.fullmatch(
                str(command.get("command", ""))
            ):
                raise _bad("BOT_COMMAND_INVALID")
            if not 1 <= len(str(command.get("description") or "").strip()) <= 256:
                raise _bad("BOT_COMMAND_DESCRIPTION_INVALID")
        key = self._commands_key(params)
        if commands:
            self.commands[key] = [dict(c) for c in commands]
        else:
            self.commands.pop(key, None)
        return True

    async def _delete_my_commands(self, params: JsonDict) -> bool:
        self.commands.pop(self._commands_key(params), None)
        return True

    async def _get_my_commands(self, params: JsonDict) -> list[dict]:
        return self.commands.get(self._commands_key(params), [])

    async def _send_message(self, params: JsonDict) -> JsonDict:
        chat_id = self._chat(params)
        text = self._check_text(params.get("text"))
        markup = self._check_markup(params.get("reply_markup"))
        self._check_blocked(chat_id)
        message = self._store(chat_id, {"text": text}, markup)
        self._log_sent("sendMessage", chat_id, message, reply_markup=markup)
        return message

    async def _send_photo(self, params: JsonDict) -> JsonDict:
        chat_id = self._chat(params)
        photo = params.get("photo")
        if not photo:
            raise _bad("there is no photo in the request")
        caption = self._check_caption(params.get("caption"))
        markup = self._check_markup(params.get("reply_markup"))
        self._check_blocked(chat_id)
        file_id, unique = self._file_ids("AgAC")
        sizes = [(90, 90), (320, 320), (800, 800)]
        content: JsonDict = {
            "photo": [
                {
                    "file_id": f"{file_id}-{w}",
                    "file_unique_id": f"{unique}{w}",
                    "width": w,
                    "height": h,
                }
                for w, h in sizes
            ]
        }
        if caption:
            content["caption"] = caption
        message = self._store(chat_id, content, markup)
        uploaded = photo if isinstance(photo, UploadedFile) else None
        self._log_sent(
            "sendPhoto",
            chat_id,
            message,
            reply_markup=markup,
            photo_bytes=uploaded.content if uploaded else None,
            photo=None if uploaded else photo,
        )
        return message

    async def _send_document(self, params: JsonDict) -> JsonDict:
        chat_id = self._chat(params)
        document = params.get("document")
        if not document:
            raise _bad("there is no document in the request")
        caption = self._check_caption(params.get("caption"))
        markup = self._check_markup(params.get("reply_markup"))
        self._check_blocked(chat_id)
        file_id, unique = self._file_ids("BQAC")
        uploaded = document if isinstance(document, UploadedFile) else None
        info: JsonDict = {"file_id": file_id, "file_unique_id": unique}
        if uploaded:
            if uploaded.filename:
                info["file_name"] = uploaded.filename
            if uploaded.content_type:
                info["mime_type"] = uploaded.content_type
            info["file_size"] = len(uploaded.content)
        content: JsonDict = {"document": info}
        if caption:
            content["caption"] = caption
        message = self._store(chat_id, content, markup)
        self._log_sent(
            "sendDocument",
            chat_id,
            message,
            reply_markup=markup,
            filename=uploaded.filename if uploaded else None,
            document_bytes=uploaded.content if uploaded else None,
            document=None if uploaded else document,
        )
        return message

    async def _get_file(self, params: JsonDict) -> JsonDict:
        """getFile: the file's path for /file/bot<token>/<file_path>; unknown ids are refused."""
        file_id = params.get("file_id")
        if not isinstance(file_id, str) or not file_id:
            raise _bad("file_id is required")
        found = self._files.get(file_id)
        if found is None:
            raise _bad("invalid file_id")
        path, data = found
        return {
            "file_id": file_id,
            "file_unique_id": f"u{file_id}",
            "file_size": len(data),
            "file_path": path,
        }

    def _serve_file(self, request: web.Request) -> web.Response | None:
        prefix = f"/file/bot{self.token}/"
        if not request.path.startswith("/file/"):
            return None
        path = request.path[len(prefix) :] if request.path.startswith(prefix) else None
        for known, data in self._files.values():
            if path == known:
                self.downloads.append(known)
                self._bump()
                return web.Response(body=data, content_type="application/octet-stream")
        return web.Response(status=404, text="Not Found")

    async def _send_chat_action(self, params: JsonDict) -> bool:
        chat_id = self._chat(params)
        action = params.get("action")
        if action not in CHAT_ACTIONS:
            raise _bad("wrong parameter action in request")
        self._check_blocked(chat_id)
        self.chat_actions.append({"chat_id": chat_id, "action": action, "at": time.monotonic()})
        return True

    async def _edit_message_text(self, params: JsonDict) -> JsonDict:
        chat_id, record = self._editable(params)
        text = self._check_text(params.get("text"))
        markup = self._check_markup(params.get("reply_markup"))
        if "text" not in record["message"]:
            raise _bad("there is no text in the message to edit")
        message = self._apply_edit(record, {"text": text}, markup)
        self._log_sent("editMessageText", chat_id, message, reply_markup=_inline(markup))
        return message

    async def _edit_message_caption(self, params: JsonDict) -> JsonDict:
        chat_id, record = self._editable(params)
        caption = self._check_caption(params.get("caption"))
        markup = self._check_markup(params.get("reply_markup"))
        if "text" in record["message"]:
            raise _bad("there is no caption in the message to edit")
        message = self._apply_edit(record, {"caption": caption}, markup)
        self._log_sent(
            "editMessageCaption", chat_id, message, reply_markup=_inline(markup), caption=caption
        )
        return message

    async def _edit_message_reply_markup(self, params: JsonDict) -> JsonDict:
        chat_id, record = self._editable(params)
        markup = self._check_markup(params.get("reply_markup"))
        if markup is not None and "inline_keyboard" not in markup:
            raise _bad("inline keyboard expected")
        message = self._apply_edit(record, {}, markup)
        self._log_sent("editMessageReplyMarkup", chat_id, message, reply_markup=_inline(markup))
        return message

    async def _delete_message(self, params: JsonDict) -> bool:
        chat_id = self._chat(params)
        message_id = params.get("message_id")
        if not isinstance(message_id, int):
            raise _bad("message identifier is not specified")
        if self._bot_messages.get(chat_id, {}).pop(message_id, None) is not None:
            return True
        own = self._user_messages.get(chat_id, [])
        if message_id in own and self._chats[chat_id]["type"] == "private":
            own.remove(message_id)
            return True
        raise _bad("message to delete not found")

    async def _answer_callback_query(self, params: JsonDict) -> bool:
        query_id = str(params.get("callback_query_id") or "")
        if query_id not in self._open_callbacks:
            raise ApiError(400, QUERY_TOO_OLD)
        text = params.get("text")
        if text is not None and len(str(text)) > MAX_CALLBACK_ANSWER:
            raise _bad("MESSAGE_TOO_LONG")
        self._open_callbacks.discard(query_id)
        self.answered_callbacks.append(
            {
                "callback_query_id": query_id,
                "text": text,
                "show_alert": bool(params.get("show_alert", False)),
            }
        )
        return True
