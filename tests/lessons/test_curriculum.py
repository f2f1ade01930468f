"""The curriculum: every lesson and quiz through the engine; questions find their lesson."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.config import ROOT
from bot.core.engine import Engine
from bot.lessons import load_curriculum
from bot.lessons.model import TRACKS
from bot.storage.models import LessonProgress
from tests.factories import Chat

CURRICULUM = load_curriculum(ROOT / "content" / "lessons")


def test_fourteen_lessons_in_four_tracks_each_with_sources_and_a_framework_area() -> None:
    assert [x.id for x in CURRICULUM.lessons] == [f"L{i:02d}" for i in range(1, 15)]
    assert {x.track for x in CURRICULUM.lessons} == set(TRACKS)
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
    for lesson in CURRICULUM.lessons:
        await chat.complete_lesson(lesson.id)
        assert f"Bạn đạt {len(lesson.questions)}/{len(lesson.questions)} câu" in chat.text, (
            lesson.id
        )
        if lesson.next_id:
            following = CURRICULUM.get(lesson.next_id)
            assert following is not None
            assert any(following.title[:20] in label for label in chat.labels), lesson.id
    async with sessions() as session:
        done = await session.scalar(
            select(func.count(LessonProgress.id)).where(LessonProgress.completed_at.is_not(None))
        )
    assert done == 14
    await chat.say("/ketqua")
    assert "Đã xong 14/14 bài" in chat.text


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
