"""Settings read from the environment (prefix HOCVUSO_) and from `.env`."""

from __future__ import annotations

from pathlib import Path
from typing import Any, Literal
from zoneinfo import ZoneInfo

from pydantic import Field, PrivateAttr, ValidationError, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from bot.channels.base import ChannelSettings
from bot.channels.registry import CHANNELS
from bot.paths import ROOT

__all__ = ["ROOT", "Settings"]

DRIVERS = {
    "sqlite:": "sqlite+aiosqlite:",
    "postgresql:": "postgresql+asyncpg:",
    "postgres:": "postgresql+asyncpg:",
}


class Settings(BaseSettings):
    """Everything the operator can set; defaults run one commune on SQLite.

    Each channel reads its own settings (HOCVUSO_TELEGRAM_*, HOCVUSO_ZALO_*, …, declared in its
    package under bot/channels/); they are loaded and checked here, for every registered
    channel, so a bad value stops start-up with one clear line. An empty environment variable
    means "not set".
    """

    model_config = SettingsConfigDict(
        env_prefix="HOCVUSO_",
        env_file=".env",
        env_file_encoding="utf-8",
        extra="ignore",
        env_ignore_empty=True,
    )

    database_url: str = "sqlite+aiosqlite:///hocvuso.db"
    content_dir: Path = Path("content/lessons")
    public_url: str | None = None  # where our server is reachable from outside (media links)
    http_host: str = "127.0.0.1"
    http_port: int = 8080
    timezone: str = "Asia/Ho_Chi_Minh"
    log_level: str = "INFO"
    log_format: Literal["plain", "json"] = "plain"
    outbox_lease_seconds: float = Field(60.0, gt=0)
    # How long a statement waits for SQLite's write lock before the message is retried.
    sqlite_busy_seconds: float = Field(30.0, gt=0)
    # Where the terminal chat and file-writing commands save files.
    console_files: Path = Path("hocvuso-files")
    # Where pictures people send (certificates of courses done elsewhere) are kept.
    media_dir: Path = Path("hocvuso-media")
    _channels: dict[str, ChannelSettings] = PrivateAttr(default_factory=dict)

    @model_validator(mode="after")
    def _load_channels(self) -> Settings:
        """Read and check the settings of every registered channel."""
        for spec in CHANNELS:
            if spec.settings is None:
                continue
            try:
                self._channels[spec.name] = spec.settings()
            except ValidationError as exc:
                error = exc.errors()[0]
                field = str(error["loc"][0]).upper() if error["loc"] else ""
                prefix = str(spec.settings.model_config.get("env_prefix", ""))
                message = str(error["msg"]).removeprefix("Value error, ")
                raise ValueError(f"{prefix}{field}: {message}".rstrip(": ")) from None
        return self

    def channel(self, name: str) -> Any:
        """Return a channel's settings (its package's settings class)."""
        return self._channels[name]

    def enabled_channels(self) -> list[str]:
        """Name the configured channels (those with a token), in registry order."""
        return [name for name, found in self._channels.items() if found.enabled]

    @field_validator("database_url")
    @classmethod
    def _async_driver(cls, url: str) -> str:
        """Accept the usual URL spellings and use the async drivers we ship."""
        for plain, driver in DRIVERS.items():
            if url.startswith(plain):
                return driver + url[len(plain) :]
        if not url.startswith(tuple(DRIVERS.values())):
            raise ValueError(
                "HOCVUSO_DATABASE_URL must be sqlite+aiosqlite:///FILE or "
                "postgresql+asyncpg://USER@HOST/DB"
            )
        return url

    @property
    def tz(self) -> ZoneInfo:
        """Return the commune's time zone."""
        return ZoneInfo(self.timezone)

    def public_base(self) -> str | None:
        """Return the public base URL: set explicitly, or derived from a webhook URL."""
        if self.public_url:
            return self.public_url.rstrip("/")
        for hook in (found.webhook_url for found in self._channels.values()):
            if hook and "://" in hook:
                scheme, rest = hook.split("://", 1)
                return f"{scheme}://{rest.split('/', 1)[0]}"
        return None

    def content_path(self) -> Path:
        """Return the lesson folder, relative paths taken from the project root if not found."""
        if self.content_dir.is_absolute() or self.content_dir.exists():
            return self.content_dir
        return ROOT / self.content_dir
