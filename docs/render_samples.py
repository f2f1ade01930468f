"""Render the documentation samples: the chart, the Word draft's pages, the web board's pages."""

from __future__ import annotations

import shutil
import subprocess
import sys
import tempfile
from datetime import date, datetime, timedelta
from pathlib import Path
from types import SimpleNamespace
from zoneinfo import ZoneInfo

from bot.board import HERE as BOARD_DIR
from bot.board import environment
from bot.board import texts as board_texts
from bot.board.pages import overview_context, village_context
from bot.board.public import figures_of
from bot.stats.charts import coverage_chart
from bot.stats.coverage import CommuneCoverage, VillageCoverage, percent, target_met
from bot.stats.exports import commune_report_docx
from bot.stats.report import CohortIndicator, CommuneReport, SubmissionStatus, TrendPoint

IMG = Path(__file__).resolve().parent / "img"
ZONE = ZoneInfo("Asia/Ho_Chi_Minh")
TARGET = 60
# name, declared households, registered, participating, learners, lessons completed
VILLAGES = [
    ("Thôn Đoàn Kết", 260, 121, 98, 127, 412),
    ("Thôn Đồng Tâm", 320, 236, 212, 281, 1034),
    ("Thôn Hòa Bình", 250, 149, 131, 170, 575),
    ("Thôn Mới", None, 52, 41, 55, 160),
    ("Thôn Quyết Thắng", 300, 171, 154, 196, 688),
    ("Thôn Tân Tiến", 280, 190, 176, 230, 873),
]


def sample_report() -> CommuneReport:
    """Return a realistic report of the demo commune Kim Thành (Hải Phòng)."""
    villages = [
        VillageCoverage(
            id=number,
            name=name,
            households_total=total,
            households_registered=registered,
            households_participating=part,
            coverage_pct=percent(part, total),
            met=target_met(part, total, TARGET),
            learners=learners,
            lessons_completed=lessons,
        )
        for number, (name, total, registered, part, learners, lessons) in enumerate(VILLAGES, 1)
    ]
    counted = [v for v in villages if v.households_total]
    total = sum(v.households_total or 0 for v in counted)
    part = sum(v.households_participating for v in counted)
    coverage = CommuneCoverage(
        id=1,
        name="Kim Thành",
        province="Hải Phòng",
        target_pct=TARGET,
        households_total=total,
        households_participating=part,
        coverage_pct=percent(part, total),
        met=target_met(part, total, TARGET),
        villages_without_total=[v.name for v in villages if not v.households_total],
        villages=villages,
    )
    now = datetime(2026, 11, 22, 8, 30, tzinfo=ZONE)
    weekly = [402, 431, 468, 497, 529, 566, 598, 631, 669, 702, 738, part]
    trend = [
        TrendPoint(now.date() - timedelta(days=7 * (11 - i)), count, percent(count, total))
        for i, count in enumerate(weekly)
    ]
    cohorts = [
        CohortIndicator("can_bo", "Cán bộ, công chức, viên chức", 48, 56, 80, None, None),
        CohortIndicator("lao_dong_dn", "Lao động doanh nghiệp, HTX", 62, 240, 30, None, None),
    ]
    for cohort in cohorts:
        cohort.pct = percent(cohort.learners, cohort.total)
        cohort.met = target_met(cohort.learners, cohort.total, cohort.target_pct)
    submitted = {
        "Thôn Đồng Tâm": (datetime(2026, 11, 20, 16, 5, tzinfo=ZONE), "chat"),
        "Thôn Tân Tiến": (datetime(2026, 11, 21, 9, 40, tzinfo=ZONE), "paper"),
        "Thôn Hòa Bình": (datetime(2026, 11, 21, 20, 12, tzinfo=ZONE), "chat"),
    }
    return CommuneReport(
        coverage=coverage,
        generated_at=now,
        learners=sum(v.learners for v in villages),
        lessons_completed=sum(v.lessons_completed for v in villages),
        new_households_7d=part - weekly[-2],
        cohorts=cohorts,
        trend=trend,
        deadline_title="Báo cáo tháng 11",
        deadline_due=date(2026, 11, 25),
        submissions=[
            SubmissionStatus(v.name, *submitted.get(v.name, (None, None))) for v in villages
        ],
    )


def render_pages(docx: Path) -> list[Path]:
    """Convert the draft to PNG pages with LibreOffice and pdftoppm; nothing without them."""
    office = shutil.which("libreoffice") or shutil.which("soffice")
    if office is None or shutil.which("pdftoppm") is None:
        print("LibreOffice or pdftoppm missing: report pages not rendered", file=sys.stderr)
        return []
    with tempfile.TemporaryDirectory() as tmp:
        subprocess.run(
            [office, "--headless", "--convert-to", "pdf", "--outdir", tmp, str(docx)],
            check=True,
            capture_output=True,
        )
        for old in IMG.glob("report-sample-*.png"):
            old.unlink()
        pdf = Path(tmp) / f"{docx.stem}.pdf"
        subprocess.run(
            ["pdftoppm", "-png", "-r", "70", str(pdf), str(IMG / "report-sample")], check=True
        )
    return sorted(IMG.glob("report-sample-*.png"))


CHROMIUM = Path("/usr/bin/chromium")
PHONE = {"width": 390, "height": 844}
DESK = {"width": 1366, "height": 768}
# Made-up households of the sample village, for the village head's list of visits.
WAITING = [("DT-003", "Lê Văn Cường"), ("DT-004", "Phạm Thị Dung"), ("DT-006", "Hoàng Văn Em")]


def board_pages(report: CommuneReport) -> dict[str, str]:
    """Render the board's overview, a village head's page and the public board as HTML."""
    env = environment()
    staff = SimpleNamespace(
        user=SimpleNamespace(display_name="Nguyễn Thu Hà", role="staff"), csrf="sample"
    )
    head = SimpleNamespace(
        user=SimpleNamespace(display_name="Trần Văn Bảo", role="village_head"), csrf="sample"
    )
    common = {"t": board_texts, "query": ""}
    village = next(v for v in report.coverage.villages if v.name == "Thôn Đồng Tâm")
    status = next(s for s in report.submissions if s.village == village.name)
    waiting = [SimpleNamespace(code=code, head_name=name) for code, name in WAITING]
    return {
        "board-overview": env.get_template("overview.html").render(
            **overview_context(report), who=staff, **common
        ),
        "board-village": env.get_template("village.html").render(
            **village_context(report, village),
            who=head,
            status=status,
            waiting=waiting,
            waiting_count=len(waiting),
            page_no=1,
            pages=1,
            first=1,
            **common,
        ),
        "board-public": env.get_template("public.html").render(
            f=figures_of(report), who=None, **common
        ),
    }


def screenshot_board(report: CommuneReport) -> list[Path]:
    """Save the board's pages as seen on a phone and a desk screen, with Debian's Chromium."""
    if not CHROMIUM.exists():
        print("Chromium missing (apt-get install chromium): board not shown", file=sys.stderr)
        return []
    from playwright.sync_api import sync_playwright

    css = (BOARD_DIR / "static" / "board.css").read_text(encoding="utf-8")
    saved = []
    with sync_playwright() as pw, tempfile.TemporaryDirectory() as profile:
        browser = pw.chromium.launch_persistent_context(
            profile,
            executable_path=str(CHROMIUM),
            headless=True,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                "--disable-component-update",
                "--no-first-run",
            ],
        )
        page = browser.new_page()
        for name, html in board_pages(report).items():
            for label, size in (("phone", PHONE), ("desk", DESK)):
                page.set_viewport_size(size)
                page.set_content(html)
                page.add_style_tag(content=css)
                path = IMG / f"{name}-{label}.png"
                page.screenshot(path=str(path), full_page=label == "phone")
                saved.append(path)
        browser.close()
    return saved


def main() -> None:
    """Write the chart, the Word draft and its pages, and the web board's screenshots."""
    report = sample_report()
    IMG.mkdir(parents=True, exist_ok=True)
    chart = IMG / "chart-sample.png"
    chart.write_bytes(coverage_chart(report))
    docx = Path(tempfile.gettempdir()) / "report-sample.docx"
    docx.write_bytes(commune_report_docx(report))
    for path in [chart, docx, *render_pages(docx), *screenshot_board(report)]:
        print(path)


if __name__ == "__main__":
    main()
