"""Figures a commune can sign: totals with guard rails, classes in one go, report screens."""

from __future__ import annotations

from datetime import UTC, datetime
from io import BytesIO

import openpyxl
import time_machine
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.core.engine import Engine
from bot.scheduling.reminders import plan_deadline_reminders
from bot.stats.coverage import commune_coverage, stats_json
from bot.stats.exports import coverage_xlsx
from bot.stats.report import build_commune_report
from bot.storage.db import transaction
from bot.storage.models import (
    AuditLog,
    Household,
    OfflineLearning,
    OutboxMessage,
    ReportSubmission,
    Village,
)
from tests.factories import Chat, grant, village_named


async def _figures(
    sessions: async_sessionmaker[AsyncSession], commune: int, village: str
) -> tuple[dict[str, object], dict[str, object], list[object]]:
    """Return the village's JSON row, the commune's JSON and the village's xlsx row."""
    async with sessions() as session:
        [coverage] = await commune_coverage(session, [commune])
        report = await build_commune_report(session, commune, datetime.now(UTC))
    doc = stats_json([coverage], datetime.now(UTC))["communes"][0]
    row = next(v for v in doc["villages"] if v["name"] == village)
    ws = openpyxl.load_workbook(BytesIO(coverage_xlsx([report])))["Kim Thành"]
    xlsx = next([c.value for c in r] for r in ws.iter_rows(min_row=2) if r[0].value == village)
    return row, doc, xlsx


async def test_a_total_below_the_known_households_is_refused_and_said_why(
    engine: Engine, commune: int, sessions: async_sessionmaker[AsyncSession]
) -> None:
    # Before: "/sohodan 2" then "/sohodan 1" were taken in a village with a roster, and /thon
    # said "2/1 hộ (200,0%) — 🎉 Thôn đã đạt mục tiêu!".
    head = Chat(engine, user="head")
    await grant(engine, head, "village_head", "Thôn Đồng Tâm")  # 8 households on the roster
    await head.say("/sohodan 2")
    assert "Chưa ghi được 2 hộ" in head.text
    assert "thôn đã có 8 hộ" in head.text and "không thể nhỏ hơn 8" in head.text
    await head.say("1")  # answering the question asked again
    assert "Chưa ghi được 1 hộ" in head.text
    await head.say("/thon")
    assert "0/320 hộ" in head.text and "200" not in head.text
    village = await village_named(sessions, "Thôn Đồng Tâm")
    assert village.households_total == 320


async def test_a_big_change_is_confirmed_first_and_staff_are_told_old_and_new(
    engine: Engine, commune: int, sessions: async_sessionmaker[AsyncSession]
) -> None:
    staff = Chat(engine, user="staff")
    await grant(engine, staff, "staff")
    head = Chat(engine, user="head")
    await grant(engine, head, "village_head", "Thôn Đồng Tâm")
    await head.say("/sohodan 160")  # 320 → 160 is a change of 50%
    assert "Tổng số hộ đổi từ 320 thành 160" in head.text
    await head.press("Không, gõ lại")
    assert (await village_named(sessions, "Thôn Đồng Tâm")).households_total == 320
    await head.say("160")
    await head.press("Đúng, 160 hộ")
    assert "Thôn Đồng Tâm có 160 hộ (trước đây: 320)" in head.text
    assert "Cán bộ xã đã được báo" in head.text
    await head.say("/sohodan 150")  # a small change needs no question
    assert "Thôn Đồng Tâm có 150 hộ (trước đây: 160)" in head.text
    await head.say("/sohodan 150")  # the same value: nothing to change, nobody to tell
    assert "đã có 150 hộ trên hệ thống, không cần đổi" in head.text
    async with sessions() as session:
        told = [
            m.payload["text"]
            for m in await session.scalars(
                select(OutboxMessage)
                .where(OutboxMessage.kind == "total_changed")
                .order_by(OutboxMessage.id)
            )
        ]
        audit = await session.scalar(
            select(func.count(AuditLog.id)).where(AuditLog.action == "village.households_total")
        )
    assert told == [
        "🏘 Thôn Đồng Tâm đổi tổng số hộ: 320 → 160.",
        "🏘 Thôn Đồng Tâm đổi tổng số hộ: 160 → 150.",
    ]
    assert audit == 2


async def test_without_staff_the_head_is_not_told_that_staff_know(
    engine: Engine, commune: int
) -> None:
    head = Chat(engine, user="head")
    await grant(engine, head, "village_head", "Thôn Mới")
    await head.say("/sohodan 90")
    assert "Thôn Mới có 90 hộ" in head.text
    assert "chưa có cán bộ nào đăng ký" in head.text
    assert "đã được báo" not in head.text


async def test_more_households_taking_part_than_the_total_is_flagged_everywhere(
    engine: Engine, commune: int, sessions: async_sessionmaker[AsyncSession]
) -> None:
    staff = Chat(engine, user="staff")
    await grant(engine, staff, "staff")
    head = Chat(engine, user="head")
    await grant(engine, head, "village_head", "Thôn Mới")
    await head.say("/sohodan 2")
    await head.say("/hoctructiep Lê Văn Một, Lê Văn Hai\nLê Văn Ba")
    assert "➕ chưa có trong danh sách thôn" in head.text
    await head.press("Ghi nhận 3 hộ")
    assert "Đã ghi nhận 3 hộ dự lớp" in head.text
    await head.say("/thon")
    assert "3/2 hộ (số liệu cần kiểm tra)" in head.text
    assert "Số liệu cần kiểm tra" in head.text and "đạt mục tiêu!" not in head.text
    assert "150" not in head.text  # no percentage above 100
    await staff.say("/thongke")
    assert "Số liệu cần kiểm tra" in staff.text and "Thôn Mới" in staff.text
    assert "Thôn Mới: 3/2" not in staff.text  # not ranked
    assert "Hộ có người học: 0/1.410 hộ" in staff.text  # not counted in the commune figure
    await staff.say("/thongke thon moi")
    assert "số liệu cần kiểm tra ⚠️" in staff.text and "đạt mục tiêu ✅" not in staff.text
    row, doc, xlsx = await _figures(sessions, commune, "Thôn Mới")
    assert row["check"] is True and row["coverage_pct"] is None and row["met"] is None
    assert doc["villages_to_check"] == ["Thôn Mới"]
    assert doc["households_total"] == 1410 and doc["households_participating"] == 0
    assert xlsx[4] is None and xlsx[5] == "Cần kiểm tra" and xlsx[9] == "Cần kiểm tra"
    assert row["by_source"] == {"bot": 0, "class": 3, "platform": 0}
    assert xlsx[10:13] == [0, 3, 0]


async def test_a_community_class_takes_several_households_and_names_what_it_recorded(
    engine: Engine, commune: int, sessions: async_sessionmaker[AsyncSession]
) -> None:
    # Before: each typed name replaced the previous one; "Đã ghi xong 2 hộ" for 4 entered.
    head = Chat(engine, user="head")
    await grant(engine, head, "village_head", "Thôn Đồng Tâm")
    await head.say("/hoctructiep DT-002")  # the argument is used
    assert "1. Trần Thị Bình (DT-002)" in head.text
    await head.say("pham thi dung\nle van cuong, Vũ Đình Tuấn")
    text = head.text
    assert "1. Trần Thị Bình (DT-002)" in text  # nothing replaced
    assert "2. Phạm Thị Dung (DT-004)" in text
    assert "3. Lê Văn Cường (DT-003)" in text
    assert '4. "Vũ Đình Tuấn" ➕ chưa có trong danh sách thôn' in text
    await head.press("Ghi nhận 4 hộ")
    assert "Đã ghi nhận 4 hộ dự lớp" in head.text
    for name in ("Trần Thị Bình", "Phạm Thị Dung", "Lê Văn Cường", "Vũ Đình Tuấn"):
        assert name in head.text
    async with sessions() as session:
        recorded = await session.scalar(select(func.count(OfflineLearning.id)))
        counted = await session.scalar(
            select(func.count(Household.id)).where(Household.participating_since.is_not(None))
        )
    assert (recorded, counted) == (4, 4)
    await head.say("/thon")
    assert "4/320 hộ" in head.text and "lớp học trực tiếp: 4 hộ" in head.text


async def test_an_uncertain_name_is_marked_and_can_be_left_out(
    engine: Engine, commune: int, sessions: async_sessionmaker[AsyncSession]
) -> None:
    head = Chat(engine, user="head")
    await grant(engine, head, "village_head", "Thôn Đồng Tâm")
    await head.say("/hoctructiep")
    await head.say("DT-002\nnguyen van")  # a partial name: a guess, marked
    assert "❓ chưa chắc" in head.text
    # "1" on Zalo, the first button on Telegram: the guess is left out unless chosen.
    assert head.labels[:2] == ["Chỉ ghi 1 hộ chắc chắn", "Ghi nhận cả 2 hộ, kể cả hộ ❓ chưa chắc"]
    await head.say("1")
    assert "Đã ghi nhận 1 hộ" in head.text and "Trần Thị Bình" in head.text
    async with sessions() as session:
        assert await session.scalar(select(func.count(OfflineLearning.id))) == 1


async def test_a_submission_makes_earlier_report_screens_stale(
    engine: Engine, commune: int, sessions: async_sessionmaker[AsyncSession]
) -> None:
    head = Chat(engine, user="head")
    await grant(engine, head, "village_head", "Thôn Tân Tiến")
    with time_machine.travel("2026-12-10 10:00 +07:00", tick=False):
        await head.say("/nopbaocao 15/12")
        chat_payload = head.option("Nộp báo cáo")
        await head.say("da nop ban giay")
        assert "nộp bản giấy cho hạn 15/12/2026" in head.text
        # No staff member is registered: the head is not told that staff were told.
        assert "chưa có cán bộ nào đăng ký" in head.text and "đã được báo" not in head.text
        await head.tap(chat_payload)  # the old screen's button
        assert head.outcome.refused
        await head.say("1")
        assert "Đã nộp báo cáo" not in head.text
        await head.say("/nopbaocao 15/12")
        assert "đã nộp báo cáo cho hạn 15/12/2026" in head.text and "bản giấy" in head.text
    async with sessions() as session:
        rows = list(await session.scalars(select(ReportSubmission)))
    assert [(r.method, r.year) for r in rows] == [("paper", 2026)]


async def test_the_reminder_leads_to_the_deadline_it_is_about(
    engine: Engine, commune: int, sessions: async_sessionmaker[AsyncSession]
) -> None:
    head = Chat(engine, user="head")
    await grant(engine, head, "village_head", "Thôn Tân Tiến")
    at = datetime.fromisoformat("2026-12-01T08:30:00+07:00")
    async with transaction(sessions) as session:
        planned = await plan_deadline_reminders(session, at)
    [late] = [p for p in planned if p.due == "15/12/2026" and p.village == "Thôn Tân Tiến"]
    assert "Gõ /nopbaocao 15/12" in late.text
    with time_machine.travel(at, tick=False):
        await head.say("/nopbaocao 15/12")
    assert "Báo cáo của Thôn Tân Tiến — Báo cáo tổng hợp" in head.text
    assert "hạn 15/12/2026" in head.text


async def test_households_to_visit_come_a_phone_page_at_a_time(
    engine: Engine, commune: int, sessions: async_sessionmaker[AsyncSession]
) -> None:
    village = await village_named(sessions, "Thôn Hòa Bình")
    async with transaction(sessions) as session:
        for i in range(1, 21):
            name = f"Hộ Thứ {i:02d}"
            session.add(
                Household(
                    village_id=village.id,
                    code=f"HB-{i:03d}",
                    head_name=name,
                    head_name_folded=name.lower(),
                    source="roster",
                )
            )
    head = Chat(engine, user="head")
    await grant(engine, head, "village_head", "Thôn Hòa Bình")
    await head.say("/chuahoc")
    assert "Hộ chưa có ai học: 20 hộ, trang 1/2" in head.text
    labels = head.labels
    assert len(labels) == 13 and labels[-1] == "Trang sau ▶️"  # 12 households, then "next"
    assert labels[0] == "Hộ Thứ 01 (HB-001)"
    await head.say("13")  # the next page's number is not a household's number
    assert "trang 2/2" in head.text
    assert head.labels[:8] == [f"Hộ Thứ {i:02d} (HB-{i:03d})" for i in range(13, 21)]
    assert head.labels[8:] == ["◀️ Trang trước"]
    await head.say("9")
    assert "trang 1/2" in head.text
    await head.say("1")  # a household: offered to record it at a class
    assert "Ghi nhận hộ Hộ Thứ 01 (HB-001) đã dự lớp" in head.text
    await head.press("Ghi nhận")
    assert "Đã ghi nhận 1 hộ" in head.text


async def test_invites_and_notices_page_through_every_village(
    engine: Engine, commune: int, sessions: async_sessionmaker[AsyncSession]
) -> None:
    async with transaction(sessions) as session:
        for i in range(1, 36):
            name = f"Thôn Số {i}"
            session.add(Village(commune_id=commune, name=name, name_folded=name.lower()))
    staff = Chat(engine, user="staff")
    await grant(engine, staff, "staff")
    await staff.say("/moi")
    await staff.press("Trưởng thôn")
    seen: list[str] = []
    for _ in range(5):
        seen += [label for label in staff.labels if "Trang" not in label]
        if "Trang sau ▶️" not in staff.labels:
            break
        await staff.press("Trang sau ▶️")
    assert len(seen) == 41 and "Thôn Số 35" in seen  # 6 demo villages and 35 more
    assert seen.index("Thôn Số 2") < seen.index("Thôn Số 10")
    await staff.press("Thôn Số 35")
    assert "Mã mời trưởng thôn của Thôn Số 35" in staff.text
    await staff.say("/guitin")
    await staff.press("Một thôn")
    assert "trang 1/4" in staff.text
    await staff.press("Trang sau ▶️")
    await staff.press("Trang trước")
    assert "trang 1/4" in staff.text


async def test_a_command_word_glued_to_its_number_is_read_like_a_spaced_one(
    engine: Engine, commune: int, sessions: async_sessionmaker[AsyncSession]
) -> None:
    # Found by fuzzing: "SOHODAN:0" typed without "/" (a keyboard that adds no space) failed
    # with "Hệ thống đang bận"; it is the command with its number, like "sohodan 0".
    resident = Chat(engine, user="resident")
    await resident.register()
    await resident.say("SOHODAN:0")
    assert "Lệnh này chỉ dành cho" in resident.text and "đang bận" not in resident.text
    head = Chat(engine, user="head")
    await grant(engine, head, "village_head", "Thôn Đồng Tâm")
    await head.say("SOHODAN:330")
    assert "Thôn Đồng Tâm có 330 hộ (trước đây: 320)" in head.text
    assert (await village_named(sessions, "Thôn Đồng Tâm")).households_total == 330
