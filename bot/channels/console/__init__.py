"""The terminal chat channel: for trying the bot and for operators (`hocvuso chat`, `demo`)."""

from __future__ import annotations

from typing import Any

from bot.channels.base import BuildContext, Channel, ChannelSpec
from bot.channels.console.adapter import ConsoleChannel


def build(_settings: Any, context: BuildContext) -> Channel:
    """Build a terminal chat for the local user."""
    return ConsoleChannel(context.host)


# No settings: the terminal chat is opened by `hocvuso chat` and `demo`, never by `run`.
SPEC = ChannelSpec(name="console", settings=None, build=build, label="cửa sổ dòng lệnh")

__all__ = ["SPEC", "ConsoleChannel"]
