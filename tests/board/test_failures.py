"""When something fails: kind pages on the board, one clear line from the command."""

from __future__ import annotations

import aiohttp
import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.core.engine import Engine
from bot.storage.db import transaction
from tests.board.conftest import Board, person
from tests.board.test_public import hocvuso
from tests.factories import Chat, user_of


async def test_a_failure_of_ours_shows_a_kind_page(
    engine: Engine, commune: int, board: Board, sessions: async_sessionmaker[AsyncSession]
) -> None:
    await person(engine, "staff", "staff")
    async with transaction(sessions) as session:  # a table gone missing: our failure
        await session.execute(text("ALTER TABLE public_boards RENAME TO public_boards_away"))
    try:
        async with (
            aiohttp.ClientSession() as client,
            client.get(f"{board.url}/cong-khai/kim-thanh") as page,
        ):
            body = await page.text()
    finally:
        async with transaction(sessions) as session:
            await session.execute(text("ALTER TABLE public_boards_away RENAME TO public_boards"))
    assert page.status == 503
    assert "Hệ thống đang bận" in body and "Traceback" not in body


async def test_the_link_command_refuses_a_resident_and_an_unknown_user(
    engine: Engine, commune: int, db_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    an = Chat(engine, user="an")
    await an.register()
    resident = await user_of(engine.sessions, "an")
    assert resident is not None
    staff_id = await person(engine, "staff", "staff")
    monkeypatch.setenv("HOCVUSO_PUBLIC_URL", "https://bot.example.gov.vn")
    refused = hocvuso(db_url, "web", "link", "--user", str(resident.id))
    assert refused.returncode == 1 and "only staff, admins and village heads" in refused.stderr
    unknown = hocvuso(db_url, "web", "link", "--user", "999999")
    assert unknown.returncode == 1 and "user 999999 not found" in unknown.stderr
    made = hocvuso(db_url, "web", "link", "--user", str(staff_id))
    assert made.returncode == 0, made.stderr
    assert made.stdout.startswith("https://bot.example.gov.vn/bang/dang-nhap/")
