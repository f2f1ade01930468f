"""Time the web board: the staff overview and the public board of one commune, over HTTP.

    python -m bench.board --url URL [--commune-id ID] [--runs 30]

Starts our aiohttp server (the real `build_web_app` with the board) on a free local port against
the database at URL, signs a staff member of the commune in through a one-time link, turns the
commune's public board on, then times whole HTTP requests, one after another, each after a
warm-up: the staff overview (`/bang/`), the public board with its cache off (every request
computes, the worst case) and with its minute-long cache. Last, a burst of 200 concurrent public
requests on a cold cache, counting the SQL statements the database receives. Prints p50, p95 and
max in milliseconds.

It adds one staff user (external id `bench-board`), a sign-in link, a session and the public
board row to the database: run it on a benchmark database only.
"""

from __future__ import annotations

import argparse
import asyncio
import math
import time
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

import aiohttp
from sqlalchemy import event, select

from bot.board import PUBLIC_CACHE
from bot.board.auth import create_link, link_url
from bot.board.public import set_public_board
from bot.config import Settings
from bot.storage import db
from bot.storage.models import Commune, User
from bot.web import WebServer, build_web_app

TARGET_MS = 200.0  # issue 21: staff overview and public board, p95, one commune, PostgreSQL


def quantile(runs: list[float], q: float) -> float:
    """Return the nearest-rank quantile of the runs."""
    ordered = sorted(runs)
    return ordered[max(0, math.ceil(q * len(ordered)) - 1)]


async def staff_of(session: Any, commune: Commune) -> User:
    """Return the benchmark's staff member of the commune, created once."""
    user = await session.scalar(select(User).where(User.display_name == "bench-board"))
    if user is None:
        user = User(display_name="bench-board", role="staff", state={})
        session.add(user)
    user.role = "staff"
    user.scope_commune_id = commune.id
    user.deleted_at = None
    await session.flush()
    return user


async def timed(client: aiohttp.ClientSession, url: str, runs: int) -> tuple[list[float], float]:
    """GET `url` once to warm up, then `runs` times; return ms per request, and CPU ms each.

    The CPU time is this process's, client and server together: what a request costs on a
    machine with nothing else to do.
    """
    result = []
    cpu = 0.0
    for i in range(runs + 1):
        if i == 1:
            cpu = time.process_time()
        started = time.perf_counter()
        async with client.get(url) as response:
            body = await response.read()
            if response.status != 200:
                raise SystemExit(f"{url}: HTTP {response.status}: {body[:200]!r}")
        if i:
            result.append((time.perf_counter() - started) * 1000)
    return result, (time.process_time() - cpu) * 1000 / runs


async def run(url: str, commune_id: int | None, runs: int) -> None:
    """Start the server, sign in, time the pages and print the table."""
    engine = db.make_engine(url)
    sessions = db.make_sessionmaker(engine)
    await db.upgrade(url)
    async with db.transaction(sessions) as session:
        if commune_id is None:
            commune_id = await session.scalar(select(Commune.id).order_by(Commune.id).limit(1))
        commune = await session.get(Commune, commune_id or 0)
        if commune is None:
            raise SystemExit("no such commune: generate data with python -m bench.gen first")
        board = await set_public_board(
            session, commune, enabled=True, embed_origins=None, now=datetime.now(UTC)
        )
        token = await create_link(session, await staff_of(session, commune), datetime.now(UTC))
        name, slug = commune.name, board.slug
    app = build_web_app(
        engine,
        sessions=sessions,
        settings=Settings(public_url="http://127.0.0.1", database_url=url),
    )
    server = WebServer(app, "127.0.0.1", 0)
    await server.start()
    base = f"http://127.0.0.1:{server.port}"
    rows: list[tuple[str, tuple[list[float], float], float | None]] = []
    try:
        jar = aiohttp.CookieJar(unsafe=True)
        async with aiohttp.ClientSession(cookie_jar=jar) as client:
            signed = await client.post(
                f"{base}/bang/dang-nhap", data={"token": link_url(base, token).rsplit("/", 1)[1]}
            )
            if signed.status != 200 or "Tổng quan" not in await signed.text():
                raise SystemExit(f"sign-in failed: HTTP {signed.status}")
            overview = await timed(client, f"{base}/bang/", runs)
            rows.append(("staff overview `/bang/`", overview, TARGET_MS))
            cache = app[PUBLIC_CACHE]
            public = f"{base}/cong-khai/{slug}"
            cache.seconds = 0
            uncached = await timed(client, public, runs)
            rows.append(("public board, cache off (computed each time)", uncached, TARGET_MS))
            cache.seconds = 60
            rows.append(("public board, cached", await timed(client, public, runs), None))
        burst = await public_burst(app, engine, public)
    finally:
        await server.stop()
        await engine.dispose()
    print(f"\ncommune {commune_id} ({name}), {runs} runs each after a warm-up\n")
    print("| page | runs | p50 ms | p95 ms | max ms | CPU ms/request | target ms | p95 within |")
    print("|---|---:|---:|---:|---:|---:|---:|---|")
    for label, (times, cpu), target in rows:
        verdict = "-" if target is None else ("yes" if quantile(times, 0.95) <= target else "NO")
        print(
            f"| {label} | {len(times)} | {quantile(times, 0.5):,.1f} | "
            f"{quantile(times, 0.95):,.1f} | {max(times):,.1f} | {cpu:,.1f} | "
            f"{'-' if target is None else f'{target:,.0f}'} | {verdict} |"
        )
    print()
    print(burst)


async def public_burst(app: Any, engine: Any, url: str) -> str:
    """Send 200 public requests at once on a cold cache; count the statements they cost."""
    cache = app[PUBLIC_CACHE]
    cache._entries.clear()  # noqa: SLF001 - a cold cache is the point of the measurement
    statements: list[str] = []

    def record(*args: Any) -> None:
        statements.append(args[2])

    event.listen(engine.sync_engine, "before_cursor_execute", record)
    try:
        async with aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=200)) as client:

            async def one() -> int:
                async with client.get(url) as response:
                    await response.read()
                    return response.status

            started = time.perf_counter()
            statuses = await asyncio.gather(*(one() for _ in range(200)))
            elapsed = time.perf_counter() - started
    finally:
        event.remove(engine.sync_engine, "before_cursor_execute", record)
    ok = sum(1 for s in statuses if s == 200)
    return (
        f"burst: 200 concurrent public requests on a cold cache: {ok} answered 200 in "
        f"{elapsed * 1000:,.0f} ms; the database received {len(statements)} statements "
        "(one computation of the board)"
    )


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    """Read the command line."""
    summary = (__doc__ or "").splitlines()[0]
    parser = argparse.ArgumentParser(prog="python -m bench.board", description=summary)
    parser.add_argument("--url", required=True, help="SQLAlchemy URL of a generated database")
    parser.add_argument("--commune-id", type=int, default=None, help="default: the first")
    parser.add_argument("--runs", type=int, default=30)
    return parser.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> None:
    """Run the benchmark."""
    args = parse_args(argv)
    asyncio.run(run(args.url, args.commune_id, args.runs))


if __name__ == "__main__":
    main()
