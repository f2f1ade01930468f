"""Transcripts of a resident signing up: consent, cohort, village, household."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
import time_machine
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.core.engine import Engine
from bot.storage.models import Commune, Household, User
from bot.storage.places import NAME_SECONDS
from tests.factories import Chat, household_named, user_of


async def test_signup_typing_without_diacritics(engine: Engine, commune: int, sessions) -> None:
    chat = Chat(engine)
    await chat.say("/start")
    assert "Kim Thành" in chat.text
    assert "đồng ý" in chat.text.lower()
    assert chat.labels == ["Đồng ý", "Không đồng ý"]

    await chat.say("dong y")
    assert chat.labels[0] == "Người dân"
    await chat.say("1")
    assert "thôn" in chat.text.lower()

    await chat.say("dong tam")
    assert "Đã ghi nhận: Thôn Đồng Tâm" in chat.text
    await chat.say("nguyen van an")
    assert "Hộ ông/bà Nguyễn Văn An, mã DT-001, đúng không?" in chat.text
    await chat.say("co")
    assert "đăng ký xong: Thôn Đồng Tâm, hộ Nguyễn Văn An" in chat.text
    assert "Menu chính" in chat.text

    user = await user_of(sessions, "an")
    household = await household_named(sessions, "Nguyễn Văn An")
    assert user is not None and user.household_id == household.id
    assert user.cohort == "nguoi_dan"
    assert user.consent_at is not None
    assert user.display_name == "Người an"


async def test_no_consent_stores_nothing_and_says_goodbye(
    engine: Engine, commune: int, sessions
) -> None:
    chat = Chat(engine)
    await chat.say("/start")
    await chat.say("2")
    assert "không lưu thông tin" in chat.text
    assert await user_of(sessions, "an") is None  # not even the account is kept
    await chat.say("hoc")  # comes back later: asked for consent again
    assert chat.labels == ["Đồng ý", "Không đồng ý"]


async def test_unknown_village_lists_the_villages_to_choose_from(
    engine: Engine, commune: int
) -> None:
    chat = Chat(engine)
    for line in ("/start", "1", "1"):
        await chat.say(line)
    await chat.say("thon xa lac")
    assert "chưa tìm thấy thôn" in chat.text
    assert "Thôn Đồng Tâm" in chat.labels
    await chat.say(str(chat.labels.index("Thôn Quyết Thắng") + 1))
    assert "Đã ghi nhận: Thôn Quyết Thắng" in chat.text


async def test_village_with_typo_is_confirmed(engine: Engine, commune: int) -> None:
    chat = Chat(engine)
    for line in ("/start", "1", "1"):
        await chat.say(line)
    await chat.say("hoa binhh")
    assert "Thôn Hòa Bình" in chat.text
    if "Có phải" in chat.text:
        await chat.say("dung")
    assert "Đã ghi nhận: Thôn Hòa Bình" in chat.text


async def test_similar_names_in_roster_are_listed(engine: Engine, commune: int) -> None:
    chat = Chat(engine)
    for line in ("/start", "1", "1", "dong tam"):
        await chat.say(line)
    await chat.say("nguyen van a")
    assert "vài hộ có tên gần giống" in chat.text
    assert {"Nguyễn Văn An (DT-001)", "Nguyễn Văn Anh (DT-005)"} <= set(chat.labels)
    await chat.press("Nguyễn Văn Anh")
    assert "hộ Nguyễn Văn Anh" in chat.text


async def test_household_code_is_accepted(engine: Engine, commune: int) -> None:
    chat = Chat(engine)
    for line in ("/start", "1", "1", "dong tam"):
        await chat.say(line)
    await chat.say("dt 003")
    assert "Lê Văn Cường" in chat.text


async def test_roster_village_does_not_create_households(
    engine: Engine, commune: int, sessions: async_sessionmaker[AsyncSession]
) -> None:
    chat = Chat(engine)
    for line in ("/start", "1", "1", "dong tam"):
        await chat.say(line)
    await chat.say("Tran Van Khong Co")
    assert "không tìm thấy hộ" in chat.text
    assert "Tạo hộ mới" not in chat.labels
    async with sessions() as session:
        assert await session.scalar(select(func.count(Household.id))) == 8


async def test_self_declared_household_in_village_without_roster(
    engine: Engine, commune: int, sessions: async_sessionmaker[AsyncSession]
) -> None:
    chat = Chat(engine)
    for line in ("/start", "1", "2", "tan tien"):
        await chat.say(line)
    await chat.say("tran thi mai")
    assert "Tạo hộ mới với chủ hộ là tran thi mai?" in chat.text
    await chat.press("Tạo hộ mới")
    assert "hộ Tran Thi Mai" in chat.text
    # a neighbour of the same household finds it instead of creating a second one
    other = Chat(engine, user="mai-con")
    for line in ("/start", "1", "4", "tan tien"):
        await other.say(line)
    await other.say("Tran Thi Mai")
    assert "Hộ ông/bà Tran Thi Mai, đúng không?" in other.text
    await other.say("1")
    async with sessions() as session:
        users = list(await session.scalars(select(User).where(User.household_id.is_not(None))))
        assert len({u.household_id for u in users}) == 1
        assert {u.cohort for u in users} == {"can_bo", "hoc_sinh"}


ODD_INPUTS = [
    "",
    "   ",
    "😀🎉",
    "x" * 5000,
    "99",
    "'; DROP TABLE users; --",
    "\x00\x07",
]


@pytest.mark.parametrize("odd", ODD_INPUTS)
async def test_odd_input_at_consent_repeats_the_question(
    engine: Engine, commune: int, odd: str
) -> None:
    chat = Chat(engine)
    await chat.say("/start")
    question = chat.options_reply
    await chat.say(odd)
    assert chat.replies[-1] == question
    assert len(chat.replies) == 2  # one helpful line, then the same question
    assert chat.replies[0].text.strip()


@pytest.mark.parametrize("odd", ODD_INPUTS)
async def test_odd_input_at_cohort_repeats_the_question(
    engine: Engine, commune: int, odd: str, sessions
) -> None:
    chat = Chat(engine)
    await chat.say("/start")
    await chat.say("1")
    question = chat.options_reply
    await chat.say(odd)
    assert chat.replies[-1] == question
    user = await user_of(sessions, "an")
    assert user is not None and user.cohort is None


@pytest.mark.parametrize("odd", ODD_INPUTS)
async def test_odd_input_at_village_prompt_asks_again(
    engine: Engine, commune: int, odd: str, sessions
) -> None:
    chat = Chat(engine)
    for line in ("/start", "1", "1"):
        await chat.say(line)
    await chat.say(odd)
    assert "thôn" in chat.text.lower()
    user = await user_of(sessions, "an")
    assert user is not None and user.village_id is None
    await chat.say("dong tam")  # still works afterwards
    assert "Đã ghi nhận: Thôn Đồng Tâm" in chat.text


@pytest.mark.parametrize("odd", ODD_INPUTS)
async def test_odd_input_at_household_prompt_asks_again(
    engine: Engine, commune: int, odd: str, sessions
) -> None:
    chat = Chat(engine)
    for line in ("/start", "1", "1", "dong tam"):
        await chat.say(line)
    await chat.say(odd)
    assert "hộ" in chat.text
    user = await user_of(sessions, "an")
    assert user is not None and user.household_id is None
    await chat.say("nguyen van an")
    assert "Nguyễn Văn An" in chat.text


async def test_old_button_is_refused_without_effect(
    engine: Engine, commune: int, sessions
) -> None:
    chat = Chat(engine)
    await chat.say("/start")
    await chat.say("1")
    await chat.press("Người dân")
    assert chat.outcome.refused is False
    await chat.tap("cohort:can_bo")  # the cohort question already passed
    assert chat.outcome.refused is True
    assert "Câu này đã qua, mời bạn chọn lại" in chat.text
    user = await user_of(sessions, "an")
    assert user is not None and user.cohort == "nguoi_dan"


async def test_forged_payload_is_refused(engine: Engine, commune: int, sessions) -> None:
    chat = Chat(engine)
    await chat.register()
    await chat.tap("hh:5")  # another household's id, never offered
    assert chat.outcome.refused
    await chat.tap("del:yes")  # deleting without being asked
    assert chat.outcome.refused
    user = await user_of(sessions, "an")
    assert user is not None and user.deleted_at is None
    household = await household_named(sessions, "Nguyễn Văn An")
    assert user.household_id == household.id


async def test_commands_before_registration_lead_back_to_it(engine: Engine, commune: int) -> None:
    chat = Chat(engine)
    for line in ("/start", "1", "1"):
        await chat.say(line)
    await chat.say("/ketqua")
    assert "vài thông tin" in chat.text
    assert "thôn" in chat.text.lower()
    await chat.say("/khongcolenhnay")
    assert "chưa biết lệnh này" in chat.text


async def test_without_a_commune_the_resident_is_told_to_ask_staff(engine: Engine) -> None:
    chat = Chat(engine)
    await chat.say("/start")
    await chat.say("1")
    await chat.say("1")
    assert "báo cán bộ xã" in chat.text


async def test_a_renamed_commune_greets_newcomers_within_a_minute(
    engine: Engine, commune: int, sessions: async_sessionmaker[AsyncSession]
) -> None:
    with time_machine.travel(datetime.now(UTC), tick=False) as clock:
        first = Chat(engine, user="truoc")
        await first.say("/start")
        assert "xã Kim Thành" in first.text
        async with sessions() as session, session.begin():
            renamed = await session.get(Commune, commune)
            assert renamed is not None
            renamed.name = "Kim Thành Mới"
        clock.shift(NAME_SECONDS + 1)
        later = Chat(engine, user="sau")
        await later.say("/start")
        assert "xã Kim Thành Mới" in later.text
