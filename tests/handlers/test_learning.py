"""Transcripts of learning: cards, quiz, score, retry, resume after a restart."""

from __future__ import annotations

import asyncio

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.core.engine import Engine
from bot.handlers import build_router
from bot.lessons import Curriculum
from bot.storage.models import Commune, LessonProgress, QuizAnswer, User
from tests.factories import Chat, household_named, user_of


def _in_track(engine: Engine, track: str) -> int:
    """Count the lessons of one framework group."""
    return sum(1 for lesson in engine.curriculum.lessons if lesson.track == track)


async def test_completing_a_lesson_counts_the_household(
    engine: Engine, commune: int, sessions: async_sessionmaker[AsyncSession]
) -> None:
    chat = Chat(engine)
    await chat.register()
    await chat.press("Chọn bài học")
    assert f"🧩 Giải quyết vấn đề (0/{_in_track(engine, 'giai_quyet')})" in chat.labels
    await chat.press("Giải quyết vấn đề")
    assert "📘 Bình dân học vụ số là gì?" in chat.labels
    await chat.press("Bình dân học vụ số")
    assert "Thẻ 1/5 ▓░░░░" in chat.text
    lesson = engine.curriculum.get("L01")
    assert lesson is not None
    for index in range(2, 6):
        await chat.press("Tiếp")
        assert f"Thẻ {index}/5 " + "▓" * index + "░" * (5 - index) in chat.text
        assert lesson.cards[index - 1].render({"muc_tieu_ho": "60"}) in chat.text
    await chat.press("Làm bài kiểm tra")
    assert "Đúng từ 2 câu trở lên là đạt" in chat.text
    for question in lesson.questions:
        # Typed digits, as on Zalo: the number the right answer has on the screen.
        await chat.say(str(chat.labels.index(question.options[question.answer]) + 1))
        assert "✅ Đúng rồi!" in chat.text
        assert question.explanation in chat.text
    assert "Bạn đạt 3/3 câu" in chat.text
    assert "Hộ của bạn đã được tính là hộ tham gia học tập số" in chat.text
    assert any("Bài tiếp: VNeID" in label for label in chat.labels)

    household = await household_named(sessions, "Nguyễn Văn An")
    assert household.participating_since is not None
    await chat.say("/ketqua")
    assert f"Đã xong 1/{len(engine.curriculum.lessons)} bài" in chat.text
    assert "✅ Bình dân học vụ số là gì? — 3/3 câu" in chat.text
    assert "đã được tính" in chat.text


async def test_wrong_answers_show_the_right_one_and_allow_a_retry(
    engine: Engine, commune: int, sessions: async_sessionmaker[AsyncSession]
) -> None:
    chat = Chat(engine)
    await chat.register()
    await chat.complete_lesson("L01", right=False)
    assert "❌ Chưa đúng. Đáp án:" in chat.text
    assert "Bạn đúng 0/3 câu, cần 2 câu để đạt" in chat.text
    household = await household_named(sessions, "Nguyễn Văn An")
    assert household.participating_since is None
    await chat.press("Làm lại bài kiểm tra")
    assert "Câu 1/3" in chat.text
    lesson = engine.curriculum.get("L01")
    assert lesson is not None
    for question in lesson.questions:
        await chat.press(question.options[question.answer])
    assert "Bạn đạt 3/3 câu" in chat.text
    async with sessions() as session:
        row = await session.scalar(select(LessonProgress))
        assert row is not None and row.attempts == 2 and row.score == 1.0
        assert await session.scalar(select(func.count(QuizAnswer.id))) == 6


async def test_typed_answer_question_accepts_words_without_diacritics(
    engine: Engine, commune: int
) -> None:
    lesson = engine.curriculum.get("L02")
    assert lesson is not None
    typed = next(q for q in lesson.questions if q.typed)
    chat = Chat(engine)
    await chat.register()
    await chat.press("Chọn bài học")
    await chat.press("Giao tiếp")
    await chat.press("VNeID")
    for _ in lesson.cards[:-1]:
        await chat.press("Tiếp")
    await chat.press("Làm bài kiểm tra")
    for question in lesson.questions:
        if question is typed:
            assert "gõ câu trả lời" in chat.text
            await chat.say("SAU CHU SO")  # no diacritics, with the unit
            assert "✅ Đúng rồi!" in chat.text
        else:
            await chat.press(question.options[question.answer])
    assert "Bạn đạt" in chat.text


async def test_restart_mid_lesson_resumes_at_the_same_card(
    engine: Engine,
    commune: int,
    sessions: async_sessionmaker[AsyncSession],
    curriculum: Curriculum,
) -> None:
    chat = Chat(engine)
    await chat.register()
    await chat.press("Chọn bài học")
    await chat.press("An toàn")
    await chat.press("Nhận diện lừa đảo: giả công an")
    await chat.press("Tiếp")
    await chat.press("Tiếp")
    assert "Thẻ 3/4" in chat.text
    # the process restarts: a new engine over the same database
    restarted = Chat(Engine(sessions, build_router(), curriculum))
    await restarted.say("/tiep")
    assert 'Học tiếp bài "Nhận diện lừa đảo: giả công an, giả người thân"' in restarted.text
    assert "Thẻ 3/4" in restarted.text
    await restarted.say("menu")
    await restarted.say("hoc tiep")  # typed, without "/" or diacritics
    assert "Thẻ 3/4" in restarted.text


async def test_resume_mid_quiz_continues_at_the_same_question(
    engine: Engine, commune: int
) -> None:
    chat = Chat(engine)
    await chat.register()
    lesson = engine.curriculum.get("L01")
    assert lesson is not None
    await chat.press("Chọn bài học")
    await chat.press("Giải quyết vấn đề")
    await chat.press("Bình dân")
    for _ in lesson.cards[:-1]:
        await chat.press("Tiếp")
    await chat.press("Làm bài kiểm tra")
    await chat.press(lesson.questions[0].options[lesson.questions[0].answer])
    assert "Câu 2/3" in chat.text
    await chat.say("menu")
    assert "Menu chính" in chat.text
    await chat.say("/tiep")
    assert "Câu 2/3" in chat.text


async def test_the_same_answer_sent_twice_counts_once(
    engine: Engine, commune: int, sessions: async_sessionmaker[AsyncSession]
) -> None:
    chat = Chat(engine)
    await chat.register()
    lesson = engine.curriculum.get("L01")
    assert lesson is not None
    await chat.press("Chọn bài học")
    await chat.press("Giải quyết vấn đề")
    await chat.press("Bình dân")
    for _ in lesson.cards[:-1]:
        await chat.press("Tiếp")
    await chat.press("Làm bài kiểm tra")
    payload = chat.option(lesson.questions[0].options[lesson.questions[0].answer])
    first, second = await asyncio.gather(
        engine.handle(chat.inbound(payload=payload, kind="button")),
        engine.handle(chat.inbound(payload=payload, kind="button")),
    )
    assert sorted([first.refused, second.refused]) == [False, True]
    async with sessions() as session:
        assert await session.scalar(select(func.count(QuizAnswer.id))) == 1
        row = await session.scalar(select(LessonProgress))
        assert row is not None and row.question == 1 and row.correct == 1


async def test_old_card_button_does_not_move_the_lesson(engine: Engine, commune: int) -> None:
    chat = Chat(engine)
    await chat.register()
    await chat.press("Chọn bài học")
    await chat.press("Giải quyết vấn đề")
    await chat.press("Bình dân")
    old_next = chat.option("Tiếp")
    await chat.press("Tiếp")
    assert "Thẻ 2/5" in chat.text
    await chat.tap(old_next)
    assert chat.outcome.refused
    assert "Câu này đã qua" in chat.text
    assert "Thẻ 2/5" in chat.text  # the same card again


async def test_lesson_list_marks_done_and_in_progress(engine: Engine, commune: int) -> None:
    chat = Chat(engine)
    await chat.register()
    await chat.complete_lesson("L01")
    await chat.tap(chat.option("VNeID"))
    await chat.say("/hoc")
    assert f"🧩 Giải quyết vấn đề (1/{_in_track(engine, 'giai_quyet')})" in chat.labels
    await chat.press("Giải quyết vấn đề")
    assert "✅ Bình dân học vụ số là gì?" in chat.labels
    await chat.press("Nhóm bài khác")
    await chat.press("Giao tiếp")
    assert "⏳ VNeID: tài khoản mức 1 và mức 2" in chat.labels
    await chat.press("Nhóm bài khác")
    await chat.press("An toàn")
    assert "📘 Dùng VNeID an toàn" in chat.labels


async def test_menu_and_zero_always_bring_the_menu_back(engine: Engine, commune: int) -> None:
    chat = Chat(engine)
    await chat.register()
    await chat.press("Chọn bài học")
    await chat.press("Giải quyết vấn đề")
    await chat.press("Bình dân")
    await chat.say("0")
    assert "Menu chính" in chat.text
    await chat.say("Menu")
    assert chat.labels[0] == "📚 Chọn bài học"


async def test_two_members_of_one_household_count_it_once(
    engine: Engine, commune: int, sessions: async_sessionmaker[AsyncSession]
) -> None:
    for user in ("an", "an-vo"):
        chat = Chat(engine, user=user)
        await chat.register()
        await chat.complete_lesson("L01")
    async with sessions() as session:
        from bot.stats.coverage import commune_coverage

        [coverage] = await commune_coverage(session)
    village = next(v for v in coverage.villages if v.name == "Thôn Đồng Tâm")
    assert (village.households_participating, village.learners) == (1, 2)
    assert village.lessons_completed == 2


async def test_typed_question_finds_a_lesson(engine: Engine, commune: int) -> None:
    chat = Chat(engine)
    await chat.register()
    await chat.say("bi lua chuyen tien thi lam gi")
    assert "Bị lừa thì làm gì?" in " ".join(chat.labels)
    user = await user_of(engine.sessions, "an")
    assert user is not None


async def _target_card(chat: Chat) -> str:
    """Open L01 and return the text of its card with the commune's household target."""
    await chat.press("Chọn bài học")
    await chat.press("Giải quyết vấn đề")
    await chat.press("Bình dân")
    while "Mục tiêu của xã" not in chat.text:
        await chat.press("Tiếp")
    return chat.text


async def test_the_household_target_on_the_card_is_the_communes_own(
    engine: Engine, commune: int, sessions: async_sessionmaker[AsyncSession]
) -> None:
    async with sessions() as session, session.begin():
        row = await session.get(Commune, commune)
        assert row is not None
        row.target_household_pct = 75
    chat = Chat(engine)
    await chat.register()
    text = await _target_card(chat)
    assert "ít nhất 75% hộ gia đình" in text
    assert "{" not in text


async def test_the_household_target_is_sixty_when_the_commune_is_unknown(
    engine: Engine, commune: int, sessions: async_sessionmaker[AsyncSession]
) -> None:
    chat = Chat(engine)
    await chat.register()
    async with sessions() as session, session.begin():
        user = await session.scalar(select(User).where(User.commune_id == commune))
        assert user is not None
        user.commune_id = None
    text = await _target_card(chat)
    assert "ít nhất 60% hộ gia đình" in text
    assert "{" not in text


async def test_the_right_answer_is_not_always_in_the_same_place(
    engine: Engine, commune: int
) -> None:
    """Typing "2" to every question passed many quizzes unread: the right answer was first or
    second in the lessons' own order. Options come in an order of the attempt, the same each
    time a question is shown again, and another at the next attempt."""
    chat = Chat(engine)
    await chat.register()
    places: list[int] = []
    first_orders: list[list[str]] = []
    lessons = [x for x in engine.curriculum.lessons if not any(q.typed for q in x.questions)]
    for lesson in lessons[:10]:
        await chat.open_quiz(lesson)
        for question in lesson.questions:
            shown = chat.labels
            await chat.say("lap lai")
            assert chat.labels == shown  # shown again: the same numbers
            if lesson is lessons[0]:
                first_orders.append(shown)
            places.append(shown.index(question.options[question.answer]))
            await chat.press(question.options[question.answer])
    assert len(places) >= 25
    assert len(set(places)) >= 3
    assert max(places.count(p) for p in set(places)) < 0.5 * len(places)
    # Learning the lesson again: another order for some question.
    lesson = lessons[0]
    await chat.open_quiz(lesson)
    again = []
    for question in lesson.questions:
        again.append(chat.labels)
        await chat.press(question.options[question.answer])
    assert again != first_orders
