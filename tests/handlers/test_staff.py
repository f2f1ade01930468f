"""Commune staff in chat: statistics checked by hand, reporting status, notices."""

from __future__ import annotations

import io
from datetime import UTC, datetime

import pytest
import time_machine
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.core.engine import Engine
from bot.stats.report import build_commune_report
from bot.storage.db import transaction
from bot.storage.models import Commune, OutboxMessage
from tests.factories import Chat, grant


async def seed_learning(engine: Engine, sessions: async_sessionmaker[AsyncSession]) -> Chat:
    """Three households of Thôn Đồng Tâm take part, one member deletes their data; two cán bộ."""
    an = Chat(engine, user="an")
    await an.register(household="nguyen van an")
    await an.complete_lesson("L01")
    binh = Chat(engine, user="binh")
    await binh.register(household="tran thi binh", cohort="2")
    await binh.complete_lesson("L02")
    cuong = Chat(engine, user="cuong")
    await cuong.register(household="le van cuong", cohort="2")
    await cuong.complete_lesson("L01")
    await cuong.say("/xoadulieu")
    await cuong.say("1")  # deleted: Lê Văn Cường's household no longer counts
    mai = Chat(engine, user="mai")
    await mai.register(village="tan tien", household="tran thi mai")
    await mai.complete_lesson("L08")
    moi = Chat(engine, user="moi")
    await moi.register(village="thon moi", household="do van moi")
    await moi.complete_lesson("L08")
    async with transaction(sessions) as session:
        commune = await session.scalar(select(Commune))
        assert commune is not None
        commune.cbcc_total = 4
        commune.worker_total = None
    staff = Chat(engine, user="staff")
    await grant(engine, staff, "staff")
    return staff


async def test_statistics_agree_with_hand_computation(
    engine: Engine, commune: int, sessions: async_sessionmaker[AsyncSession]
) -> None:
    staff = await seed_learning(engine, sessions)
    await staff.say("/thongke")
    text = staff.text
    # Đồng Tâm 2/320, Tân Tiến 1/280; others 0; Thôn Mới has no total → left out: 3/1410
    assert "Hộ có người học: 3/1.410 hộ (0,2%) — mục tiêu 60%: chưa đạt (cần thêm 843 hộ)" in text
    # Vietnamese order among equal figures: Đ after D and before H, not after Q
    assert "3. Thôn Đoàn Kết: 0/260 hộ (0,0%)\n4. Thôn Hòa Bình" in text
    assert "Hộ có người học theo nguồn: bài học trên trợ lý 3" in text
    assert "1. Thôn Đồng Tâm: 2/320 hộ (0,6%)" in text
    assert "2. Thôn Tân Tiến: 1/280 hộ (0,4%)" in text
    assert "Chưa khai báo tổng số hộ (không tính vào tỷ lệ xã): Thôn Mới" in text
    assert "Cán bộ, công chức, viên chức: 1/4 (25,0%) — chỉ tiêu 80%: chưa đạt" in text
    assert "Lao động doanh nghiệp" not in text  # no total declared: not shown
    assert "7 ngày qua: thêm 3 hộ" in text  # in the villages counted toward the figure
    await staff.say("/thongke dong tam")
    assert "Thôn Đồng Tâm: 2/320 hộ (0,6%)" in staff.text
    assert "Người học: 2" in staff.text
    await staff.say("/thongke xa lac")
    assert "Không tìm thấy thôn" in staff.text

    async with sessions() as session:
        report = await build_commune_report(session, commune, datetime.now(UTC))
    assert (report.coverage.households_participating, report.coverage.households_total) == (
        3,
        1410,
    )
    assert report.learners == 4  # An, Bình, Mai, Mới — Cường deleted


async def test_reporting_status_lists_who_has_and_has_not(engine: Engine, commune: int) -> None:
    staff = Chat(engine, user="staff")
    await grant(engine, staff, "staff")
    head = Chat(engine, user="head")
    await grant(engine, head, "village_head", "Thôn Hòa Bình")
    with time_machine.travel("2026-12-03 09:00 +07:00", tick=False):
        await head.say("/nopbaocao 05/12")
        await head.press("Đã nộp bản giấy")
        await staff.say("/chuanop")
    assert "hạn 05/12/2026" in staff.text and staff.text.count("05/12") == 1
    assert "✅ Thôn Hòa Bình — 09:00 03/12/2026 (bản giấy)" in staff.text
    assert "⏳ Thôn Đồng Tâm — chưa nộp" in staff.text
    assert "Đã nộp 1/6 thôn" in staff.text


@pytest.mark.parametrize("role", ["resident", "village_head"])
async def test_staff_commands_are_refused_politely(
    engine: Engine, commune: int, role: str
) -> None:
    chat = Chat(engine, user=role)
    if role == "resident":
        await chat.register()
    else:
        await grant(engine, chat, role, "Thôn Đồng Tâm")
    for command in ("/thongke", "/bieudo", "/xuatbaocao", "/chuanop", "/guitin"):
        await chat.say(command)
        assert "Lệnh này chỉ dành cho cán bộ xã" in chat.text
        assert not any(r.document or r.photo for r in chat.replies)


async def test_notice_preview_confirm_and_quiet_hours(
    engine: Engine, commune: int, sessions: async_sessionmaker[AsyncSession]
) -> None:
    for user in ("r1", "r2"):
        await Chat(engine, user=user).register()
    staff = Chat(engine, user="staff")
    await grant(engine, staff, "staff")
    with time_machine.travel("2026-12-03 22:30 +07:00", tick=False):
        await staff.say("/guitin")
        await staff.press("Toàn xã")
        await staff.say("Họp dân lúc 8 giờ sáng Chủ nhật tại nhà văn hoá.")
        assert "Xem trước — gửi tới Toàn xã (3 người)" in staff.text
        await staff.press("Sửa lại")
        await staff.say("Họp dân lúc 8 giờ sáng Chủ nhật tại nhà văn hoá thôn.")
        await staff.press("Gửi")
        assert "giờ nghỉ (21:00–07:00)" in staff.text
        assert "07:00 04/12" in staff.text
    async with sessions() as session:
        rows = list(
            await session.scalars(select(OutboxMessage).where(OutboxMessage.kind == "broadcast"))
        )
    assert len(rows) == 3
    assert {r.not_before.isoformat() for r in rows} == {"2026-12-04T00:00:00+00:00"}
    assert all("nhà văn hoá thôn" in r.payload["text"] for r in rows)


async def test_a_long_notice_is_refused_with_its_length(engine: Engine, commune: int) -> None:
    staff = Chat(engine, user="staff")
    await grant(engine, staff, "staff")
    await staff.say("/guitin")
    await staff.press("Một thôn")
    await staff.press("Thôn Đồng Tâm")
    await staff.say("x" * 1200)
    assert "dài quá" in staff.text
    assert "Gõ nội dung thông báo (tối đa 1000 ký tự)" in staff.text  # asked again
    await staff.say("Mất điện từ 8 đến 10 giờ sáng mai.")
    assert "Xem trước — gửi tới Thôn Đồng Tâm" in staff.text


async def test_chat_json_excel_and_word_agree(
    engine: Engine, commune: int, sessions: async_sessionmaker[AsyncSession]
) -> None:
    import docx
    import openpyxl

    from bot.stats.coverage import commune_coverage, stats_json

    staff = await seed_learning(engine, sessions)
    await staff.say("/xuatbaocao")
    await staff.press("Excel")
    [xlsx] = [r for r in staff.replies if r.document]
    assert xlsx.filename and xlsx.filename.endswith(".xlsx")
    await staff.say("/xuatbaocao")
    await staff.press("Word")
    [word] = [r for r in staff.replies if r.document]
    assert word.filename and word.filename.endswith(".docx")
    await staff.say("/bieudo")
    [chart] = [r for r in staff.replies if r.photo]
    assert chart.photo and chart.photo.startswith(b"\x89PNG")

    async with sessions() as session:
        doc = stats_json(await commune_coverage(session), datetime.now(UTC))
    [c] = doc["communes"]
    assert (c["households_participating"], c["households_total"], c["coverage_pct"]) == (
        3,
        1410,
        0.2,
    )
    dong_tam = next(v for v in c["villages"] if v["name"] == "Thôn Đồng Tâm")
    assert (dong_tam["households_participating"], dong_tam["coverage_pct"]) == (2, 0.6)

    book = openpyxl.load_workbook(io.BytesIO(xlsx.document or b""))
    sheet = book[book.sheetnames[1]]
    rows = {row[0]: row for row in sheet.iter_rows(min_row=2, values_only=True)}
    assert rows["Thôn Đồng Tâm"][1:5] == (320, 2, 2, 0.6)
    assert rows["Thôn Mới"][1] is None and rows["Thôn Mới"][3] == 1
    summary = book[book.sheetnames[0]]
    header = [cell.value for cell in summary[1]]
    values = dict(zip(header, [cell.value for cell in summary[2]], strict=False))
    assert (values["Tổng số hộ"], values["Hộ có người học"], values["Tỷ lệ (%)"]) == (1410, 3, 0.2)

    document = docx.Document(io.BytesIO(word.document or b""))
    body = "\n".join(p.text for p in document.paragraphs)
    assert "3/1.410 hộ" in body and "0,2%" in body
    table = next(t for t in document.tables if "Thôn" in t.rows[0].cells[1].text)
    cells = {row.cells[1].text: [c.text for c in row.cells] for row in table.rows[1:]}
    assert cells["Thôn Đồng Tâm"][2:5] == ["320", "2", "0,6"]
