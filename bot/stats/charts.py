"""Coverage charts as PNG bytes, drawn with matplotlib's object API to be read on a phone."""

from __future__ import annotations

import math
import textwrap
from datetime import date
from io import BytesIO

from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.dates import DateFormatter, date2num
from matplotlib.figure import Figure
from matplotlib.ticker import FuncFormatter, MultipleLocator

from bot import formats as f
from bot.stats.coverage import CommuneCoverage, VillageCoverage
from bot.stats.report import CommuneReport, TrendPoint

MET = "#2e7d32"
NOT_MET = "#ef6c00"
UNKNOWN = "#bdbdbd"
TARGET = "#c62828"
LINE = "#1565c0"
MUTED = "#616161"
CHECK_LABEL = "số liệu cần kiểm tra (quá 100%)"
UNKNOWN_STUB = 3.0  # width, in percentage points, of the bar of a village without a total
FIG_SIZE = (7.0, 9.0)
DPI = 110


def pct_text(value: float) -> str:
    """Return a percentage the Vietnamese way, one decimal with a comma: 27.5 → "27,5%"."""
    return f.percent(value)


def _count(value: int) -> str:
    """Return a count with Vietnamese thousands dots: 1410 → "1.410"."""
    return f.number(value)


def unit_name(name: str) -> str:
    """Return the commune's name with its kind in front: "Kim Thành" → "Xã Kim Thành"."""
    lowered = name.casefold()
    if lowered.startswith(("xã ", "phường ", "thị trấn ", "đặc khu ")):
        return name[:1].upper() + name[1:]
    return f"Xã {name}"


def _commune_figure(coverage: CommuneCoverage) -> str:
    if coverage.coverage_pct is None:
        return "Toàn xã: chưa tính được tỷ lệ (chưa khai báo tổng số hộ)"
    verdict = "đạt" if coverage.met else "chưa đạt"
    return (
        f"Toàn xã: {_count(coverage.households_participating)}/"
        f"{_count(coverage.households_total)} hộ = {pct_text(coverage.coverage_pct)}"
        f" — {verdict} mục tiêu {coverage.target_pct}%"
    )


def _ordered(villages: list[VillageCoverage]) -> list[VillageCoverage]:
    """Top to bottom: highest coverage first, then the villages without a declared total."""
    known = [v for v in villages if v.coverage_pct is not None]
    check = [v for v in villages if v.check]
    unknown = [v for v in villages if v.coverage_pct is None and not v.check]
    known.sort(key=lambda v: (-(v.coverage_pct or 0.0), f.sort_key(v.name)))
    return known + f.sorted_vi(check, lambda v: v.name) + f.sorted_vi(unknown, lambda v: v.name)


def _percent_axis(value: float, _pos: int) -> str:
    return f.percent(value, 0)


def _no_data(ax: Axes, message: str) -> None:
    ax.set_xticks([])
    ax.set_yticks([])
    for spine in ax.spines.values():
        spine.set_visible(False)
    ax.text(
        0.5,
        0.5,
        message,
        transform=ax.transAxes,
        ha="center",
        va="center",
        fontsize=12,
        color=MUTED,
    )


def _draw_villages(ax: Axes, coverage: CommuneCoverage) -> None:
    villages = _ordered(coverage.villages)
    if not villages:
        _no_data(ax, "Chưa có thôn nào trong danh sách")
        return
    highest = max((v.coverage_pct or 0.0 for v in villages), default=0.0)
    right = max(100.0, highest) * 1.16  # room for the value printed after the longest bar
    for y, village in enumerate(villages):
        if village.coverage_pct is None:
            ax.barh(y, UNKNOWN_STUB, color=UNKNOWN, height=0.62)
            ax.text(
                UNKNOWN_STUB + 1.0,
                y,
                CHECK_LABEL if village.check else "chưa khai báo tổng số hộ",
                va="center",
                fontsize=10,
                style="italic",
                color=MUTED,
            )
            continue
        ax.barh(y, village.coverage_pct, color=MET if village.met else NOT_MET, height=0.62)
        ax.text(
            village.coverage_pct + 1.0,
            y,
            pct_text(village.coverage_pct),
            va="center",
            fontsize=11,
            fontweight="bold",
            zorder=3,
            bbox={"facecolor": "white", "edgecolor": "none", "pad": 1.0, "alpha": 0.85},
        )
    ax.set_yticks(range(len(villages)), [v.name for v in villages], fontsize=11)
    # y grows downwards; the extra band on top holds the target label above the bars
    ax.set_ylim(len(villages) - 0.5, -1.1)
    ax.set_xlim(0, right)
    ax.set_xticks([t for t in range(0, int(right) + 1, 20) if t <= max(100, highest)])
    ax.xaxis.set_major_formatter(FuncFormatter(_percent_axis))
    ax.tick_params(axis="x", labelsize=10)
    ax.grid(axis="x", color="#e0e0e0", linewidth=0.8)
    ax.set_axisbelow(True)
    ax.axvline(coverage.target_pct, color=TARGET, linestyle="--", linewidth=1.6, zorder=2)
    ax.text(
        coverage.target_pct + 1.0,
        -0.85,
        f"Mục tiêu {coverage.target_pct}%",
        va="center",
        fontsize=10,
        color=TARGET,
        fontweight="bold",
    )
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)


def _draw_trend(ax: Axes, trend: list[TrendPoint], target_pct: int) -> None:
    span = f"{len(trend)} tuần gần nhất" if trend else "theo tuần"
    ax.set_title(f"Diễn biến {span} (toàn xã)", fontsize=11, loc="left")
    known = [p for p in trend if p.coverage_pct is not None]
    if not known:
        _no_data(ax, "Chưa có số liệu theo tuần")
        return
    days: list[date] = [p.week_end for p in trend]
    values = [math.nan if p.coverage_pct is None else p.coverage_pct for p in trend]
    x = [float(n) for n in date2num(days)]
    ax.plot(x, values, color=LINE, linewidth=2.2, marker="o", markersize=4)
    ax.axhline(target_pct, color=TARGET, linestyle="--", linewidth=1.4)
    ax.text(
        0.01,
        target_pct,
        f" Mục tiêu {target_pct}%",
        transform=ax.get_yaxis_transform(),
        va="bottom",
        fontsize=9,
        color=TARGET,
    )
    last = known[-1]
    value = last.coverage_pct or 0.0
    below = value < target_pct and target_pct - value < 12  # keep clear of the target line
    ax.annotate(
        pct_text(value),
        (float(date2num(last.week_end)), value),
        xytext=(-4, -9 if below else 8),
        textcoords="offset points",
        ha="right",
        va="top" if below else "bottom",
        fontsize=10,
        fontweight="bold",
        color=LINE,
        bbox={"facecolor": "white", "edgecolor": "none", "pad": 1.0, "alpha": 0.85},
    )
    top = max(100.0, max(p.coverage_pct or 0.0 for p in known) * 1.15 + 5.0)
    ax.set_ylim(0, top)
    ax.yaxis.set_major_locator(MultipleLocator(20 if top <= 120 else 50))
    ax.yaxis.set_major_formatter(FuncFormatter(_percent_axis))
    step = max(1, math.ceil(len(days) / 12))
    ax.set_xticks(x[::step])
    ax.xaxis.set_major_formatter(DateFormatter("%d/%m"))
    if len(days) == 1:
        ax.set_xlim(x[0] - 4, x[0] + 4)
    ax.tick_params(labelsize=9)
    ax.grid(axis="y", color="#e0e0e0", linewidth=0.8)
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)


def coverage_chart(report: CommuneReport) -> bytes:
    """Draw the villages' coverage against the target and the 12-week trend; return a PNG."""
    coverage = report.coverage
    fig = Figure(figsize=FIG_SIZE, dpi=DPI, layout="constrained")
    FigureCanvasAgg(fig)
    top, bottom = fig.subplots(2, 1, height_ratios=[2.6, 1.0])
    title = f"{unit_name(coverage.name)} — tỷ lệ hộ có người học số ({f.day(report.generated_at)})"
    fig.suptitle(textwrap.fill(title, 52), fontsize=13, fontweight="bold")
    colour = {True: MET, False: NOT_MET, None: MUTED}[coverage.met]
    top.set_title(_commune_figure(coverage), fontsize=11, color=colour)
    _draw_villages(top, coverage)
    _draw_trend(bottom, report.trend, coverage.target_pct)
    buffer = BytesIO()
    fig.savefig(buffer, format="png", dpi=DPI, facecolor="white")
    return buffer.getvalue()
