"""What every channel shares: its contract with the app, its spec, settings, errors and lists."""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Protocol
from urllib.parse import urlsplit

from pydantic import AliasChoices, Field, SecretStr, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from bot.core.messages import FileRef, Inbound, Outcome, Reply

if TYPE_CHECKING:
    from bot.media import MediaStore


class Channel(Protocol):
    """A way to reach people: receives updates, sends replies, stops."""

    name: str

    async def start(self) -> None:
        """Start receiving updates."""

    async def stop(self) -> None:
        """Stop receiving and release resources."""

    async def send(self, chat_id: str, reply: Reply) -> str | None:
        """Send one reply to a chat; return the platform's id of the last message sent."""

    async def edit(self, chat_id: str, message_ref: str, text: str) -> bool:
        """Replace the text of a sent message; False where the platform cannot edit."""


class WebhookChannel(Channel, Protocol):
    """A channel that receives updates as webhook POSTs."""

    async def process_json(self, data: dict[str, Any]) -> bool:
        """Handle one webhook body; False when nothing was committed (deliver it again)."""


class FileChannel(Channel, Protocol):
    """A channel that can fetch the pictures people send it (Inbound.file)."""

    async def fetch_file(self, ref: FileRef, limit: int) -> bytes:
        """Return the file's bytes; raise bot.core.files.FileTooBig past `limit` bytes."""


BeforeSend = Callable[[Outcome], Awaitable[None]]


class ChannelHost(Protocol):
    """What the app gives a channel: where updates go, and the services it may call."""

    def attach(self, channel: Channel) -> None:
        """Let the host send through this channel (its durable replies, the outbox)."""

    async def receive(self, inbound: Inbound, before_send: BeforeSend | None = None) -> Outcome:
        """Handle one update, commit it, then send its replies; `before_send` runs in between."""

    async def mark_unreachable(self, channel: str, chat_id: str) -> None:
        """Record that a chat blocked the bot (reachable again when the person writes)."""

    async def role_chats(self, channel: str) -> list[tuple[str, str]]:
        """(chat id, role) of the people of this channel who hold a role (for their menus)."""


# --- errors a channel raises when sending (bot.delivery.policy decides what follows) ----------
class Unreachable(Exception):
    """The user blocked the bot or left: do not try this chat again until they write."""


class PermanentFailure(Exception):
    """The platform refused this message for good (bad request): retrying cannot help."""


class RateLimited(Exception):
    """The platform asks to slow down (429), for `retry_after` seconds when it says."""

    def __init__(self, retry_after: float | None = None) -> None:
        super().__init__(f"rate limited (retry after {retry_after})")
        self.retry_after = retry_after


class Transient(Exception):
    """A failure that may pass: a 5xx, a time-out, no connection.

    `refund` is True when the platform answered that nothing was sent (a 5xx), so the call does
    not use up the rate; a time-out may have delivered the message and keeps its token.
    """

    def __init__(self, refund: bool, reason: str = "") -> None:
        super().__init__(reason or "transient failure")
        self.refund = refund


class ChannelSetupError(Exception):
    """A channel cannot start (token refused, API unreachable); the message says why, without
    the token."""

    def __init__(self, message: str) -> None:
        super().__init__(hide_tokens(message))


# A bot token as Telegram and Zalo write it (digits, a colon, letters), plain or in a URL; a
# host's port ("10.0.0.100:8080", digits only) is no token.
_TOKEN = re.compile(r"\d{3,}(?::|%3[Aa])(?=[\w-]*[A-Za-z_-])[A-Za-z0-9_-]{3,}")


def hide_tokens(text: str) -> str:
    """Blank out anything shaped like a bot token: error texts quote API addresses (which hold
    it), and a library may quote the token it was given."""
    return _TOKEN.sub("<token>", text)


# --- settings and spec ------------------------------------------------------------------------
class ChannelSettings(BaseSettings):
    """The settings every platform channel has; a channel sets its own env prefix and defaults.

    An empty environment variable means "not set", so `HOCVUSO_TELEGRAM_TOKEN=` in a Zalo-only
    set-up leaves Telegram off.
    """

    model_config = SettingsConfigDict(
        env_file=".env", env_file_encoding="utf-8", extra="ignore", env_ignore_empty=True
    )

    token: SecretStr | None = None
    api_url: str = ""
    webhook_url: str | None = None
    webhook_secret: SecretStr | None = None
    rate: float = Field(10.0, gt=0)
    # Development only: let a webhook URL be plain http:// on this machine (loopback).
    allow_http_webhook: bool = Field(
        False, validation_alias=AliasChoices("HOCVUSO_ALLOW_HTTP_WEBHOOKS", "allow_http_webhook")
    )

    @property
    def enabled(self) -> bool:
        """Tell whether the channel is configured (it has a token)."""
        return self.token is not None

    def secret(self) -> str | None:
        """Return the webhook secret in clear, or None."""
        return self.webhook_secret.get_secret_value() if self.webhook_secret else None

    @model_validator(mode="after")
    def _webhook(self) -> ChannelSettings:
        url = self.webhook_url
        if url and not self.enabled:
            return self
        if url:
            check_webhook_url(url, self.allow_http_webhook)
            if not self.secret():
                raise ValueError("a webhook URL needs a webhook secret (…_WEBHOOK_SECRET)")
        return self


def check_webhook_url(url: str, allow_http: bool) -> None:
    """Require https:// (http:// on a loopback host only when development allows it)."""
    parts = urlsplit(url)
    if parts.scheme == "https" and parts.hostname:
        return
    if parts.scheme == "http" and parts.hostname and allow_http and _loopback(parts.hostname):
        return
    raise ValueError(
        f"webhook URL {url!r} must start with https:// (plain http:// only on this machine, "
        "with HOCVUSO_ALLOW_HTTP_WEBHOOKS=true for development)"
    )


def _loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def secret_pattern(pattern: str, what: str) -> Callable[[SecretStr | None], SecretStr | None]:
    """Build a validator that checks a secret against a platform's rule (one clear line)."""
    compiled = re.compile(pattern)

    def check(value: SecretStr | None) -> SecretStr | None:
        if value is not None and not compiled.fullmatch(value.get_secret_value()):
            raise ValueError(f"the webhook secret must be {what}")
        return value

    return check


@dataclass(frozen=True)
class BuildContext:
    """What the app hands a channel it builds."""

    host: ChannelHost
    media: MediaStore | None = None
    public_url: str | None = None


@dataclass(frozen=True)
class ChannelSpec:
    """Everything the app, the web server and `doctor` need to know of one channel."""

    name: str
    settings: type[ChannelSettings] | None
    build: Callable[[Any, BuildContext], Channel]
    webhook_header: str | None = None  # the secret's header on POST /webhook/<name>
    check: Callable[[Any], Awaitable[list[tuple[str, str]]]] | None = None
    label: str = ""  # how people call the app ("Telegram", "Zalo")


NUMBER_HINT = "(Trả lời bằng số 1, 2, 3… hoặc gõ 0 để về menu)"


def numbered(reply: Reply) -> str:
    """Render a reply with its options as a numbered list, for channels without buttons."""
    if not reply.options:
        return reply.text
    lines = [reply.text, ""]
    lines += [f"{i}. {option.label}" for i, option in enumerate(reply.options, start=1)]
    lines += ["", NUMBER_HINT]
    return "\n".join(lines)


def webhook_status(label: str, wanted: str | None, actual: str) -> tuple[str, str]:
    """Compare the configured webhook with the platform's, as one `doctor` line."""
    if wanted and actual != wanted:
        return ("✗", f"{label} webhook is {actual or 'not set'}; `hocvuso run` sets it")
    if wanted:
        return ("✓", f"{label} webhook {actual}")
    if actual:
        return ("✗", f"a {label} webhook is set ({actual}) but none is configured")
    return ("✓", f"{label}: polling (no webhook)")
