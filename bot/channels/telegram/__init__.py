"""The Telegram channel: settings (HOCVUSO_TELEGRAM_*), how to build it, its webhook and check."""

from __future__ import annotations

from typing import TYPE_CHECKING

from pydantic import field_validator
from pydantic_settings import SettingsConfigDict

from bot.channels.base import (
    BuildContext,
    ChannelSettings,
    ChannelSpec,
    secret_pattern,
)

if TYPE_CHECKING:
    from bot.channels.telegram.adapter import TelegramChannel

DEFAULT_API = "https://api.telegram.org/bot"


class TelegramSettings(ChannelSettings):
    """HOCVUSO_TELEGRAM_TOKEN, _API_URL, _WEBHOOK_URL, _WEBHOOK_SECRET, _RATE."""

    model_config = SettingsConfigDict(env_prefix="HOCVUSO_TELEGRAM_")

    api_url: str = DEFAULT_API
    rate: float = 25.0  # under Telegram's ~30 messages a second

    _secret_rule = field_validator("webhook_secret")(
        secret_pattern(r"[A-Za-z0-9_-]{1,256}", "1–256 characters A-Z a-z 0-9 _ -")
    )


def build(settings: TelegramSettings, context: BuildContext) -> TelegramChannel:
    """Build the channel from its settings."""
    from bot.channels.platform import adapter_options
    from bot.channels.telegram.adapter import TelegramChannel

    return TelegramChannel(context.host, **adapter_options(settings))


async def check(settings: TelegramSettings) -> list[tuple[str, str]]:
    """Check the token and the webhook, for `hocvuso doctor`."""
    from bot.channels.telegram.check import telegram_check

    return await telegram_check(settings)


# name, settings, build, webhook secret header, doctor check, what people call it
SPEC = ChannelSpec(
    "telegram", TelegramSettings, build, "X-Telegram-Bot-Api-Secret-Token", check, "Telegram"
)

__all__ = ["SPEC", "TelegramSettings"]
