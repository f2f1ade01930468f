"""The public board: off until staff turn it on, aggregates only, cached a minute."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import aiohttp
import pytest
from sqlalchemy import event, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.board import PUBLIC_CACHE
from bot.core.engine import Engine
from bot.storage.models import Household, User
from tests.board.conftest import Board, seed_learning

REPO = Path(__file__).resolve().parents[2]


def hocvuso(db_url: str, *args: str) -> subprocess.CompletedProcess[str]:
    """Run the `hocvuso` command against the test database."""
    return subprocess.run(
        [sys.executable, "-m", "bot", *args],
        cwd=REPO,
        capture_output=True,
        text=True,
        env={**os.environ, "HOCVUSO_DATABASE_URL": db_url},
        timeout=120,
        check=False,
    )


@pytest.fixture
def queries(sessions: async_sessionmaker[AsyncSession]) -> Iterator[list[str]]:
    """Every SQL statement the database receives while the test runs."""
    seen: list[str] = []
    target = sessions.kw["bind"].sync_engine

    def count(*args: Any) -> None:
        seen.append(args[2])

    event.listen(target, "before_cursor_execute", count)
    yield seen
    event.remove(target, "before_cursor_execute", count)


async def test_the_public_board_is_off_until_staff_turn_it_on(
    engine: Engine, commune: int, board: Board, db_url: str
) -> None:
    await seed_learning(engine, engine.sessions)
    board.server.app[PUBLIC_CACHE].seconds = 0  # see each change at once, not after a minute
    async with (
        aiohttp.ClientSession() as client,
        client.get(f"{board.url}/cong-khai/kim-thanh") as page,
    ):
        assert page.status == 404
        assert "chưa được mở" in await page.text()
    turned = hocvuso(
        db_url,
        "commune",
        "set",
        "--public-board",
        "on",
        "--embed-origin",
        "https://kimthanh.gov.vn",
    )
    assert turned.returncode == 0, turned.stderr
    assert "/cong-khai/kim-thanh" in turned.stdout
    async with (
        aiohttp.ClientSession() as client,
        client.get(f"{board.url}/cong-khai/kim-thanh") as page,
    ):
        assert page.status == 200
        html = await page.text()
        csp = page.headers["Content-Security-Policy"]
    assert "frame-ancestors 'self' https://kimthanh.gov.vn" in csp
    assert "X-Frame-Options" not in page.headers
    assert "Bảng thi đua các thôn" in html
    # Đồng Tâm 2/320 = 0,6% ranks above Tân Tiến 1/280 = 0,4%.
    ranking = html.split('id="ranking"', 1)[1]
    assert ranking.index("Thôn Đồng Tâm") < ranking.index("Thôn Tân Tiến")
    assert "0,6%" in ranking and "0,4%" in ranking
    off = hocvuso(db_url, "commune", "set", "--public-board", "off")
    assert off.returncode == 0, off.stderr
    async with (
        aiohttp.ClientSession() as client,
        client.get(f"{board.url}/cong-khai/kim-thanh") as page,
    ):
        assert page.status == 404


async def test_a_bad_embed_origin_is_refused(engine: Engine, commune: int, db_url: str) -> None:
    result = hocvuso(db_url, "commune", "set", "--embed-origin", "https://x.vn; script-src *")
    assert result.returncode == 1
    assert "not an origin" in result.stderr


async def test_the_public_board_shows_no_name_or_code(
    engine: Engine,
    commune: int,
    board: Board,
    db_url: str,
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    await seed_learning(engine, sessions)
    assert hocvuso(db_url, "commune", "set", "--public-board", "on").returncode == 0
    async with (
        aiohttp.ClientSession() as client,
        client.get(f"{board.url}/cong-khai/kim-thanh") as page,
    ):
        html = await page.text()
    async with sessions() as session:
        households = list(await session.scalars(select(Household)))
        users = list(await session.scalars(select(User)))
    private = {h.head_name for h in households} | {h.code for h in households if h.code}
    private |= {u.display_name for u in users if u.display_name}
    assert len(private) > 10
    shown = [value for value in private if value in html]
    assert shown == []


async def test_a_burst_of_requests_reads_the_database_once_a_minute(
    engine: Engine, commune: int, board: Board, db_url: str, queries: list[str]
) -> None:
    await seed_learning(engine, engine.sessions)
    assert hocvuso(db_url, "commune", "set", "--public-board", "on").returncode == 0
    now = [1000.0]
    board.server.app[PUBLIC_CACHE].clock = lambda: now[0]
    url = f"{board.url}/cong-khai/kim-thanh"

    async def burst(client: aiohttp.ClientSession) -> None:
        async def one() -> int:
            async with client.get(url) as page:
                await page.read()
                return page.status

        statuses = await asyncio.gather(*(one() for _ in range(200)))
        assert set(statuses) == {200}

    connector = aiohttp.TCPConnector(limit=50)
    async with aiohttp.ClientSession(connector=connector) as client:
        queries.clear()
        await burst(client)  # 200 at once on a cold cache: one request computes
        one_load = len(queries)
        assert one_load > 0
        now[0] += 59
        await burst(client)
        assert len(queries) == one_load  # within the minute: no query at all
        now[0] += 2
        await burst(client)
        assert len(queries) == 2 * one_load  # the minute is over: computed once more


async def test_made_up_addresses_are_refused_and_leave_nothing_behind(
    commune: int, board: Board, queries: list[str]
) -> None:
    """Anyone may ask for any address: what cannot be a board's is refused without a look in
    the database, and the ones that could be leave nothing in memory once answered."""
    cache = board.server.app[PUBLIC_CACHE]
    async with aiohttp.ClientSession() as client:
        queries.clear()
        for slug in ("x" * 4000, "Kim-Thanh", "kim_thanh", "a--b", "-kim"):
            async with client.get(f"{board.url}/cong-khai/{slug}") as page:
                assert page.status == 404
                assert "Hệ thống đang bận" not in await page.text()
        assert queries == []
        for index in range(300):
            async with client.get(f"{board.url}/cong-khai/khong-co-{index}") as page:
                assert page.status == 404
    assert not cache._loading  # no computation kept per address asked for
