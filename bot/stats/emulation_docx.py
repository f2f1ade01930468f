"""The emulation cycle's Word drafts: the yearly emulation report, the award proposal and the
period report (years side by side), in the administrative layout of the commune's reports."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from docx.document import Document as DocxDocument
from docx.enum.text import WD_ALIGN_PARAGRAPH

from bot import formats as f
from bot.stats import layout as L
from bot.stats.awards import Proposal
from bot.stats.cohorts import cohort_sentence
from bot.stats.emulation import EmulationYear, VillageYear
from bot.stats.emulation_rows import (
    AWARD_HEADERS,
    AWARDS_TITLE,
    MOVEMENT,
    NONE_PROPOSED,
    UNDECIDED_TITLE,
    UNIT_HEADERS,
    VILLAGE_HEADERS,
    as_of,
    pct,
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
        (pct(v.pct_end), "center"),
        (village_verdict(v), "center"),
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
        (pct(unit.pct), "center"),
        (count(unit.classes_held), "center"),
        (reported(unit, data), "center"),
    ]


def _opening(doc: DocxDocument, data: EmulationYear, kind: str, subject: str) -> None:
    L.letterhead(doc, data.commune, data.generated_at)
    place_kind, bare = place_of(data)
    L.title_block(doc, kind, [subject, f"trên địa bàn {place_kind} {bare}"])
    L.para(doc, f"Kính gửi: {'…' * 24}", align=WD_ALIGN_PARAGRAPH.CENTER, after=12)


def _closing(doc: DocxDocument, data: EmulationYear, what: str) -> None:
    place_kind, bare = place_of(data)
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
    place_kind, bare = place_of(data)
    doc = L.new_document(f"Báo cáo kết quả {MOVEMENT} {as_of(data)} — {place_kind} {bare}")
    _opening(doc, data, "BÁO CÁO", f"Kết quả {MOVEMENT} {as_of(data)}")
    L.body(
        doc,
        f"Thực hiện {MOVEMENT}, Ủy ban nhân dân {place_kind} {bare} tổng hợp báo cáo của các "
        f"thôn, cơ quan, đơn vị, doanh nghiệp và báo cáo kết quả {as_of(data)} như sau:",
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
    quotes = unit_quotes(data)
    if not quotes:
        L.body(doc, "Chưa có đơn vị nào báo cáo kết quả nổi bật hay sáng kiến.")
    for unit, what, text in quotes:
        L.body(doc, f"- {unit} — {what.lower()}: “{text}”")
    _assessment(doc, "VI")
    _closing(doc, data, f"báo cáo kết quả {MOVEMENT} {as_of(data)}")
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


def awards_docx(data: EmulationYear, proposals: Sequence[Proposal]) -> bytes:
    """Draft the award proposal: the list proposed, then the proposals not decided yet."""
    place_kind, bare = place_of(data)
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
    place_kind, bare = place_of(last)
    span = f"giai đoạn {first.year}–{last.year}"
    doc = L.new_document(f"Báo cáo sơ kết, tổng kết {MOVEMENT} {span} — {place_kind} {bare}")
    _opening(doc, last, "BÁO CÁO", f"Kết quả {MOVEMENT} {span}")
    L.body(
        doc,
        f"Ủy ban nhân dân {place_kind} {bare} báo cáo kết quả {MOVEMENT} {span}; số liệu mỗi "
        "năm tính đến hết ngày 31/12 (năm đang diễn ra: đến ngày lập báo cáo).",
    )
    headers, sizes = period_columns(years)
    L.heading(doc, "I. TỶ LỆ HỘ CÓ NGƯỜI HỌC THEO THÔN (%)")
    L.grid(
        doc,
        headers,
        sizes,
        _aligned(period_village_rows(years)),
    )
    L.heading(doc, "II. CHỈ TIÊU THEO ĐỐI TƯỢNG")
    L.grid(
        doc,
        headers,
        sizes,
        _aligned(period_cohort_rows(years)),
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
        _aligned(period_report_rows(years)),
    )
    _assessment(doc, "IV")
    _closing(doc, last, f"báo cáo kết quả {MOVEMENT} {span}")
    return L.document_bytes(doc)


def _aligned(rows: Sequence[Sequence[str]]) -> list[list[tuple[str, str]]]:
    """The first column to the left, the years centred."""
    return [[(t, "left" if i == 0 else "center") for i, t in enumerate(r)] for r in rows]
