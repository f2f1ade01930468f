"""The emulation cycle's files: the yearly emulation report, the award proposal and the period
report (years side by side), each as a Word draft to sign and an Excel workbook."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from docx.document import Document as DocxDocument
from docx.enum.text import WD_ALIGN_PARAGRAPH
from openpyxl import Workbook
from openpyxl.worksheet.worksheet import Worksheet

from bot import formats as f
from bot.stats import layout as L
from bot.stats.awards import PROPOSE, Proposal
from bot.stats.cohorts import cohort_sentence
from bot.stats.emulation import EmulationYear, VillageYear

MOVEMENT = "phong trào thi đua “Bình dân học vụ số”"
NOT_REPORTED = "chưa báo cáo"
CHECK = "Cần kiểm tra"
AWARDS_TITLE = "DANH SÁCH ĐỀ NGHỊ KHEN THƯỞNG"
AWARD_HEADERS = ("STT", "Tập thể/cá nhân", "Thành tích", "Căn cứ")
UNDECIDED_TITLE = "Đề xuất chưa xét (cán bộ chưa quyết định đề nghị hay không)"
NONE_PROPOSED = "Chưa có tập thể, cá nhân nào được xét đề nghị khen thưởng."
VILLAGE_HEADERS = ("STT", "Thôn", "Tổng số hộ", "Hộ có người học", "Tỷ lệ (%)", "Đạt mục tiêu")
UNIT_HEADERS = (
    "STT",
    "Đơn vị",
    "Loại",
    "Tổng số người",
    "Đã học",
    "Tỷ lệ (%)",
    "Lớp đã tổ chức",
    "Báo cáo",
)


# --- shared wording ----------------------------------------------------------------------------


def _place(data: EmulationYear) -> tuple[str, str]:
    return L.split_name(data.commune)


def _as_of(data: EmulationYear) -> str:
    """ "năm 2026" for a finished year, "năm 2026 (đến ngày 20/11/2026)" for the current one."""
    text = f"năm {data.year}"
    return text if data.complete else f"{text} (đến ngày {f.day(data.cutoff)})"


def _pct(value: float | None) -> str:
    return "—" if value is None else L.pct_text(value)


def _village_verdict(v: VillageYear) -> str:
    return CHECK if v.check else L.verdict(v.met)


def _reported(unit: Any, data: EmulationYear) -> str:
    if unit.submitted_at is None:
        return NOT_REPORTED
    return f"đã báo cáo {f.day(unit.submitted_at.astimezone(data.cutoff.tzinfo))}"


def _commune_line(data: EmulationYear) -> str:
    if data.coverage_pct is None:
        return (
            "Chưa có thôn nào khai báo tổng số hộ nên chưa tính được tỷ lệ hộ có thành viên "
            f"tham gia học kỹ năng số (mục tiêu {data.target_pct}%)."
        )
    verdict = "đạt mục tiêu" if data.met else "chưa đạt mục tiêu"
    met = sum(1 for v in data.villages if v.met)
    return (
        "Số hộ có ít nhất một thành viên tham gia học kỹ năng số đến ngày "
        f"{f.day(data.cutoff)}: {L.count_text(data.households_participating)}/"
        f"{L.count_text(data.households_total)} hộ, đạt {L.pct_text(data.coverage_pct)}% "
        f"({verdict} {data.target_pct}%); {met}/{len(data.villages)} thôn đạt mục tiêu."
    )


def _reports_line(data: EmulationYear) -> str:
    return (
        f"Báo cáo kết quả năm {data.year} đã nhận: {data.villages_reported}/"
        f"{len(data.villages)} thôn, {data.units_reported}/{len(data.units)} cơ quan, đơn vị, "
        "doanh nghiệp."
    )


def _village_values(number: int, v: VillageYear) -> list[tuple[str, str]]:
    return [
        (str(number), "center"),
        (v.name, "left"),
        (L.count_text(v.households_total) if v.households_total else "—", "center"),
        (L.count_text(v.end), "center"),
        (_pct(v.pct_end), "center"),
        (_village_verdict(v), "center"),
    ]


def _unit_values(number: int, unit: Any, data: EmulationYear) -> list[tuple[str, str]]:
    def count(value: int | None) -> str:
        return "—" if value is None or not unit.reported else L.count_text(value)

    return [
        (str(number), "center"),
        (unit.name, "left"),
        (unit.kind_name, "center"),
        ("—" if not unit.members_total else L.count_text(unit.members_total), "center"),
        (count(unit.members_learned), "center"),
        (_pct(unit.pct), "center"),
        (count(unit.classes_held), "center"),
        (_reported(unit, data), "center"),
    ]


def _quotes(data: EmulationYear) -> list[tuple[str, str, str]]:
    """(unit, what, quoted text) for each unit's results and initiatives."""
    found = []
    for unit in data.units:
        if unit.results:
            found.append((unit.name, "Kết quả", unit.results))
        if unit.initiatives:
            found.append((unit.name, "Sáng kiến", unit.initiatives))
    return found


# --- Word ----------------------------------------------------------------------------------------


def _opening(doc: DocxDocument, data: EmulationYear, kind: str, subject: str) -> None:
    L.letterhead(doc, data.commune, data.generated_at)
    place_kind, bare = _place(data)
    L.title_block(doc, kind, [subject, f"trên địa bàn {place_kind} {bare}"])
    L.para(doc, f"Kính gửi: {'…' * 24}", align=WD_ALIGN_PARAGRAPH.CENTER, after=12)


def _closing(doc: DocxDocument, data: EmulationYear, what: str) -> None:
    place_kind, bare = _place(data)
    L.para(
        doc,
        f"Trên đây là {what} trên địa bàn {place_kind} {bare}./.",
        indent=True,
        align=WD_ALIGN_PARAGRAPH.JUSTIFY,
        after=12,
    )
    L.signature(doc)


def _assessment(doc: DocxDocument, number: str) -> None:
    L.heading(doc, f"{number}. ĐÁNH GIÁ VÀ ĐỀ XUẤT")
    for title in ("1. Đánh giá chung:", "2. Khó khăn, vướng mắc:", "3. Đề xuất, kiến nghị:"):
        L.para(doc, title, indent=True, after=0)
        L.para(doc, L.DOTS, after=0)
        L.para(doc, L.DOTS)


def emulation_docx(data: EmulationYear) -> bytes:
    """Draft the yearly emulation report: villages, units, cohorts, quoted results."""
    place_kind, bare = _place(data)
    doc = L.new_document(f"Báo cáo kết quả {MOVEMENT} {_as_of(data)} — {place_kind} {bare}")
    _opening(doc, data, "BÁO CÁO", f"Kết quả {MOVEMENT} {_as_of(data)}")
    L.body(
        doc,
        f"Thực hiện {MOVEMENT}, Ủy ban nhân dân {place_kind} {bare} tổng hợp báo cáo của các "
        f"thôn, cơ quan, đơn vị, doanh nghiệp và báo cáo kết quả {_as_of(data)} như sau:",
    )
    L.heading(doc, "I. KẾT QUẢ CHUNG")
    for line in (_commune_line(data), _reports_line(data)):
        L.body(doc, f"- {line}")
    L.heading(doc, "II. KẾT QUẢ THEO THÔN")
    if data.villages:
        rows = [_village_values(i, v) for i, v in enumerate(data.villages, start=1)]
        L.grid(doc, VILLAGE_HEADERS, (1.3, 5.0, 2.3, 2.6, 2.2, 2.6), rows)
    else:
        L.body(doc, "Chưa có danh sách thôn.")
    L.heading(doc, "III. KẾT QUẢ CỦA CÁC CƠ QUAN, ĐƠN VỊ, DOANH NGHIỆP")
    if data.units:
        rows = [_unit_values(i, x, data) for i, x in enumerate(data.units, start=1)]
        L.grid(doc, UNIT_HEADERS, (1.0, 3.6, 1.9, 1.6, 1.5, 1.5, 1.6, 3.3), rows)
    else:
        L.body(doc, "Xã chưa có danh sách cơ quan, đơn vị, doanh nghiệp báo cáo.")
    L.heading(doc, "IV. CHỈ TIÊU THEO ĐỐI TƯỢNG")
    lines = [cohort_sentence(k) for k in data.cohorts] or [
        "Chưa có báo cáo của cơ quan, doanh nghiệp và xã chưa khai báo tổng số cán bộ, công "
        "chức, viên chức, số lao động doanh nghiệp, HTX nên chưa tính được chỉ tiêu."
    ]
    for line in lines:
        L.body(doc, f"- {line}")
    L.heading(doc, "V. KẾT QUẢ NỔI BẬT VÀ SÁNG KIẾN CỦA CÁC ĐƠN VỊ")
    quotes = _quotes(data)
    if not quotes:
        L.body(doc, "Chưa có đơn vị nào báo cáo kết quả nổi bật hay sáng kiến.")
    for unit, what, text in quotes:
        L.body(doc, f"- {unit} — {what.lower()}: “{text}”")
    _assessment(doc, "VI")
    _closing(doc, data, f"báo cáo kết quả {MOVEMENT} {_as_of(data)}")
    return L.document_bytes(doc)


def _award_rows(proposals: Sequence[Proposal]) -> list[list[tuple[str, str]]]:
    return [
        [
            (str(i), "center"),
            (p.who, "left"),
            (p.achievement, "left"),
            (p.evidence, "left"),
        ]
        for i, p in enumerate(proposals, start=1)
    ]


def split_proposals(proposals: Sequence[Proposal]) -> tuple[list[Proposal], list[Proposal]]:
    """The proposals decided "đề nghị", and those not decided yet; declined ones are left out."""
    chosen = [p for p in proposals if p.decision == PROPOSE]
    undecided = [p for p in proposals if p.decision is None]
    return chosen, undecided


def awards_docx(data: EmulationYear, proposals: Sequence[Proposal]) -> bytes:
    """Draft the award proposal: the list proposed, then the proposals not decided yet."""
    place_kind, bare = _place(data)
    doc = L.new_document(f"Danh sách đề nghị khen thưởng năm {data.year} — {place_kind} {bare}")
    L.letterhead(doc, data.commune, data.generated_at, number="TTr-UBND")
    L.title_block(
        doc,
        AWARDS_TITLE,
        [f"Tập thể, cá nhân có thành tích trong {MOVEMENT} năm {data.year}"],
    )
    chosen, undecided = split_proposals(proposals)
    sizes = (1.2, 4.3, 5.5, 5.0)
    L.heading(doc, "I. DANH SÁCH ĐỀ NGHỊ")
    if chosen:
        L.grid(doc, AWARD_HEADERS, sizes, _award_rows(chosen))
    else:
        L.body(doc, NONE_PROPOSED)
    if undecided:
        L.heading(doc, f"II. {UNDECIDED_TITLE.upper()}")
        L.grid(doc, AWARD_HEADERS, sizes, _award_rows(undecided))
    L.para(
        doc,
        "Căn cứ: báo cáo của các cơ quan, đơn vị, doanh nghiệp và số liệu hộ có người học số "
        f"theo thôn trên trợ lý Học vụ số (đến ngày {f.day(data.cutoff)}).",
        italic=True,
        size=12,
    )
    L.signature(doc)
    return L.document_bytes(doc)


def period_docx(years: Sequence[EmulationYear]) -> bytes:
    """Draft the review report of several years, the years side by side."""
    first, last = years[0], years[-1]
    place_kind, bare = _place(last)
    span = f"giai đoạn {first.year}–{last.year}"
    doc = L.new_document(f"Báo cáo sơ kết, tổng kết {MOVEMENT} {span} — {place_kind} {bare}")
    _opening(doc, last, "BÁO CÁO", f"Kết quả {MOVEMENT} {span}")
    L.body(
        doc,
        f"Ủy ban nhân dân {place_kind} {bare} báo cáo kết quả {MOVEMENT} {span}; số liệu mỗi "
        "năm tính đến hết ngày 31/12 (năm đang diễn ra: đến ngày lập báo cáo).",
    )
    headers, sizes = _period_columns(years)
    L.heading(doc, "I. TỶ LỆ HỘ CÓ NGƯỜI HỌC THEO THÔN (%)")
    L.grid(
        doc,
        headers,
        sizes,
        _aligned(_period_village_rows(years)),
    )
    L.heading(doc, "II. CHỈ TIÊU THEO ĐỐI TƯỢNG")
    L.grid(
        doc,
        headers,
        sizes,
        _aligned(_period_cohort_rows(years)),
    )
    for data in years:
        for k in data.cohorts:
            L.para(
                doc, f"{data.year} — {k.label}: {k.source_text}.", italic=True, size=11, after=0
            )
    L.heading(doc, "III. BÁO CÁO ĐÃ NHẬN")
    L.grid(
        doc,
        headers,
        sizes,
        _aligned(_period_report_rows(years)),
    )
    _assessment(doc, "IV")
    _closing(doc, last, f"báo cáo kết quả {MOVEMENT} {span}")
    return L.document_bytes(doc)


def _aligned(rows: Sequence[Sequence[str]]) -> list[list[tuple[str, str]]]:
    """The first column to the left, the years centred."""
    return [[(t, "left" if i == 0 else "center") for i, t in enumerate(r)] for r in rows]


def _period_columns(years: Sequence[EmulationYear]) -> tuple[list[str], list[float]]:
    headers = ["", *(_year_label(y) for y in years)]
    rest = 11.0 / len(years)
    return headers, [5.0, *([rest] * len(years))]


def _year_label(data: EmulationYear) -> str:
    return f"Năm {data.year}" if data.complete else f"Năm {data.year} (đến {f.day(data.cutoff)})"


def _period_village_rows(years: Sequence[EmulationYear]) -> list[list[str]]:
    rows = [["Toàn xã", *(_pct(y.coverage_pct) for y in years)]]
    for village in years[-1].villages:
        row = [village.name]
        for data in years:
            same = next((v for v in data.villages if v.id == village.id), None)
            row.append("—" if same is None else _share(same.end, same.households_total, same))
        rows.append(row)
    return rows


def _share(part: int, total: int | None, v: VillageYear) -> str:
    if v.check:
        return CHECK
    if not total:
        return f"{L.count_text(part)} hộ"
    return f"{_pct(v.pct_end)} ({L.count_text(part)}/{L.count_text(total)})"


def _period_cohort_rows(years: Sequence[EmulationYear]) -> list[list[str]]:
    labels: dict[str, str] = {}
    for data in years:
        for each in data.cohorts:
            labels.setdefault(each.cohort, f"{each.label} (chỉ tiêu {each.target_pct}%)")
    rows = []
    for cohort, label in labels.items():
        row = [label]
        for data in years:
            k = next((x for x in data.cohorts if x.cohort == cohort), None)
            if k is None:
                row.append("—")
            else:
                source = "báo cáo" if k.source == "units" else "trợ lý"
                figures = f"{L.count_text(k.learners)}/{L.count_text(k.total)}"
                row.append(f"{_pct(k.pct)} ({figures}; {source})")
        rows.append(row)
    return rows or [["Chưa có số liệu", *("—" for _ in years)]]


def _period_report_rows(years: Sequence[EmulationYear]) -> list[list[str]]:
    return [
        ["Thôn đã nộp báo cáo", *(f"{y.villages_reported}/{len(y.villages)}" for y in years)],
        [
            "Cơ quan, đơn vị, doanh nghiệp đã báo cáo",
            *(f"{y.units_reported}/{len(y.units)}" for y in years),
        ],
    ]


# --- Excel ---------------------------------------------------------------------------------------


def _sheet(wb: Workbook, title: str, first: bool = False) -> Worksheet:
    if first:
        ws = wb.active
        assert ws is not None  # a new workbook always has one sheet
        ws.title = title
        return ws
    return wb.create_sheet(title)


def _table(
    ws: Worksheet,
    row: int,
    headers: Sequence[str],
    rows: Sequence[Sequence[Any]],
    sizes: Sequence[int] | None = None,
    pct_columns: Sequence[int] = (),
) -> int:
    """Write a header and rows from `row`; return the last row written."""
    L.header(ws, row, headers)
    if sizes:
        L.widths(ws, sizes)
    for values in rows:
        row += 1
        L.write_row(ws, row, values, pct_columns, wrap=True)
    return row


def emulation_xlsx(data: EmulationYear) -> bytes:
    """The yearly emulation report as tables: villages, units, cohorts, results quoted."""
    wb = Workbook()
    ws = _sheet(wb, "Thôn", first=True)
    ws.freeze_panes = "A2"
    _table(
        ws,
        1,
        ("Thôn", "Tổng số hộ", "Hộ có người học", "Tỷ lệ (%)", "Đạt mục tiêu", "Đạt từ ngày"),
        [
            [
                v.name,
                v.households_total or None,
                v.end,
                v.pct_end,
                _village_verdict(v) or None,
                f.day(v.reached_on) if v.reached_on else None,
            ]
            for v in data.villages
        ],
        (24, 11, 11, 9, 12, 12),
        pct_columns=(4,),
    )
    ws = _sheet(wb, "Đơn vị")
    ws.freeze_panes = "A2"
    _table(
        ws,
        1,
        ("Đơn vị", "Loại", "Tổng số người", "Đã học", "Tỷ lệ (%)", "Lớp đã tổ chức", "Báo cáo"),
        [
            [
                x.name,
                x.kind_name,
                x.members_total,
                x.members_learned if x.reported else None,
                x.pct,
                x.classes_held if x.reported else None,
                _reported(x, data),
            ]
            for x in data.units
        ],
        (30, 14, 11, 9, 9, 11, 22),
        pct_columns=(5,),
    )
    ws = _sheet(wb, "Chỉ tiêu")
    _table(
        ws,
        1,
        ("Đối tượng", "Đã học/đã báo cáo", "Tổng số", "Tỷ lệ (%)", "Chỉ tiêu (%)", "Đạt", "Nguồn"),
        [
            [
                k.label,
                k.learners,
                k.total,
                k.pct,
                k.target_pct,
                L.verdict(k.met) or None,
                k.source_text,
            ]
            for k in data.cohorts
        ],
        (34, 12, 10, 9, 10, 9, 44),
        pct_columns=(4,),
    )
    ws = _sheet(wb, "Kết quả, sáng kiến")
    _table(ws, 1, ("Đơn vị", "Nội dung", "Trích báo cáo"), _quotes(data), (30, 12, 80))
    place_kind, bare = _place(data)
    return L.workbook_bytes(wb, f"Kết quả thi đua {_as_of(data)} — {place_kind} {bare}")


def awards_xlsx(data: EmulationYear, proposals: Sequence[Proposal]) -> bytes:
    """The award proposal as a sheet: the list proposed, then the proposals not decided yet."""
    wb = Workbook()
    ws = _sheet(wb, "Đề nghị khen thưởng", first=True)
    L.widths(ws, (6, 40, 50, 50))
    L.title_row(ws, 1, f"{AWARDS_TITLE} NĂM {data.year} — {data.commune.upper()}")
    chosen, undecided = split_proposals(proposals)
    row = 3
    if chosen:
        row = _table(ws, row, AWARD_HEADERS, _award_cells(chosen))
    else:
        L.title_row(ws, row, NONE_PROPOSED)
    if undecided:
        row += 2
        L.title_row(ws, row, UNDECIDED_TITLE)
        _table(ws, row + 1, AWARD_HEADERS, _award_cells(undecided))
    return L.workbook_bytes(wb, f"Đề nghị khen thưởng năm {data.year} — {data.commune}")


def _award_cells(proposals: Sequence[Proposal]) -> list[list[Any]]:
    return [[i, p.who, p.achievement, p.evidence] for i, p in enumerate(proposals, start=1)]


def period_xlsx(years: Sequence[EmulationYear]) -> bytes:
    """The review's tables, one column per year."""
    wb = Workbook()
    ws = _sheet(wb, "Theo năm", first=True)
    headers, _ = _period_columns(years)
    L.widths(ws, (40, *([24] * len(years))))
    L.title_row(ws, 1, "Tỷ lệ hộ có người học theo thôn (%)")
    row = _table(ws, 2, headers, _period_village_rows(years))
    row += 2
    L.title_row(ws, row, "Chỉ tiêu theo đối tượng")
    row = _table(ws, row + 1, headers, _period_cohort_rows(years))
    row += 2
    L.title_row(ws, row, "Báo cáo đã nhận")
    _table(ws, row + 1, headers, _period_report_rows(years))
    first, last = years[0], years[-1]
    return L.workbook_bytes(wb, f"Kết quả {first.year}–{last.year} — {last.commune}")
