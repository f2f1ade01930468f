"""Settings read from the environment (prefix HOCVUSO_) and from `.env`."""

from __future__ import annotations

from pathlib import Path
from typing import Literal
from zoneinfo import ZoneInfo

from pydantic import Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

ROOT = Path(__file__).resolve().parent.parent
DRIVERS = {
    "sqlite:": "sqlite+aiosqlite:",
    "postgresql:": "postgresql+asyncpg:",
    "postgres:": "postgresql+asyncpg:",
}


class Settings(BaseSettings):
    """Everything the operator can set; defaults run one commune on SQLite."""

    model_config = SettingsConfigDict(
        env_prefix="HOCVUSO_", env_file=".env", env_file_encoding="utf-8", extra="ignore"
    )

    database_url: str = "sqlite+aiosqlite:///hocvuso.db"
    content_dir: Path = Path("content/lessons")
    telegram_token: SecretStr | None = None
    telegram_api_url: str = "https://api.telegram.org/bot"
    telegram_webhook_url: str | None = None
    telegram_webhook_secret: SecretStr | None = None
    zalo_token: SecretStr | None = None
    zalo_api_url: str = "https://bot-api.zaloplatforms.com/bot"
    zalo_webhook_url: str | None = None
    zalo_webhook_secret: SecretStr | None = None
    public_url: str | None = None  # where our server is reachable from outside (media links)
    http_host: str = "127.0.0.1"
    http_port: int = 8080
    timezone: str = "Asia/Ho_Chi_Minh"
    telegram_rate: float = Field(25.0, gt=0)
    zalo_rate: float = Field(10.0, gt=0)
    log_level: str = "INFO"
    log_format: Literal["plain", "json"] = "plain"
    outbox_lease_seconds: float = Field(60.0, gt=0)

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
        for hook in (self.zalo_webhook_url, self.telegram_webhook_url):
            if hook and "://" in hook:
                scheme, rest = hook.split("://", 1)
                return f"{scheme}://{rest.split('/', 1)[0]}"
        return None

    def content_path(self) -> Path:
        """Return the lesson folder, relative paths taken from the project root if not found."""
        if self.content_dir.is_absolute() or self.content_dir.exists():
            return self.content_dir
        return ROOT / self.content_dir
