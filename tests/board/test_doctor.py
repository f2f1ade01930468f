"""`hocvuso doctor` says whether the web board answers at HOCVUSO_PUBLIC_URL."""

from __future__ import annotations

from aiohttp import web

from bot.config import Settings
from bot.ops import doctor_lines
from bot.web import WebServer
from tests.board.conftest import Board
from tests.channels.test_telegram_run import free_port


async def board_lines(public_url: str, db_url: str) -> list[tuple[str, str]]:
    settings = Settings(public_url=public_url, database_url=db_url)
    return [line for line in await doctor_lines(settings) if "web board" in line[1]]


async def test_doctor_finds_the_board_at_the_public_address(board: Board, db_url: str) -> None:
    assert await board_lines(board.url, db_url) == [
        ("✓", f"web board reachable at {board.url}/bang")
    ]


async def test_doctor_reports_a_board_that_does_not_answer(db_url: str) -> None:
    [(mark, line)] = await board_lines(f"http://127.0.0.1:{free_port()}", db_url)
    assert mark == "✗" and "web board unreachable" in line
    other = WebServer(web.Application(), "127.0.0.1", 0)  # something else answers there
    await other.start()
    try:
        [(mark, line)] = await board_lines(f"http://127.0.0.1:{other.port}", db_url)
    finally:
        await other.stop()
    assert mark == "✗" and "web board not served" in line and "HTTP 404" in line


async def test_doctor_without_a_public_address_skips_the_board(db_url: str) -> None:
    settings = Settings(public_url=None, database_url=db_url)
    lines = [line for line in await doctor_lines(settings) if "web board" in line[1]]
    assert lines == [("·", "web board: no public address (HOCVUSO_PUBLIC_URL)")]
