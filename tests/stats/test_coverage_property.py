"""Property: whatever heads and residents do, no village shows more than 100% unless flagged,
and the chat, the JSON and the workbook tell the same figures."""

from __future__ import annotations

import asyncio
import itertools
from datetime import UTC, datetime
from io import BytesIO
from typing import Any

import openpyxl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot import formats as f
from bot.core.engine import Engine
from bot.stats.coverage import commune_coverage, stats_json
from bot.stats.exports import coverage_xlsx
from bot.stats.report import build_commune_report
from tests.factories import Chat, grant

VILLAGES = {"Thôn Đồng Tâm": "dong tam", "Thôn Mới": "thon moi"}  # with and without a roster
NAMES = ["tran thi binh", "le van cuong", "Đỗ Văn Một", "Ngô Thị Hai", "Bùi Văn Ba"]

village = st.sampled_from(sorted(VILLAGES))
ACTIONS = st.one_of(
    st.tuples(st.just("total"), village, st.integers(min_value=1, max_value=14)),
    st.tuples(st.just("signup"), village, st.sampled_from(NAMES)),
    st.tuples(st.just("pass"), st.integers(min_value=0, max_value=5)),
    st.tuples(st.just("delete"), st.integers(min_value=0, max_value=5)),
    st.tuples(st.just("class"), village, st.lists(st.sampled_from(NAMES), min_size=1, max_size=3)),
    st.tuples(st.just("confirm"), village),
)


class World:
    """The village heads, a staff member and the residents the actions drive."""

    def __init__(self, engine: Engine, sessions: async_sessionmaker[AsyncSession], commune: int):
        self.engine, self.sessions, self.commune = engine, sessions, commune
        self.heads: dict[str, Chat] = {}
        self.staff = Chat(engine, user="staff")
        self.residents: list[Chat] = []
        self.ids = itertools.count()

    async def setup(self) -> None:
        await grant(self.engine, self.staff, "staff")
        for name in VILLAGES:
            head = Chat(self.engine, user=f"head-{name}")
            await grant(self.engine, head, "village_head", name)
            self.heads[name] = head

    async def act(self, action: tuple[Any, ...]) -> None:
        kind = action[0]
        if kind == "total":
            head = self.heads[action[1]]
            await head.say(f"/sohodan {action[2]}")
            if any(label.startswith("Đúng,") for label in head.labels):
                await head.press("Đúng,")
        elif kind == "signup":
            chat = Chat(self.engine, user=f"r{next(self.ids)}")
            for line in ("/start", "1", "1", VILLAGES[action[1]], action[2]):
                await chat.say(line)
            for label in ("Đúng", "Tạo hộ mới", "Hộ tôi chưa có trong danh sách", "Đúng, ghi"):
                if label in chat.labels:
                    await chat.press(label)
            if "đăng ký xong" in chat.text:
                self.residents.append(chat)
        elif kind in ("pass", "delete") and self.residents:
            chat = self.residents[action[1] % len(self.residents)]
            if kind == "pass":
                await chat.complete_lesson("L01")
            else:
                await chat.say("/xoadulieu")
                await chat.press("Xoá dữ liệu của tôi")
                self.residents.remove(chat)
        elif kind == "class":
            head = self.heads[action[1]]
            await head.say("/hoctructiep " + ", ".join(action[2]))
            if any(label.startswith("✅ Ghi nhận") for label in head.labels):
                await head.press("✅ Ghi nhận")
        elif kind == "confirm":
            head = self.heads[action[1]]
            await head.say("/chuahoc")
            if head.labels and head.labels[0].startswith("✅ Xác nhận"):
                await head.say("1")

    async def check(self) -> None:
        """No village above 100% unless flagged; chat, JSON and xlsx agree."""
        async with self.sessions() as session:
            [coverage] = await commune_coverage(session, [self.commune])
            report = await build_commune_report(session, self.commune, datetime.now(UTC))
        doc = stats_json([coverage], datetime.now(UTC))["communes"][0]
        sheet = openpyxl.load_workbook(BytesIO(coverage_xlsx([report])))["Kim Thành"]
        rows = {r[0].value: [c.value for c in r] for r in sheet.iter_rows(min_row=2)}
        await self.staff.say("/thongke")
        chat = self.staff.text
        counted_total = counted_part = 0
        for v in doc["villages"]:
            total, part = v["households_total"], v["households_participating"]
            over = bool(total) and part > total
            assert v["check"] is over, v
            xlsx = rows[v["name"]]
            assert xlsx[3] == part and xlsx[4] == v["coverage_pct"]
            if over:
                assert v["coverage_pct"] is None and v["met"] is None
                assert xlsx[5] == "Cần kiểm tra" and xlsx[9] == "Cần kiểm tra"
                assert v["name"] in chat.split("Số liệu cần kiểm tra")[1].split("\n\n")[0]
                assert f"{v['name']}: {f.number(part)}/" not in chat
                continue
            assert xlsx[9] is None
            if total:
                assert v["coverage_pct"] <= 100.0
                assert xlsx[5] == ("Đạt" if v["met"] else "Chưa đạt")
                line = f"{v['name']}: {f.number(part)}/{f.number(total)} hộ "
                assert line + f"({f.percent(v['coverage_pct'])})" in chat, (line, chat)
                counted_total += total
                counted_part += part
        assert (doc["households_total"], doc["households_participating"]) == (
            counted_total,
            counted_part,
        )
        summary = f"Hộ có người học: {f.number(counted_part)}/{f.number(counted_total)} hộ"
        assert summary in chat


async def test_random_village_activity_keeps_figures_true_everywhere(
    engine: Engine, commune: int, sessions: async_sessionmaker[AsyncSession], backend: str
) -> None:
    if backend != "sqlite":
        pytest.skip("the figures are computed the same way on both databases; run on SQLite")
    world = World(engine, sessions, commune)
    await world.setup()
    loop = asyncio.new_event_loop()

    @settings(max_examples=12, deadline=None, suppress_health_check=list(HealthCheck))
    @given(st.lists(ACTIONS, min_size=1, max_size=6))
    def run(actions: list[tuple[Any, ...]]) -> None:
        async def go() -> None:
            for action in actions:
                await world.act(action)
                await world.check()

        loop.run_until_complete(go())

    try:
        await asyncio.to_thread(run)
    finally:
        loop.close()
