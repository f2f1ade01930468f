"""Hỏi cán bộ in chat: routing, roles and scope, asking again, FAQ, privacy, retention, counts."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import time_machine
from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.core.engine import Engine
from bot.core.router import STALE
from bot.scheduling.scheduler import plan_now
from bot.stats.report import build_commune_report
from bot.storage.models import OutboxMessage, Ticket, User
from bot.storage.tickets import faq_entries
from tests.conftest import run_apart
from tests.factories import Chat, grant, seed_demo_commune, village_named

HCM = ZoneInfo("Asia/Ho_Chi_Minh")
MORNING = datetime(2026, 12, 1, 9, 0, tzinfo=HCM)
QUESTION = "con tôi chơi game suốt đêm, làm sao hạn chế giờ chơi?"
ANSWER = "Bác vào Cài đặt > Thời gian sử dụng, đặt giới hạn 1 giờ mỗi ngày ạ."


@pytest.fixture(autouse=True)
def daytime() -> Iterator[time_machine.Coordinates]:
    with time_machine.travel(MORNING, tick=True) as clock:
        yield clock


async def outbox(sessions: async_sessionmaker[AsyncSession], kind: str) -> list[OutboxMessage]:
    async with sessions() as session:
        rows = await session.scalars(
            select(OutboxMessage).where(OutboxMessage.kind == kind).order_by(OutboxMessage.id)
        )
        return list(rows)


async def ticket(sessions: async_sessionmaker[AsyncSession]) -> Ticket:
    async with sessions() as session:
        row = await session.scalar(select(Ticket).order_by(Ticket.id))
        assert row is not None
        return row


async def ask(engine: Engine, user: str = "an", question: str = QUESTION) -> Chat:
    resident = Chat(engine, user=user)
    await resident.register()
    await resident.say("hỏi cán bộ")
    assert "bạn gõ câu hỏi" in resident.text
    await resident.say(question)
    return resident


async def test_a_village_without_a_head_asks_the_commune_staff(
    engine: Engine, commune: int, sessions: async_sessionmaker[AsyncSession]
) -> None:
    staff = Chat(engine, user="staff")
    await grant(engine, staff, "staff")
    other_head = Chat(engine, user="head-tt")
    await grant(engine, other_head, "village_head", "Thôn Tân Tiến")
    resident = await ask(engine)
    assert "Đã gửi câu hỏi số 1 tới cán bộ văn hoá – xã hội của xã Kim Thành" in resident.text

    [told] = await outbox(sessions, "ticket_new")
    assert told.chat_id == "staff"
    text = told.payload["text"]
    assert "Người an, Thôn Đồng Tâm, hộ Nguyễn Văn An (DT-001)" in text
    assert QUESTION in text
    await staff.say("/hoidap")
    assert staff.labels[0].startswith("Số 1 · Thôn Đồng Tâm")
    await staff.press("Số 1")
    await staff.say(ANSWER)
    assert "Đã gửi câu trả lời cho câu hỏi số 1" in staff.text
    [answer] = await outbox(sessions, "ticket_answer")
    assert answer.chat_id == "an" and ANSWER in answer.payload["text"]
    await resident.say("có")  # typed, with diacritics
    assert "Cảm ơn bạn đã cho biết" in resident.text
    assert (await ticket(sessions)).rating == "up"


async def test_another_villages_head_can_neither_read_nor_answer(
    engine: Engine, commune: int, sessions: async_sessionmaker[AsyncSession]
) -> None:
    head = Chat(engine, user="head-dt")
    await grant(engine, head, "village_head", "Thôn Đồng Tâm")
    stranger = Chat(engine, user="head-tt")
    await grant(engine, stranger, "village_head", "Thôn Tân Tiến")
    resident = await ask(engine)
    assert "trưởng thôn Thôn Đồng Tâm" in resident.text
    assert [r.chat_id for r in await outbox(sessions, "ticket_new")] == ["head-dt"]

    await stranger.say("/hoidap")
    assert "Không có câu hỏi nào đang chờ" in stranger.text
    await stranger.say("/traloi 1 Tôi trả lời hộ nhé")
    assert "Không có câu hỏi số 1 trong phạm vi của bạn" in stranger.text
    await stranger.say("/traloi 1")
    assert QUESTION not in stranger.text
    await stranger.tap("tk:1")  # a forged button
    assert STALE in stranger.text
    await resident.say("/traloi 1 tự trả lời")  # residents have no such command
    assert "chỉ dành cho" in resident.text

    # A head moved to another village keeps an old list on screen: pressing it is refused.
    mover = Chat(engine, user="head-dt")
    await mover.say("/hoidap")
    await grant(engine, mover, "village_head", "Thôn Tân Tiến")
    await mover.tap("tk:1")
    assert "Không có câu hỏi số 1 trong phạm vi của bạn" in mover.text or STALE in mover.text
    assert QUESTION not in mover.text
    row = await ticket(sessions)
    assert (row.status, row.answer) == ("open", None)
    assert await outbox(sessions, "ticket_answer") == []


async def test_the_head_moved_mid_answer_cannot_send_it(
    engine: Engine, commune: int, sessions: async_sessionmaker[AsyncSession]
) -> None:
    head = Chat(engine, user="head-dt")
    await grant(engine, head, "village_head", "Thôn Đồng Tâm")
    await ask(engine)
    await head.say("/traloi 1")
    assert QUESTION in head.text and "Bạn gõ câu trả lời" in head.text
    tan_tien = await village_named(sessions, "Thôn Tân Tiến")
    async with sessions() as session, session.begin():  # the operator moves the head
        await session.execute(
            update(User).where(User.role == "village_head").values(scope_village_id=tan_tien.id)
        )
    await head.say(ANSWER)
    assert "Không có câu hỏi số 1 trong phạm vi" in head.text
    assert (await ticket(sessions)).status == "open"


async def test_a_stray_number_is_not_sent_to_the_helper(
    engine: Engine, commune: int, sessions: async_sessionmaker[AsyncSession]
) -> None:
    """Under the saved question the screen shows "1. ✅ Xong": another number typed there is
    a slip, not something to forward to the village head."""
    resident = await ask(engine)
    for typed in ("2", "3", "..."):
        await resident.say(typed)
        assert "không có chữ" in resident.text
    assert (await ticket(sessions)).additions == 0
    assert await outbox(sessions, "ticket_added") == []
    await resident.say("con toi 12 tuoi")
    row = await ticket(sessions)
    assert row.additions == 1 and row.question.endswith("con toi 12 tuoi")


async def test_adding_rating_down_and_asking_again_once(
    engine: Engine, commune: int, sessions: async_sessionmaker[AsyncSession]
) -> None:
    head = Chat(engine, user="head-dt")
    await grant(engine, head, "village_head", "Thôn Đồng Tâm")
    resident = await ask(engine)
    await resident.say("máy là Samsung A10")
    assert "Đã thêm vào câu hỏi số 1" in resident.text
    assert len(await outbox(sessions, "ticket_added")) == 1
    await head.say(f"/traloi 1 {ANSWER}")
    await resident.say("thêm nữa sau khi trả lời")  # the answer's question comes first
    assert "Câu trả lời có giúp được bạn không?" in resident.text
    assert "thêm nữa" not in (await ticket(sessions)).question
    await resident.say("/hoicanbo")
    assert ANSWER in resident.text and resident.labels[:2] == ["👍 Có", "👎 Không"]
    await resident.say("2")
    assert "hỏi lại" in resident.text
    await resident.press("Hỏi lại")
    await resident.say("máy không có mục Thời gian sử dụng")
    assert "Đã gửi lại câu hỏi số 1" in resident.text
    assert len(await outbox(sessions, "ticket_reopened")) == 1
    row = await ticket(sessions)
    assert (row.status, row.reopened_at is not None) == ("open", True)
    await head.say("/traloi 1 Bác cài ứng dụng Family Link của Google ạ")
    assert len(await outbox(sessions, "ticket_answer")) == 2
    await resident.say("khong")
    assert "đã được hỏi lại một lần" in resident.text
    assert "Hỏi lại" not in " ".join(resident.labels)


async def test_faq_from_a_ticket_is_found_by_hoi(
    engine: Engine, commune: int, sessions: async_sessionmaker[AsyncSession]
) -> None:
    staff = Chat(engine, user="staff")
    await grant(engine, staff, "staff")
    await ask(engine)
    await staff.say("/themfaq 1")
    assert "chưa được trả lời" in staff.text
    await staff.say(f"/traloi 1 {ANSWER}")
    await staff.say("/themfaq 1")
    assert "bản nháp" in staff.text and QUESTION in staff.text
    await staff.press("Sửa câu hỏi")
    await staff.say("Trẻ con chơi game trên điện thoại suốt đêm thì hạn chế thế nào?")
    assert "Trẻ con chơi game" in staff.text
    await staff.press("Lưu")
    assert "Đã lưu câu hỏi thường gặp số 1" in staff.text
    async with sessions() as session:
        assert [(q[:8], a) for _, q, a in await faq_entries(session)] == [("Trẻ con ", ANSWER)]

    other = Chat(engine, user="binh")
    await other.register(household="tran thi binh")
    await other.say("/hoi chau toi choi game suot dem tren dien thoai")
    assert other.replies[0].text.startswith("💡 Câu hỏi thường gặp")
    assert ANSWER in other.text
    await other.say("/hoi cach cai vneid muc 2")
    assert "Câu hỏi thường gặp" not in other.text

    resident = Chat(engine, user="an")
    await resident.tap("faq:save")  # a resident cannot reach staff buttons
    assert STALE in resident.text


async def test_deleting_my_data_deletes_my_tickets(
    engine: Engine, commune: int, sessions: async_sessionmaker[AsyncSession]
) -> None:
    resident = await ask(engine)
    await resident.say("/xoadulieu")
    await resident.press("Xoá dữ liệu của tôi")
    async with sessions() as session:
        assert await session.scalar(select(func.count(Ticket.id))) == 0


async def test_old_tickets_are_pruned_and_counts_are_reported(
    engine: Engine,
    commune: int,
    sessions: async_sessionmaker[AsyncSession],
    daytime: time_machine.Coordinates,
) -> None:
    staff = Chat(engine, user="staff")
    await grant(engine, staff, "staff")
    await ask(engine, "an")
    daytime.move_to(MORNING + timedelta(hours=3))
    await staff.say(f"/traloi 1 {ANSWER}")
    await ask(engine, "binh")
    await staff.say("/thongke")
    assert "Hỏi cán bộ: 1 câu đang chờ · 1 đã trả lời · 0 đã chuyển lên xã" in staff.text
    assert "thời gian trả lời (trung vị): 3 giờ" in staff.text
    async with sessions() as session:
        report = await build_commune_report(session, commune, datetime.now(UTC))
    assert (report.tickets.open, report.tickets.answered) == (1, 1)

    daytime.move_to(MORNING + timedelta(days=366))
    await plan_now(sessions, datetime.now(UTC))
    async with sessions() as session:
        assert await session.scalar(select(func.count(Ticket.id))) == 0


async def test_nothing_found_by_search_can_go_to_a_person(
    engine: Engine, commune: int, sessions: async_sessionmaker[AsyncSession], backend: str
) -> None:
    if backend != "sqlite":
        pytest.skip("one backend is enough")
    resident = Chat(engine)
    await resident.register()
    await resident.say("/hoi thời tiết ngày mai thế nào")
    await resident.press("Gửi câu này cho cán bộ")
    assert "câu hỏi số 1" in resident.text
    assert (await ticket(sessions)).question == "thời tiết ngày mai thế nào"


def test_stats_json_counts_tickets(tmp_path: Path) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path / 'hocvuso.db'}"

    async def seed() -> None:
        from bot.storage import db

        await db.upgrade(url)
        engine = db.make_engine(url)
        sessions = db.make_sessionmaker(engine)
        commune_id = await seed_demo_commune(sessions)
        async with sessions() as session, session.begin():
            user = User(state={}, commune_id=commune_id)
            session.add(user)
            await session.flush()
            opened = datetime(2026, 11, 30, 8, tzinfo=UTC)
            for hours, status in ((2, "answered"), (4, "answered"), (None, "open")):
                session.add(
                    Ticket(
                        resident_id=user.id,
                        commune_id=commune_id,
                        status=status,
                        question="câu hỏi",
                        opened_at=opened,
                        answered_at=opened + timedelta(hours=hours) if hours else None,
                        escalated_at=opened if hours == 4 else None,
                    )
                )
        await engine.dispose()

    run_apart(seed())
    result = subprocess.run(
        [sys.executable, "-m", "bot", "stats", "--format", "json"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        env={**os.environ, "HOCVUSO_DATABASE_URL": url},
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    [commune] = json.loads(result.stdout)["communes"]
    assert commune["tickets"] == {
        "open": 1,
        "answered": 2,
        "escalated": 1,
        "median_hours_to_answer": 3.0,
    }


def test_reports_show_the_questions_to_a_person() -> None:
    from bot.stats.exports import commune_report_docx, coverage_xlsx
    from bot.storage.tickets import TicketCounts
    from tests.stats.test_exports import _lines, _open_docx, _open_xlsx, make_report

    report = make_report()
    assert not any(
        "Hỏi cán bộ" in line for line in _lines(_open_docx(commune_report_docx(report)))
    )
    report.tickets = TicketCounts(open=1, answered=12, escalated=2, median_hours_to_answer=5.5)
    rows = [
        [c.value for c in r] for r in _open_xlsx(coverage_xlsx([report]))["Tổng hợp"].iter_rows()
    ]
    title = next(i for i, r in enumerate(rows) if r[0] == "Hỏi cán bộ (câu hỏi của người dân)")
    assert rows[title + 2][:5] == ["Kim Thành", 1, 12, 2, 5.5]
    text = " ".join(_lines(_open_docx(commune_report_docx(report))))
    assert "Hỏi cán bộ: 12 câu hỏi của người dân đã được trả lời, 1 câu đang chờ" in text
    assert "thời gian trả lời trung vị 5,5 giờ" in text


async def test_with_nobody_to_answer_the_resident_is_told_honestly(
    engine: Engine, commune: int, sessions: async_sessionmaker[AsyncSession], backend: str
) -> None:
    if backend != "sqlite":
        pytest.skip("one backend is enough")
    resident = await ask(engine)
    assert "Xã chưa có cán bộ nhận câu hỏi" in resident.text
    staff = Chat(engine, user="staff")
    await grant(engine, staff, "staff")  # appointed later: the question is waiting for them
    await staff.say("/hoidap")
    assert staff.labels[0].startswith("Số 1 · Thôn Đồng Tâm")


async def test_text_typed_long_after_asking_is_a_new_matter(
    engine: Engine,
    commune: int,
    sessions: async_sessionmaker[AsyncSession],
    daytime: time_machine.Coordinates,
    backend: str,
) -> None:
    if backend != "sqlite":
        pytest.skip("one backend is enough")
    resident = await ask(engine)
    await resident.say("máy là Samsung A10")
    assert "Đã thêm vào câu hỏi số 1" in resident.text
    daytime.move_to(MORNING + timedelta(hours=2))
    await resident.say("quet ma qr thanh toan")
    assert "những bài này sẽ giúp bạn" in resident.text
    assert "quet ma qr" not in (await ticket(sessions)).question
