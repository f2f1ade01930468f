"""The web board in a real browser: Debian's Chromium driven by Playwright, phone and desk."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.core.engine import Engine
from bot.storage.models import Household, User
from tests.board.conftest import Board, person, seed_learning
from tests.factories import village_named

CHROMIUM = Path("/usr/bin/chromium")
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
]
PHONE = {"width": 390, "height": 844}
DESK = {"width": 1366, "height": 768}
REPO = Path(__file__).resolve().parents[2]

pytestmark = pytest.mark.skipif(
    not CHROMIUM.exists(),
    reason="Chromium is not installed (/usr/bin/chromium; apt-get install chromium): "
    "browser tests skipped",
)


def hocvuso(db_url: str, public_url: str, *args: str) -> str:
    """Run the `hocvuso` command against the test database and return what it printed."""
    result = subprocess.run(
        [sys.executable, "-m", "bot", *args],
        cwd=REPO,
        capture_output=True,
        text=True,
        env={**os.environ, "HOCVUSO_DATABASE_URL": db_url, "HOCVUSO_PUBLIC_URL": public_url},
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    return result.stdout


@pytest.fixture
async def browser(tmp_path: Path) -> AsyncIterator[Any]:
    """A fresh headless Chromium (its own profile) with a phone-sized first window."""
    from playwright.async_api import async_playwright

    async with async_playwright() as pw:
        context = await pw.chromium.launch_persistent_context(
            str(tmp_path / "profile"),
            executable_path=str(CHROMIUM),
            headless=True,
            args=ARGS,
            viewport=PHONE,
            accept_downloads=True,
        )
        try:
            yield context
        finally:
            await context.close()


async def sign_in_with_link(page: Any, link: str) -> None:
    """Open the link and press the button, as a person would."""
    await page.goto(link)
    await page.get_by_role("button", name="Vào bảng theo dõi").click()
    await page.wait_for_load_state()


def number(text: str) -> int:
    return int(text.strip().replace(".", ""))


def pct(value: float | None) -> str:
    return "—" if value is None else f"{value:.1f}%".replace(".", ",")


async def test_staff_pages_show_the_stats_figures_on_phone_and_desk(
    engine: Engine,
    commune: int,
    board: Board,
    db_url: str,
    browser: Any,
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    await seed_learning(engine, sessions)
    staff_id = await person(engine, "staff", "staff")
    link = hocvuso(db_url, board.url, "web", "link", "--user", str(staff_id)).strip()
    stats = json.loads(hocvuso(db_url, board.url, "stats", "--format", "json"))
    [expected] = stats["communes"]
    page = await browser.new_page()
    await sign_in_with_link(page, link)
    assert page.url.endswith("/bang/")

    for size in (PHONE, DESK):
        await page.set_viewport_size(size)
        await page.goto(f"{board.url}/bang/")
        assert await page.locator("#commune-pct").inner_text() == pct(expected["coverage_pct"])
        assert (
            number(await page.locator("#commune-part").inner_text())
            == expected["households_participating"]
        )
        assert (
            number(await page.locator("#commune-total").inner_text())
            == expected["households_total"]
        )
        for village in expected["villages"]:
            row = page.locator(f'#villages tr[data-village="{village["name"]}"]')
            cell = row.locator('[data-field="households_participating"]')
            assert number(await cell.inner_text()) == village["households_participating"]
            if village["households_total"]:
                shown = await row.locator('[data-field="coverage_pct"]').inner_text()
                assert shown == pct(village["coverage_pct"])
        # Nothing overflows the screen sideways (tables scroll inside their own box).
        width = await page.evaluate("document.documentElement.scrollWidth")
        assert width <= size["width"]
        assert await page.locator("svg.chart").count() == 2
        for path, heading in (
            ("/bang/bao-cao", "Nộp báo cáo"),
            ("/bang/tai-ve", "Tải về"),
            ("/bang/thong-bao", "Thông báo đã gửi"),
        ):
            await page.goto(board.url + path)
            assert await page.locator("h1").inner_text() == heading
            assert await page.evaluate("document.documentElement.scrollWidth") <= size["width"]
        await page.goto(f"{board.url}/bang/")
        await page.get_by_role("link", name="Thôn Đồng Tâm").click()
        assert await page.locator("h1").inner_text() == "Thôn Đồng Tâm"
        dong_tam = next(v for v in expected["villages"] if v["name"] == "Thôn Đồng Tâm")
        assert await page.locator("#village-pct").inner_text() == pct(dong_tam["coverage_pct"])
        assert number(await page.locator("#village-learners").inner_text()) == dong_tam["learners"]

    await page.goto(f"{board.url}/bang/tai-ve")
    for label, suffix, magic in (
        ("Bảng số liệu (Excel)", ".xlsx", b"PK"),
        ("Dự thảo báo cáo (Word)", ".docx", b"PK"),
        ("Biểu đồ (ảnh PNG)", ".png", b"\x89PNG"),
    ):
        async with page.expect_download() as info:
            await page.get_by_role("link", name=label).click()
        download = await info.value
        assert download.suggested_filename.endswith(suffix)
        saved = await download.path()
        assert saved.read_bytes().startswith(magic)  # noqa: ASYNC240 - a small file

    await page.get_by_role("button", name="Đăng xuất").click()
    assert "Bạn đã đăng xuất" in await page.content()
    await page.goto(f"{board.url}/bang/")
    assert "Bạn chưa đăng nhập" in await page.content()


async def test_a_village_head_cannot_open_another_village(
    engine: Engine,
    commune: int,
    board: Board,
    db_url: str,
    browser: Any,
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    await seed_learning(engine, sessions)
    head_id = await person(engine, "head", "village_head", "tan tien")
    link = hocvuso(db_url, board.url, "web", "link", "--user", str(head_id)).strip()
    other = await village_named(sessions, "Thôn Đồng Tâm")
    page = await browser.new_page()
    await sign_in_with_link(page, link)
    for size in (PHONE, DESK):
        await page.set_viewport_size(size)
        await page.goto(f"{board.url}/bang/")
        assert await page.locator("h1").inner_text() == "Thôn Tân Tiến"
        assert "Hộ chưa có ai học" in await page.content()
        response = await page.goto(f"{board.url}/bang/thon/{other.id}")
        assert response is not None and response.status == 403
        assert "Bạn không có quyền xem trang này" in await page.content()
        assert "Thôn Đồng Tâm" not in await page.content()
        response = await page.goto(f"{board.url}/bang/bao-cao")
        assert response is not None and response.status == 403


async def test_the_public_board_shows_villages_and_no_personal_data(
    engine: Engine,
    commune: int,
    board: Board,
    db_url: str,
    browser: Any,
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    await seed_learning(engine, sessions)
    hocvuso(db_url, board.url, "commune", "set", "--public-board", "on")
    stats = json.loads(hocvuso(db_url, board.url, "stats", "--format", "json"))
    [expected] = stats["communes"]
    async with sessions() as session:
        households = list(await session.scalars(select(Household)))
        users = list(await session.scalars(select(User)))
    private = {h.head_name for h in households} | {h.code for h in households if h.code}
    private |= {u.display_name for u in users if u.display_name}
    page = await browser.new_page()
    for size in (PHONE, DESK):
        await page.set_viewport_size(size)
        await page.goto(f"{board.url}/cong-khai/kim-thanh")
        assert await page.locator("#commune-pct").inner_text() == pct(expected["coverage_pct"])
        ranking = await page.locator("#ranking").inner_text()
        ranked = [v for v in expected["villages"] if v["households_total"]]
        ranked.sort(key=lambda v: (-v["coverage_pct"], v["name"]))
        positions = [ranking.index(v["name"]) for v in ranked]
        assert positions == sorted(positions)
        text = await page.locator("body").inner_text()
        html = await page.content()
        assert [p for p in private if p in text or p in html] == []
        assert await page.evaluate("document.documentElement.scrollWidth") <= size["width"]
    assert re.search(r"\d+ thôn chưa khai báo tổng số hộ", await page.content())
