"""Charts as inline SVG, drawn directly: villages ranked against the target, and the trend."""

from __future__ import annotations

from dataclasses import dataclass
from html import escape

from bot.stats.coverage import CommuneCoverage
from bot.stats.report import TrendPoint

BAR_HEIGHT = 26
LABEL_WIDTH = 150
WIDTH = 600


def pct_text(value: float | None) -> str:
    """Format a percentage the Vietnamese way: 27,5%."""
    return "—" if value is None else f"{value:.1f}%".replace(".", ",")


@dataclass
class RankedVillage:
    """One bar of the ranking: a village's place, name and coverage."""

    place: int
    name: str
    pct: float
    met: bool


def ranked(coverage: CommuneCoverage) -> list[RankedVillage]:
    """Rank the villages with a declared total, highest coverage first (ties by name)."""
    rows = sorted(
        (v for v in coverage.villages if v.households_total and v.coverage_pct is not None),
        key=lambda v: (-(v.coverage_pct or 0.0), v.name),
    )
    return [
        RankedVillage(i, v.name, v.coverage_pct or 0.0, bool(v.met))
        for i, v in enumerate(rows, start=1)
    ]


def village_bars(coverage: CommuneCoverage, title: str) -> str:
    """Draw the villages as horizontal bars from 0 to 100% with the target as a line."""
    rows = ranked(coverage)
    plot = WIDTH - LABEL_WIDTH - 60
    height = max(1, len(rows)) * BAR_HEIGHT + 40
    parts = [
        f'<svg class="chart" viewBox="0 0 {WIDTH} {height}" role="img" '
        f'aria-label="{escape(title)}" xmlns="http://www.w3.org/2000/svg">',
        f"<title>{escape(title)}</title>",
    ]
    for i, row in enumerate(rows):
        y = 10 + i * BAR_HEIGHT
        w = plot * min(row.pct, 100.0) / 100
        cls = "bar met" if row.met else "bar"
        parts.append(
            f'<text x="{LABEL_WIDTH - 6}" y="{y + 17}" text-anchor="end" class="label">'
            f"{escape(row.name)}</text>"
            f'<rect x="{LABEL_WIDTH}" y="{y + 3}" width="{w:.1f}" height="{BAR_HEIGHT - 8}" '
            f'class="{cls}"/>'
            f'<text x="{LABEL_WIDTH + w + 4:.1f}" y="{y + 17}" class="value">'
            f"{pct_text(row.pct)}</text>"
        )
    target_x = LABEL_WIDTH + plot * coverage.target_pct / 100
    bottom = 10 + max(1, len(rows)) * BAR_HEIGHT
    parts.append(
        f'<line x1="{target_x:.1f}" y1="4" x2="{target_x:.1f}" y2="{bottom}" class="target"/>'
        f'<text x="{target_x:.1f}" y="{bottom + 18}" text-anchor="middle" class="label">'
        f"Mục tiêu {coverage.target_pct}%</text>"
    )
    parts.append("</svg>")
    return "".join(parts)


def trend_line(trend: list[TrendPoint], target_pct: int, title: str) -> str:
    """Draw the commune's coverage at the end of each week, with the target as a line."""
    height, left, top, plot_h = 220, 40, 12, 160
    plot_w = WIDTH - left - 20
    top_pct = max([target_pct + 10, *[(p.coverage_pct or 0) + 5 for p in trend]])
    top_pct = min(100.0, float(top_pct))

    def y_of(pct: float) -> float:
        return top + plot_h - plot_h * pct / top_pct

    step = plot_w / max(1, len(trend) - 1)
    points = [
        (left + i * step, y_of(p.coverage_pct or 0.0), p)
        for i, p in enumerate(trend)
        if p.coverage_pct is not None
    ]
    parts = [
        f'<svg class="chart" viewBox="0 0 {WIDTH} {height}" role="img" '
        f'aria-label="{escape(title)}" xmlns="http://www.w3.org/2000/svg">',
        f"<title>{escape(title)}</title>",
        f'<line x1="{left}" y1="{top + plot_h}" x2="{left + plot_w}" y2="{top + plot_h}" '
        'class="axis"/>',
    ]
    for tick in range(0, int(top_pct) + 1, 20):
        parts.append(
            f'<text x="{left - 4}" y="{y_of(tick) + 4:.1f}" text-anchor="end" class="label">'
            f"{tick}%</text>"
        )
    ty = y_of(target_pct)
    parts.append(
        f'<line x1="{left}" y1="{ty:.1f}" x2="{left + plot_w}" y2="{ty:.1f}" class="target"/>'
    )
    if points:
        path = " ".join(f"{x:.1f},{y:.1f}" for x, y, _ in points)
        parts.append(f'<polyline points="{path}" class="line"/>')
        for x, y, p in points:
            parts.append(
                f'<circle cx="{x:.1f}" cy="{y:.1f}" r="3.5" class="dot">'
                f"<title>{p.week_end:%d/%m}: {pct_text(p.coverage_pct)}</title></circle>"
            )
    for i, p in enumerate(trend):
        if i % 2 == len(trend) % 2 or i == len(trend) - 1:
            parts.append(
                f'<text x="{left + i * step:.1f}" y="{top + plot_h + 18}" text-anchor="middle" '
                f'class="label">{p.week_end:%d/%m}</text>'
            )
    parts.append("</svg>")
    return "".join(parts)
