"""The neutral messages every channel converts to and from: Inbound, Reply, Option."""

from __future__ import annotations

from dataclasses import dataclass, field

MAX_PAYLOAD_BYTES = 64
# Said when a button is old, forged or no longer allowed (channels show it as a short notice).
STALE = "Câu này đã qua, mời bạn chọn lại 🙏"


@dataclass(frozen=True, slots=True)
class Option:
    """One choice offered to the user: a button on Telegram, a numbered line elsewhere.

    `intent` names what the option means in the words people use ("next" for "Tiếp", "skip"),
    so "ok", "tiếp" or "bỏ qua" typed pick it (bot.core.resolver).
    """

    label: str
    payload: str
    intent: str | None = None

    def __post_init__(self) -> None:
        if len(self.payload.encode()) > MAX_PAYLOAD_BYTES:
            raise ValueError(f"option payload over {MAX_PAYLOAD_BYTES} bytes: {self.payload!r}")


@dataclass(frozen=True, slots=True)
class Reply:
    """One message the bot sends back; `options` are what the user may answer with."""

    text: str
    options: tuple[Option, ...] = ()
    photo: bytes | None = None
    document: bytes | None = None
    filename: str | None = None
    # A picture kept in the media directory (bot/media.py), sent as the photo: an outbox row
    # names the file instead of holding its bytes, and deleting the file withdraws it.
    photo_ref: str | None = None


@dataclass(frozen=True, slots=True)
class FileRef:
    """A picture a person sent, as the platform lets us fetch it (no platform types).

    `ref` is the platform's file id (Telegram) or the picture's URL (Zalo); `size` in bytes and
    `mime` are given where the platform says them.
    """

    channel: str
    ref: str
    size: int | None = None
    mime: str | None = None

    def __repr__(self) -> str:
        # A file id or URL points at personal data: keep it out of logs and tracebacks.
        return f"FileRef(channel={self.channel!r}, size={self.size!r}, mime={self.mime!r})"


@dataclass(frozen=True, slots=True)
class Inbound:
    """What a user sent, on any channel.

    `text` is typed text; `payload` is the data of a pressed button; `kind` is "text",
    "button", "media" (photo, sticker, voice…) or "unsupported" (content the platform hid).
    `file` is set for a "media" message that is a picture (a photo, or an image sent as a file).
    `update_key` identifies a platform delivery so a redelivery is handled once.
    """

    channel: str
    external_id: str
    chat_id: str
    text: str | None = None
    payload: str | None = None
    kind: str = "text"
    display_name: str | None = None
    update_key: str | None = None
    file: FileRef | None = None


@dataclass(slots=True)
class Outcome:
    """The engine's answer to one Inbound."""

    replies: list[Reply] = field(default_factory=list)
    refused: bool = False  # an old or forged button: channels may show a short notice
    duplicate: bool = False  # a redelivered update, already handled
    failed: bool = False  # nothing was committed; `replies` holds the "busy" answer
    retry: bool = False  # failed for a passing reason: do not acknowledge, deliver it again
    user_id: int | None = None
    role_changed: str | None = None  # the user was just given this role
    outbox_ids: list[int] = field(default_factory=list)  # the replies, committed to the outbox
