"""The curriculum: every lesson and quiz through the engine; questions find their lesson."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.config import ROOT
from bot.core.engine import Engine
from bot.lessons import load_curriculum
from bot.lessons.model import MAX_READING_SECONDS, TRACKS, Lesson, coverage
from bot.storage.models import LessonProgress
from tests.factories import Chat

CURRICULUM = load_curriculum(ROOT / "content" / "lessons")


def test_every_lesson_serves_a_framework_group_and_has_sources() -> None:
    assert [x.id for x in CURRICULUM.lessons][:14] == [f"L{i:02d}" for i in range(1, 15)]
    assert {x.track for x in CURRICULUM.lessons} <= set(TRACKS)
    for lesson in CURRICULUM.lessons:
        assert lesson.sources and lesson.framework and lesson.keywords
        assert all(len(card.text) <= 600 for card in lesson.cards)
        assert all(q.explanation for q in lesson.questions)
        assert all(len(o) <= 60 for q in lesson.questions for o in q.options)


async def test_every_lesson_and_quiz_walks_through_the_engine(
    engine: Engine, commune: int, sessions: async_sessionmaker[AsyncSession], backend: str
) -> None:
    if backend != "sqlite":
        pytest.skip("content is database-independent; one backend is enough")
    chat = Chat(engine)
    await chat.register()
    passed: set[str] = set()
    for lesson in CURRICULUM.lessons:
        await chat.complete_lesson(lesson.id)
        passed.add(lesson.id)
        assert f"Bạn đạt {len(lesson.questions)}/{len(lesson.questions)} câu" in chat.text, (
            lesson.id
        )
        if lesson.next_id and lesson.next_id not in passed:
            following = CURRICULUM.get(lesson.next_id)
            assert following is not None
            assert any(following.title[:20] in label for label in chat.labels), lesson.id
    async with sessions() as session:
        done = await session.scalar(
            select(func.count(LessonProgress.id)).where(LessonProgress.completed_at.is_not(None))
        )
    total = len(CURRICULUM.lessons)
    assert done == total
    await chat.say("/ketqua")
    assert f"Đã xong {total}/{total} bài" in chat.text


def test_every_lesson_reads_in_three_minutes_and_was_reviewed() -> None:
    for lesson in CURRICULUM.lessons:
        assert lesson.reading_seconds <= MAX_READING_SECONDS, lesson.id
        assert lesson.minutes <= 3, lesson.id
        assert lesson.reviewed.year >= 2025, lesson.id


def test_every_typed_question_accepts_its_listed_variants() -> None:
    typed = [q for lesson in CURRICULUM.lessons for q in lesson.questions if q.typed]
    assert typed
    for question in typed:
        assert len(question.variants) >= 3, question.id
        assert all(question.is_correct_typed(v) for v in question.variants), question.id
        assert not question.is_correct_typed("khong biet")


def _text(lesson: Lesson) -> str:
    parts = [card.text for card in lesson.cards]
    for q in lesson.questions:
        parts += [q.text, q.explanation, *q.options]
    return "\n".join(parts)


def test_the_facts_the_review_found_wrong_are_corrected() -> None:
    everything = "\n".join(_text(lesson) for lesson in CURRICULUM.lessons)
    for wrong in ("59/2022", "490/QĐ-TTg", "2741/BGDĐT", "chuỗi 14 bài", "Postmart", "Voso"):
        assert wrong not in everything, wrong
    l01, l04, l07, l11, l13 = (
        _text(CURRICULUM.get(i)) for i in ("L01", "L04", "L07", "L11", "L13")
    )
    assert "{muc_tieu_ho}%" in l01 and "80%" not in l01 and "30%" not in l01
    assert "69/2024/NĐ-CP" in l04
    assert "miễn học phí" in l07 and "26/6/2025" in l07 and "người lạ" in l07.lower()
    assert l11.count("⚙ Cài đặt → Tài khoản và bảo mật") >= 2
    assert "⚙ Cài đặt → Quyền riêng tư" in l11
    assert "919/QĐ-TTg" in l13


def test_the_long_scam_lesson_is_split_and_both_halves_are_linked() -> None:
    l08, l29 = CURRICULUM.get("L08"), CURRICULUM.get("L29")
    assert l08 is not None and l29 is not None
    assert l08.next_id == "L29" and l29.next_id == "L09"
    assert "Giả danh công an" in _text(l08) and "việc nhẹ lương cao" in _text(l29)


def test_every_framework_group_has_a_lesson() -> None:
    assert all(coverage(CURRICULUM.lessons).values())


@pytest.mark.parametrize(
    ("question", "lesson_id"),
    [
        ("lam sao cai vneid muc 2", "L02"),
        ("bi lua chuyen tien thi lam gi", "L09"),
        ("quet ma qr thanh toan", "L06"),
        ("so suc khoe dien tu", "L12"),
        ("ban hang online", "L13"),
        ("Làm sao cài VNeID mức 2?", "L02"),
    ],
)
def test_typed_questions_lead_to_the_right_lesson(question: str, lesson_id: str) -> None:
    assert CURRICULUM.search(question)[0].id == lesson_id


def test_questions_about_the_changed_lessons_find_them_first() -> None:
    path = Path(__file__).with_name("questions-issue-18.tsv")
    rows = list(csv.DictReader(path.read_text(encoding="utf-8").splitlines(), delimiter="\t"))
    assert {row["expected"] for row in rows} >= {"L07", "L08", "L13", "L29"}
    for row in rows:
        found = CURRICULUM.search(row["question"])
        assert found and found[0].id == row["expected"], row["question"]


async def test_hoi_offers_lessons_and_says_so_when_nothing_fits(
    engine: Engine, commune: int, backend: str
) -> None:
    if backend != "sqlite":
        pytest.skip("one backend is enough")
    chat = Chat(engine)
    await chat.register()
    await chat.say("/hoi")
    assert "Bạn muốn hỏi gì" in chat.text
    await chat.say("quet ma qr thanh toan")
    assert "những bài này sẽ giúp bạn" in chat.text
    assert chat.labels[0] == "📘 Chuyển tiền bằng mã QR (VietQR)"
    await chat.press("Chuyển tiền bằng mã QR")
    assert "Thẻ 1/" in chat.text
    await chat.say("/hoi thoi tiet ngay mai the nao")
    assert "chưa tìm được bài nào" in chat.text
    assert chat.labels[:2] == ["🙋 Gửi câu này cho cán bộ", "📚 Xem danh sách bài"]
    await chat.press("Xem danh sách bài")
    assert "Các nhóm bài học" in chat.text
    await chat.say("menu")
    await chat.say("so suc khoe dien tu")  # free text outside a step works too
    assert "Sổ sức khỏe điện tử" in " ".join(chat.labels)
