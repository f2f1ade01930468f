"""The administrative layout every report file shares: Word letterhead, signature, tables, and
the Excel header, widths and data-only cells."""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import datetime
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

CREATOR = "Học vụ số bot"
BODY_FONT = "Times New Roman"
SHEET_FORBIDDEN = re.compile(r"[\[\]:*?/\\]")
DOTS = "…" * 34  # one line of the 16 cm text width


# --- shared wording ----------------------------------------------------------------------------


def pct_text(value: float) -> str:
    """A percentage figure the Vietnamese way, without the sign: 27,5."""
    return f.decimal(value)


def count_text(value: int) -> str:
    """A count the Vietnamese way: 1.795."""
    return f.number(value)


def verdict(met: bool | None) -> str:
    """ "Đạt", "Chưa đạt" or nothing when there is no figure."""
    return {True: "Đạt", False: "Chưa đạt", None: ""}[met]


def split_name(name: str) -> tuple[str, str]:
    """Return the kind of unit and the bare name: "Kim Thành" → ("xã", "Kim Thành")."""
    for kind in ("xã", "phường", "thị trấn", "đặc khu"):
        if name.casefold().startswith(kind + " "):
            return kind, name[len(kind) + 1 :].strip()
    return "xã", name


# --- Excel ---------------------------------------------------------------------------------------


def sheet_title(name: str, used: set[str]) -> str:
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


def header(ws: Worksheet, row: int, headers: Sequence[str]) -> None:
    """Write a bold, wrapped header row."""
    for column, text in enumerate(headers, start=1):
        cell = ws.cell(row=row, column=column, value=text)
        cell.font = Font(bold=True)
        cell.alignment = Alignment(wrap_text=True, vertical="center", horizontal="center")
    ws.row_dimensions[row].height = 32  # two lines of the wrapped headers


def widths(ws: Worksheet, sizes: Sequence[int]) -> None:
    """Set the columns' widths (in characters)."""
    for column, width in enumerate(sizes, start=1):
        ws.column_dimensions[get_column_letter(column)].width = width


def write_row(
    ws: Worksheet,
    row: int,
    values: Sequence[Any],
    pct_columns: Sequence[int] = (),
    *,
    wrap: bool = False,
) -> None:
    """Write one row of data: text that looks like a formula stays text."""
    for column, value in enumerate(values, start=1):
        cell = ws.cell(row=row, column=column, value=as_data(value))
        if column in pct_columns and value is not None:
            cell.number_format = f.XLSX_PERCENT
        elif isinstance(value, int) and not isinstance(value, bool):
            cell.number_format = f.XLSX_INTEGER
        elif wrap and isinstance(value, str):
            cell.alignment = Alignment(wrap_text=True, vertical="top")


def title_row(ws: Worksheet, row: int, text: str) -> None:
    """Write a bold section title in the first column."""
    ws.cell(row=row, column=1, value=as_data(text)).font = Font(bold=True)


def workbook_bytes(wb: Workbook, title: str) -> bytes:
    """Stamp the workbook's properties and return its bytes."""
    wb.properties.creator = CREATOR
    wb.properties.title = title
    buffer = BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


# --- Word ----------------------------------------------------------------------------------------


def new_document(title: str) -> DocxDocument:
    """An A4 portrait document in the administrative font and margins (Decree 30/2020)."""
    doc = Document()
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
    doc.core_properties.title = title
    return doc


def document_bytes(doc: DocxDocument) -> bytes:
    """Return a document's bytes."""
    buffer = BytesIO()
    doc.save(buffer)
    return buffer.getvalue()


def para(
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


def body(doc: DocxDocument, text: str) -> Paragraph:
    """A justified body paragraph with the first line indented."""
    return para(doc, text, indent=True, align=WD_ALIGN_PARAGRAPH.JUSTIFY)


def heading(doc: DocxDocument, text: str) -> Paragraph:
    """A bold section heading ("I. KẾT QUẢ THỰC HIỆN")."""
    paragraph = para(doc, text, bold=True)
    paragraph.paragraph_format.space_before = Pt(6)
    return paragraph


def no_borders(table: Table) -> None:
    """Hide a layout table's borders."""
    borders = OxmlElement("w:tblBorders")
    for side in ("top", "left", "bottom", "right", "insideH", "insideV"):
        element = OxmlElement(f"w:{side}")
        element.set(qn("w:val"), "nil")
        borders.append(element)
    table._tbl.tblPr.append(borders)


def widths_cm(table: Table, sizes: Sequence[float]) -> None:
    """Fix a table's column widths (in cm)."""
    table.autofit = False
    for column, width in zip(table.columns, sizes, strict=True):
        column.width = Cm(width)
        for cell in column.cells:
            cell.width = Cm(width)


def cell(cell: _Cell, text: str, *, bold: bool = False, align: str = "center") -> None:
    """Fill a table cell with one 12 pt line."""
    alignment = {
        "center": WD_ALIGN_PARAGRAPH.CENTER,
        "left": WD_ALIGN_PARAGRAPH.LEFT,
        "right": WD_ALIGN_PARAGRAPH.RIGHT,
    }[align]
    para(cell, text, bold=bold, size=12, align=alignment, after=0, first=True)
    cell.vertical_alignment = WD_CELL_VERTICAL_ALIGNMENT.CENTER


def grid(
    doc: DocxDocument,
    headers: Sequence[str],
    sizes: Sequence[float],
    rows: Sequence[Sequence[tuple[str, str]]],
) -> Table:
    """A bordered table: a header row repeated on every page, then rows of (text, align)."""
    table = doc.add_table(rows=1 + len(rows), cols=len(headers))
    table.style = doc.styles["Table Grid"]
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    widths_cm(table, sizes)
    for target, text in zip(table.rows[0].cells, headers, strict=True):
        cell(target, text, bold=True)
    header_row = table.rows[0]._tr.get_or_add_trPr()
    repeat = OxmlElement("w:tblHeader")  # repeat the header row on every page
    repeat.set(qn("w:val"), "true")
    header_row.append(repeat)
    for row, values in zip(table.rows[1:], rows, strict=True):
        for target, (text, align) in zip(row.cells, values, strict=True):
            cell(target, text, align=align)
    return table


def letterhead(doc: DocxDocument, commune: str, when: datetime, number: str = "BC-UBND") -> None:
    """The commune's letterhead: the issuing body, the national motto, the place and date."""
    kind, bare = split_name(commune)
    table = doc.add_table(rows=1, cols=2)
    no_borders(table)
    widths_cm(table, (6.0, 10.0))
    left, right = table.rows[0].cells
    center = WD_ALIGN_PARAGRAPH.CENTER
    para(left, f"UBND {kind.upper()} {bare.upper()}", bold=True, align=center, after=0, first=True)
    para(left, "———", align=center, after=2, size=10)
    para(left, f"Số: …/{number}", align=center, after=0)
    para(
        right,
        "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
        bold=True,
        size=12,
        align=center,
        after=0,
        first=True,
    )
    para(right, "Độc lập - Tự do - Hạnh phúc", bold=True, underline=True, align=center, after=0)
    # Decree 30/2020: days below 10 and the months 1 and 2 are written with a leading zero
    day_text = f"{when.day:02d}"
    month_text = f"{when.month:02d}" if when.month < 3 else str(when.month)
    para(
        doc,
        f"{bare}, ngày {day_text} tháng {month_text} năm {when.year}",
        italic=True,
        align=WD_ALIGN_PARAGRAPH.RIGHT,
        after=12,
    ).paragraph_format.space_before = Pt(6)


def title_block(doc: DocxDocument, kind: str, lines: Sequence[str]) -> None:
    """The document's kind ("BÁO CÁO") and its subject, centred and bold."""
    center = WD_ALIGN_PARAGRAPH.CENTER
    para(doc, kind, bold=True, size=14, align=center, after=0)
    subtitle = para(doc, lines[0], bold=True, size=14, align=center)
    for line in lines[1:]:
        subtitle.runs[0].add_break()
        subtitle.runs[0].add_text(line)
    subtitle.paragraph_format.space_after = Pt(12)


def signature(doc: DocxDocument) -> None:
    """Recipients on the left, the signature block of the People's Committee on the right."""
    table = doc.add_table(rows=1, cols=2)
    no_borders(table)
    widths_cm(table, (8.0, 8.0))
    left, right = table.rows[0].cells
    para(left, "Nơi nhận:", bold=True, italic=True, size=12, after=0, first=True)
    para(left, "- Như trên;", size=11, after=0)
    para(left, "- Lưu: VT.", size=11, after=0)
    center = WD_ALIGN_PARAGRAPH.CENTER
    para(right, "TM. ỦY BAN NHÂN DÂN", bold=True, align=center, after=0, first=True)
    para(right, "CHỦ TỊCH", bold=True, align=center, after=0)
    for _ in range(4):
        para(right, align=center, after=0)
    para(right, "…………………………", align=center, after=0)
