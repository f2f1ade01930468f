"""The web board on a real aiohttp server over a migrated database, and people who use it."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from dataclasses import dataclass

import aiohttp
import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.config import Settings
from bot.core.engine import Engine
from bot.storage.db import transaction
from bot.storage.models import Commune
from bot.web import WebServer, build_web_app
from tests.factories import Chat, grant, user_of


@dataclass
class Board:
    """A running board: its address and the server behind it."""

    url: str
    server: WebServer


async def seed_learning(engine: Engine, sessions: async_sessionmaker[AsyncSession]) -> None:
    """Households of three villages take part; the commune declares its cán bộ total."""
    for user, village, household, lesson in (
        ("an", "dong tam", "nguyen van an", "L01"),
        ("binh", "dong tam", "tran thi binh", "L02"),
        ("mai", "tan tien", "tran thi mai", "L08"),
        ("moi", "thon moi", "do van moi", "L08"),
    ):
        chat = Chat(engine, user=user)
        await chat.register(village=village, household=household)
        await chat.complete_lesson(lesson)
    async with transaction(sessions) as session:
        commune = await session.scalar(select(Commune))
        assert commune is not None
        commune.cbcc_total = 4


async def person(engine: Engine, name: str, role: str, village: str | None = None) -> int:
    """Give a chat user a role through a real invite; return their user id."""
    chat = Chat(engine, user=name)
    await grant(engine, chat, role, village)
    user = await user_of(engine.sessions, name)
    assert user is not None
    return user.id


@pytest.fixture
async def board(
    sessions: async_sessionmaker[AsyncSession], monkeypatch: pytest.MonkeyPatch
) -> AsyncIterator[Board]:
    """Our web server with the board on a free port; /web links point at it."""
    engine = sessions.kw["bind"]
    server = WebServer(
        build_web_app(
            engine,
            sessions=sessions,
            settings=Settings(public_url="http://127.0.0.1", database_url="sqlite:///unused"),
        ),
        "127.0.0.1",
        0,
    )
    await server.start()
    url = f"http://127.0.0.1:{server.port}"
    monkeypatch.setenv("HOCVUSO_PUBLIC_URL", url)
    try:
        yield Board(url, server)
    finally:
        await server.stop()


async def link_from_chat(engine: Engine, name: str) -> str:
    """Type /web as `name` and return the link the bot sends."""
    chat = Chat(engine, user=name)
    await chat.say("/web")
    words = [w for w in chat.text.split() if "/bang/dang-nhap/" in w]
    assert words, chat.text
    return words[0]


async def sign_in(client: aiohttp.ClientSession, link: str) -> aiohttp.ClientResponse:
    """Open a sign-in link and press its button, as a person would."""
    async with client.get(link) as page:
        html = await page.text()
        assert page.status == 200, html
    token = link.rsplit("/", 1)[1]
    form = re.search(r'name="form" value="([^"]+)"', html)
    assert form is not None, html
    base = link.split("/bang/", 1)[0]
    return await client.post(f"{base}/bang/dang-nhap", data={"token": token, "form": form[1]})
