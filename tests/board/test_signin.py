"""Signing in to the web board: one-time links from /web, the session cookie, signing out."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import aiohttp
import pytest
import time_machine
from sqlalchemy import select, text
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.core.engine import Engine
from bot.storage.models import WebLink, WebSession
from tests.board.conftest import Board, link_from_chat, person, sign_in
from tests.factories import Chat


def jar() -> aiohttp.CookieJar:
    return aiohttp.CookieJar(unsafe=True)  # keep cookies for 127.0.0.1


async def test_a_link_from_chat_signs_staff_in_once(
    engine: Engine, commune: int, board: Board
) -> None:
    await person(engine, "staff", "staff")
    link = await link_from_chat(engine, "staff")
    assert link.startswith(f"{board.url}/bang/dang-nhap/")
    async with aiohttp.ClientSession(cookie_jar=jar()) as client:
        response = await sign_in(client, link)
        assert response.status == 200
        page = await response.text()
        assert "Kim Thành" in page and "Tổng quan" in page
        cookie = response.history[0].headers["Set-Cookie"]
        assert "HttpOnly" in cookie and "SameSite=Lax" in cookie and "Max-Age=28800" in cookie
        assert "Secure" not in cookie  # the public address here is plain http
    async with aiohttp.ClientSession(cookie_jar=jar()) as other:
        async with other.get(link) as again:
            assert again.status == 410
            assert "đã được dùng hoặc đã hết hạn" in await again.text()
        token = link.rsplit("/", 1)[1]
        async with other.post(f"{board.url}/bang/dang-nhap", data={"token": token}) as reuse:
            assert reuse.status == 403  # not even a form of ours
        async with other.get(f"{board.url}/bang/") as page:
            assert page.status == 401
            assert "Gõ /web" in await page.text()


async def test_opening_a_link_does_not_use_it(engine: Engine, commune: int, board: Board) -> None:
    """Chat apps fetch links to show a preview: only pressing the button signs in."""
    await person(engine, "staff", "staff")
    link = await link_from_chat(engine, "staff")
    async with aiohttp.ClientSession() as preview:
        for _ in range(3):
            async with preview.get(link) as page:
                assert page.status == 200
    async with aiohttp.ClientSession(cookie_jar=jar()) as client:
        assert (await sign_in(client, link)).status == 200


async def test_a_link_expires_after_ten_minutes(
    engine: Engine, commune: int, board: Board
) -> None:
    await person(engine, "staff", "staff")
    with time_machine.travel(datetime.now(UTC), tick=True) as clock:
        link = await link_from_chat(engine, "staff")
        clock.shift(timedelta(minutes=10, seconds=1))
        async with aiohttp.ClientSession(cookie_jar=jar()) as client, client.get(link) as page:
            assert page.status == 410
            assert "hết hạn" in await page.text()


async def test_links_and_sessions_are_stored_hashed(
    engine: Engine, commune: int, board: Board, sessions: async_sessionmaker[AsyncSession]
) -> None:
    await person(engine, "staff", "staff")
    link = await link_from_chat(engine, "staff")
    token = link.rsplit("/", 1)[1]
    async with aiohttp.ClientSession(cookie_jar=jar()) as client:
        await sign_in(client, link)
        cookie = next(c.value for c in client.cookie_jar if c.key == "hocvuso_board")
    async with sessions() as session:
        stored = [r.token_hash for r in await session.scalars(select(WebLink))]
        stored += [r.token_hash for r in await session.scalars(select(WebSession))]
    assert len(stored) == 2
    assert token not in stored and cookie not in stored
    assert all(re.fullmatch(r"[0-9a-f]{64}", h) for h in stored)


async def test_a_sixth_link_in_an_hour_is_refused(
    engine: Engine, commune: int, board: Board
) -> None:
    await person(engine, "staff", "staff")
    for _ in range(5):
        await link_from_chat(engine, "staff")
    chat = Chat(engine, user="staff")
    await chat.say("/web")
    assert "5 đường dẫn trong một giờ" in chat.text
    assert "/bang/dang-nhap/" not in chat.text


async def test_a_resident_gets_no_link(engine: Engine, commune: int, board: Board) -> None:
    an = Chat(engine, user="an")
    await an.register()
    await an.say("/web")
    assert "/bang/dang-nhap/" not in an.text


async def test_without_a_public_address_the_bot_says_what_is_missing(
    engine: Engine, commune: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("HOCVUSO_PUBLIC_URL", raising=False)
    monkeypatch.chdir("/")  # no .env with an address
    await person(engine, "staff", "staff")
    chat = Chat(engine, user="staff")
    await chat.say("/web")
    assert "HOCVUSO_PUBLIC_URL" in chat.text


async def test_signing_out_ends_the_session_and_needs_the_form_token(
    engine: Engine, commune: int, board: Board
) -> None:
    await person(engine, "staff", "staff")
    async with aiohttp.ClientSession(cookie_jar=jar()) as client:
        page = await (await sign_in(client, await link_from_chat(engine, "staff"))).text()
        csrf = re.search(r'name="csrf" value="([0-9a-f]+)"', page)
        assert csrf is not None
        # A form posted from elsewhere (no token, or a wrong one) changes nothing.
        for data in ({}, {"csrf": "0" * 64}):
            async with client.post(f"{board.url}/bang/dang-xuat", data=data) as forged:
                assert forged.status == 403
        async with client.get(f"{board.url}/bang/") as still:
            assert still.status == 200
        cookie = next(c.value for c in client.cookie_jar if c.key == "hocvuso_board")
        async with client.post(f"{board.url}/bang/dang-xuat", data={"csrf": csrf[1]}) as out:
            assert out.status == 200
            assert "Bạn đã đăng xuất" in await out.text()
    # The old cookie, replayed, opens nothing.
    async with (
        aiohttp.ClientSession(cookies={"hocvuso_board": cookie}) as replay,
        replay.get(f"{board.url}/bang/") as page,
    ):
        assert page.status == 401


async def test_a_session_lasts_eight_hours(engine: Engine, commune: int, board: Board) -> None:
    await person(engine, "staff", "staff")
    with time_machine.travel(datetime.now(UTC), tick=True) as clock:
        async with aiohttp.ClientSession(cookie_jar=jar()) as client:
            await sign_in(client, await link_from_chat(engine, "staff"))
            clock.shift(timedelta(hours=7, minutes=59))
            async with client.get(f"{board.url}/bang/") as page:
                assert page.status == 200
            clock.shift(timedelta(minutes=2))
            async with client.get(f"{board.url}/bang/") as page:
                assert page.status == 401


async def test_pages_carry_security_headers(engine: Engine, commune: int, board: Board) -> None:
    await person(engine, "staff", "staff")
    async with aiohttp.ClientSession(cookie_jar=jar()) as client:
        response = await sign_in(client, await link_from_chat(engine, "staff"))
        csp = response.headers["Content-Security-Policy"]
        page = await response.text()
    assert "frame-ancestors 'none'" in csp and "default-src 'none'" in csp
    assert "unsafe-inline" not in csp and "script-src" not in csp
    assert "<script" not in page and " style=" not in page
    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["Cache-Control"] == "no-store"


async def test_another_site_cannot_sign_a_visitor_in(
    engine: Engine, commune: int, board: Board
) -> None:
    """A page elsewhere that posts someone's link token would sign the visitor in to that
    account; only the form of our own sign-in page is taken."""
    await person(engine, "staff", "staff")
    link = await link_from_chat(engine, "staff")
    token = link.rsplit("/", 1)[1]
    url = f"{board.url}/bang/dang-nhap"
    async with aiohttp.ClientSession(cookie_jar=jar()) as victim:
        for form in ({"token": token}, {"token": token, "form": "doan-bua"}):
            async with victim.post(url, data=form) as refused:
                assert refused.status == 403
                assert "Biểu mẫu đã cũ" in await refused.text()
                assert "Set-Cookie" not in refused.headers
        async with victim.get(f"{board.url}/bang/") as page:
            assert page.status == 401
        response = await sign_in(victim, link)  # the link still works from our page
        assert response.status == 200 and "Tổng quan" in await response.text()


async def test_a_failing_sign_in_page_logs_no_link(
    engine: Engine,
    commune: int,
    board: Board,
    sessions: async_sessionmaker[AsyncSession],
    caplog: pytest.LogCaptureFixture,
) -> None:
    """A sign-in link's address is the credential: a page that fails logs its route only."""
    await person(engine, "staff", "staff")
    link = await link_from_chat(engine, "staff")
    async with sessions() as session, session.begin():
        await session.execute(text("ALTER TABLE web_links RENAME TO web_links_away"))
    try:
        async with aiohttp.ClientSession() as client, client.get(link) as page:
            assert page.status == 503
            assert "Hệ thống đang bận" in await page.text()
    finally:
        async with sessions() as session, session.begin():
            await session.execute(text("ALTER TABLE web_links_away RENAME TO web_links"))
    assert "/bang/dang-nhap/{token}" in caplog.text
    assert link.rsplit("/", 1)[1] not in caplog.text
