"""What every channel shares: the protocol and rendering of options as a numbered list."""

from __future__ import annotations

from typing import Protocol

from bot.core.messages import Reply


class Channel(Protocol):
    """A way to reach users: starts receiving, sends replies, stops."""

    name: str

    async def start(self) -> None:
        """Start receiving updates."""

    async def stop(self) -> None:
        """Stop receiving and release resources."""

    async def send(self, chat_id: str, reply: Reply) -> str | None:
        """Send one reply to a chat; return the platform's id of the last message sent."""

    async def edit(self, chat_id: str, message_ref: str, text: str) -> bool:
        """Replace the text of a sent message; False where the platform cannot edit."""


class Unreachable(Exception):
    """The user blocked the bot or left: do not try this chat again until they write."""


class PermanentFailure(Exception):
    """The platform refused this message for good (bad request): retrying cannot help."""


class ChannelSetupError(Exception):
    """A channel cannot start (token refused, API unreachable); the message says why."""


NUMBER_HINT = "(Trả lời bằng số 1, 2, 3… hoặc gõ 0 để về menu)"


def numbered(reply: Reply) -> str:
    """Render a reply with its options as a numbered list, for channels without buttons."""
    if not reply.options:
        return reply.text
    lines = [reply.text, ""]
    lines += [f"{i}. {option.label}" for i, option in enumerate(reply.options, start=1)]
    lines += ["", NUMBER_HINT]
    return "\n".join(lines)
