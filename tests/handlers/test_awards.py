"""Commune staff in chat: cohort sources in /thongke, the award decisions (/khenthuong) and the
emulation files from /xuatbaocao."""

from __future__ import annotations

import asyncio
import io
from datetime import UTC, datetime

import docx
import openpyxl
import time_machine
from sqlalchemy import delete, insert, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.core.engine import Engine
from bot.storage.models import AwardDecision
from tests.factories import Chat, grant
from tests.stats.test_emulation import docx_text, seed_year

DAY = "2026-12-10 10:00 +07:00"


async def test_thongke_says_where_cohort_figures_come_from(
    engine: Engine, commune: int, sessions: async_sessionmaker[AsyncSession]
) -> None:
    cadre = Chat(engine, user="cadre")
    await cadre.register(cohort="2")  # a cán bộ learning on the bot
    await cadre.complete_lesson("L01")
    staff = Chat(engine, user="staff")
    await grant(engine, staff, "staff")
    with time_machine.travel(DAY, tick=False):
        from bot.storage.db import transaction
        from bot.storage.models import Commune

        async with transaction(sessions) as session:
            row = await session.get(Commune, commune)
            assert row is not None
            row.cbcc_total = 4
        await staff.say("/thongke")
        assert "Cán bộ, công chức, viên chức: 1/4 (25,0%) — chỉ tiêu 80%: chưa đạt" in staff.text
        assert "(theo người học trên trợ lý (người dân tự chọn nhóm))" in staff.text
        await seed_year(sessions, commune)
        await staff.say("/thongke")
    assert "Cán bộ, công chức, viên chức: 51/60 (85,0%) — chỉ tiêu 80%: đạt" in staff.text
    assert "(theo báo cáo của 2/3 cơ quan, trường học)" in staff.text
    assert "Cơ quan, trường học tham gia (đã báo cáo kết quả): 2/3 (66,7%)" in staff.text
    assert "người dân tự chọn nhóm" not in staff.text


async def test_khenthuong_marks_proposals_and_the_files_follow(
    engine: Engine, commune: int, sessions: async_sessionmaker[AsyncSession]
) -> None:
    await seed_year(sessions, commune)
    staff = Chat(engine, user="staff")
    await grant(engine, staff, "staff")
    with time_machine.travel(DAY, tick=False):
        await staff.say("/khenthuong")
        assert "🏅 Đề xuất khen thưởng năm 2026 — Kim Thành" in staff.text
        assert "0 đề nghị · 0 không đề nghị" in staff.text
        assert "1. ⏳ [chưa xét] Cá nhân: Nguyễn Thị Hoa (UBND xã Kim Thành)" in staff.text
        assert "Căn cứ: Đề nghị của UBND xã Kim Thành (báo cáo nộp ngày 03/12/2026)" in staff.text
        await staff.say("1")  # typed number: the first proposal
        assert "Xã có đề nghị khen thưởng không?" in staff.text
        await staff.say("1")  # typed number: đề nghị
        assert "✅ Đã ghi: đề nghị khen thưởng Nguyễn Thị Hoa (UBND xã Kim Thành)." in staff.text
        assert "1 đề nghị · 0 không đề nghị" in staff.text
        assert "⏳ Thôn Hòa Bình · đạt mục tiêu" in staff.labels
        assert "⏳ Thôn Hòa Bình · tăng nhiều" in staff.labels
        await staff.press("Trang sau")
        await staff.press("Trường THCS Kim Thành")
        await staff.press("Không đề nghị")
        assert "Đã ghi: không đề nghị Trường THCS Kim Thành" in staff.text
        as_excel = staff.option("Xuất danh sách (Excel)")
        await staff.press("Xuất danh sách (Word)")
        [word] = [r for r in staff.replies if r.document]
        await staff.tap(as_excel)  # the list's buttons stay valid after a file is sent
        [excel] = [r for r in staff.replies if r.document]
    assert word.document is not None and excel.document is not None
    text = docx_text(word.document)
    assert "Cá nhân: Nguyễn Thị Hoa (UBND xã Kim Thành)" in text
    assert "Trường THCS Kim Thành" not in text  # declined: left out
    book = openpyxl.load_workbook(io.BytesIO(excel.document))
    cells = [c.value for row in book.active.iter_rows() for c in row]  # type: ignore[union-attr]
    assert "Trường THCS Kim Thành" not in " ".join(str(c) for c in cells)
    assert "Tập thể: UBND xã Kim Thành" in cells  # not decided yet: in its own section
    async with sessions() as session:
        rows = {r.key: r.decision for r in await session.scalars(select(AwardDecision))}
    assert sorted(rows.values()) == ["decline", "propose"]


async def test_a_forged_or_stale_proposal_changes_nothing(
    engine: Engine, commune: int, sessions: async_sessionmaker[AsyncSession]
) -> None:
    await seed_year(sessions, commune)
    staff = Chat(engine, user="staff")
    await grant(engine, staff, "staff")
    with time_machine.travel(DAY, tick=False):
        await staff.say("/khenthuong")
        await staff.tap("ktm:2026:nom:999:0:p")
        assert "Câu này đã qua" in staff.text or "không còn" in staff.text
        await staff.say("/khenthuong 2031")
        assert "Năm 2031 chưa có số liệu" in staff.text
        await staff.say("/khenthuong abc")
        assert "Bạn gõ /khenthuong hoặc /khenthuong 2026" in staff.text
    async with sessions() as session:
        assert list(await session.scalars(select(AwardDecision))) == []


async def test_xuatbaocao_sends_the_emulation_report(
    engine: Engine, commune: int, sessions: async_sessionmaker[AsyncSession]
) -> None:
    await seed_year(sessions, commune)
    staff = Chat(engine, user="staff")
    await grant(engine, staff, "staff")
    with time_machine.travel(DAY, tick=False):
        await staff.say("/xuatbaocao")
        await staff.press("Báo cáo thi đua năm 2026 (Word)")
    [reply] = [r for r in staff.replies if r.document]
    assert reply.filename == "thi-dua-kimthanh-2026.docx"
    assert reply.document is not None
    document = docx.Document(io.BytesIO(reply.document))
    text = "\n".join(p.text for p in document.paragraphs)
    assert "kết quả: “100% cán bộ dùng chữ ký số" in text


async def test_khenthuong_with_a_year_that_cannot_be_is_answered_kindly(
    engine: Engine, commune: int
) -> None:
    staff = Chat(engine, user="staff")
    await grant(engine, staff, "staff")
    with time_machine.travel(DAY, tick=False):
        for typed in ("0000", "0001", "1900", "9999"):
            await staff.say(f"/khenthuong {typed}")
            assert "chưa có số liệu" in staff.text, typed
            assert "/khenthuong 2026" in staff.text and "Hệ thống đang bận" not in staff.text


async def test_two_staff_deciding_one_proposal_at_once_both_get_a_clear_answer(
    engine: Engine, commune: int, sessions: async_sessionmaker[AsyncSession]
) -> None:
    seeded = await seed_year(sessions, commune)
    key = f"nom:{seeded['report']}:0"  # Nguyễn Thị Hoa, the first proposal
    first, second = Chat(engine, user="staff1"), Chat(engine, user="staff2")
    await grant(engine, first, "staff")
    await grant(engine, second, "staff")

    async def while_the_other_decides(write: object) -> None:
        """Press "Không đề nghị" while another staff member's decision is being written."""
        async with sessions() as other:
            await other.execute(write)  # type: ignore[call-overload]
            pressing = asyncio.create_task(second.press("Không đề nghị"))
            await asyncio.sleep(0.5)  # the press waits for the other's transaction
            await other.commit()
        await pressing

    with time_machine.travel(DAY, tick=False):
        await second.say("/khenthuong")
        await second.say("1")
        at = datetime.now(UTC)
        # Both decide a proposal nobody has decided yet: the later decision stands.
        await while_the_other_decides(
            insert(AwardDecision).values(
                commune_id=commune, year=2026, key=key, decision="propose", decided_at=at
            )
        )
        assert "Hệ thống đang bận" not in second.text
        assert "Đã ghi: không đề nghị Nguyễn Thị Hoa" in second.text
        assert "0 đề nghị · 1 không đề nghị" in second.text
        # One puts it back to "chưa xét" while the other declines it again.
        await second.say("1")
        await while_the_other_decides(delete(AwardDecision).where(AwardDecision.key == key))
        assert "Hệ thống đang bận" not in second.text
        assert "Đã ghi: không đề nghị Nguyễn Thị Hoa" in second.text
    async with sessions() as session:
        rows = list(await session.scalars(select(AwardDecision)))
    assert [(r.key, r.decision) for r in rows] == [(key, "decline")]
