"""The Zalo channel: settings (HOCVUSO_ZALO_*), how to build it, its webhook and check."""

from __future__ import annotations

from typing import TYPE_CHECKING

from pydantic import field_validator
from pydantic_settings import SettingsConfigDict

from bot.channels.base import BuildContext, ChannelSettings, ChannelSpec, secret_pattern

if TYPE_CHECKING:
    from bot.channels.zalo.adapter import ZaloChannel

DEFAULT_API = "https://bot-api.zaloplatforms.com/bot"


class ZaloSettings(ChannelSettings):
    """HOCVUSO_ZALO_TOKEN, _API_URL, _WEBHOOK_URL, _WEBHOOK_SECRET, _RATE."""

    model_config = SettingsConfigDict(env_prefix="HOCVUSO_ZALO_")

    api_url: str = DEFAULT_API
    rate: float = 10.0

    _secret_rule = field_validator("webhook_secret")(
        secret_pattern(r"\S{8,256}", "8–256 characters, no spaces")
    )


def build(settings: ZaloSettings, context: BuildContext) -> ZaloChannel:
    """Build the channel from its settings."""
    from bot.channels.platform import adapter_options
    from bot.channels.zalo.adapter import ZaloChannel

    return ZaloChannel(
        context.host,
        **adapter_options(settings),
        media=context.media,
        public_url=context.public_url,
    )


async def check(settings: ZaloSettings) -> list[tuple[str, str]]:
    """Check the token (getMe) and the webhook registration, for `hocvuso doctor`."""
    import aiohttp

    from bot.channels.base import hide_tokens, webhook_status
    from bot.channels.zalo.api import ZaloApi, ZaloError

    assert settings.token is not None
    async with aiohttp.ClientSession() as http:
        api = ZaloApi(http, settings.api_url, settings.token.get_secret_value())
        try:
            me = await api.call("getMe")
            info = await api.call("getWebhookInfo")
        except ZaloError as error:
            return [("✗", hide_tokens(f"Zalo refused the token or did not answer: {error}"))]
    name = me.get("account_name", "?") if isinstance(me, dict) else "?"
    url = info.get("url", "") if isinstance(info, dict) else ""
    return [("✓", f"Zalo token valid: {name}"), webhook_status("Zalo", settings.webhook_url, url)]


# name, settings, build, webhook secret header, doctor check, what people call it
SPEC = ChannelSpec("zalo", ZaloSettings, build, "X-Bot-Api-Secret-Token", check, "Zalo")

__all__ = ["SPEC", "ZaloSettings"]
