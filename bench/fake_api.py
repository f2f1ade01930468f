"""The fake Telegram Bot API in its own process, with a few endpoints for the benchmarks.

    python -m bench.fake_api [--port 0] [--token 123456:TEST-TOKEN]

Prints `PORT <n>` on stdout once it listens, then serves until SIGTERM/SIGINT. Besides the Bot
API (`/bot<token>/<method>`, from tests/fakes/telegram_api.py) it answers:

- POST /_push   {"updates": [{"user_id": 1, "text": "/start"}, ...]} → {"update_ids": [...]}
  (a user writes to the bot; the push time is recorded with time.monotonic(), which is the same
  clock in every process of the machine)
- GET  /_count  → {"pushed": n, "sent": m, "get_updates": k, "pending": p}
- GET  /_log?push_since=N&sent_since=M → pushes [[update_id, user_id, at]] and messages sent
  [[chat_id, at, method, text prefix]] from those positions on
- POST /_reset  → forget pushes, sent messages, per-chat history and call records
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import signal
import sys
import time
from typing import Any

from aiohttp import web

from tests.fakes.telegram_api import FakeTelegram

TEXT_PREFIX = 40
SEND_METHODS = ("sendMessage", "sendPhoto", "sendDocument")


class BenchFakeTelegram(FakeTelegram):
    """FakeTelegram plus the /_ endpoints, reachable from another process."""

    def __init__(self, token: str) -> None:
        super().__init__(token=token)
        self.pushes: list[tuple[int, int, float]] = []  # (update_id, user_id, monotonic time)
        self._control = {
            ("POST", "/_push"): self._control_push,
            ("GET", "/_count"): self._control_count,
            ("GET", "/_log"): self._control_log,
            ("POST", "/_reset"): self._control_reset,
        }

    async def listen(self, port: int) -> int:
        """Start the server; with a port other than 0, also listen there. Return the port."""
        await self.start()
        if port and self._runner is not None:
            await web.TCPSite(self._runner, "127.0.0.1", port).start()
            return port
        assert self._port is not None
        return self._port

    async def _handle(self, request: web.Request) -> web.Response:
        control = self._control.get((request.method, request.path))
        if control is not None:
            return await control(request)
        return await super()._handle(request)

    async def _control_push(self, request: web.Request) -> web.Response:
        body = await request.json()
        ids = []
        for item in body.get("updates", []):
            user_id = int(item["user_id"])
            update = self.push_message(user_id, str(item.get("text", "/start")))
            ids.append(update["update_id"])
            self.pushes.append((update["update_id"], user_id, time.monotonic()))
        return _json({"update_ids": ids})

    async def _control_count(self, _request: web.Request) -> web.Response:
        return _json(
            {
                "pushed": len(self.pushes),
                "sent": sum(1 for entry in self.sent if entry["method"] in SEND_METHODS),
                "get_updates": len(self._calls.get("getupdates", [])),
                "pending": len(self._pending),
            }
        )

    async def _control_log(self, request: web.Request) -> web.Response:
        push_since = int(request.query.get("push_since", "0"))
        sent_since = int(request.query.get("sent_since", "0"))
        sent = [
            [e["chat_id"], e["at"], e["method"], (e.get("text") or "")[:TEXT_PREFIX]]
            for e in self.sent[sent_since:]
        ]
        pushes = [list(p) for p in self.pushes[push_since:]]
        return _json({"pushes": pushes, "sent": sent})

    async def _control_reset(self, _request: web.Request) -> web.Response:
        self.pushes.clear()
        self.sent.clear()
        self.chat_actions.clear()
        self.answered_callbacks.clear()
        self._calls.clear()
        self._bot_messages.clear()
        self._user_messages.clear()
        self._next_message_id.clear()
        self._open_callbacks.clear()
        return _json({"ok": True})


def _json(body: Any) -> web.Response:
    return web.Response(text=json.dumps(body), content_type="application/json")


async def main(port: int, token: str) -> None:
    fake = BenchFakeTelegram(token)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    try:
        bound = await fake.listen(port)
        print(f"PORT {bound}", flush=True)
        await stop.wait()
    finally:
        with contextlib.suppress(Exception):
            await fake.stop()


def cli(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, default=0, help="0: any free port (printed)")
    parser.add_argument("--token", default="123456:TEST-TOKEN")
    args = parser.parse_args(argv)
    asyncio.run(main(args.port, args.token))
    sys.stdout.flush()


if __name__ == "__main__":
    cli()
