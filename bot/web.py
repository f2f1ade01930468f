"""Our aiohttp server: platform webhooks and the health check."""

from __future__ import annotations

import hmac
import json
import logging
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from typing import Any

from aiohttp import web
from prometheus_client import CONTENT_TYPE_LATEST
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from bot.board import add_board
from bot.channels.base import Channel
from bot.channels.registry import spec
from bot.config import Settings
from bot.delivery.outbox import status_counts
from bot.media import MediaStore
from bot.metrics import Metrics

log = logging.getLogger(__name__)

WebhookHandler = Callable[[dict[str, Any]], Awaitable[bool]]
MAX_BODY = 1024 * 1024


@dataclass(frozen=True)
class Webhook:
    """POST /webhook/<name>: the channel's handler and the secret its platform sends."""

    name: str
    handler: WebhookHandler
    secret: str | None
    header: str


def webhooks_for(channels: Sequence[Channel], settings: Settings) -> list[Webhook]:
    """The webhook routes of the channels configured with a webhook URL (from the registry)."""
    hooks = []
    for channel in channels:
        found = spec(channel.name)
        handler = getattr(channel, "process_json", None)
        config = settings.channel(channel.name) if found and found.settings else None
        if found and found.webhook_header and handler and config and config.webhook_url:
            hooks.append(Webhook(channel.name, handler, config.secret(), found.webhook_header))
    return hooks


def secret_matches(given: str | None, expected: str | None) -> bool:
    """Compare a webhook secret in constant time (no secret configured accepts nothing)."""
    if not expected or given is None:
        return False
    try:
        return hmac.compare_digest(given.encode(), expected.encode())
    except UnicodeEncodeError:  # header bytes that are no text (read as surrogates)
        return False


def webhook_route(handler: WebhookHandler, secret: str | None, header: str) -> Any:
    """Build a webhook endpoint: check the secret, process and commit, then answer 200."""

    async def endpoint(request: web.Request) -> web.Response:
        if not secret_matches(request.headers.get(header), secret):
            return web.Response(status=403, text="forbidden")
        try:
            body = await request.read()
            data = json.loads(body)
            if not isinstance(data, dict):
                raise ValueError("not an object")
        except (ValueError, RecursionError):  # not JSON, or nested too deep to decode
            return web.Response(status=400, text="bad request")
        if await handler(data):
            return web.Response(text="ok")
        # Nothing was committed: the platform should deliver this update again.
        return web.Response(status=503, text="retry later")

    return endpoint


def build_web_app(
    db_engine: AsyncEngine,
    *,
    channels: Sequence[Channel] = (),
    settings: Settings | None = None,
    hooks: Sequence[Webhook] = (),
    media: MediaStore | None = None,
    metrics: Metrics | None = None,
    sessions: async_sessionmaker[AsyncSession] | None = None,
) -> web.Application:
    """Assemble the health check, metrics, media and the webhooks of the channels that use them.

    Webhooks come from `channels` (with `settings`, through the registry) or are given directly
    as `hooks`.
    """
    app = web.Application(client_max_size=MAX_BODY)
    if settings is not None:
        hooks = [*hooks, *webhooks_for(channels, settings)]

    async def healthz(_request: web.Request) -> web.Response:
        try:
            async with db_engine.connect() as conn:
                await conn.execute(text("SELECT 1"))
        except Exception:
            log.exception("health check: database unavailable")
            return web.json_response({"status": "error", "database": "unavailable"}, status=503)
        return web.json_response({"status": "ok", "database": "ok"})

    app.router.add_get("/healthz", healthz)
    if metrics is not None:

        async def metrics_page(_request: web.Request) -> web.Response:
            if sessions is not None:
                try:
                    async with sessions() as session:
                        counts = await status_counts(session)
                    totals: dict[str, int] = {}
                    for (_kind, status), count in counts.items():
                        totals[status] = totals.get(status, 0) + count
                    metrics.set_outbox(totals)
                except Exception:
                    log.warning("metrics: outbox counts unavailable")
            return web.Response(
                body=metrics.render(), headers={"Content-Type": CONTENT_TYPE_LATEST}
            )

        app.router.add_get("/metrics", metrics_page)
    for hook in hooks:
        app.router.add_post(
            f"/webhook/{hook.name}", webhook_route(hook.handler, hook.secret, hook.header)
        )
    if media is not None:

        async def media_file(request: web.Request) -> web.Response:
            stored = media.get(request.match_info["token"])
            if stored is None:
                return web.Response(status=404, text="not found")
            return web.Response(
                body=stored.data,
                content_type=stored.content_type,
                headers={"Content-Disposition": f'inline; filename="{stored.filename}"'},
            )

        app.router.add_get("/media/{token}", media_file)
    if settings is not None and sessions is not None:
        add_board(app, sessions, settings)
    return app


class WebServer:
    """Run the aiohttp app on the configured host and port."""

    def __init__(self, app: web.Application, host: str, port: int) -> None:
        self.app = app
        self.host = host
        self.port = port
        self._runner: web.AppRunner | None = None

    async def start(self) -> None:
        """Start listening."""
        self._runner = web.AppRunner(self.app, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, self.host, self.port)
        await site.start()
        if self.port == 0:  # tests ask for any free port
            server = site._server  # noqa: SLF001 - aiohttp exposes no public accessor
            self.port = server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
        log.info("listening on %s:%s", self.host, self.port)

    async def stop(self) -> None:
        """Stop listening and close connections."""
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None
