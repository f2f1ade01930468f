"""Unit heads in chat: the invite, /donvi, the yearly report with skips, a detour and a fix."""

from __future__ import annotations

import asyncio
import json
from datetime import UTC, datetime
from pathlib import Path

import time_machine
from sqlalchemy import delete, func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.core.engine import Engine
from bot.core.router import NO_BACK_FIRST
from bot.stats.units import units_json
from bot.storage.db import transaction
from bot.storage.models import AuditLog, Deadline, OutboxMessage, Unit, UnitReport, User
from bot.storage.units import import_units
from tests.factories import Chat, grant, grant_unit_head, user_of

UNITS_CSV = (
    "Xã,Loại,Tên đơn vị,Tổng số người\n"
    "Kim Thành,Trường học,Trường THCS Kim Thành,45\n"
    "Kim Thành,co quan,UBND xã Kim Thành,30\n"
)


async def add_units(sessions: async_sessionmaker[AsyncSession], tmp_path: Path) -> None:
    path = tmp_path / "don-vi.csv"
    path.write_text(UNITS_CSV, encoding="utf-8")
    async with transaction(sessions) as session:
        await import_units(session, path)


async def invited_head(engine: Engine, staff: Chat, unit: str, user: str = "hieutruong") -> Chat:
    """Staff make a code with /moi; the unit head redeems it."""
    await staff.say("/moi")
    await staff.press("Thủ trưởng đơn vị")
    await staff.press(unit)
    assert f"Mã mời thủ trưởng đơn vị của {unit}" in staff.text
    code = staff.text.split("/nhanma ")[1].split()[0]
    head = Chat(engine, user=user)
    await head.say(f"/nhanma {code}")
    await head.press("Đồng ý, nhận vai trò")
    assert f"vai trò thủ trưởng đơn vị của {unit}" in head.text
    assert "/nopbaocao — làm và nộp báo cáo thi đua" in head.text
    return head


async def test_a_unit_head_reports_with_a_skip_a_detour_and_a_correction(
    engine: Engine, commune: int, sessions: async_sessionmaker[AsyncSession], tmp_path: Path
) -> None:
    await add_units(sessions, tmp_path)
    staff = Chat(engine, user="staff")
    await grant(engine, staff, "staff")
    with time_machine.travel("2026-11-20 09:00 +07:00", tick=False):
        head = await invited_head(engine, staff, "Trường THCS Kim Thành")
        async with sessions() as session:
            user = await session.scalar(select(User).where(User.role == "unit_head"))
            unit = await session.scalar(select(Unit).where(Unit.name == "Trường THCS Kim Thành"))
            assert user is not None and unit is not None
            assert (user.scope_unit_id, user.scope_commune_id) == (unit.id, commune)

        await head.say("/donvi")
        assert "Trường THCS Kim Thành (trường học), xã Kim Thành" in head.text
        assert "Tổng số người: 45" in head.text
        assert "Chưa nộp báo cáo" in head.text and "còn 15 ngày" in head.text
        await staff.say("/chuanop")
        assert "Đơn vị chưa nộp (2/2; đã nộp 0)" in staff.text
        assert "Trường học:\n• Trường THCS Kim Thành" in staff.text
        assert "Cơ quan:\n• UBND xã Kim Thành" in staff.text

        await head.say("/nopbaocao")
        assert "Báo cáo thi đua của Trường THCS Kim Thành" in head.text
        assert "giữ số 45" in head.text
        await head.say("bỏ qua")  # keeps the 45 people on the list
        assert "2/6" in head.text
        await head.say("năm mươi")
        assert "nhiều hơn tổng số người của đơn vị (45)" in head.text and "2/6" in head.text
        await head.say("-3")
        assert "không thể là số âm" in head.text
        await head.say("chưa biết nữa")
        assert "chưa đọc được số" in head.text and "2/6" in head.text
        await head.say("ba mươi")
        assert "3/6" in head.text
        await head.say("không")  # no class yet (a typed "0" is the menu everywhere)
        assert "4/6" in head.text

        await head.say("menu")  # a detour: the draft stays
        assert "🏢 Đơn vị của tôi" in head.labels
        await head.say("/thon")
        assert "Lệnh này chỉ dành cho" in head.text  # no village data for a unit head
        await head.say("/nopbaocao")
        assert "Làm tiếp báo cáo đang dở" in head.text and "4/6" in head.text
        await head.say("Toàn bộ giáo viên dùng chữ ký số, hồ sơ nộp trực tuyến")
        assert "5/6" in head.text
        await head.say("bỏ qua")
        assert "6/6" in head.text
        await head.press("Cá nhân")
        await head.say("Nguyễn Thị Lan, giáo viên tin học")
        assert "Thành tích của Nguyễn Thị Lan" in head.text
        await head.say("Hướng dẫn 200 phụ huynh cài VNeID")
        assert "Đã thêm đề nghị: cá nhân Nguyễn Thị Lan" in head.text
        await head.say("xong")
        assert "Xem lại báo cáo" in head.text
        assert "1. Tổng số người: 45" in head.text
        assert "2. Đã học kỹ năng số năm nay: 30 (66,7%)" in head.text
        assert "3. Số lớp, buổi học đã tổ chức: 0" in head.text
        assert "5. Sáng kiến: (bỏ qua)" in head.text
        nominated = (
            "• Cá nhân Nguyễn Thị Lan, giáo viên tin học: Hướng dẫn 200 phụ huynh cài VNeID"
        )
        assert f"khen thưởng:\n{nominated}" in head.text

        await head.press("Sửa một phần")
        await head.press("3. Số lớp")
        await head.say("2")
        assert "3. Số lớp, buổi học đã tổ chức: 2" in head.text  # straight back to the review
        await head.press("Gửi báo cáo")
        assert "Đã nộp báo cáo thi đua của Trường THCS Kim Thành — hạn 05/12/2026" in head.text
        assert "Cán bộ xã đã được báo" in head.text

        await staff.say("/chuanop")
        assert "Đơn vị chưa nộp (1/2; đã nộp 1)" in staff.text
        assert "Trường THCS Kim Thành" not in staff.text
        await staff.say("/donvi")
        assert "✅ Trường THCS Kim Thành — 45 người, 30 đã học" in staff.text
        assert "⏳ UBND xã Kim Thành — 30 người — chưa nộp (chưa có người phụ trách" in staff.text

    with time_machine.travel("2026-12-01 09:00 +07:00", tick=False):
        # One report a year answers every deadline: the 15/12 one asks for nothing new.
        await head.say("/nopbaocao")
        assert "Đơn vị đã nộp báo cáo này lúc 09:00 20/11/2026 (lần 1)" in head.text
        await head.say("/donvi")
        assert "Chưa nộp" not in head.text and "15/12" not in head.text
        await head.say("/nopbaocao 05/12")
        assert "Đơn vị đã nộp báo cáo này lúc 09:00 20/11/2026 (lần 1)" in head.text
        await head.press("Sửa báo cáo")
        assert "bản sửa của báo cáo đã nộp (lần 2)" in head.text
        await head.press("Sửa một phần")
        await head.press("2. Đã học")
        await head.say("bốn mươi")
        assert "2. Đã học kỹ năng số năm nay: 40 (88,9%)" in head.text
        await head.press("Gửi bản sửa")
        assert "Đã gửi bản sửa (lần 2)" in head.text
        async with sessions() as session:
            [report] = list(await session.scalars(select(UnitReport)))
            assert (report.revision, report.members_learned, report.classes_held) == (2, 40, 2)
            assert [h["members_learned"] for h in report.history] == [30]
            assert report.history[0]["revision"] == 1 and report.history[0]["replaced_by"]
            assert report.nominations[0]["kind"] == "ca_nhan"
            actions = list(await session.scalars(select(AuditLog.action)))
            assert actions.count("unit_report.submit") == 1
            assert actions.count("unit_report.correct") == 1
            told = list(
                await session.scalars(
                    select(OutboxMessage).where(OutboxMessage.kind == "unit_submitted")
                )
            )
            assert len(told) == 2  # sent, then corrected
            units = await units_json(session, commune, datetime.now(UTC))
        school = [u for u in units if u["name"] == "Trường THCS Kim Thành"]
        assert school == [
            {
                "name": "Trường THCS Kim Thành",
                "kind": "truong_hoc",
                "members_total": 45,
                "members_learned": 40,
                "reported": True,
            }
        ]
        office = next(u for u in units if u["kind"] == "co_quan")
        assert (office["members_learned"], office["reported"]) == (None, False)

    with time_machine.travel("2026-12-06 09:00 +07:00", tick=False):
        await head.say("/nopbaocao 05/12")
        assert "Đã quá hạn 05/12/2026 nên báo cáo không sửa được nữa" in head.text
        assert "Sửa báo cáo" not in head.labels


async def test_a_unit_head_sees_only_their_unit_and_a_draft_survives_a_restart(
    engine: Engine,
    commune: int,
    sessions: async_sessionmaker[AsyncSession],
    tmp_path: Path,
    curriculum: object,
) -> None:
    from bot.core.engine import Engine as Fresh
    from bot.handlers import build_router

    await add_units(sessions, tmp_path)
    admin = Chat(engine, user="admin")
    await grant(engine, admin, "staff")
    with time_machine.travel("2026-11-25 09:00 +07:00", tick=False):
        head = await invited_head(engine, admin, "UBND xã Kim Thành", user="chutich")
        await head.say("/nopbaocao")
        await head.say("28")
        assert "2/6" in head.text
        for command in ("/thon", "/chuahoc", "/thongke", "/chuanop", "/moi"):
            await head.say(command)
            assert "Lệnh này chỉ dành cho" in head.text, command
        await head.say("/donvi")
        assert "UBND xã Kim Thành" in head.text and "Trường THCS" not in head.text
        assert "bản nháp đang làm dở" in head.text

        # The bot restarts: a new engine over the same database finds the draft.
        again = Chat(Fresh(sessions, build_router(), engine.curriculum), user="chutich")
        await again.say("/nopbaocao")
        assert "Làm tiếp báo cáo đang dở" in again.text and "2/6" in again.text
        await again.say("thôi")  # stop leaves the step, not the draft
        await again.say("/nopbaocao")
        assert "Làm tiếp báo cáo đang dở" in again.text and "2/6" in again.text
        await again.say("99999999")
        assert "lớn quá" in again.text


async def test_going_back_a_question_puts_the_answer_where_it_was_asked(
    engine: Engine, commune: int, sessions: async_sessionmaker[AsyncSession]
) -> None:
    head = Chat(engine, user="hieutruong")
    await grant_unit_head(engine, head, "Trường THCS Kim Thành")
    with time_machine.travel("2026-11-20 09:00 +07:00", tick=False):
        await head.say("/nopbaocao")
        await head.say("40")
        assert "2/6" in head.text
        await head.say("quay lại")
        assert "1/6" in head.text
        await head.say("35")  # the answer to 1/6, asked again: not the 2/6 figure
        assert "2/6" in head.text
        await head.say("30")
        assert "3/6" in head.text
        for answer in ("không", "bỏ qua", "bỏ qua"):
            await head.say(answer)
        await head.press("Tập thể")
        await head.say("Tổ Văn phòng")
        await head.say("Cài VNeID cho 300 người")
        assert "Đã thêm đề nghị: tập thể Tổ Văn phòng" in head.text
        await head.say("quay lại")  # back to the achievement of the nomination just added
        assert "Thành tích của Tổ Văn phòng" in head.text
        await head.say("Cài VNeID cho 400 người")  # corrects it, adds nothing
        assert "Hệ thống đang bận" not in head.text
        assert "6/6" in head.text and "Đã có 1 đề nghị" in head.text
        await head.press("Xong")
    assert "1. Tổng số người: 35" in head.text
    assert "2. Đã học kỹ năng số năm nay: 30 (85,7%)" in head.text
    assert "• Tập thể Tổ Văn phòng: Cài VNeID cho 400 người" in head.text
    assert "300 người" not in head.text


async def test_a_way_out_at_every_question_of_the_unit_report(
    engine: Engine, commune: int, sessions: async_sessionmaker[AsyncSession]
) -> None:
    head = Chat(engine, user="hieutruong")
    await grant_unit_head(engine, head, "Trường THCS Kim Thành")
    with time_machine.travel("2026-11-20 09:00 +07:00", tick=False):
        await head.say("/nopbaocao")
        await head.say("/huy")  # typed with a slash, as on Telegram
        assert "Đã dừng" in head.text and "chưa biết lệnh" not in head.text
        await head.say("/nopbaocao")
        assert "Làm tiếp báo cáo đang dở" in head.text
        for typed in ("😀", "asdfgh", "trợ giúp"):
            await head.say(typed)
            assert "1/6" in head.text and "Hệ thống đang bận" not in head.text, typed
        await head.say("x" * 5000)
        assert "dài quá" in head.text and "1/6" in head.text
        for answer in ("45", "30", "2", "bỏ qua", "bỏ qua"):
            await head.say(answer)
        await head.press("Cá nhân")
        for typed in ("😀", "N" * 500):
            await head.say(typed)
            assert "Họ tên và chức vụ" in head.text, typed
        await head.say("menu")
        assert "🏢 Đơn vị của tôi" in head.labels
    async with sessions() as session:
        assert await session.scalar(select(UnitReport)) is None


async def test_a_report_sent_twice_at_once_is_recorded_once(
    engine: Engine, commune: int, sessions: async_sessionmaker[AsyncSession]
) -> None:
    staff = Chat(engine, user="staff")
    await grant(engine, staff, "staff")
    head, deputy = Chat(engine, user="hieutruong"), Chat(engine, user="hieupho")
    await grant_unit_head(engine, head, "Trường THCS Kim Thành")
    await grant_unit_head(engine, deputy, "Trường THCS Kim Thành")

    async def to_review(chat: Chat) -> None:
        await chat.say("/nopbaocao")
        for answer in ("40", "30", "2", "bỏ qua", "bỏ qua"):
            await chat.say(answer)
        await chat.press("Xong")
        assert "Xem lại báo cáo" in chat.text

    with time_machine.travel("2026-11-20 09:00 +07:00", tick=False):
        await to_review(head)
        send = head.option("Gửi báo cáo")
        await asyncio.gather(head.tap(send), head.tap(send))  # a double tap
        await head.tap(send)  # and a late third one
        assert "Câu này đã qua" in head.text

        # The deputy sends while the head's report is being written: it becomes a correction.
        async with sessions() as session:
            await session.execute(delete(UnitReport))
            await session.commit()
        await to_review(deputy)
        async with sessions() as other:
            unit = await other.scalar(select(Unit))
            deadline = await other.scalar(select(Deadline).order_by(Deadline.id))
            assert unit is not None and deadline is not None
            other.add(
                UnitReport(
                    unit_id=unit.id,
                    deadline_id=deadline.id,
                    year=2026,
                    submitted_at=datetime.now(UTC),
                    members_total=40,
                    members_learned=20,
                    nominations=[],
                    history=[],
                )
            )
            await other.flush()
            pressing = asyncio.create_task(deputy.press("Gửi báo cáo"))
            await asyncio.sleep(0.5)  # the press waits for the head's transaction
            await other.commit()
        await pressing
        assert "Hệ thống đang bận" not in deputy.text
        assert "Đã gửi bản sửa (lần 2)" in deputy.text
    async with sessions() as session:
        [report] = list(await session.scalars(select(UnitReport)))
        assert (report.revision, report.members_learned) == (2, 30)
        assert [h["members_learned"] for h in report.history] == [20]
        actions = list(await session.scalars(select(AuditLog.action)))
        assert actions.count("unit_report.submit") == 1  # the double tap
        told = await session.scalar(
            select(func.count())
            .select_from(OutboxMessage)
            .where(OutboxMessage.kind == "unit_submitted")
        )
        assert told == 2  # the head's report, then the deputy's correction


async def test_forged_buttons_and_a_role_taken_back_mid_report_change_nothing(
    engine: Engine, commune: int, sessions: async_sessionmaker[AsyncSession]
) -> None:
    from bot.services.roles import revoke_role

    head = Chat(engine, user="hieutruong")
    await grant_unit_head(engine, head, "Trường THCS Kim Thành")
    with time_machine.travel("2026-11-20 09:00 +07:00", tick=False):
        await head.say("/nopbaocao")
        await head.say("40")
        for forged in ("dv:send", "dv:correct:1-2026", "dv:part:total", "ktm:2026:nom:1:0:p"):
            await head.tap(forged)  # never offered: refused, the question stays
            assert "Câu này đã qua" in head.text and "2/6" in head.text, forged
        async with transaction(sessions) as session:
            user = await session.scalar(select(User).where(User.role == "unit_head"))
            assert user is not None
            await revoke_role(session, user, datetime.now(UTC))
        await head.say("30")  # the report's question went with the role
        assert "2/6" not in head.text and "Hệ thống đang bận" not in head.text
        await head.say("/nopbaocao")
        assert "Lệnh này chỉ dành cho" in head.text
    async with sessions() as session:
        assert await session.scalar(select(UnitReport)) is None


async def test_going_back_at_the_first_question_stays_in_the_report(
    engine: Engine, commune: int, sessions: async_sessionmaker[AsyncSession]
) -> None:
    head = Chat(engine, user="hieutruong")
    await grant_unit_head(engine, head, "Trường THCS Kim Thành")  # answers the consent question
    with time_machine.travel("2026-11-20 09:00 +07:00", tick=False):
        await head.say("/nopbaocao")
        assert "1/6" in head.text
        await head.say("quay lại")  # nothing before question 1, not the invite's consent
        assert NO_BACK_FIRST in head.text and "1/6" in head.text
        assert "đồng ý" not in head.text.lower()
        assert "Không đồng ý" not in head.labels
        await head.say("Không đồng ý")
        assert "chưa nhận vai trò" not in head.text and "1/6" in head.text
        await head.say("40")
        await head.say("quay lại")  # inside the report, going back still works
        assert "1/6" in head.text
    async with sessions() as session:
        user = await session.scalar(select(User).where(User.role == "unit_head"))
        assert user is not None  # the role is kept


async def test_stopping_the_report_says_how_to_resume_it(
    engine: Engine, commune: int, sessions: async_sessionmaker[AsyncSession]
) -> None:
    head = Chat(engine, user="hieutruong")
    await grant_unit_head(engine, head, "Trường THCS Kim Thành")
    with time_machine.travel("2026-11-20 09:00 +07:00", tick=False):
        await head.say("/nopbaocao")
        await head.say("40")
        for typed in ("thôi", "/huy"):
            await head.say(typed)
            assert "Đã dừng" in head.text, typed
            assert "Bản nháp báo cáo vẫn được giữ" in head.text, typed
            assert "gõ /nopbaocao để làm tiếp" in head.text, typed
            assert "/tiep" not in head.text and "học tiếp" not in head.text, typed
            await head.say("/nopbaocao")
            assert "Làm tiếp báo cáo đang dở" in head.text and "2/6" in head.text


async def test_a_revoked_unit_head_keeps_no_draft(
    engine: Engine, commune: int, sessions: async_sessionmaker[AsyncSession]
) -> None:
    from bot.services.roles import revoke_role

    head = Chat(engine, user="hieutruong")
    await grant_unit_head(engine, head, "Trường THCS Kim Thành")
    with time_machine.travel("2026-11-20 09:00 +07:00", tick=False):
        await head.say("/nopbaocao")
        for answer in ("45", "30", "2", "bỏ qua", "bỏ qua"):
            await head.say(answer)
        await head.press("Cá nhân")
        await head.say("Phạm Thu Hà, giáo viên tin học")
        await head.say("Kèm cặp 200 phụ huynh")
        await head.press("Cá nhân")
        await head.say("Đỗ Minh Khôi")  # a second nominee, waiting for the achievement
        assert "Thành tích của Đỗ Minh Khôi" in head.text
        async with transaction(sessions) as session:
            user = await session.scalar(select(User).where(User.role == "unit_head"))
            assert user is not None
            await revoke_role(session, user, datetime.now(UTC))
        user = await user_of(sessions, "hieutruong")
        assert user is not None and user.role == "resident"
        kept = json.dumps(user.state, ensure_ascii=False)
        for personal in ("Phạm Thu Hà", "Đỗ Minh Khôi", "Kèm cặp"):
            assert personal not in kept, kept
        await head.say("Kèm cặp 300 phụ huynh")  # what was open is gone with the role
        assert "Hệ thống đang bận" not in head.text and "Thành tích" not in head.text

        await grant_unit_head(engine, head, "Trường THCS Kim Thành")  # invited again
        await head.say("/nopbaocao")
        assert "Làm tiếp" not in head.text and "1/6" in head.text
    async with sessions() as session:
        assert await session.scalar(select(UnitReport)) is None


async def test_done_typed_as_a_nominee_name_adds_no_nomination(
    engine: Engine, commune: int, sessions: async_sessionmaker[AsyncSession]
) -> None:
    head = Chat(engine, user="hieutruong")
    await grant_unit_head(engine, head, "Trường THCS Kim Thành")
    with time_machine.travel("2026-11-20 09:00 +07:00", tick=False):
        await head.say("/nopbaocao")
        for answer in ("45", "30", "2", "bỏ qua", "bỏ qua"):
            await head.say(answer)
        for kind, typed in (("Tập thể", "xong"), ("Cá nhân", "thôi"), ("Cá nhân", "bỏ qua")):
            await head.press(kind)
            await head.say(typed)
            assert "không ghi đề nghị này" in head.text, typed
            assert "6/6" in head.text and "Đã có" not in head.text, typed
            assert "Thành tích của" not in head.text and "Đã dừng" not in head.text, typed
        await head.press("Cá nhân")
        await head.say("Nguyễn Thị Lan")
        await head.say("xong")  # the achievement question is not the name's: kept as before
        await head.press("Xong")
        assert "Xem lại báo cáo" in head.text
        assert "• Cá nhân Nguyễn Thị Lan" in head.text and "• Tập thể" not in head.text
        await head.press("Gửi báo cáo")
    async with sessions() as session:
        [report] = list(await session.scalars(select(UnitReport)))
        assert [n["name"] for n in report.nominations] == ["Nguyễn Thị Lan"]
