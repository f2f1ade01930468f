"""`hocvuso doctor`'s look at Telegram: is the token valid, is the webhook where it should be."""

from __future__ import annotations

from typing import TYPE_CHECKING

from telegram.error import TelegramError

from bot.channels.base import hide_tokens, webhook_status
from bot.channels.telegram.api import make_bot

if TYPE_CHECKING:
    from bot.channels.telegram import TelegramSettings


async def telegram_check(settings: TelegramSettings) -> list[tuple[str, str]]:
    """Check the token (getMe) and the webhook registration."""
    assert settings.token is not None
    bot = make_bot(settings.token.get_secret_value(), settings.api_url, connections=2)
    try:
        async with bot:
            me = await bot.get_me()
            info = await bot.get_webhook_info()
    except TelegramError as error:
        return [("✗", hide_tokens(f"Telegram refused the token or did not answer: {error}"))]
    lines = [("✓", f"Telegram token valid: @{me.username}")]
    mark, line = webhook_status("Telegram", settings.webhook_url, info.url or "")
    if info.url and mark == "✓":
        line += f" ({info.pending_update_count} waiting)"
    lines.append((mark, line))
    if info.last_error_message:
        lines.append(("✗", f"Telegram's last webhook error: {info.last_error_message}"))
    return lines
