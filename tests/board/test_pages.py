"""The signed-in pages over HTTP: role and scope checked on the server for every page."""

from __future__ import annotations

import aiohttp
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.core.engine import Engine
from bot.storage.db import transaction
from bot.storage.imports import add_commune
from bot.storage.models import Village
from tests.board.conftest import Board, link_from_chat, person, seed_learning, sign_in
from tests.factories import village_named


def jar() -> aiohttp.CookieJar:
    return aiohttp.CookieJar(unsafe=True)


async def test_a_village_head_sees_only_their_village(
    engine: Engine, commune: int, board: Board, sessions: async_sessionmaker[AsyncSession]
) -> None:
    await seed_learning(engine, sessions)
    await person(engine, "head", "village_head", "dong tam")
    own = await village_named(sessions, "Thôn Đồng Tâm")
    other = await village_named(sessions, "Thôn Tân Tiến")
    async with aiohttp.ClientSession(cookie_jar=jar()) as client:
        landing = await sign_in(client, await link_from_chat(engine, "head"))
        assert str(landing.url).endswith(f"/bang/thon/{own.id}")
        page = await landing.text()
        assert "Thôn Đồng Tâm" in page
        # Households with nobody learning yet, for visits: An and Bình learn, Cường does not.
        waiting = page.split('id="waiting"', 1)[1]
        assert "<li>Lê Văn Cường " in waiting and "<li>Nguyễn Văn An " not in waiting
        for path in (f"/bang/thon/{other.id}", "/bang/bao-cao", "/bang/tai-ve/xlsx"):
            async with client.get(board.url + path) as forbidden:
                assert forbidden.status == 403, path
                text = await forbidden.text()
                assert "không có quyền" in text and "Thôn Tân Tiến" not in text


async def test_staff_see_their_commune_and_not_another(
    engine: Engine, commune: int, board: Board, sessions: async_sessionmaker[AsyncSession]
) -> None:
    async with transaction(sessions) as session:
        elsewhere, _ = await add_commune(session, "An Lão", "Hải Phòng")
        far = Village(commune_id=elsewhere.id, name="Thôn Xa", name_folded="thon xa")
        session.add(far)
    await person(engine, "staff", "staff")
    async with sessions() as session:
        far_id = await session.scalar(select(Village.id).where(Village.name == "Thôn Xa"))
    own = await village_named(sessions, "Thôn Tân Tiến")
    async with aiohttp.ClientSession(cookie_jar=jar()) as client:
        await sign_in(client, await link_from_chat(engine, "staff"))
        async with client.get(f"{board.url}/bang/thon/{own.id}") as page:
            assert page.status == 200
            text = await page.text()
            assert "Thôn Tân Tiến" in text
            assert "Hộ chưa có ai học" not in text  # names for visits are the head's only
        async with client.get(f"{board.url}/bang/thon/{far_id}") as page:
            assert page.status == 403
        async with client.get(f"{board.url}/bang/?xa={elsewhere.id}") as page:
            assert "Kim Thành" in await page.text()  # staff cannot switch commune
        async with client.get(f"{board.url}/bang/thon/999999") as page:
            assert page.status == 404


async def test_an_admin_of_several_communes_chooses_one(
    engine: Engine, commune: int, board: Board, sessions: async_sessionmaker[AsyncSession]
) -> None:
    async with transaction(sessions) as session:
        elsewhere, _ = await add_commune(session, "An Lão", "Hải Phòng")
    await person(engine, "admin", "admin")
    async with aiohttp.ClientSession(cookie_jar=jar()) as client:
        page = await (await sign_in(client, await link_from_chat(engine, "admin"))).text()
        assert "Chọn xã để xem" in page and "An Lão" in page
        async with client.get(f"{board.url}/bang/bao-cao?xa={elsewhere.id}") as chosen:
            text = await chosen.text()
            assert "Nộp báo cáo" in text and f"/bang/tai-ve?xa={elsewhere.id}" in text


async def test_downloads_are_the_report_files(engine: Engine, commune: int, board: Board) -> None:
    await person(engine, "staff", "staff")
    async with aiohttp.ClientSession(cookie_jar=jar()) as client:
        await sign_in(client, await link_from_chat(engine, "staff"))
        for kind, magic, mime in (
            ("xlsx", b"PK", "spreadsheetml"),
            ("docx", b"PK", "wordprocessingml"),
            ("png", b"\x89PNG", "image/png"),
        ):
            async with client.get(f"{board.url}/bang/tai-ve/{kind}") as file:
                assert file.status == 200
                assert mime in file.headers["Content-Type"]
                assert "attachment" in file.headers["Content-Disposition"]
                assert (await file.read()).startswith(magic)
        async with client.get(f"{board.url}/bang/tai-ve/exe") as file:
            assert file.status == 404
