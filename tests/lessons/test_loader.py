"""The lesson format: shipped content is valid; every problem is reported with file and line."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.config import ROOT
from bot.lessons import ContentError, load_curriculum
from bot.lessons.loader import check_folder

GOOD = """---
id: L01
title: Bài thử
order: 1
track: thiet_bi
reviewed: 2026-11-29
keywords: [thu]
sources:
  - https://example.gov.vn/a
---

## card
Thẻ một.

## card
Thẻ hai.

## card
Thẻ ba.

## question q1
Câu một?
- [ ] Sai
- [x] Đúng
> Vì đúng.

## question q2
Câu hai?
- [x] Đúng
- [ ] Sai
> Vì đúng.

## question q3 typed
Gõ số sáu?
= 6
= sáu
> Sáu là sáu.
"""


def write(folder: Path, name: str, text: str) -> Path:
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path


def test_shipped_lessons_are_valid() -> None:
    curriculum = load_curriculum(ROOT / "content" / "lessons")
    assert [lesson.id for lesson in curriculum.lessons][:3] == ["L01", "L02", "L03"]
    assert {"L01", "L02", "L08"} <= {lesson.id for lesson in curriculum.lessons}
    for lesson in curriculum.lessons:
        assert 3 <= len(lesson.cards) <= 6
        assert 3 <= len(lesson.questions) <= 5
        assert lesson.sources


def test_good_lesson_loads(tmp_path: Path) -> None:
    write(tmp_path, "L01-thu.md", GOOD)
    [lesson] = load_curriculum(tmp_path).lessons
    assert lesson.title == "Bài thử"
    assert [c.text for c in lesson.cards] == ["Thẻ một.", "Thẻ hai.", "Thẻ ba."]
    assert lesson.questions[0].answer == 1
    assert lesson.questions[2].typed
    assert lesson.questions[2].is_correct_typed("Sau")
    assert lesson.needed == 2
    assert lesson.minutes == 1  # computed from the words, never typed
    assert lesson.framework == "Sử dụng thiết bị và phần mềm trên thiết bị"


def test_reading_time_counts_cards_questions_options_and_explanations(tmp_path: Path) -> None:
    write(tmp_path, "L01-thu.md", GOOD)
    [short] = load_curriculum(tmp_path).lessons
    write(tmp_path, "L01-thu.md", GOOD.replace("Thẻ ba.", "Thẻ ba. " + "từ " * 150))
    [longer] = load_curriculum(tmp_path).lessons
    assert longer.words == short.words + 150
    assert longer.reading_seconds - short.reading_seconds in (59, 60, 61)
    assert longer.minutes == 2


def test_variants_and_placeholders_that_pass(tmp_path: Path) -> None:
    text = GOOD.replace("= sáu\n", "= sáu\n~ 6 chữ số\n~ sau\n").replace(
        "Thẻ một.", "Ít nhất {muc_tieu_ho}% hộ."
    )
    write(tmp_path, "L01-thu.md", text)
    [lesson] = load_curriculum(tmp_path).lessons
    assert lesson.questions[2].variants == ("6 chữ số", "sau")
    assert lesson.cards[0].render({"muc_tieu_ho": "75"}) == "Ít nhất 75% hộ."


@pytest.mark.parametrize(
    ("change", "line", "message"),
    [
        (("Thẻ hai.", "x" * 601), 15, "601 characters"),
        (("> Vì đúng.\n\n## question q2", "\n## question q2"), 21, "no explanation"),
        (
            ("- [ ] Sai\n- [x] Đúng\n> Vì đúng.", "- [x] Sai\n- [x] Đúng\n> Vì đúng."),
            21,
            "exactly one",
        ),
        (("sources:\n  - https://example.gov.vn/a\n", ""), 1, "lacks 'sources'"),
        (("## question q2", "## question q1"), 1, "used twice"),
        (("track: thiet_bi", "track: nau_an"), 5, "track"),
        (("= 6\n= sáu\n", ""), 33, "no accepted answer"),
        (("order: 1\n", "order: 1\nminutes: 3\n"), 5, "minutes is computed"),
        (("order: 1\n", "order: 1\nframework: Nhóm A\n"), 5, "framework is the group"),
        (("reviewed: 2026-11-29\n", ""), 1, "lacks 'reviewed'"),
        (("reviewed: 2026-11-29", "reviewed: hôm qua"), 6, "YYYY-MM-DD"),
        (("= sáu\n", "= sáu\n~ bảy\n"), 33, "variant 'bảy' is not accepted"),
        (("Thẻ một.", "Thẻ {ten_xa}."), 12, "unknown placeholder {ten_xa}"),
        (("Câu một?", "Câu {muc_tieu_ho}?"), 21, "placeholders work only in cards"),
        (
            ("> Vì đúng.\n\n## question q2", "> " + "từ " * 460 + "\n\n## question q2"),
            1,
            "over 3:00",
        ),
    ],
)
def test_problems_name_file_and_line(
    tmp_path: Path, change: tuple[str, str], line: int, message: str
) -> None:
    path = write(tmp_path, "L01-thu.md", GOOD.replace(*change))
    _, problems = check_folder(tmp_path)
    assert problems, "the broken lesson was accepted"
    assert any(p.path == path and p.line == line and message in p.message for p in problems), [
        str(p) for p in problems
    ]


def test_duplicate_ids_and_missing_next_are_reported(tmp_path: Path) -> None:
    write(tmp_path, "L01-a.md", GOOD.replace("keywords:", "next: L09\nkeywords:"))
    write(tmp_path, "L01-b.md", GOOD.replace("order: 1", "order: 2"))
    with pytest.raises(ContentError) as raised:
        load_curriculum(tmp_path)
    text = str(raised.value)
    assert "L01-b.md:2: id L01 is already used" in text
    assert "next lesson L09 does not exist" in text


def test_front_matter_errors_are_reported(tmp_path: Path) -> None:
    write(tmp_path, "L01-a.md", "no front matter")
    write(tmp_path, "L02-b.md", "---\nid: [unclosed\n---\n")
    _, problems = check_folder(tmp_path)
    assert len(problems) == 2
    assert all(p.line >= 1 for p in problems)
