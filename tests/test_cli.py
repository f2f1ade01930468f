"""The `hocvuso` command as an operator uses it (a real subprocess each time)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from bot.config import ROOT


def hocvuso(
    *args: str, cwd: Path, stdin: str = "", env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    full_env = {
        **os.environ,
        "HOCVUSO_DATABASE_URL": f"sqlite+aiosqlite:///{cwd / 'hocvuso.db'}",
        **(env or {}),
    }
    return subprocess.run(
        [sys.executable, "-m", "bot", *args],
        cwd=cwd,
        input=stdin,
        capture_output=True,
        text=True,
        env=full_env,
        timeout=120,
        check=False,
    )


def l01_answers() -> list[str]:
    from bot.lessons import load_curriculum

    lesson = load_curriculum(ROOT / "content" / "lessons").get("L01")
    assert lesson is not None
    # The right options' words: their numbers change from one attempt to the next.
    return [q.options[q.answer] for q in lesson.questions]


def l01_buttons() -> list[str]:
    """Return the numbers to type to reach L01 from the list of lesson groups."""
    from bot.lessons import load_curriculum
    from bot.lessons.model import TRACKS

    curriculum = load_curriculum(ROOT / "content" / "lessons")
    tracks = [t for t in TRACKS if any(x.track == t for x in curriculum.lessons)]
    lesson = curriculum.get("L01")
    assert lesson is not None
    members = [x.id for x in curriculum.lessons if x.track == lesson.track]
    return [str(tracks.index(lesson.track) + 1), str(members.index("L01") + 1)]


def test_demo_journey_then_stats_show_the_household(tmp_path: Path) -> None:
    lines = ["1", "1", "dong tam", "nguyen van an", "1"]  # consent, cohort, village, household
    lines += ["1", *l01_buttons()]  # menu → lesson groups → L01's group → L01
    lines += ["1"] * 5  # L01: four "Tiếp", then "Làm bài kiểm tra"
    lines += l01_answers()
    result = hocvuso("demo", cwd=tmp_path, stdin="\n".join(lines) + "\n")
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert "Demo commune Kim Thành is ready" in out
    assert "Đã ghi nhận: Thôn Đồng Tâm" in out
    assert "Hộ ông/bà Nguyễn Văn An, mã DT-001, đúng không?" in out
    assert "Thẻ 5/5" in out
    assert "Hộ của bạn đã được tính là hộ tham gia học tập số" in out
    assert "Traceback" not in result.stderr

    stats = hocvuso("stats", "--format", "json", cwd=tmp_path)
    assert stats.returncode == 0, stats.stderr
    doc = json.loads(stats.stdout)
    [commune] = doc["communes"]
    assert (commune["name"], commune["province"], commune["target_pct"]) == (
        "Kim Thành",
        "Hải Phòng",
        60,
    )
    assert commune["villages_without_total"] == ["Thôn Mới"]
    assert commune["households_total"] == 1410
    assert commune["households_participating"] == 1
    assert commune["coverage_pct"] == 0.1
    village = next(v for v in commune["villages"] if v["name"] == "Thôn Đồng Tâm")
    assert village["households_participating"] == 1
    assert village["coverage_pct"] == 0.3  # 1 of 320
    assert village["met"] is False
    # Ranked by coverage: the four villages at 0% share the second place; no total, no place.
    ranks = {v["name"]: v["rank"] for v in commune["villages"]}
    assert ranks["Thôn Đồng Tâm"] == 1
    assert {ranks[n] for n in ("Thôn Tân Tiến", "Thôn Hòa Bình", "Thôn Đoàn Kết")} == {2}
    assert ranks["Thôn Mới"] is None

    again = hocvuso("demo", cwd=tmp_path, stdin="")  # seeding twice changes nothing
    assert again.returncode == 0
    doc = json.loads(hocvuso("stats", "--format", "json", cwd=tmp_path).stdout)
    assert len(doc["communes"][0]["villages"]) == 6


def test_import_with_vietnamese_headers_and_a_bad_row(tmp_path: Path) -> None:
    assert (
        hocvuso(
            "commune", "add", "--name", "Xã An Lạc", "--province", "Hà Nội", cwd=tmp_path
        ).returncode
        == 0
    )
    bad = tmp_path / "thon.csv"
    bad.write_text(
        "Xã;Thôn;Tổng số hộ\nAn Lạc;Thôn Một;120\nAn Lạc;Thôn Hai;nhiều\nAn Lạc;Thôn Ba;\n",
        encoding="utf-8-sig",
    )
    result = hocvuso("import", "villages", str(bad), cwd=tmp_path)
    assert result.returncode == 1
    assert f"{bad}:3:" in result.stderr
    assert "not a number" in result.stderr
    assert "Traceback" not in result.stderr
    doc = json.loads(hocvuso("stats", "--format", "json", cwd=tmp_path).stdout)
    assert doc["communes"][0]["villages"] == []  # nothing half-imported

    bad.write_text(bad.read_text(encoding="utf-8-sig").replace("nhiều", "80"), encoding="utf-8")
    result = hocvuso("import", "villages", str(bad), cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert "3 added" in result.stdout
    roster = tmp_path / "ho.csv"
    roster.write_text(
        "commune,village,code,head_name\nAn Lạc,thon mot,M-1,Đỗ Văn Một\nAn Lạc,Thôn Chín,C-1,X\n"
    )
    result = hocvuso("import", "households", str(roster), cwd=tmp_path)
    assert result.returncode == 1
    assert f"{roster}:3: không có thôn 'Thôn Chín' trong Xã An Lạc" in result.stderr
    assert "/ village 'Thôn Chín' not found" in result.stderr

    table = hocvuso("stats", cwd=tmp_path)
    assert "Thôn Ba" in table.stdout
    assert "chưa khai báo" in table.stdout
    assert "0,0%" in table.stdout and "0.0%" not in table.stdout  # the chat's format
    csv_out = hocvuso("stats", "--format", "csv", cwd=tmp_path).stdout.splitlines()
    assert csv_out[0].startswith("commune,village,households_total")
    assert "Xã An Lạc,Thôn Một,120,0,0,0.0,false,0,0,false,0,0,0" in csv_out


def test_content_check_prints_reading_times_and_fails_on_a_group_without_lessons(
    tmp_path: Path,
) -> None:
    from bot.lessons.model import TRACKS
    from tests.lessons.test_loader import GOOD

    folder = tmp_path / "lessons"
    folder.mkdir()
    for number, track in enumerate(TRACKS, start=1):
        text = GOOD.replace("id: L01", f"id: L{number:02d}").replace(
            "order: 1", f"order: {number}"
        )
        (folder / f"L{number:02d}.md").write_text(text.replace("thiet_bi", track), "utf-8")
    good = hocvuso("content", "check", str(folder), cwd=tmp_path)
    assert good.returncode == 0, good.stderr
    assert "L01  0:" in good.stdout
    assert "an_toan" in good.stdout and "An toàn: 1 (L05)" in good.stdout
    assert "7 lessons, 21 questions: all valid." in good.stdout
    (folder / "L05.md").unlink()
    gap = hocvuso("content", "check", str(folder), cwd=tmp_path)
    assert gap.returncode == 1
    assert "framework groups without a lesson: an_toan" in gap.stderr
    assert "An toàn: 0 (NO LESSON)" in gap.stdout
    assert "Traceback" not in gap.stderr


def test_content_check_reports_problems_and_fails(tmp_path: Path) -> None:
    shipped = hocvuso("content", "check", cwd=tmp_path)
    assert ".md:" not in shipped.stderr  # no lesson has a problem (coverage is tested above)
    assert "L08  " in shipped.stdout and "L29  " in shipped.stdout
    broken = tmp_path / "lessons"
    broken.mkdir()
    (broken / "L01-x.md").write_text("---\nid: L01\n---\n## card\nchỉ một thẻ\n", encoding="utf-8")
    result = hocvuso("content", "check", str(broken), cwd=tmp_path)
    assert result.returncode == 1
    assert f"{broken / 'L01-x.md'}:1: front matter lacks 'title'" in result.stderr
    assert "Traceback" not in result.stderr


def test_bot_refuses_to_start_on_invalid_content(tmp_path: Path) -> None:
    (tmp_path / "lessons").mkdir()
    result = hocvuso("chat", cwd=tmp_path, env={"HOCVUSO_CONTENT_DIR": str(tmp_path / "lessons")})
    assert result.returncode == 1
    assert "no lesson files" in result.stderr
    assert "Traceback" not in result.stderr


@pytest.mark.parametrize("url", ["sqlite+aiosqlite:////dev/null/x.db", "mysql://nowhere/x"])
def test_bad_database_url_is_one_line_without_traceback(tmp_path: Path, url: str) -> None:
    result = hocvuso("stats", cwd=tmp_path, env={"HOCVUSO_DATABASE_URL": url})
    assert result.returncode != 0
    assert "Traceback" not in result.stderr
    assert result.stderr.strip().count("\n") == 0
    assert result.stderr.startswith("Lỗi / Error:")


def test_db_upgrade(tmp_path: Path) -> None:
    result = hocvuso("db", "upgrade", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    from bot.storage.db import head_revision

    assert f"Database at migration {head_revision()}" in result.stdout
    assert (tmp_path / "hocvuso.db").exists()


def test_roles_deadlines_reminders_and_outbox_from_the_shell(tmp_path: Path) -> None:
    assert hocvuso("demo", cwd=tmp_path).returncode == 0
    listed = hocvuso("commune", "deadlines", cwd=tmp_path)
    assert "05/12" in listed.stdout and "15/12" in listed.stdout
    changed = hocvuso(
        "commune",
        "deadlines",
        "--add",
        "20/12",
        "--title",
        "Báo cáo năm",
        "--offsets",
        "5,1",
        "--hour",
        "9",
        "--remove",
        "15/12",
        cwd=tmp_path,
    )
    assert changed.returncode == 0, changed.stderr
    assert "20/12  Báo cáo năm  (reminders 5, 1 days before, at 09:00)" in changed.stdout
    assert "15/12" not in changed.stdout
    bad = hocvuso("commune", "deadlines", "--add", "31/02", cwd=tmp_path)
    assert bad.returncode == 1 and "not a date" in bad.stderr

    code = hocvuso("invite", "--role", "village_head", "--village", "dong tam", cwd=tmp_path)
    assert code.returncode == 0, code.stderr
    assert "village_head Thôn Đồng Tâm" in code.stdout
    invite_code = code.stdout.split()[0]
    consented = f"/nhanma {invite_code}\n1\n/thon\n"  # "1": consent is asked first
    chat = hocvuso("chat", "--user", "head", cwd=tmp_path, stdin=consented)
    assert "vai trò trưởng thôn của Thôn Đồng Tâm" in chat.stdout
    assert "0/320 hộ" in chat.stdout
    missing = hocvuso("invite", "--role", "village_head", "--village", "xa lac", cwd=tmp_path)
    assert missing.returncode == 1 and "not found" in missing.stderr

    dry = hocvuso(
        "reminders", "plan", "--at", "2026-12-04T08:30", "--dry-run", "--json", cwd=tmp_path
    )
    assert dry.returncode == 0, dry.stderr
    [planned] = json.loads(dry.stdout)
    assert (planned["kind"], planned["village"], planned["days_left"]) == (
        "reminder",
        "Thôn Đồng Tâm",
        1,
    )
    assert planned["due"] == "05/12/2026" and planned["channel"] == "console"
    assert "Ngày mai (05/12/2026)" in planned["text"]
    # Only the chat's own replies are in the outbox (all sent): no reminder yet.
    status = hocvuso("outbox", "status", cwd=tmp_path).stdout
    assert "reminder" not in status and "reply" in status
    real = hocvuso("reminders", "plan", "--at", "2026-12-04T08:30", cwd=tmp_path)
    assert "1 message(s) planned, 1 new in the outbox" in real.stdout
    again = hocvuso("reminders", "plan", "--at", "2026-12-04T09:30", cwd=tmp_path)
    assert "0 new" in again.stdout
    status = hocvuso("outbox", "status", cwd=tmp_path).stdout
    assert "reminder" in status and "pending" in status


def test_chart_report_and_excel_from_the_shell(tmp_path: Path) -> None:
    import docx
    import openpyxl

    assert hocvuso("demo", cwd=tmp_path).returncode == 0
    totals = hocvuso("commune", "set", "--cbcc-total", "56", "--worker-total", "240", cwd=tmp_path)
    assert "cbcc_total 56, worker_total 240" in totals.stdout
    chart = hocvuso("chart", "--output", str(tmp_path / "c.png"), cwd=tmp_path)
    assert chart.returncode == 0, chart.stderr
    assert (tmp_path / "c.png").read_bytes().startswith(b"\x89PNG")
    word = hocvuso(
        "report", "--format", "docx", "--output", str(tmp_path / "r.docx"), cwd=tmp_path
    )
    assert word.returncode == 0, word.stderr
    text = "\n".join(p.text for p in docx.Document(str(tmp_path / "r.docx")).paragraphs)
    assert "UBND XÃ KIM THÀNH" in text or "UBND XÃ KIM THÀNH" in str(
        [c.text for t in docx.Document(str(tmp_path / "r.docx")).tables for c in t._cells]
    )
    assert "0/56" in text  # the cohort indicator with the declared total
    sheet = hocvuso(
        "stats", "--format", "xlsx", "--output", str(tmp_path / "s.xlsx"), cwd=tmp_path
    )
    assert sheet.returncode == 0, sheet.stderr
    book = openpyxl.load_workbook(tmp_path / "s.xlsx")
    assert book.sheetnames[0] == "Tổng hợp"
    assert book[book.sheetnames[0]].freeze_panes == "A2"
    bad = hocvuso("chart", "--output", "/dev/null/x.png", cwd=tmp_path)
    assert bad.returncode == 1 and "cannot write" in bad.stderr


def test_content_gaps_lists_unanswered_questions_without_numbers(tmp_path: Path) -> None:
    lines = ["1", "1", "dong tam", "nguyen van an", "1"]  # consent, cohort, village, household
    lines += ["thoi tiet ngay mai the nao", "0", "Thời tiết ngày mai thế nào?", "0"]
    lines += ["goi so 0912345678 mua xe may tra gop", "0"]
    result = hocvuso("demo", cwd=tmp_path, stdin="\n".join(lines) + "\n")
    assert result.returncode == 0, result.stderr
    assert "chưa tìm được bài nào" in result.stdout

    gaps = hocvuso("content", "gaps", "--days", "7", cwd=tmp_path)
    assert gaps.returncode == 0, gaps.stderr
    listed = gaps.stdout.splitlines()
    assert listed[0].startswith("Unanswered questions in the last 7 days")
    assert listed[1].split(None, 1) == ["2", "thoi tiet ngay mai the nao"]  # grouped, first
    assert listed[2].split(None, 1) == ["1", "goi so mua xe may tra gop"]
    assert "0912" not in gaps.stdout


def test_emulation_awards_and_period_reports_from_the_shell(tmp_path: Path) -> None:
    import asyncio

    import docx
    import openpyxl

    from bot.storage import db
    from tests.factories import add_unit, add_unit_report

    assert hocvuso("demo", cwd=tmp_path).returncode == 0
    hocvuso("commune", "set", "--cbcc-total", "56", cwd=tmp_path)
    before = json.loads(hocvuso("stats", "--format", "json", cwd=tmp_path).stdout)
    [cohort] = before["communes"][0]["cohorts"]
    assert cohort == {
        "cohort": "can_bo",
        "label": "Cán bộ, công chức, viên chức",
        "total": 56,
        "learned": 0,
        "pct": 0.0,
        "target": 80,
        "met": False,
        "source": "bot",
        "source_text": "theo người học trên trợ lý (người dân tự chọn nhóm)",
    }

    async def units() -> None:
        from datetime import datetime
        from zoneinfo import ZoneInfo

        engine = db.make_engine(f"sqlite+aiosqlite:///{tmp_path / 'hocvuso.db'}")
        sessions = db.make_sessionmaker(engine)
        year = datetime.now(ZoneInfo("Asia/Ho_Chi_Minh")).year
        unit = await add_unit(sessions, 1, "UBND xã Kim Thành", "co_quan", 40)
        await add_unit_report(
            sessions,
            unit,
            year,
            learned=36,
            results="Cải cách hành chính số",
            nominations=[{"kind": "ca_nhan", "name": "=1+1", "achievement": "Dạy 5 lớp"}],
            submitted_at=f"{year}-01-02T09:00+07:00",
        )
        await engine.dispose()

    asyncio.run(units())
    after = json.loads(hocvuso("stats", "--format", "json", cwd=tmp_path).stdout)
    by = {k["cohort"]: k for k in after["communes"][0]["cohorts"]}
    assert (by["can_bo"]["learned"], by["can_bo"]["total"], by["can_bo"]["met"]) == (36, 40, True)
    assert by["can_bo"]["source"] == "units"
    assert by["can_bo_tham_gia"]["pct"] == 100.0

    word = hocvuso("report", "--kind", "emulation", "-o", str(tmp_path / "e.docx"), cwd=tmp_path)
    assert word.returncode == 0, word.stderr
    paragraphs = [p.text for p in docx.Document(str(tmp_path / "e.docx")).paragraphs]
    assert any("“Cải cách hành chính số”" in p for p in paragraphs)
    sheet = hocvuso(
        "report", "--kind", "awards", "-f", "xlsx", "-o", str(tmp_path / "k.xlsx"), cwd=tmp_path
    )
    assert sheet.returncode == 0, sheet.stderr
    book = openpyxl.load_workbook(tmp_path / "k.xlsx")
    cells = [c.value for row in book.active.iter_rows() for c in row]  # type: ignore[union-attr]
    assert "Cá nhân: =1+1 (UBND xã Kim Thành)" in cells
    assert "DANH SÁCH ĐỀ NGHỊ KHEN THƯỞNG" in str(cells[0])
    from datetime import datetime
    from zoneinfo import ZoneInfo

    year = datetime.now(ZoneInfo("Asia/Ho_Chi_Minh")).year
    span = (str(year - 1), str(year))
    period = hocvuso("report", "--from", span[0], "--to", span[1], "-f", "xlsx", cwd=tmp_path)
    assert period.returncode == 0, period.stderr
    assert f"thi-dua-{span[0]}-{span[1]}.xlsx" in period.stdout
    wrong = hocvuso("report", "--kind", "awards", "--from", "2025", "--to", "2026", cwd=tmp_path)
    assert wrong.returncode == 1 and "one year" in wrong.stderr
    future = hocvuso("report", "--kind", "emulation", "--year", "2999", cwd=tmp_path)
    assert future.returncode == 1 and "2999 has not begun" in future.stderr
    assert "Traceback" not in future.stderr
