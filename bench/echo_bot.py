"""A bare python-telegram-bot echo bot: the baseline of the throughput benchmark.

    python -m bench.echo_bot --token T --api-url http://127.0.0.1:PORT/bot [--concurrent 256]

An Application with one MessageHandler that sends the same text back, polling like our adapter
does (same PTB defaults: connection pool 256, long poll 10 s). `--concurrent 256` gives it the
concurrency our adapter uses (`concurrent_updates(256)`); `--concurrent 1` is PTB's default of
one update at a time, as in PTB's own echo example. `--client aiohttp` makes its calls with the
aiohttp request our bot uses instead of PTB's default httpx one. Runs until SIGTERM/SIGINT.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import signal

from telegram import Update
from telegram.ext import Application, ContextTypes, MessageHandler, filters

from bot.channels.telegram.http import AiohttpRequest


async def echo(update: Update, _context: ContextTypes.DEFAULT_TYPE) -> None:
    message = update.effective_message
    if message is not None and message.text:
        await message.reply_text(message.text)


async def main(token: str, api_url: str, concurrent: int, client: str = "httpx") -> None:
    os.environ.setdefault("PTB_TIMEDELTA", "true")
    builder = Application.builder().token(token).base_url(api_url).job_queue(None)
    if client == "aiohttp":
        builder = builder.request(AiohttpRequest(256)).get_updates_request(
            AiohttpRequest(1, read_timeout=None)
        )
    if concurrent > 1:
        builder = builder.concurrent_updates(concurrent)
    app = builder.build()
    app.add_handler(MessageHandler(filters.TEXT, echo))
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    await app.initialize()
    await app.start()
    try:
        await app.bot.delete_webhook()
        assert app.updater is not None
        await app.updater.start_polling(allowed_updates=["message"])
        print("READY", flush=True)
        await stop.wait()
    finally:
        if app.updater is not None and app.updater.running:
            await app.updater.stop()
        await app.stop()
        await app.shutdown()


def cli(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--token", required=True)
    parser.add_argument("--api-url", required=True)
    parser.add_argument("--concurrent", type=int, default=256)
    parser.add_argument("--client", choices=("httpx", "aiohttp"), default="httpx")
    args = parser.parse_args(argv)
    asyncio.run(main(args.token, args.api_url, args.concurrent, args.client))


if __name__ == "__main__":
    cli()
