"""Village heads in chat: invites, village figures, households to visit, classes, the report."""

from __future__ import annotations

import time_machine
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.core.engine import Engine
from bot.storage.models import (
    AuditLog,
    Household,
    OutboxMessage,
    ReportSubmission,
    User,
    Village,
)
from tests.factories import Chat, grant, household_named, village_named


async def test_invite_code_makes_a_village_head_once(
    engine: Engine, commune: int, sessions: async_sessionmaker[AsyncSession]
) -> None:
    staff = Chat(engine, user="staff")
    await grant(engine, staff, "staff")
    await staff.say("/moi")
    await staff.press("Trưởng thôn")
    await staff.press("Thôn Đồng Tâm")
    assert "Mã mời trưởng thôn của Thôn Đồng Tâm" in staff.text
    code = staff.text.split("/nhanma ")[1].split()[0]

    head = Chat(engine, user="head")
    await head.say(f"nhanma {code.lower()}")  # typed without "/" and in lower case
    assert "Bạn có đồng ý không?" in head.text  # never consented: asked first
    await head.press("Đồng ý, nhận vai trò")
    assert "vai trò trưởng thôn của Thôn Đồng Tâm" in head.text
    assert head.outcome.role_changed == "village_head"
    other = Chat(engine, user="someone-else")
    await other.say(f"/nhanma {code}")
    await other.press("Đồng ý, nhận vai trò")
    assert "đã được dùng rồi" in other.text
    village = await village_named(sessions, "Thôn Đồng Tâm")
    async with sessions() as session:
        user = await session.scalar(select(User).where(User.role == "village_head"))
        assert user is not None and user.scope_village_id == village.id
        actions = list(await session.scalars(select(AuditLog.action)))
        assert actions.count("invite.create") == 2
        assert actions.count("invite.redeem") == 2


async def test_expired_and_wrong_codes_are_refused(engine: Engine, commune: int) -> None:
    staff = Chat(engine, user="staff")
    await grant(engine, staff, "admin")  # only admins mint staff codes
    with time_machine.travel("2026-11-01 08:00 +07:00", tick=False) as clock:
        await staff.say("/moi")
        await staff.press("Cán bộ xã")
        code = staff.text.split("/nhanma ")[1].split()[0]
        clock.shift(60 * 60 * 24 * 8)
        late = Chat(engine, user="late")
        await late.say(f"/nhanma {code}")
        await late.press("Đồng ý, nhận vai trò")
        assert "đã hết hạn" in late.text
    await late.say("/nhanma HVS-AAAA-BBBB")
    assert "Mã mời không đúng" in late.text


async def test_village_figures_and_households_to_visit(
    engine: Engine, commune: int, sessions: async_sessionmaker[AsyncSession]
) -> None:
    resident = Chat(engine, user="an")
    await resident.register()
    await resident.complete_lesson("L01")
    head = Chat(engine, user="head")
    await grant(engine, head, "village_head", "Thôn Đồng Tâm")
    await head.say("/thon")
    assert "Hộ có người học: 1/320 hộ (0,3%) — mục tiêu 60%" in head.text
    assert "Cần thêm 191 hộ nữa" in head.text
    await head.say("/chuahoc")
    assert "Hộ chưa có ai học: 7 hộ" in head.text
    assert "Trần Thị Bình (DT-002)" in head.labels
    assert "Nguyễn Văn An (DT-001)" not in head.labels


async def test_declaring_the_total_is_audited_and_checked(
    engine: Engine, commune: int, sessions: async_sessionmaker[AsyncSession]
) -> None:
    head = Chat(engine, user="head")
    await grant(engine, head, "village_head", "Thôn Mới")
    await head.say("/thon")
    assert "chưa khai báo tổng số hộ" in head.text
    await head.say("/sohodan")
    await head.say("nhiều lắm")
    assert "Bạn gõ một số" in head.text
    await head.say("150")
    assert "Thôn Mới có 150 hộ" in head.text
    for typed in ("/sohodan 160 hộ", "/sohodan một trăm bảy mươi"):  # as people say it
        await head.say(typed)
        assert "Bạn gõ một số" not in head.text
    assert "Thôn Mới có 170 hộ (trước đây: 160)" in head.text
    await head.say("/sohodan 1.200")
    assert "đổi từ 170 thành 1.200" in head.text  # more than 30%: asked first
    await head.press("Đúng, 1.200 hộ")
    assert "có 1.200 hộ (trước đây: 170)" in head.text
    village = await village_named(sessions, "Thôn Mới")
    assert village.households_total == 1200
    async with sessions() as session:
        audit = list(
            await session.scalars(
                select(AuditLog).where(AuditLog.action == "village.households_total")
            )
        )
        assert [a.detail for a in audit] == [
            {"before": None, "after": 150},
            {"before": 150, "after": 160},
            {"before": 160, "after": 170},
            {"before": 170, "after": 1200},
        ]


async def test_numbers_in_other_scripts_are_read_or_refused_kindly(
    engine: Engine, commune: int, sessions: async_sessionmaker[AsyncSession]
) -> None:
    head = Chat(engine, user="head")
    await grant(engine, head, "village_head", "Thôn Mới")
    await head.say("/sohodan 12²")  # "²" looks like a digit to str.isdigit(), not to int()
    assert not head.outcome.failed
    assert "Bạn gõ một số" in head.text
    await head.say("/sohodan ٣٠")  # Arabic-Indic digits are a number
    assert "Thôn Mới có 30 hộ" in head.text
    await head.say("/chuahoc ①")
    assert not head.outcome.failed
    assert "Mọi hộ trong danh sách của thôn đều đã có người học" in head.text
    other = Chat(engine, user="other-head")
    await grant(engine, other, "village_head", "Thôn Đồng Tâm")
    await other.say("/chuahoc 99999999999999999999")  # past the last page, and past int64
    assert not other.outcome.failed
    assert "Hộ chưa có ai học: 8 hộ" in other.text
    assert "Trần Thị Bình (DT-002)" in other.labels


async def test_community_class_counts_households(
    engine: Engine, commune: int, sessions: async_sessionmaker[AsyncSession]
) -> None:
    head = Chat(engine, user="head")
    await grant(engine, head, "village_head", "Thôn Đồng Tâm")
    await head.say("/hoctructiep")
    await head.say("tran thi binh")
    assert "1. Trần Thị Bình (DT-002)" in head.text
    await head.say("DT-003")  # added to the list, not replacing it
    assert "1. Trần Thị Bình (DT-002)" in head.text and "2. Lê Văn Cường (DT-003)" in head.text
    await head.press("Ghi nhận 2 hộ")
    assert "Đã ghi nhận 2 hộ dự lớp" in head.text
    assert "Trần Thị Bình (DT-002) — từ nay được tính" in head.text
    binh = await household_named(sessions, "Trần Thị Bình")
    assert binh.participating_since is not None
    await head.say("/thon")
    assert "2/320 hộ" in head.text
    assert "lớp học trực tiếp: 2 hộ" in head.text


async def test_report_is_submitted_once_and_staff_are_told(
    engine: Engine, commune: int, sessions: async_sessionmaker[AsyncSession]
) -> None:
    staff = Chat(engine, user="staff")
    await grant(engine, staff, "staff")
    head = Chat(engine, user="head")
    await grant(engine, head, "village_head", "Thôn Đồng Tâm")
    with time_machine.travel("2026-12-01 10:00 +07:00", tick=False):
        await head.say("/hanbaocao")
        assert "05/12/2026" in head.text and "còn 4 ngày" in head.text
        assert "thôn chưa nộp" in head.text
        await head.say("/nopbaocao")
        assert "hai hạn báo cáo chưa nộp" in head.text  # 05/12 and 15/12 are both open
        await head.press("05/12")
        assert "Báo cáo của Thôn Đồng Tâm" in head.text
        assert "(hạn 05/12/2026), còn 4 ngày" in head.text
        assert head.text.count("05/12") == 1  # the deadline is not printed twice
        await head.press("Nộp báo cáo")
        assert "Đã nộp báo cáo của Thôn Đồng Tâm cho hạn 05/12/2026" in head.text
        await head.say("/nopbaocao 05/12")
        assert "đã nộp báo cáo cho hạn 05/12/2026" in head.text
        await head.say("/hanbaocao")
        assert "thôn đã nộp ✅" in head.text
    async with sessions() as session:
        [row] = list(await session.scalars(select(ReportSubmission)))
        assert row.method == "chat" and row.year == 2026
        assert row.snapshot["households_total"] == 320
        told = list(
            await session.scalars(select(OutboxMessage).where(OutboxMessage.kind == "submitted"))
        )
        assert len(told) == 1
        assert "Thôn Đồng Tâm đã nộp báo cáo" in told[0].payload["text"]


async def test_paper_submission_is_recorded(
    engine: Engine, commune: int, sessions: async_sessionmaker[AsyncSession]
) -> None:
    head = Chat(engine, user="head")
    await grant(engine, head, "village_head", "Thôn Tân Tiến")
    with time_machine.travel("2026-12-10 10:00 +07:00", tick=False):
        await head.say("nop bao cao")
        assert "hai hạn báo cáo chưa nộp" in head.text  # 05/12 passed unreported; 15/12 open
        await head.press("15/12")
        assert "(hạn 15/12/2026), còn 5 ngày" in head.text
        await head.press("Đã nộp bản giấy")
        assert "nộp bản giấy" in head.text
    async with sessions() as session:
        assert await session.scalar(select(ReportSubmission.method)) == "paper"


async def test_a_village_head_cannot_reach_another_village(
    engine: Engine, commune: int, sessions: async_sessionmaker[AsyncSession]
) -> None:
    head = Chat(engine, user="head")
    await grant(engine, head, "village_head", "Thôn Tân Tiến")
    await head.say("/hoctructiep")
    await head.say("DT-002")  # a household of Thôn Đồng Tâm
    assert '"DT-002" ⚠️ không tìm thấy trong thôn' in head.text
    assert not any("Ghi nhận" in label for label in head.labels)
    await head.tap("lop:2")  # forged: not offered
    assert head.outcome.refused
    await head.say("/chuahoc")
    assert "Trần Thị Bình" not in head.text
    async with sessions() as session:
        assert (
            await session.scalar(
                select(func.count(Household.id)).where(Household.participating_since.is_not(None))
            )
            == 0
        )
        villages = {v.name: v.households_total for v in await session.scalars(select(Village))}
    assert villages["Thôn Đồng Tâm"] == 320


async def test_a_new_village_head_is_at_home_in_their_menu(engine: Engine, commune: int) -> None:
    """A head who took the role but has not signed up to learn: greetings, a cancelled task
    and stray numbers bring the head's own menu, never the learners' sign-up questions; the
    sign-up is there for when they choose "Chọn bài học"."""
    head = Chat(engine, user="head-moi")
    await grant(engine, head, "village_head", "Thôn Đồng Tâm")
    for said in ("/start", "xin chao"):
        await head.say(said)
        assert "Ghi nhận lớp học trực tiếp" in " ".join(head.labels), said
        assert "Bạn thuộc nhóm nào" not in head.text
    await head.say("/hoctructiep")
    await head.press("Huỷ")
    await head.say("1")
    assert "Bạn thuộc nhóm nào" not in head.text
    assert "Ghi nhận lớp học trực tiếp" in " ".join(head.labels)
    await head.press("Chọn bài học")
    assert "Bạn thuộc nhóm nào" in head.text
