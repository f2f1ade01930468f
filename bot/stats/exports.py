"""Report files for commune staff: an Excel workbook of the figures and a Word report draft."""

from __future__ import annotations

from typing import Any

from docx.document import Document as DocxDocument
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.shared import Pt
from openpyxl import Workbook
from openpyxl.styles import Font
from openpyxl.worksheet.worksheet import Worksheet

from bot import formats as f
from bot.stats import layout as L
from bot.stats.cohorts import cohort_sentence
from bot.stats.coverage import SOURCE_NAMES, SOURCES, CommuneCoverage, VillageCoverage
from bot.stats.report import CommuneReport, SubmissionStatus

SUMMARY_SHEET = "Tổng hợp"
SUMMARY_HEADERS = (
    ("Xã", 18),
    ("Tỉnh", 14),
    ("Tổng số hộ", 11),
    ("Hộ có người học", 11),
    ("Tỷ lệ (%)", 9),
    ("Mục tiêu (%)", 9),
    ("Đạt", 9),
    ("Người học", 10),
    ("Bài đã hoàn thành", 11),
    ("Hộ mới trong 7 ngày", 11),
    ("Thôn chưa khai báo tổng số hộ", 32),
    ("Thôn có số liệu cần kiểm tra", 32),
    ("Hộ học trên trợ lý", 11),
    ("Hộ dự lớp trực tiếp", 11),
    ("Hộ học trên nền tảng BDHVS", 11),
)
COHORT_HEADERS = (
    "Xã",
    "Đối tượng",
    "Người học",
    "Tổng số",
    "Tỷ lệ (%)",
    "Mục tiêu (%)",
    "Đạt",
    "Nguồn số liệu",
)
TICKETS_TITLE = "Hỏi cán bộ (câu hỏi của người dân)"
TICKET_HEADERS = (
    "Xã",
    "Đang chờ trả lời",
    "Đã trả lời",
    "Đã chuyển lên xã",
    "Thời gian trả lời trung vị (giờ)",
)
VILLAGE_HEADERS = (
    ("Thôn", 22),
    ("Tổng số hộ", 11),
    ("Hộ đã đăng ký", 11),
    ("Hộ có người học", 11),
    ("Tỷ lệ (%)", 9),
    ("Đạt mục tiêu", 11),
    ("Người học", 10),
    ("Bài đã hoàn thành", 11),
    ("Nộp báo cáo", 18),
    ("Số liệu cần kiểm tra", 14),
    ("Hộ học trên trợ lý", 11),
    ("Hộ dự lớp trực tiếp", 11),
    ("Hộ học trên nền tảng BDHVS", 11),
)
CHECK = "Cần kiểm tra"


# --- shared wording ----------------------------------------------------------------------------


def _submission_text(report: CommuneReport, village: str) -> str:
    if report.deadline_due is None:
        return ""
    status: SubmissionStatus | None = next(
        (s for s in report.submissions if s.village == village), None
    )
    if status is None or status.submitted_at is None:
        return "chưa nộp"
    text = f.day(status.submitted_at)
    return f"{text} (giấy)" if status.method == "paper" else text


# --- Excel ---------------------------------------------------------------------------------------


def _summary_row(report: CommuneReport) -> list[Any]:
    c: CommuneCoverage = report.coverage
    known = c.coverage_pct is not None
    return [
        c.name,
        c.province,
        c.households_total if known else None,
        c.households_participating,
        round(c.coverage_pct, 1) if c.coverage_pct is not None else None,
        c.target_pct,
        L.verdict(c.met) or None,
        report.learners,
        report.lessons_completed,
        report.new_households_7d,
        ", ".join(c.villages_without_total) or None,
        ", ".join(c.villages_to_check) or None,
        *(c.by_source[k] for k in SOURCES),
    ]


def _village_row(report: CommuneReport, v: VillageCoverage) -> list[Any]:
    return [
        v.name,
        v.households_total or None,
        v.households_registered,
        v.households_participating,
        round(v.coverage_pct, 1) if v.coverage_pct is not None else None,
        CHECK if v.check else L.verdict(v.met) or None,
        v.learners,
        v.lessons_completed,
        _submission_text(report, v.name) or None,
        CHECK if v.check else None,
        *(v.by_source[k] for k in SOURCES),
    ]


def _summary_sheet(ws: Worksheet, reports: list[CommuneReport]) -> None:
    L.header(ws, 1, [h for h, _ in SUMMARY_HEADERS])
    L.widths(ws, [w for _, w in SUMMARY_HEADERS])
    ws.freeze_panes = "A2"
    row = 2
    for report in reports:
        L.write_row(ws, row, _summary_row(report), pct_columns=(5,))
        row += 1
    if any(r.cohorts for r in reports):
        row = _cohort_rows(ws, row, reports)
    if any(r.tickets.open or r.tickets.answered for r in reports):
        _ticket_rows(ws, row, reports)


def _ticket_rows(ws: Worksheet, row: int, reports: list[CommuneReport]) -> None:
    """Write the residents' questions to a person, one row per commune."""
    row += 2
    ws.cell(row=row, column=1, value=TICKETS_TITLE).font = Font(bold=True)
    row += 1
    L.header(ws, row, TICKET_HEADERS)
    for report in reports:
        row += 1
        k = report.tickets
        values = [report.coverage.name, k.open, k.answered, k.escalated, k.median_hours_to_answer]
        L.write_row(ws, row, values, pct_columns=(5,))


def _cohort_rows(ws: Worksheet, row: int, reports: list[CommuneReport]) -> int:
    row += 1
    ws.cell(row=row, column=1, value="Chỉ tiêu theo đối tượng").font = Font(bold=True)
    row += 1
    L.header(ws, row, COHORT_HEADERS)
    for report in reports:
        for cohort in report.cohorts:
            row += 1
            values = [
                report.coverage.name,
                cohort.label,
                cohort.learners,
                cohort.total,
                round(cohort.pct, 1) if cohort.pct is not None else None,
                cohort.target_pct,
                L.verdict(cohort.met) or None,
                cohort.source_text,
            ]
            L.write_row(ws, row, values, pct_columns=(5,))
    return row


def _commune_sheet(ws: Worksheet, report: CommuneReport) -> None:
    L.header(ws, 1, [h for h, _ in VILLAGE_HEADERS])
    L.widths(ws, [w for _, w in VILLAGE_HEADERS])
    ws.freeze_panes = "A2"
    for row, village in enumerate(report.coverage.villages, start=2):
        L.write_row(ws, row, _village_row(report, village), pct_columns=(5,))


def coverage_xlsx(reports: list[CommuneReport]) -> bytes:
    """Build the workbook: a summary sheet of the communes, then one sheet per commune."""
    wb = Workbook()
    summary = wb.active
    assert summary is not None  # a new workbook always has one sheet
    summary.title = SUMMARY_SHEET
    used = {SUMMARY_SHEET.casefold(), "history"}  # "History" is reserved by Excel
    _summary_sheet(summary, reports)
    for report in reports:
        _commune_sheet(wb.create_sheet(L.sheet_title(report.coverage.name, used)), report)
    title = "Tỷ lệ hộ có người học số"
    if reports:
        title += f" ({f.day(reports[0].generated_at)})"
    return L.workbook_bytes(wb, title)


# --- Word ----------------------------------------------------------------------------------------


def _commune_lines(report: CommuneReport) -> list[str]:
    c = report.coverage
    lines = []
    if c.coverage_pct is None:
        lines.append(
            "Chưa có thôn nào khai báo tổng số hộ nên chưa tính được tỷ lệ hộ có thành viên "
            f"tham gia học kỹ năng số (mục tiêu {c.target_pct}%)."
        )
    else:
        verdict = "đạt mục tiêu" if c.met else "chưa đạt mục tiêu"
        lines.append(
            "Số hộ có ít nhất một thành viên tham gia học kỹ năng số: "
            f"{L.count_text(c.households_participating)}/{L.count_text(c.households_total)} hộ, "
            f"đạt {L.pct_text(c.coverage_pct)}% ({verdict} {c.target_pct}%)."
        )
    lines.append(
        f"Số người học: {L.count_text(report.learners)} người; "
        f"số bài học đã hoàn thành: {L.count_text(report.lessons_completed)} bài."
    )
    lines.append(
        f"Số hộ mới tham gia trong 7 ngày qua: {L.count_text(report.new_households_7d)} hộ."
    )
    lines.append(
        "Hộ có người học theo nguồn (một hộ có thể học ở nhiều nơi): "
        + "; ".join(f"{SOURCE_NAMES[k]} {L.count_text(c.by_source[k])} hộ" for k in SOURCES)
        + "."
    )
    if c.villages_to_check:
        lines.append(
            "Thôn có số liệu cần kiểm tra (số hộ có người học nhiều hơn tổng số hộ; chưa tính "
            "là đạt, chưa tính vào tỷ lệ): " + ", ".join(c.villages_to_check) + "."
        )
    if report.tickets.open or report.tickets.answered:
        lines.append(_tickets_line(report))
    if c.villages_without_total:
        lines.append(
            "Thôn chưa khai báo tổng số hộ (chưa tính vào tỷ lệ): "
            + ", ".join(c.villages_without_total)
            + "."
        )
    return lines


def _tickets_line(report: CommuneReport) -> str:
    k = report.tickets
    median = k.median_hours_to_answer
    wait = "" if median is None else f"; thời gian trả lời trung vị {L.pct_text(median)} giờ"
    return (
        f"Hỏi cán bộ: {L.count_text(k.answered)} câu hỏi của người dân đã được trả lời, "
        f"{L.count_text(k.open)} câu đang chờ, "
        f"{L.count_text(k.escalated)} câu phải chuyển lên xã{wait}."
    )


def _village_table(doc: DocxDocument, report: CommuneReport) -> None:
    villages = report.coverage.villages
    if not villages:
        L.para(doc, "Chưa có danh sách thôn.", indent=True)
        return
    headers = ["STT", "Thôn", "Tổng số hộ", "Hộ có người học", "Tỷ lệ (%)", "Đạt mục tiêu"]
    widths = [1.3, 5.0, 2.3, 2.6, 2.2, 2.6]
    with_deadline = report.deadline_due is not None
    if with_deadline:
        headers.append("Nộp báo cáo")
        widths = [1.3, 4.0, 1.9, 2.1, 1.6, 2.1, 3.0]
    rows = []
    for number, v in enumerate(villages, start=1):
        values = [
            (str(number), "center"),
            (v.name, "left"),
            (L.count_text(v.households_total) if v.households_total else "—", "center"),
            (L.count_text(v.households_participating), "center"),
            (L.pct_text(v.coverage_pct) if v.coverage_pct is not None else "—", "center"),
            (CHECK if v.check else L.verdict(v.met), "center"),
        ]
        if with_deadline:
            values.append((_submission_text(report, v.name), "center"))
        rows.append(values)
    L.grid(doc, headers, widths, rows)
    notes = []
    if report.coverage.villages_without_total:
        notes.append("“—”: thôn chưa khai báo tổng số hộ.")
    if report.coverage.villages_to_check:
        notes.append(
            f"“{CHECK}”: số hộ có người học nhiều hơn tổng số hộ đã khai báo; "
            "thôn chưa tính là đạt và chưa tính vào tỷ lệ của xã."
        )
    if with_deadline and report.deadline_due is not None:
        done = sum(1 for s in report.submissions if s.submitted_at is not None)
        title = f"“{report.deadline_title}”" if report.deadline_title else "báo cáo"
        notes.append(
            f"Nộp báo cáo: {title}, hạn {f.day(report.deadline_due)}; "
            f"đã nộp {done}/{len(villages)} thôn."
        )
    if notes:
        L.para(
            doc, "Ghi chú: " + " ".join(notes), italic=True, size=12
        ).paragraph_format.space_before = Pt(4)


def _cohort_lines(report: CommuneReport) -> list[str]:
    return [cohort_sentence(cohort) for cohort in report.cohorts]


def commune_report_docx(report: CommuneReport) -> bytes:
    """Draft the commune's report on the movement as a Word document, to be edited and signed."""
    kind, bare = L.split_name(report.coverage.name)
    doc = L.new_document(f"Báo cáo phong trào Bình dân học vụ số — {kind} {bare}")
    L.letterhead(doc, report.coverage.name, report.generated_at)
    center = WD_ALIGN_PARAGRAPH.CENTER
    # the place on a line of its own, as the title is usually set
    L.title_block(
        doc,
        "BÁO CÁO",
        ["Kết quả thực hiện phong trào “Bình dân học vụ số”", f"trên địa bàn {kind} {bare}"],
    )
    L.para(doc, f"Kính gửi: {'…' * 24}", align=center, after=12)
    L.para(
        doc,
        f"Thực hiện phong trào “Bình dân học vụ số”, Ủy ban nhân dân {kind} {bare} báo cáo "
        f"kết quả thực hiện tính đến ngày {f.day(report.generated_at)} như sau:",
        indent=True,
        align=WD_ALIGN_PARAGRAPH.JUSTIFY,
    )
    L.para(doc, "I. KẾT QUẢ THỰC HIỆN", bold=True)
    for line in _commune_lines(report):
        L.para(doc, f"- {line}", indent=True, align=WD_ALIGN_PARAGRAPH.JUSTIFY)
    L.para(doc, "II. KẾT QUẢ THEO THÔN", bold=True)
    _village_table(doc, report)
    L.para(doc, "III. CHỈ TIÊU THEO ĐỐI TƯỢNG", bold=True).paragraph_format.space_before = Pt(6)
    cohort_lines = _cohort_lines(report)
    if not cohort_lines:
        cohort_lines = [
            f"{kind.capitalize()} chưa khai báo tổng số cán bộ, công chức, viên chức và số lao "
            "động doanh nghiệp, HTX nên chưa tính được chỉ tiêu theo đối tượng."
        ]
    for line in cohort_lines:
        L.para(doc, f"- {line}", indent=True, align=WD_ALIGN_PARAGRAPH.JUSTIFY)
    L.para(doc, "IV. ĐÁNH GIÁ VÀ ĐỀ XUẤT", bold=True)
    for heading in ("1. Đánh giá chung:", "2. Khó khăn, vướng mắc:", "3. Đề xuất, kiến nghị:"):
        L.para(doc, heading, indent=True, after=0)
        L.para(doc, L.DOTS, after=0)
        L.para(doc, L.DOTS)
    L.para(
        doc,
        "Trên đây là báo cáo kết quả thực hiện phong trào “Bình dân học vụ số” "
        f"trên địa bàn {kind} {bare}./.",
        indent=True,
        align=WD_ALIGN_PARAGRAPH.JUSTIFY,
        after=12,
    )
    L.signature(doc)
    return L.document_bytes(doc)
