"""The emulation cycle's figures and files: cohort sources, the award proposal with its
evidence, the yearly emulation report and the period report, opened as a reader would."""

from __future__ import annotations

import io
from datetime import UTC, datetime

import docx
import openpyxl
from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.stats.awards import DECLINE, PROPOSE, award_proposals, decide
from bot.stats.emulation import emulation_period, emulation_year
from bot.stats.emulation_files import (
    awards_docx,
    awards_xlsx,
    emulation_docx,
    emulation_xlsx,
    period_docx,
    period_xlsx,
)
from bot.stats.report import build_commune_report
from bot.storage.db import transaction
from bot.storage.models import Commune, Village
from tests.factories import add_unit, add_unit_report, households_joined

NOW = datetime(2026, 12, 10, 3, 0, tzinfo=UTC)  # 10:00 on 10/12/2026 in Hà Nội


def docx_text(data: bytes) -> str:
    document = docx.Document(io.BytesIO(data))
    cells = [c.text for t in document.tables for row in t.rows for c in row.cells]
    return "\n".join([p.text for p in document.paragraphs] + cells)


def xlsx_cells(data: bytes) -> list[object]:
    book = openpyxl.load_workbook(io.BytesIO(data))
    return [c.value for ws in book.worksheets for row in ws.iter_rows() for c in row]


async def small_village(sessions: async_sessionmaker[AsyncSession], name: str, total: int) -> None:
    async with transaction(sessions) as session:
        await session.execute(
            update(Village).where(Village.name == name).values(households_total=total)
        )


async def seed_year(sessions: async_sessionmaker[AsyncSession], commune: int) -> dict[str, int]:
    """Two agencies and a school (one silent), an enterprise; villages joining during 2026."""
    async with transaction(sessions) as session:
        row = await session.get(Commune, commune)
        assert row is not None
        row.cbcc_total, row.worker_total = 4, 200
    ubnd = await add_unit(sessions, commune, "UBND xã Kim Thành", "co_quan", 50)
    school = await add_unit(sessions, commune, "Trường THCS Kim Thành", "truong_hoc", 10)
    await add_unit(sessions, commune, "Trạm Y tế xã", "co_quan", 12)
    firm = await add_unit(sessions, commune, "Công ty May Hải Hà", "doanh_nghiep", 100)
    report = await add_unit_report(
        sessions,
        ubnd,
        2026,
        learned=42,
        classes=3,
        results="100% cán bộ dùng chữ ký số; thủ tục trực tuyến toàn trình đạt 85%.",
        initiatives="Tổ công nghệ số cộng đồng trực tại bộ phận một cửa mỗi sáng thứ Bảy.",
        nominations=[
            {"kind": "ca_nhan", "name": "Nguyễn Thị Hoa", "achievement": "Dạy 12 lớp"},
            {"kind": "tap_the", "name": "=1+1", "achievement": "+cmd|' /C calc'!A0"},
        ],
        submitted_at="2026-12-03T09:15+07:00",
    )
    await add_unit_report(sessions, school, 2026, learned=9, submitted_at="2026-12-04T10:00+07:00")
    await add_unit_report(sessions, firm, 2026, learned=20, submitted_at="2026-12-04T11:00+07:00")
    await small_village(sessions, "Thôn Hòa Bình", 5)
    await small_village(sessions, "Thôn Tân Tiến", 10)
    # Hòa Bình: 1 household before 2026, 2 more in 2026 → crosses 60% (3 of 5) on 14/08/2026
    await households_joined(
        sessions,
        "Thôn Hòa Bình",
        "2025-11-02T08:00+07:00",
        "2026-03-01T08:00+07:00",
        "2026-08-14T16:00+07:00",
    )
    # Tân Tiến: 0 → 2 of 10 during 2026
    await households_joined(
        sessions, "Thôn Tân Tiến", "2026-05-05T08:00+07:00", "2026-06-06T08:00+07:00"
    )
    return {"report": report, "ubnd": ubnd, "school": school, "firm": firm}


async def test_cohorts_switch_to_the_units_reports_and_say_so(
    commune: int, sessions: async_sessionmaker[AsyncSession]
) -> None:
    async with transaction(sessions) as session:
        row = await session.get(Commune, commune)
        assert row is not None
        row.cbcc_total = 4
    async with sessions() as session:
        before = await build_commune_report(session, commune, NOW)
    [can_bo] = before.cohorts
    assert (can_bo.source, can_bo.learners, can_bo.total) == ("bot", 0, 4)
    assert "theo người học trên trợ lý" in can_bo.source_text

    await seed_year(sessions, commune)
    async with sessions() as session:
        after = await build_commune_report(session, commune, NOW)
    by = {k.cohort: k for k in after.cohorts}
    learning = by["can_bo"]
    # 42 + 9 learned of 50 + 10 in the two agencies that reported (the health station did not)
    assert (learning.learners, learning.total, learning.pct, learning.met) == (51, 60, 85.0, True)
    assert learning.source == "units"
    assert learning.source_text == "theo báo cáo của 2/3 cơ quan, trường học"
    taking_part = by["can_bo_tham_gia"]
    assert (taking_part.learners, taking_part.total, taking_part.met) == (2, 3, False)
    workers = by["lao_dong_dn"]
    assert (workers.learners, workers.total, workers.met) == (20, 100, False)
    assert workers.source_text == "theo báo cáo của 1/1 doanh nghiệp, HTX"
    # the commune report in Word says where each figure comes from
    from bot.stats.exports import commune_report_docx, coverage_xlsx

    text = docx_text(commune_report_docx(after))
    assert "51/60 người đã học, đạt 85,0% (đạt chỉ tiêu 80%; theo báo cáo của 2/3" in text
    assert "theo báo cáo của 1/1 doanh nghiệp, HTX" in xlsx_cells(coverage_xlsx([after]))


async def test_award_proposal_lists_nominations_and_suggestions_with_evidence(
    commune: int, sessions: async_sessionmaker[AsyncSession]
) -> None:
    ids = await seed_year(sessions, commune)
    async with sessions() as session:
        data, proposals = await award_proposals(session, commune, 2026, NOW)
    keys = [p.key for p in proposals]
    assert keys[:2] == [f"nom:{ids['report']}:0", f"nom:{ids['report']}:1"]
    assert {"reach:" + str(v.id) for v in data.villages if v.name == "Thôn Hòa Bình"} <= set(keys)
    assert f"cohort:{ids['ubnd']}" in keys and f"cohort:{ids['school']}" in keys
    assert f"cohort:{ids['firm']}" not in keys  # 20% of workers: under the 30% target

    text = docx_text(awards_docx(data, proposals))
    assert "DANH SÁCH ĐỀ NGHỊ KHEN THƯỞNG" in text
    assert "Chưa có tập thể, cá nhân nào được xét đề nghị khen thưởng." in text
    assert "Cá nhân: Nguyễn Thị Hoa (UBND xã Kim Thành)" in text
    assert "Đề nghị của UBND xã Kim Thành (báo cáo nộp ngày 03/12/2026)" in text
    assert "3/5 hộ (60,0%) đến ngày 10/12/2026; vượt 60% ngày 14/08/2026" in text
    assert "Từ 20,0% (1/5 hộ) ngày 01/01/2026 lên 60,0% (3/5 hộ)" in text
    assert "tăng 40,0 điểm phần trăm" in text
    assert "Báo cáo của đơn vị ngày 03/12/2026: 42/50 người đã học" in text
    cells = xlsx_cells(awards_xlsx(data, proposals))
    assert {"STT", "Tập thể/cá nhân", "Thành tích", "Căn cứ"} <= set(cells)
    assert "Cá nhân: Nguyễn Thị Hoa (UBND xã Kim Thành)" in cells
    # a nomination named "=1+1" stays text, never a formula
    assert "'Tập thể: =1+1" not in cells and "Tập thể: =1+1" in cells
    assert "'+cmd|' /C calc'!A0" in cells
    assert not any(isinstance(c, str) and c.startswith(("=", "+", "@")) for c in cells)

    async with transaction(sessions) as session:
        await decide(session, commune, 2026, keys[0], PROPOSE, None, NOW)
        await decide(session, commune, 2026, f"cohort:{ids['school']}", DECLINE, None, NOW)
    async with sessions() as session:
        data, proposals = await award_proposals(session, commune, 2026, NOW)
    document = docx.Document(io.BytesIO(awards_docx(data, proposals)))
    proposed, undecided = document.tables[1], document.tables[2]
    assert proposed.rows[1].cells[1].text == "Cá nhân: Nguyễn Thị Hoa (UBND xã Kim Thành)"
    assert len(proposed.rows) == 2
    assert "Trường THCS Kim Thành" not in docx_text(awards_docx(data, proposals))
    assert "Trường THCS Kim Thành" not in xlsx_cells(awards_xlsx(data, proposals))
    assert "Tập thể: UBND xã Kim Thành" in [c.text for c in undecided.columns[1].cells]


async def test_emulation_report_quotes_the_units(
    commune: int, sessions: async_sessionmaker[AsyncSession]
) -> None:
    await seed_year(sessions, commune)
    async with sessions() as session:
        data = await emulation_year(session, commune, 2026, NOW)
    text = docx_text(emulation_docx(data))
    assert "năm 2026 (đến ngày 10/12/2026)" in text
    assert (
        "UBND xã Kim Thành — kết quả: “100% cán bộ dùng chữ ký số; thủ tục trực tuyến toàn "
        "trình đạt 85%.”" in text
    )
    assert "sáng kiến: “Tổ công nghệ số cộng đồng trực tại bộ phận một cửa" in text
    assert "Trạm Y tế xã" in text and "chưa báo cáo" in text
    assert "đã báo cáo 03/12/2026" in text
    assert "theo báo cáo của 2/3 cơ quan, trường học" in text
    assert "Thôn Hòa Bình" in text and "UBND XÃ KIM THÀNH" in text
    assert "3/6 thôn" not in text and "0/6 thôn, 3/4 cơ quan" in text
    cells = xlsx_cells(emulation_xlsx(data))
    assert "Tổ công nghệ số cộng đồng trực tại bộ phận một cửa mỗi sáng thứ Bảy." in cells
    assert "theo báo cáo của 1/1 doanh nghiệp, HTX" in cells


async def test_period_report_puts_three_years_side_by_side(
    commune: int, sessions: async_sessionmaker[AsyncSession]
) -> None:
    await small_village(sessions, "Thôn Tân Tiến", 10)
    await households_joined(
        sessions,
        "Thôn Tân Tiến",
        "2025-04-01T08:00+07:00",
        "2026-04-01T08:00+07:00",
        "2026-09-01T08:00+07:00",
        "2027-02-01T08:00+07:00",
    )
    ubnd = await add_unit(sessions, commune, "UBND xã Kim Thành", "co_quan", 50)
    school = await add_unit(sessions, commune, "Trường THCS Kim Thành", "truong_hoc", 10)
    await add_unit_report(sessions, ubnd, 2026, learned=30)
    await add_unit_report(sessions, ubnd, 2027, learned=45)
    await add_unit_report(sessions, school, 2027, learned=9)
    now = datetime(2027, 6, 1, 3, 0, tzinfo=UTC)
    async with sessions() as session:
        years = await emulation_period(session, commune, 2025, 2027, now)
    document = docx.Document(io.BytesIO(period_docx(years)))
    villages, cohorts, reports = document.tables[1], document.tables[2], document.tables[3]
    assert [c.text for c in villages.rows[0].cells] == [
        "",
        "Năm 2025",
        "Năm 2026",
        "Năm 2027 (đến 01/06/2027)",
    ]
    tan_tien = next(r for r in villages.rows if r.cells[0].text == "Thôn Tân Tiến")
    assert [c.text for c in tan_tien.cells[1:]] == ["10,0 (1/10)", "30,0 (3/10)", "40,0 (4/10)"]
    learning = cohorts.rows[1]
    assert learning.cells[0].text.startswith("Cán bộ, công chức, viên chức")
    assert [c.text for c in learning.cells[1:]] == [
        "—",
        "60,0 (30/50; báo cáo)",
        "90,0 (54/60; báo cáo)",
    ]
    units = reports.rows[2]
    assert [c.text for c in units.cells[1:]] == ["0/2", "1/2", "2/2"]
    book = openpyxl.load_workbook(io.BytesIO(period_xlsx(years)))
    rows = [[c.value for c in row] for row in book.active.iter_rows()]  # type: ignore[union-attr]
    assert ["Thôn Tân Tiến", "10,0 (1/10)", "30,0 (3/10)", "40,0 (4/10)"] in rows
    async with sessions() as session:
        assert await session.scalar(select(Commune.id)) == commune
