"""Report files for commune staff: an Excel workbook of the figures and a Word report draft."""

from __future__ import annotations

import re
from collections.abc import Sequence
from io import BytesIO
from typing import Any

from docx import Document
from docx.document import Document as DocxDocument
from docx.enum.section import WD_ORIENT
from docx.enum.table import WD_CELL_VERTICAL_ALIGNMENT, WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Pt
from docx.table import Table, _Cell
from docx.text.paragraph import Paragraph
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from bot import formats as f
from bot.stats.cells import as_data
from bot.stats.coverage import SOURCE_NAMES, SOURCES, CommuneCoverage, VillageCoverage
from bot.stats.report import CommuneReport, SubmissionStatus

CREATOR = "Học vụ số bot"
BODY_FONT = "Times New Roman"
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
SHEET_FORBIDDEN = re.compile(r"[\[\]:*?/\\]")
DOTS = "…" * 34  # one line of the 16 cm text width


# --- shared wording ----------------------------------------------------------------------------


def _pct(value: float) -> str:
    return f.decimal(value)


def _count(value: int) -> str:
    return f.number(value)


def _verdict(met: bool | None) -> str:
    return {True: "Đạt", False: "Chưa đạt", None: ""}[met]


def _split_name(name: str) -> tuple[str, str]:
    """Return the kind of unit and the bare name: "Kim Thành" → ("xã", "Kim Thành")."""
    for kind in ("xã", "phường", "thị trấn", "đặc khu"):
        if name.casefold().startswith(kind + " "):
            return kind, name[len(kind) + 1 :].strip()
    return "xã", name


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


def _sheet_title(name: str, used: set[str]) -> str:
    """Return a valid, unique sheet title (at most 31 characters, none of []:*?/\\)."""
    base = SHEET_FORBIDDEN.sub(" ", name)
    base = " ".join(base.split()).strip("'") or "Xã"
    title = base[:31].rstrip()
    number = 2
    while title.casefold() in used:
        suffix = f" ({number})"
        title = base[: 31 - len(suffix)].rstrip() + suffix
        number += 1
    used.add(title.casefold())
    return title


def _header(ws: Worksheet, row: int, headers: Sequence[str]) -> None:
    for column, text in enumerate(headers, start=1):
        cell = ws.cell(row=row, column=column, value=text)
        cell.font = Font(bold=True)
        cell.alignment = Alignment(wrap_text=True, vertical="center", horizontal="center")
    ws.row_dimensions[row].height = 32  # two lines of the wrapped headers


def _widths(ws: Worksheet, widths: Sequence[int]) -> None:
    for column, width in enumerate(widths, start=1):
        ws.column_dimensions[get_column_letter(column)].width = width


def _write_row(ws: Worksheet, row: int, values: Sequence[Any], pct_columns: Sequence[int]) -> None:
    for column, value in enumerate(values, start=1):
        cell = ws.cell(row=row, column=column, value=as_data(value))
        if column in pct_columns and value is not None:
            cell.number_format = f.XLSX_PERCENT
        elif isinstance(value, int) and not isinstance(value, bool):
            cell.number_format = f.XLSX_INTEGER


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
        _verdict(c.met) or None,
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
        CHECK if v.check else _verdict(v.met) or None,
        v.learners,
        v.lessons_completed,
        _submission_text(report, v.name) or None,
        CHECK if v.check else None,
        *(v.by_source[k] for k in SOURCES),
    ]


def _summary_sheet(ws: Worksheet, reports: list[CommuneReport]) -> None:
    _header(ws, 1, [h for h, _ in SUMMARY_HEADERS])
    _widths(ws, [w for _, w in SUMMARY_HEADERS])
    ws.freeze_panes = "A2"
    row = 2
    for report in reports:
        _write_row(ws, row, _summary_row(report), pct_columns=(5,))
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
    _header(ws, row, TICKET_HEADERS)
    for report in reports:
        row += 1
        k = report.tickets
        values = [report.coverage.name, k.open, k.answered, k.escalated, k.median_hours_to_answer]
        _write_row(ws, row, values, pct_columns=(5,))


def _cohort_rows(ws: Worksheet, row: int, reports: list[CommuneReport]) -> int:
    row += 1
    ws.cell(row=row, column=1, value="Chỉ tiêu theo đối tượng").font = Font(bold=True)
    row += 1
    _header(ws, row, COHORT_HEADERS)
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
                _verdict(cohort.met) or None,
            ]
            _write_row(ws, row, values, pct_columns=(5,))
    return row


def _commune_sheet(ws: Worksheet, report: CommuneReport) -> None:
    _header(ws, 1, [h for h, _ in VILLAGE_HEADERS])
    _widths(ws, [w for _, w in VILLAGE_HEADERS])
    ws.freeze_panes = "A2"
    for row, village in enumerate(report.coverage.villages, start=2):
        _write_row(ws, row, _village_row(report, village), pct_columns=(5,))


def coverage_xlsx(reports: list[CommuneReport]) -> bytes:
    """Build the workbook: a summary sheet of the communes, then one sheet per commune."""
    wb = Workbook()
    summary = wb.active
    assert summary is not None  # a new workbook always has one sheet
    summary.title = SUMMARY_SHEET
    used = {SUMMARY_SHEET.casefold(), "history"}  # "History" is reserved by Excel
    _summary_sheet(summary, reports)
    for report in reports:
        _commune_sheet(wb.create_sheet(_sheet_title(report.coverage.name, used)), report)
    wb.properties.creator = CREATOR
    wb.properties.title = "Tỷ lệ hộ có người học số"
    if reports:
        wb.properties.title += f" ({f.day(reports[0].generated_at)})"
    buffer = BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


# --- Word ----------------------------------------------------------------------------------------


def _setup(doc: DocxDocument) -> None:
    section = doc.sections[0]
    section.orientation = WD_ORIENT.PORTRAIT
    section.page_width, section.page_height = Cm(21.0), Cm(29.7)
    section.top_margin = section.bottom_margin = Cm(2.0)
    section.left_margin, section.right_margin = Cm(3.0), Cm(2.0)
    normal = doc.styles["Normal"]
    normal.font.name = BODY_FONT
    normal.font.size = Pt(13)
    fonts = normal.element.get_or_add_rPr().get_or_add_rFonts()
    for attribute in ("w:ascii", "w:hAnsi", "w:eastAsia", "w:cs"):
        fonts.set(qn(attribute), BODY_FONT)
    size_cs = normal.element.get_or_add_rPr().find(qn("w:szCs"))
    if size_cs is None:
        size_cs = OxmlElement("w:szCs")
        normal.element.get_or_add_rPr().append(size_cs)
    size_cs.set(qn("w:val"), "26")
    normal.paragraph_format.space_before = Pt(0)
    normal.paragraph_format.space_after = Pt(6)
    normal.paragraph_format.line_spacing = 1.15
    doc.core_properties.author = CREATOR
    doc.core_properties.last_modified_by = CREATOR


def _para(
    container: Any,
    text: str = "",
    *,
    bold: bool = False,
    italic: bool = False,
    underline: bool = False,
    size: float | None = None,
    align: WD_ALIGN_PARAGRAPH | None = None,
    indent: bool = False,
    after: float | None = None,
    first: bool = False,
) -> Paragraph:
    """Add a paragraph (or fill a cell's empty first one when `first`) with a single run."""
    paragraph = container.paragraphs[0] if first else container.add_paragraph()
    if text:
        run = paragraph.add_run(text)
        run.bold, run.italic = bold or None, italic or None
        run.underline = underline or None
        if size is not None:
            run.font.size = Pt(size)
    if align is not None:
        paragraph.alignment = align
    if indent:
        paragraph.paragraph_format.first_line_indent = Cm(1.0)
    if after is not None:
        paragraph.paragraph_format.space_after = Pt(after)
    return paragraph


def _no_borders(table: Table) -> None:
    borders = OxmlElement("w:tblBorders")
    for side in ("top", "left", "bottom", "right", "insideH", "insideV"):
        element = OxmlElement(f"w:{side}")
        element.set(qn("w:val"), "nil")
        borders.append(element)
    table._tbl.tblPr.append(borders)


def _widths_cm(table: Table, widths: Sequence[float]) -> None:
    table.autofit = False
    for column, width in zip(table.columns, widths, strict=True):
        column.width = Cm(width)
        for cell in column.cells:
            cell.width = Cm(width)


def _cell(cell: _Cell, text: str, *, bold: bool = False, align: str = "center") -> None:
    alignment = {
        "center": WD_ALIGN_PARAGRAPH.CENTER,
        "left": WD_ALIGN_PARAGRAPH.LEFT,
        "right": WD_ALIGN_PARAGRAPH.RIGHT,
    }[align]
    _para(cell, text, bold=bold, size=12, align=alignment, after=0, first=True)
    cell.vertical_alignment = WD_CELL_VERTICAL_ALIGNMENT.CENTER


def _letterhead(doc: DocxDocument, report: CommuneReport) -> None:
    kind, bare = _split_name(report.coverage.name)
    table = doc.add_table(rows=1, cols=2)
    _no_borders(table)
    _widths_cm(table, (6.0, 10.0))
    left, right = table.rows[0].cells
    center = WD_ALIGN_PARAGRAPH.CENTER
    _para(
        left, f"UBND {kind.upper()} {bare.upper()}", bold=True, align=center, after=0, first=True
    )
    _para(left, "———", align=center, after=2, size=10)
    _para(left, "Số: …/BC-UBND", align=center, after=0)
    _para(
        right,
        "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
        bold=True,
        size=12,
        align=center,
        after=0,
        first=True,
    )
    _para(right, "Độc lập - Tự do - Hạnh phúc", bold=True, underline=True, align=center, after=0)
    day = report.generated_at
    # Decree 30/2020: days below 10 and the months 1 and 2 are written with a leading zero
    day_text = f"{day.day:02d}"
    month_text = f"{day.month:02d}" if day.month < 3 else str(day.month)
    _para(
        doc,
        f"{bare}, ngày {day_text} tháng {month_text} năm {day.year}",
        italic=True,
        align=WD_ALIGN_PARAGRAPH.RIGHT,
        after=12,
    ).paragraph_format.space_before = Pt(6)


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
            f"{_count(c.households_participating)}/{_count(c.households_total)} hộ, "
            f"đạt {_pct(c.coverage_pct)}% ({verdict} {c.target_pct}%)."
        )
    lines.append(
        f"Số người học: {_count(report.learners)} người; "
        f"số bài học đã hoàn thành: {_count(report.lessons_completed)} bài."
    )
    lines.append(f"Số hộ mới tham gia trong 7 ngày qua: {_count(report.new_households_7d)} hộ.")
    lines.append(
        "Hộ có người học theo nguồn (một hộ có thể học ở nhiều nơi): "
        + "; ".join(f"{SOURCE_NAMES[k]} {_count(c.by_source[k])} hộ" for k in SOURCES)
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
    wait = "" if median is None else f"; thời gian trả lời trung vị {_pct(median)} giờ"
    return (
        f"Hỏi cán bộ: {_count(k.answered)} câu hỏi của người dân đã được trả lời, "
        f"{_count(k.open)} câu đang chờ, {_count(k.escalated)} câu phải chuyển lên xã{wait}."
    )


def _village_table(doc: DocxDocument, report: CommuneReport) -> None:
    villages = report.coverage.villages
    if not villages:
        _para(doc, "Chưa có danh sách thôn.", indent=True)
        return
    headers = ["STT", "Thôn", "Tổng số hộ", "Hộ có người học", "Tỷ lệ (%)", "Đạt mục tiêu"]
    widths = [1.3, 5.0, 2.3, 2.6, 2.2, 2.6]
    with_deadline = report.deadline_due is not None
    if with_deadline:
        headers.append("Nộp báo cáo")
        widths = [1.3, 4.0, 1.9, 2.1, 1.6, 2.1, 3.0]
    table = doc.add_table(rows=1 + len(villages), cols=len(headers))
    table.style = doc.styles["Table Grid"]
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    _widths_cm(table, widths)
    for cell, text in zip(table.rows[0].cells, headers, strict=True):
        _cell(cell, text, bold=True)
    header_row = table.rows[0]._tr.get_or_add_trPr()
    repeat = OxmlElement("w:tblHeader")  # repeat the header row on every page
    repeat.set(qn("w:val"), "true")
    header_row.append(repeat)
    for number, (row, v) in enumerate(zip(table.rows[1:], villages, strict=True), start=1):
        values = [
            (str(number), "center"),
            (v.name, "left"),
            (_count(v.households_total) if v.households_total else "—", "center"),
            (_count(v.households_participating), "center"),
            (_pct(v.coverage_pct) if v.coverage_pct is not None else "—", "center"),
            (CHECK if v.check else _verdict(v.met), "center"),
        ]
        if with_deadline:
            values.append((_submission_text(report, v.name), "center"))
        for cell, (text, align) in zip(row.cells, values, strict=True):
            _cell(cell, text, align=align)
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
        _para(
            doc, "Ghi chú: " + " ".join(notes), italic=True, size=12
        ).paragraph_format.space_before = Pt(4)


def _cohort_lines(report: CommuneReport) -> list[str]:
    lines = []
    for cohort in report.cohorts:
        if cohort.pct is None:
            lines.append(f"{cohort.label}: chưa khai báo tổng số.")
            continue
        verdict = "đạt chỉ tiêu" if cohort.met else "chưa đạt chỉ tiêu"
        lines.append(
            f"{cohort.label}: {_count(cohort.learners)}/{_count(cohort.total)} người đã học, "
            f"đạt {_pct(cohort.pct)}% ({verdict} {cohort.target_pct}%)."
        )
    return lines


def _signature(doc: DocxDocument) -> None:
    table = doc.add_table(rows=1, cols=2)
    _no_borders(table)
    _widths_cm(table, (8.0, 8.0))
    left, right = table.rows[0].cells
    _para(left, "Nơi nhận:", bold=True, italic=True, size=12, after=0, first=True)
    _para(left, "- Như trên;", size=11, after=0)
    _para(left, "- Lưu: VT.", size=11, after=0)
    center = WD_ALIGN_PARAGRAPH.CENTER
    _para(right, "TM. ỦY BAN NHÂN DÂN", bold=True, align=center, after=0, first=True)
    _para(right, "CHỦ TỊCH", bold=True, align=center, after=0)
    for _ in range(4):
        _para(right, align=center, after=0)
    _para(right, "…………………………", align=center, after=0)


def commune_report_docx(report: CommuneReport) -> bytes:
    """Draft the commune's report on the movement as a Word document, to be edited and signed."""
    doc = Document()
    _setup(doc)
    kind, bare = _split_name(report.coverage.name)
    doc.core_properties.title = f"Báo cáo phong trào Bình dân học vụ số — {kind} {bare}"
    _letterhead(doc, report)
    center = WD_ALIGN_PARAGRAPH.CENTER
    _para(doc, "BÁO CÁO", bold=True, size=14, align=center, after=0)
    subtitle = _para(
        doc, "Kết quả thực hiện phong trào “Bình dân học vụ số”", bold=True, size=14, align=center
    )
    subtitle.runs[0].add_break()  # the place on a line of its own, as the title is usually set
    subtitle.runs[0].add_text(f"trên địa bàn {kind} {bare}")
    subtitle.paragraph_format.space_after = Pt(12)
    _para(doc, f"Kính gửi: {'…' * 24}", align=center, after=12)
    _para(
        doc,
        f"Thực hiện phong trào “Bình dân học vụ số”, Ủy ban nhân dân {kind} {bare} báo cáo "
        f"kết quả thực hiện tính đến ngày {f.day(report.generated_at)} như sau:",
        indent=True,
        align=WD_ALIGN_PARAGRAPH.JUSTIFY,
    )
    _para(doc, "I. KẾT QUẢ THỰC HIỆN", bold=True)
    for line in _commune_lines(report):
        _para(doc, f"- {line}", indent=True, align=WD_ALIGN_PARAGRAPH.JUSTIFY)
    _para(doc, "II. KẾT QUẢ THEO THÔN", bold=True)
    _village_table(doc, report)
    _para(doc, "III. CHỈ TIÊU THEO ĐỐI TƯỢNG", bold=True).paragraph_format.space_before = Pt(6)
    cohort_lines = _cohort_lines(report)
    if not cohort_lines:
        cohort_lines = [
            f"{kind.capitalize()} chưa khai báo tổng số cán bộ, công chức, viên chức và số lao "
            "động doanh nghiệp, HTX nên chưa tính được chỉ tiêu theo đối tượng."
        ]
    for line in cohort_lines:
        _para(doc, f"- {line}", indent=True, align=WD_ALIGN_PARAGRAPH.JUSTIFY)
    _para(doc, "IV. ĐÁNH GIÁ VÀ ĐỀ XUẤT", bold=True)
    for heading in ("1. Đánh giá chung:", "2. Khó khăn, vướng mắc:", "3. Đề xuất, kiến nghị:"):
        _para(doc, heading, indent=True, after=0)
        _para(doc, DOTS, after=0)
        _para(doc, DOTS)
    _para(
        doc,
        "Trên đây là báo cáo kết quả thực hiện phong trào “Bình dân học vụ số” "
        f"trên địa bàn {kind} {bare}./.",
        indent=True,
        align=WD_ALIGN_PARAGRAPH.JUSTIFY,
        after=12,
    )
    _signature(doc)
    buffer = BytesIO()
    doc.save(buffer)
    return buffer.getvalue()
