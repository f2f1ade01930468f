"""The emulation cycle's Excel workbooks: the yearly emulation report, the award proposal and
the period report (one column per year); data only, never formulas."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from openpyxl import Workbook
from openpyxl.worksheet.worksheet import Worksheet

from bot import formats as f
from bot.stats import layout as L
from bot.stats.awards import Proposal
from bot.stats.emulation import EmulationYear
from bot.stats.emulation_rows import (
    AWARD_HEADERS,
    AWARDS_TITLE,
    NONE_PROPOSED,
    UNDECIDED_TITLE,
    as_of,
    period_cohort_rows,
    period_columns,
    period_report_rows,
    period_village_rows,
    place_of,
    reported,
    split_proposals,
    unit_quotes,
    village_verdict,
)


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
                village_verdict(v) or None,
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
                reported(x, data),
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
    _table(ws, 1, ("Đơn vị", "Nội dung", "Trích báo cáo"), unit_quotes(data), (30, 12, 80))
    place_kind, bare = place_of(data)
    return L.workbook_bytes(wb, f"Kết quả thi đua {as_of(data)} — {place_kind} {bare}")


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
    headers, _ = period_columns(years)
    L.widths(ws, (40, *([24] * len(years))))
    L.title_row(ws, 1, "Tỷ lệ hộ có người học theo thôn (%)")
    row = _table(ws, 2, headers, period_village_rows(years))
    row += 2
    L.title_row(ws, row, "Chỉ tiêu theo đối tượng")
    row = _table(ws, row + 1, headers, period_cohort_rows(years))
    row += 2
    L.title_row(ws, row, "Báo cáo đã nhận")
    _table(ws, row + 1, headers, period_report_rows(years))
    first, last = years[0], years[-1]
    return L.workbook_bytes(wb, f"Kết quả {first.year}–{last.year} — {last.commune}")
