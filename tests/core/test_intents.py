"""What people type is understood the same at every step: options, intents, or a kind re-ask."""

from __future__ import annotations

import pytest
from sqlalchemy import update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.core.auth import RESIDENT, ROLES, STAFF, UNIT_HEAD, VILLAGE_HEAD
from bot.core.engine import BUSY, Engine
from bot.core.messages import Option
from bot.core.resolver import choose
from bot.core.router import HINT, NO_BACK_FIRST, QUIZ_HINT, THANKS
from bot.handlers import build_router
from bot.lessons.model import TRACKS
from bot.storage.db import transaction
from bot.storage.models import User
from bot.text import fold
from tests.core.test_routes import person
from tests.factories import Chat, grant, user_of

MENU = "Menu"


def test_numbers_labels_and_distinctive_words_pick_options() -> None:
    offered = [
        Option("🔁 Làm lại bài kiểm tra", "quiz:L01"),
        Option("📖 Xem lại bài", "review:L01"),
        Option("⬅️ Về menu", "menu:main"),
    ]
    assert choose("2", offered).option == offered[1]
    assert choose("lam lai", offered).option == offered[0]
    assert choose("xem lai bai", offered).option == offered[1]
    assert choose("9", offered).kind == "out_of_range"
    assert choose("0", offered).intent == "menu"
    both = choose("lai", offered)
    assert both.kind == "ambiguous" and set(both.candidates) == set(offered[:2])
    menu = [Option("📚 Chọn bài học", "a"), Option("🏅 Kết quả của tôi", "b")]
    assert choose("dong tien dien qua dien thoai the nao", menu).kind == "none"
    assert choose("ket qua", menu).option == menu[1]


@pytest.mark.parametrize("typed", ["khong hieu", "khong biet", "toi khong ro", "Không biết ạ"])
def test_dont_know_is_never_an_option(typed: str) -> None:
    offered = [Option("Không chia sẻ mã OTP", "a"), Option("Đọc mã cho người gọi", "b")]
    found = choose(typed, offered)
    assert found.kind == "intent" and found.intent == "dont_know"


@pytest.mark.parametrize(
    ("typed", "meant"),
    [
        ("toi dong y", 0),
        ("Cháu đồng ý ạ", 0),
        ("em dong y nhe", 0),
        ("thoi dong y", 0),
        ("toi khong dong y", 1),
        ("không đồng ý đâu", 1),
    ],
)
def test_agreeing_in_ones_own_words_is_not_asked_back(typed: str, meant: int) -> None:
    """ "tôi đồng ý" got "Ý bạn là 'Đồng ý' hay 'Không đồng ý'?" back."""
    consent = [Option("Đồng ý", "c:yes"), Option("Không đồng ý", "c:no")]
    assert choose(typed, consent).option == consent[meant]


def test_words_that_begin_an_option_on_screen_pick_it() -> None:
    """An answer may begin with a word that works everywhere: "dừng lại" is then the answer."""
    quiz = [
        Option("Dừng lại, nhờ con cháu hoặc cán bộ xem giúp", "a"),
        Option("Cứ bấm tiếp cho nhanh", "b"),
        Option("Bỏ qua câu này", "skip", intent="skip"),
    ]
    assert choose("dung lai", quiz).option == quiz[0]
    assert choose("Dừng lại ạ", quiz).option == quiz[0]
    assert choose("thoi", quiz).intent == "stop"  # no option begins so
    assert choose("khong biet", [Option("Không biết, hỏi con cháu", "x")]).intent == "dont_know"


@pytest.mark.parametrize(
    "typed",
    ["khong biet cach cai vneid", "toi khong hieu sao khong vao duoc zalo", "Không biết mở Zalo"],
)
def test_a_question_that_starts_with_dont_know_is_a_question(typed: str) -> None:
    """Older people start questions with "không biết…": only the phrase alone (or with words
    about the question on screen) is "I don't know"."""
    menu = [Option("📚 Chọn bài học", "a"), Option("🏅 Kết quả của tôi", "b")]
    assert choose(typed, menu).kind == "none"
    for alone in ("khong biet cau nay", "khong hieu gi het", "khong biet chon cai nao"):
        assert choose(alone, menu).intent == "dont_know"


async def test_a_question_starting_with_dont_know_reaches_the_search_and_a_person(
    engine: Engine, commune: int
) -> None:
    chat = Chat(engine, user="hoi-vneid")
    await chat.register()
    await chat.say("khong biet cach cai vneid")
    assert any("VNeID" in label for label in chat.labels) and HINT not in chat.text
    await chat.say("hỏi cán bộ")
    await chat.say("toi khong hieu cach cai vneid")
    assert HINT not in chat.text and "Đã lưu câu hỏi số 1" in chat.text


async def test_a_guess_in_a_quiz_never_counts_and_gets_a_hint(
    engine: Engine, commune: int
) -> None:
    chat = Chat(engine, user="gia")
    await chat.register()
    first_track = engine.curriculum.lessons and next(
        track for track in TRACKS if any(x.track == track for x in engine.curriculum.lessons)
    )
    lesson = next(x for x in engine.curriculum.lessons if x.track == first_track)
    await chat.say("/hoc")
    await chat.say("1")
    await chat.say("1")
    for _ in lesson.cards:
        await chat.say("ok")  # "ok" on a card goes on; on the last card it starts the quiz
    assert lesson.questions[0].text in chat.text
    for typed in ("khong hieu", "khong biet", "toi khong ro"):
        await chat.say(typed)
        assert "Đúng rồi" not in chat.text and "Chưa đúng" not in chat.text
        assert QUIZ_HINT in chat.text and lesson.questions[0].text in chat.text
    await chat.say("quay lai")  # no going back inside a quiz, and the question stays
    assert lesson.questions[0].text in chat.text
    await chat.say("bo qua")
    assert "Đã bỏ qua" in chat.text and lesson.questions[1].text in chat.text


async def test_natural_replies_are_understood(engine: Engine, commune: int) -> None:
    chat = Chat(engine, user="tu-nhien")
    await chat.register()
    await chat.say("/hoc")
    await chat.say("1")
    await chat.say("1")
    first_card = chat.replies[-1].text
    await chat.say("tiep")
    assert "Thẻ 2/" in chat.text
    await chat.say("quay lai")
    assert chat.replies[-1].text == first_card
    await chat.say("cam on")
    assert THANKS in chat.text and chat.replies[-1].text == first_card  # nothing lost
    await chat.say("lap lai")
    assert chat.replies[-1].text == first_card
    await chat.say("thoi")
    assert "Đã dừng" in chat.text and "Menu" in chat.text
    assert "/tiep để học tiếp" in chat.text  # a lesson resumes with /tiep


async def test_going_back_never_leaves_the_flow_just_started(engine: Engine, commune: int) -> None:
    chat = Chat(engine, user="dau-tien")
    await chat.register()
    await chat.say("/hoc")
    tracks = chat.replies[-1].text
    await chat.say("quay lai")  # the first question of /hoc: the sign-up is not reachable
    assert NO_BACK_FIRST in chat.text and chat.replies[-1].text == tracks
    assert "đăng ký" not in chat.text.lower()
    await chat.say("1")
    await chat.say("quay lai")  # within the flow, back works as before
    assert chat.replies[-1].text == tracks


async def test_stopping_says_what_was_stopped(engine: Engine, commune: int) -> None:
    chat = Chat(engine, user="dung")
    await chat.register()
    await chat.say("/hoicanbo")
    await chat.say("thoi")  # a question to the commune staff is not a lesson
    assert "Đã dừng" in chat.text and "học tiếp" not in chat.text


async def test_a_question_typed_at_the_menu_does_not_open_a_menu_screen(
    engine: Engine, commune: int
) -> None:
    chat = Chat(engine, user="hoi")
    await chat.register()
    await chat.say("dong tien dien qua dien thoai the nao")
    assert "Kết quả của bạn" not in chat.text


async def test_a_command_word_typed_as_an_answer_is_the_answer(
    engine: Engine, commune: int
) -> None:
    chat = Chat(engine, user="thon")
    await chat.say("/start")
    await chat.say("1")
    await chat.say("1")
    assert "thôn" in chat.text
    await chat.say("thon")  # the answer to "which village?", not /thon
    assert "chỉ dành cho" not in chat.text


async def test_staff_find_their_commands_without_resident_sign_up(
    engine: Engine, commune: int
) -> None:
    staff = Chat(engine, user="cb")
    await staff.say("/nhanma")  # starts nothing but the code question
    from datetime import UTC, datetime

    from sqlalchemy import select

    from bot.storage.invites import create_invite
    from bot.storage.models import Commune

    async with transaction(engine.sessions) as session:
        row = await session.scalar(select(Commune))
        assert row is not None
        code, _ = await create_invite(session, STAFF, row.id, None, datetime.now(UTC))
    await staff.say(code)
    if "đồng ý" in staff.text.lower():
        await staff.say("1")  # consent to keep the name for the role
    for typed in ("menu", "0"):
        await staff.say(typed)
        assert (
            any("Thống kê toàn xã" in label for label in staff.labels)
            and "đồng ý" not in staff.text
        )
    await staff.say("/trogiup")
    assert "/thongke" in staff.text and "/guitin" in staff.text
    await staff.press("Thống kê toàn xã")
    assert "Xã Kim Thành" in staff.text


async def test_village_heads_see_their_commands_in_help(engine: Engine, commune: int) -> None:
    head = Chat(engine, user="tt")
    await head.register()
    await grant(engine, head, VILLAGE_HEAD, village="dong tam")
    await head.say("tro giup")
    assert "/thon" in head.text and "/sohodan" in head.text and "ví dụ: /sohodan 320" in head.text


STEP_INPUTS = ("0", "quay lai", "khong hieu", "xyzzy qwerty", "/huy")


@pytest.mark.parametrize("backend", ["sqlite"], indirect=True)
async def test_every_step_has_a_way_out(
    engine: Engine, sessions: async_sessionmaker[AsyncSession], commune: int
) -> None:
    """Each step of the router's own table, faced with the usual ways out and with nonsense."""
    steps = build_router().steps
    chats = {role: await person(sessions, engine, commune, role, f"s-{role}") for role in ROLES}
    for name, route in steps.items():
        role = next(
            r
            for r in (RESIDENT, VILLAGE_HEAD, UNIT_HEAD, STAFF)
            if r in (route.access.roles or ROLES)
        )
        chat = chats[role]
        user = await user_of(sessions, f"s-{role}")
        assert user is not None
        for typed in STEP_INPUTS:
            state = {
                "prompt": {"text": f"Câu hỏi của bước {name}", "options": []},
                "previous": {
                    "prompt": {"text": "Câu trước", "options": [["A", "menu:main"]]},
                    "step": None,
                    "data": {},
                },
                "step": name,
                "data": {},
            }
            async with transaction(sessions) as session:
                await session.execute(update(User).where(User.id == user.id).values(state=state))
            await chat.say(typed)
            text = chat.text
            assert text and BUSY not in text, (name, typed)
            if typed == "0":
                assert MENU in text or "Menu" in text, (name, typed, text)
            elif typed == "quay lai":
                assert "Câu trước" in text, (name, typed, text)
            elif typed == "khong hieu":
                assert HINT in text or QUIZ_HINT in text, (name, typed, text)
            elif typed == "/huy":
                assert "Đã dừng" in text, (name, typed, text)


async def test_a_word_two_quiz_answers_share_narrows_nothing(engine: Engine, commune: int) -> None:
    """Outside quizzes "Ý bạn là A hay B?" helps; in a quiz it would strike out the other
    answers and the way to skip. The question comes back whole instead."""
    chat = Chat(engine, user="mo-ho")
    await chat.register()
    lesson, question = next(
        (x, q)
        for x in engine.curriculum.lessons
        for q in x.questions[:1]
        if not q.typed and _shared_word(q.options)
    )
    await chat.open_quiz(lesson)
    shown = chat.labels
    await chat.say(_shared_word(question.options))
    assert "Ý bạn là" not in chat.text and "Đúng rồi" not in chat.text
    assert "hơn một đáp án" in chat.text and chat.labels == shown


def _shared_word(options: tuple[str, ...] | list[str]) -> str:
    """A word of four letters or more in two options' labels and not in the others."""
    words = [set(fold(o).split()) for o in options]
    for word in sorted(set().union(*words)):
        if len(word) >= 4 and sum(word in w for w in words) == 2:
            return word
    return ""
