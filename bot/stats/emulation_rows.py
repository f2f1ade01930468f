"""What the emulation cycle's Word and Excel files share: titles, wording and table rows."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from bot import formats as f
from bot.stats import layout as L
from bot.stats.awards import PROPOSE, Proposal
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


def place_of(data: EmulationYear) -> tuple[str, str]:
    """The kind of place ("xã", "phường") and the bare name of the commune."""
    return L.split_name(data.commune)


def as_of(data: EmulationYear) -> str:
    """ "năm 2026" for a finished year, "năm 2026 (đến ngày 20/11/2026)" for the current one."""
    text = f"năm {data.year}"
    return text if data.complete else f"{text} (đến ngày {f.day(data.cutoff)})"


def pct(value: float | None) -> str:
    """A percentage as written in the files ("—" when unknown)."""
    return "—" if value is None else L.pct_text(value)


def village_verdict(v: VillageYear) -> str:
    """Whether a village met the target, or that its figures need checking."""
    return CHECK if v.check else L.verdict(v.met)


def reported(unit: Any, data: EmulationYear) -> str:
    """When a unit reported ("đã báo cáo 20/11/2026"), or that it has not."""
    if unit.submitted_at is None:
        return NOT_REPORTED
    return f"đã báo cáo {f.day(unit.submitted_at.astimezone(data.cutoff.tzinfo))}"


def unit_quotes(data: EmulationYear) -> list[tuple[str, str, str]]:
    """(unit, what, quoted text) for each unit's results and initiatives."""
    found = []
    for unit in data.units:
        if unit.results:
            found.append((unit.name, "Kết quả", unit.results))
        if unit.initiatives:
            found.append((unit.name, "Sáng kiến", unit.initiatives))
    return found


def split_proposals(proposals: Sequence[Proposal]) -> tuple[list[Proposal], list[Proposal]]:
    """The proposals decided "đề nghị", and those not decided yet; declined ones are left out."""
    chosen = [p for p in proposals if p.decision == PROPOSE]
    undecided = [p for p in proposals if p.decision is None]
    return chosen, undecided


def period_columns(years: Sequence[EmulationYear]) -> tuple[list[str], list[float]]:
    """The headers and the Word column widths of a period table (one column per year)."""
    headers = ["", *(_year_label(y) for y in years)]
    rest = 11.0 / len(years)
    return headers, [5.0, *([rest] * len(years))]


def _year_label(data: EmulationYear) -> str:
    return f"Năm {data.year}" if data.complete else f"Năm {data.year} (đến {f.day(data.cutoff)})"


def period_village_rows(years: Sequence[EmulationYear]) -> list[list[str]]:
    """The commune, then each village: the share of households learning, year by year."""
    rows = [["Toàn xã", *(pct(y.coverage_pct) for y in years)]]
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
    return f"{pct(v.pct_end)} ({L.count_text(part)}/{L.count_text(total)})"


def period_cohort_rows(years: Sequence[EmulationYear]) -> list[list[str]]:
    """Each cohort indicator, year by year, with its source."""
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
                row.append(f"{pct(k.pct)} ({figures}; {source})")
        rows.append(row)
    return rows or [["Chưa có số liệu", *("—" for _ in years)]]


def period_report_rows(years: Sequence[EmulationYear]) -> list[list[str]]:
    """How many villages and units reported, year by year."""
    return [
        ["Thôn đã nộp báo cáo", *(f"{y.villages_reported}/{len(y.villages)}" for y in years)],
        [
            "Cơ quan, đơn vị, doanh nghiệp đã báo cáo",
            *(f"{y.units_reported}/{len(y.units)}" for y in years),
        ],
    ]
