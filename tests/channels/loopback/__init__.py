"""A channel that exists only in tests: proof that a channel is one package plus a registry line.

It receives webhook posts {"from": id, "text": …} and keeps what it sends in `SENT`.
"""

from __future__ import annotations

from typing import Any

from pydantic_settings import SettingsConfigDict

from bot.channels.base import BuildContext, ChannelHost, ChannelSettings, ChannelSpec
from bot.core.messages import Inbound, Reply

SENT: list[tuple[str, Reply]] = []


class LoopbackSettings(ChannelSettings):
    """HOCVUSO_LOOPBACK_TOKEN, _WEBHOOK_URL, _WEBHOOK_SECRET."""

    model_config = SettingsConfigDict(env_prefix="HOCVUSO_LOOPBACK_")


class LoopbackChannel:
    """Hand webhook posts to the host; remember replies instead of sending them anywhere."""

    name = "loopback"

    def __init__(self, host: ChannelHost) -> None:
        self.host = host
        host.attach(self)

    async def start(self) -> None:
        """Nothing to connect."""

    async def stop(self) -> None:
        """Nothing to release."""

    async def send(self, chat_id: str, reply: Reply) -> str | None:
        """Keep the reply."""
        SENT.append((chat_id, reply))
        return str(len(SENT))

    async def edit(self, chat_id: str, message_ref: str, text: str) -> bool:
        """Cannot edit."""
        return False

    async def process_json(self, data: dict[str, Any]) -> bool:
        """Handle one post; False when it should come again."""
        sender = str(data.get("from", ""))
        inbound = Inbound(
            channel=self.name,
            external_id=sender,
            chat_id=sender,
            text=str(data.get("text", "")),
            update_key=str(data.get("id", "")) or None,
        )
        return not (await self.host.receive(inbound)).retry


def build(_settings: LoopbackSettings, context: BuildContext) -> LoopbackChannel:
    """Build the channel."""
    return LoopbackChannel(context.host)


async def check(settings: LoopbackSettings) -> list[tuple[str, str]]:
    """What `hocvuso doctor` says about it."""
    return [("✓", "Loopback ready")]


SPEC = ChannelSpec(
    name="loopback",
    settings=LoopbackSettings,
    build=build,
    webhook_header="X-Loopback-Secret",
    check=check,
    label="Loopback",
)
