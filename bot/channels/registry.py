"""The channels the bot knows. Adding one is its package under bot/channels/ and one line here."""

from __future__ import annotations

from bot.channels import console, telegram, zalo
from bot.channels.base import ChannelSpec

CHANNELS: list[ChannelSpec] = [
    console.SPEC,
    telegram.SPEC,
    zalo.SPEC,
]


def spec(name: str) -> ChannelSpec | None:
    """Find a channel's spec by name."""
    return next((s for s in CHANNELS if s.name == name), None)
