"""The Excel workbook and the Word report draft, read back as staff would open them."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime, timedelta
from io import BytesIO
from zoneinfo import ZoneInfo

import docx
import openpyxl
from docx.document import Document as DocxDocument
from docx.oxml.ns import qn
from docx.shared import Cm, Pt

from bot.stats.coverage import CommuneCoverage, percent, target_met, village_figures
from bot.stats.exports import commune_report_docx, coverage_xlsx
from bot.stats.report import CohortIndicator, CommuneReport, SubmissionStatus, TrendPoint

ZONE = ZoneInfo("Asia/Ho_Chi_Minh")
NOW = datetime(2026, 11, 22, 8, 30, tzinfo=ZONE)
# name, declared total, registered, participating, learners, lessons completed
VILLAGES = [
    ("Thôn A", 10, 7, 6, 8, 20),
    ("Thôn B", 5, 2, 1, 1, 3),
    ("Thôn C", 8, 6, 5, 6, 11),
    ("Thôn D", None, 4, 3, 3, 4),
]
SUMMARY_HEADERS = [
    "Xã",
    "Tỉnh",
    "Tổng số hộ",
    "Hộ có người học",
    "Tỷ lệ (%)",
    "Mục tiêu (%)",
    "Đạt",
    "Người học",
    "Bài đã hoàn thành",
    "Hộ mới trong 7 ngày",
    "Thôn chưa khai báo tổng số hộ",
    "Thôn có số liệu cần kiểm tra",
    "Hộ học trên trợ lý",
    "Hộ dự lớp trực tiếp",
    "Hộ học trên nền tảng BDHVS",
]
VILLAGE_HEADERS = [
    "Thôn",
    "Tổng số hộ",
    "Hộ đã đăng ký",
    "Hộ có người học",
    "Tỷ lệ (%)",
    "Đạt mục tiêu",
    "Người học",
    "Bài đã hoàn thành",
    "Nộp báo cáo",
    "Số liệu cần kiểm tra",
    "Hộ học trên trợ lý",
    "Hộ dự lớp trực tiếp",
    "Hộ học trên nền tảng BDHVS",
]


def make_report(
    name: str = "Kim Thành",
    villages: list[tuple[str, int | None, int, int, int, int]] | None = None,
    *,
    cohorts: bool = True,
    deadline: bool = True,
    now: datetime = NOW,
) -> CommuneReport:
    """Build a report by hand: 12/23 households (52.2%) over Thôn A-C, Thôn D undeclared."""
    rows = [
        village_figures(
            i,
            v_name,
            total,
            part,
            60,
            households_registered=registered,
            learners=learners,
            lessons_completed=lessons,
        )
        for i, (v_name, total, registered, part, learners, lessons) in enumerate(
            VILLAGES if villages is None else villages, start=1
        )
    ]
    counted = [v for v in rows if v.households_total and not v.check]
    total = sum(v.households_total or 0 for v in counted)
    part = sum(v.households_participating for v in counted)
    coverage = CommuneCoverage(
        id=1,
        name=name,
        province="Hải Phòng",
        target_pct=60,
        households_total=total,
        households_participating=part,
        coverage_pct=percent(part, total),
        met=target_met(part, total, 60),
        villages_without_total=[v.name for v in rows if not v.households_total],
        villages=rows,
        villages_to_check=[v.name for v in rows if v.check],
    )
    trend = [
        TrendPoint(
            now.date() - timedelta(days=7 * (11 - i)),
            i,
            None if i < 3 else percent(i, total),
        )
        for i in range(12)
    ]
    report = CommuneReport(
        coverage=coverage,
        generated_at=now,
        learners=sum(v.learners for v in rows),
        lessons_completed=sum(v.lessons_completed for v in rows),
        new_households_7d=2,
        trend=trend,
    )
    if cohorts:
        report.cohorts = [
            CohortIndicator("can_bo", "Cán bộ, công chức, viên chức", 9, 12, 80, 75.0, False),
            CohortIndicator("lao_dong_dn", "Lao động doanh nghiệp, HTX", 12, 40, 30, 30.0, True),
        ]
    if deadline:
        report.deadline_title = "Báo cáo tháng 11"
        report.deadline_due = date(2026, 11, 25)
        done = {
            "Thôn A": (datetime(2026, 11, 20, 16, 5, tzinfo=ZONE), "chat"),
            "Thôn B": (datetime(2026, 11, 21, 9, 0, tzinfo=ZONE), "paper"),
        }
        report.submissions = [
            SubmissionStatus(v.name, *done.get(v.name, (None, None))) for v in rows
        ]
    return report


def _open_xlsx(data: bytes) -> openpyxl.Workbook:
    return openpyxl.load_workbook(BytesIO(data))


def _open_docx(data: bytes) -> DocxDocument:
    return docx.Document(BytesIO(data))


def _lines(document: DocxDocument) -> list[str]:
    lines = [p.text for p in document.paragraphs]
    for table in document.tables:
        for row in table.rows:
            for cell in row.cells:
                lines.extend(p.text for p in cell.paragraphs)
    return lines


def _village_table(document: DocxDocument) -> list[list[str]]:
    [table] = [t for t in document.tables if t.rows[0].cells[0].text == "STT"]
    return [[cell.text for cell in row.cells] for row in table.rows]


# --- Excel -----------------------------------------------------------------------------------


def test_workbook_has_a_summary_and_one_sheet_per_commune() -> None:
    wb = _open_xlsx(coverage_xlsx([make_report(), make_report("Tân Dân")]))
    assert wb.sheetnames == ["Tổng hợp", "Kim Thành", "Tân Dân"]
    assert wb.properties.creator == "Học vụ số bot"
    assert "22/11/2026" in (wb.properties.title or "")


def test_summary_sheet_shows_the_commune_figure_and_its_cohorts() -> None:
    ws = _open_xlsx(coverage_xlsx([make_report()]))["Tổng hợp"]
    assert [c.value for c in ws[1]] == SUMMARY_HEADERS
    assert all(c.font.bold for c in ws[1])
    assert ws.freeze_panes == "A2"
    row = [c.value for c in ws[2]]
    assert row == [
        "Kim Thành",
        "Hải Phòng",
        23,
        12,
        52.2,
        60,
        "Chưa đạt",
        18,
        38,
        2,
        "Thôn D",
        None,  # no village to check
        0,  # by source: bot lessons, community classes, national platform
        0,
        0,
    ]
    assert ws["E2"].number_format == "0.0"
    assert ws["C2"].number_format == "#,##0"  # thousands separated in the reader's locale
    assert ws.column_dimensions["A"].width > 10
    values = [[c.value for c in r] for r in ws.iter_rows(min_row=3)]
    assert [v for v in values[1] if v is not None] == ["Chỉ tiêu theo đối tượng"]
    assert values[2][:7] == [
        "Xã",
        "Đối tượng",
        "Người học",
        "Tổng số",
        "Tỷ lệ (%)",
        "Mục tiêu (%)",
        "Đạt",
    ]
    assert values[3][:7] == [
        "Kim Thành",
        "Cán bộ, công chức, viên chức",
        9,
        12,
        75.0,
        80,
        "Chưa đạt",
    ]
    assert values[4][:7] == ["Kim Thành", "Lao động doanh nghiệp, HTX", 12, 40, 30.0, 30, "Đạt"]


def test_commune_sheet_lists_the_villages_with_numbers_and_submissions() -> None:
    ws = _open_xlsx(coverage_xlsx([make_report()]))["Kim Thành"]
    assert [c.value for c in ws[1]] == VILLAGE_HEADERS
    assert all(c.font.bold for c in ws[1])
    assert ws.freeze_panes == "A2"
    rows = [[c.value for c in r] for r in ws.iter_rows(min_row=2)]
    assert rows == [
        ["Thôn A", 10, 7, 6, 60.0, "Đạt", 8, 20, "20/11/2026", None, 0, 0, 0],
        ["Thôn B", 5, 2, 1, 20.0, "Chưa đạt", 1, 3, "21/11/2026 (giấy)", None, 0, 0, 0],
        ["Thôn C", 8, 6, 5, 62.5, "Đạt", 6, 11, "chưa nộp", None, 0, 0, 0],
        ["Thôn D", None, 4, 3, None, None, 3, 4, "chưa nộp", None, 0, 0, 0],
    ]
    assert isinstance(ws["B2"].value, int) and isinstance(ws["E4"].value, float)
    assert ws["E2"].number_format == "0.0"


def test_commune_sheet_leaves_submissions_empty_without_a_deadline() -> None:
    ws = _open_xlsx(coverage_xlsx([make_report(deadline=False)]))["Kim Thành"]
    assert [ws.cell(row=r, column=9).value for r in range(2, 6)] == [None] * 4


def test_sheet_names_are_valid_and_unique() -> None:
    long_name = "Xã [Thử]: A/B\\C*D?E rất rất rất dài tên"
    names = [long_name, long_name, "Tổng hợp", "history"]
    wb = _open_xlsx(coverage_xlsx([make_report(n) for n in names]))
    titles = wb.sheetnames[1:]
    assert len(titles) == 4
    assert len({t.casefold() for t in wb.sheetnames}) == 5
    for title in titles:
        assert len(title) <= 31
        assert not set(title) & set("[]:*?/\\")
    assert titles[0].startswith("Xã Thử A B C D E")


def test_workbook_without_villages_cohorts_or_communes() -> None:
    report = make_report(villages=[], cohorts=False, deadline=False)
    wb = _open_xlsx(coverage_xlsx([report]))
    assert wb["Kim Thành"].max_row == 1
    summary = [c.value for c in wb["Tổng hợp"][2]]
    assert summary[2] is None and summary[4] is None and summary[6] is None
    assert wb["Tổng hợp"].max_row == 2
    assert _open_xlsx(coverage_xlsx([])).sheetnames == ["Tổng hợp"]


# --- Word ------------------------------------------------------------------------------------


def test_report_has_the_administrative_header_and_date_line() -> None:
    document = _open_docx(commune_report_docx(make_report()))
    lines = _lines(document)
    assert "UBND XÃ KIM THÀNH" in lines
    assert "Số: …/BC-UBND" in lines
    assert "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" in lines
    assert "Độc lập - Tự do - Hạnh phúc" in lines
    assert "Kim Thành, ngày 22 tháng 11 năm 2026" in lines
    assert "BÁO CÁO" in lines
    header = document.tables[0]
    assert header.rows[0].cells[0].paragraphs[0].runs[0].bold
    date_line = next(p for p in document.paragraphs if p.text.startswith("Kim Thành, ngày"))
    assert date_line.runs[0].italic
    assert any("Bình dân học vụ số" in line and "xã Kim Thành" in line for line in lines)


def test_date_line_pads_early_days_and_months() -> None:
    report = make_report(now=datetime(2027, 2, 5, 9, 0, tzinfo=ZONE))
    lines = _lines(_open_docx(commune_report_docx(report)))
    assert "Kim Thành, ngày 05 tháng 02 năm 2027" in lines


def test_report_states_the_commune_figure_and_sections() -> None:
    text = "\n".join(_lines(_open_docx(commune_report_docx(make_report()))))
    for heading in (
        "I. KẾT QUẢ THỰC HIỆN",
        "II. KẾT QUẢ THEO THÔN",
        "III. CHỈ TIÊU THEO ĐỐI TƯỢNG",
        "IV. ĐÁNH GIÁ VÀ ĐỀ XUẤT",
    ):
        assert heading in text
    assert "12/23 hộ, đạt 52,2% (chưa đạt mục tiêu 60%)" in text
    assert "Số người học: 18 người; số bài học đã hoàn thành: 38 bài." in text
    assert "Số hộ mới tham gia trong 7 ngày qua: 2 hộ." in text
    assert "Thôn chưa khai báo tổng số hộ (chưa tính vào tỷ lệ): Thôn D." in text
    assert "Cán bộ, công chức, viên chức: 9/12 người đã học, đạt 75,0% (chưa đạt" in text
    assert "Lao động doanh nghiệp, HTX: 12/40 người đã học, đạt 30,0% (đạt chỉ tiêu" in text
    assert "TM. ỦY BAN NHÂN DÂN" in text and "CHỦ TỊCH" in text
    assert "Nơi nhận:" in text and "- Như trên;" in text and "- Lưu: VT." in text


def test_village_table_has_one_row_per_village() -> None:
    rows = _village_table(_open_docx(commune_report_docx(make_report())))
    assert rows[0] == [
        "STT",
        "Thôn",
        "Tổng số hộ",
        "Hộ có người học",
        "Tỷ lệ (%)",
        "Đạt mục tiêu",
        "Nộp báo cáo",
    ]
    assert rows[1:] == [
        ["1", "Thôn A", "10", "6", "60,0", "Đạt", "20/11/2026"],
        ["2", "Thôn B", "5", "1", "20,0", "Chưa đạt", "21/11/2026 (giấy)"],
        ["3", "Thôn C", "8", "5", "62,5", "Đạt", "chưa nộp"],
        ["4", "Thôn D", "—", "3", "—", "", "chưa nộp"],
    ]


def test_report_page_and_fonts_follow_the_administrative_layout() -> None:
    document = _open_docx(commune_report_docx(make_report()))
    section = document.sections[0]
    assert abs(section.page_width - Cm(21.0)) < Cm(0.05)
    assert abs(section.page_height - Cm(29.7)) < Cm(0.05)
    assert abs(section.left_margin - Cm(3.0)) < Cm(0.05)
    assert abs(section.right_margin - Cm(2.0)) < Cm(0.05)
    normal = document.styles["Normal"]
    assert normal.font.name == "Times New Roman"
    assert normal.font.size == Pt(13)
    fonts = normal.element.rPr.rFonts
    assert fonts.get(qn("w:eastAsia")) == "Times New Roman"
    assert fonts.get(qn("w:cs")) == "Times New Roman"
    assert document.core_properties.author == "Học vụ số bot"


def test_report_without_deadline_cohorts_or_villages() -> None:
    document = _open_docx(commune_report_docx(make_report(deadline=False, cohorts=False)))
    rows = _village_table(document)
    assert "Nộp báo cáo" not in rows[0] and len(rows) == 5
    text = "\n".join(_lines(document))
    assert "chưa khai báo tổng số cán bộ" in text
    empty = make_report(villages=[], cohorts=False, deadline=False)
    text = "\n".join(_lines(_open_docx(commune_report_docx(empty))))
    assert "chưa tính được tỷ lệ" in text
    assert "Chưa có danh sách thôn." in text


def test_report_of_a_ward_keeps_its_kind() -> None:
    report = replace(make_report(), coverage=replace(make_report().coverage, name="Phường Hà An"))
    lines = _lines(_open_docx(commune_report_docx(report)))
    assert "UBND PHƯỜNG HÀ AN" in lines
    assert "Hà An, ngày 22 tháng 11 năm 2026" in lines


def test_word_and_excel_flag_a_village_above_100_percent_and_break_down_by_source() -> None:
    villages = [("Thôn A", 1, 2, 2, 2, 2), ("Thôn B", 1795, 900, 980, 1000, 2000)]
    report = make_report(villages=villages, deadline=False)
    report.coverage.villages[1].by_source.update(bot=950, **{"class": 40, "platform": 12})
    report.coverage.by_source.update(bot=950, **{"class": 40, "platform": 12})
    document = _open_docx(commune_report_docx(report))
    text = "\n".join(_lines(document))
    assert "980/1.795 hộ, đạt 54,6%" in text  # Thôn A is left out of the commune figure
    assert "Thôn có số liệu cần kiểm tra" in text and "Thôn A" in text
    assert "bài học trên trợ lý 950 hộ; lớp học trực tiếp 40 hộ" in text
    [table] = [t for t in document.tables if t.rows[0].cells[0].text == "STT"]
    assert [c.text for c in table.rows[1].cells][4:] == ["—", "Cần kiểm tra"]
    assert [c.text for c in table.rows[2].cells][2:5] == ["1.795", "980", "54,6"]
    ws = _open_xlsx(coverage_xlsx([report]))["Kim Thành"]
    assert [c.value for c in ws[2]][4:6] == [None, "Cần kiểm tra"]
    assert [c.value for c in ws[3]][9:] == [None, 950, 40, 12]
