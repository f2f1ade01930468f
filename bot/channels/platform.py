"""What every platform adapter shares: its host, webhook settings, send policy and poller."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Coroutine
from typing import Any

from bot.channels.base import ChannelHost, ChannelSettings
from bot.delivery.policy import SendPolicy


def adapter_options(settings: ChannelSettings) -> dict[str, Any]:
    """The constructor arguments every platform adapter takes from its settings."""
    assert settings.token is not None
    return {
        "token": settings.token.get_secret_value(),
        "api_url": settings.api_url,
        "rate": settings.rate,
        "webhook_url": settings.webhook_url,
        "webhook_secret": settings.secret(),
    }


class PlatformChannel:
    """The part of an adapter that is the same on every platform; the rest only translates."""

    name = ""

    def __init__(
        self,
        host: ChannelHost,
        rate: float,
        webhook_url: str | None,
        webhook_secret: str | None,
        chat_interval: float,
    ) -> None:
        self.host = host
        self.webhook_url = webhook_url
        self.webhook_secret = webhook_secret
        self.policy = SendPolicy(
            rate, chat_interval=chat_interval, on_unreachable=self._unreachable
        )
        self._poller: asyncio.Task[None] | None = None
        host.attach(self)  # type: ignore[arg-type]  # subclasses complete the Channel protocol

    async def _unreachable(self, chat_id: str) -> None:
        await self.host.mark_unreachable(self.name, chat_id)

    def start_polling(self, loop: Coroutine[Any, Any, None]) -> None:
        """Run the receive loop of a channel without a webhook."""
        self._poller = asyncio.create_task(loop, name=f"{self.name}-poll")  # owned: stop_polling

    async def stop_polling(self) -> None:
        """End the receive loop, if any."""
        if self._poller is not None:
            self._poller.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._poller
            self._poller = None
