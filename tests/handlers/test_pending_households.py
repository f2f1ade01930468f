"""No dead end at sign-up: a household missing from the roster waits for the village head."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.core.engine import Engine
from bot.stats.coverage import commune_coverage, stats_json
from bot.storage.models import Household, OutboxMessage
from tests.factories import Chat, grant, household_named

WAYS_OUT = ("Chọn thôn khác", "Hộ tôi chưa có trong danh sách")


async def _to_household_question(chat: Chat) -> None:
    for line in ("/start", "1", "1", "dong tam"):
        await chat.say(line)


async def test_every_answer_at_the_missing_household_offers_a_way_out(
    engine: Engine, commune: int
) -> None:
    # Before: in a village with a roster each of these came back to the bare household question.
    chat = Chat(engine)
    await _to_household_question(chat)
    await chat.say("Tran Van Khong Co")
    assert 'không tìm thấy hộ "Tran Van Khong Co"' in chat.text
    assert all(way in chat.labels for way in WAYS_OUT)
    for typed in ("0", "menu", "/start", "/hoc", "quay lai", "le thi chua"):
        await chat.say(typed)
        assert all(way in chat.labels for way in WAYS_OUT), (typed, chat.text, chat.labels)
    await chat.say("khong co ho cua toi")
    assert "danh sách chờ trưởng thôn xác nhận" in chat.text
    await chat.say("doi thon khac")
    assert "Bạn sống ở thôn (tổ dân phố) nào?" in chat.text


async def test_a_pending_household_learns_now_and_counts_once_confirmed(
    engine: Engine, commune: int, sessions: async_sessionmaker[AsyncSession]
) -> None:
    chat = Chat(engine)
    await _to_household_question(chat)
    await chat.say("Tran Van Khong Co")
    await chat.press("Hộ tôi chưa có trong danh sách")
    assert "Ghi hộ chủ hộ Tran Van Khong Co vào danh sách chờ" in chat.text
    await chat.press("Đúng, ghi hộ này")
    assert "đăng ký xong" in chat.text and "đang chờ trưởng thôn xác nhận" in chat.text
    await chat.complete_lesson("L01")  # learning is open meanwhile
    household = await household_named(sessions, "Tran Van Khong Co")
    assert household.status == "pending" and household.participating_since is None

    head = Chat(engine, user="head")
    await grant(engine, head, "village_head", "Thôn Đồng Tâm")
    await head.say("/thon")
    assert "Hộ có người học: 0/320 hộ" in head.text  # pending: not counted yet
    await head.say("/chuahoc")
    assert "Chờ anh/chị xác nhận: 1" in head.text
    assert head.labels[0] == "✅ Xác nhận hộ mới: Tran Van Khong Co"
    await head.say("1")  # one tap
    assert "Đã xác nhận hộ Tran Van Khong Co" in head.text
    assert "✅ Xác nhận hộ mới: Tran Van Khong Co" not in head.labels
    await head.say("/thon")
    assert "Hộ có người học: 1/320 hộ" in head.text
    household = await household_named(sessions, "Tran Van Khong Co")
    assert household.status == "confirmed" and household.participating_since is not None


async def test_a_course_finished_elsewhere_counts_once_the_head_confirms_it(
    engine: Engine, commune: int, sessions: async_sessionmaker[AsyncSession]
) -> None:
    head = Chat(engine, user="head")
    await grant(engine, head, "village_head", "Thôn Đồng Tâm")
    resident = Chat(engine, user="an")
    await resident.register()
    await resident.say("/dahoc")
    assert "binhdanhocvuso.gov.vn" in resident.text
    await resident.say("Kỹ năng số cơ bản")
    assert "ảnh chụp giấy chứng nhận" in resident.text
    await resident.press("Bỏ qua, không có ảnh")
    assert 'bạn học xong "Kỹ năng số cơ bản"' in resident.text
    await resident.say("/dahoc Kỹ năng số cơ bản")
    assert "đang chờ trưởng thôn xác nhận" in resident.text  # not recorded twice
    async with sessions() as session:
        told = await session.scalar(
            select(OutboxMessage.payload).where(OutboxMessage.kind == "declared")
        )
    assert told is not None and "Kỹ năng số cơ bản" in told["text"]

    await head.say("/thon")
    assert "Hộ có người học: 0/320 hộ" in head.text
    await head.say("/chuahoc")
    label = "✅ Xác nhận đã học: Nguyễn Văn An — Kỹ năng số cơ bản"
    assert label in head.labels
    await head.press("Xác nhận đã học")
    assert "Đã xác nhận hộ Nguyễn Văn An học trên nền tảng khác" in head.text
    await head.say("/thon")
    assert "Hộ có người học: 1/320 hộ" in head.text
    assert "nền tảng Bình dân học vụ số: 1 hộ" in head.text
    async with sessions() as session:
        [coverage] = await commune_coverage(session, [commune])
    doc = stats_json([coverage], datetime.now(UTC))["communes"][0]
    village = next(v for v in doc["villages"] if v["name"] == "Thôn Đồng Tâm")
    assert village["by_source"] == {"bot": 0, "class": 0, "platform": 1}
    assert doc["by_source"]["platform"] == 1


async def test_a_village_without_a_roster_still_creates_households_directly(
    engine: Engine, commune: int, sessions: async_sessionmaker[AsyncSession]
) -> None:
    chat = Chat(engine)
    await chat.register(village="thon moi", household="hoang van nam")
    household = await household_named(sessions, "Hoang Van Nam")
    assert household.status == "confirmed"
    async with sessions() as session:
        pending = await session.scalar(select(Household.id).where(Household.status == "pending"))
    assert pending is None
