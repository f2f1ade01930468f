"""Roles that can be taken back, in chat and from the shell; only admins mint staff codes."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.core.engine import Engine
from bot.storage.models import AuditLog, OutboxMessage
from tests.factories import Chat, grant, user_of
from tests.test_cli import hocvuso


async def test_staff_see_roles_and_revoke_a_village_head_after_confirming(
    engine: Engine, commune: int, sessions: async_sessionmaker[AsyncSession]
) -> None:
    staff = Chat(engine, user="staff")
    await grant(engine, staff, "staff")
    head = Chat(engine, user="head", channel="telegram")
    await head.register()
    await grant(engine, head, "village_head", "Thôn Đồng Tâm")
    await staff.say("/vaitro")
    assert "Vai trò trong xã Kim Thành" in staff.text
    assert "Người head: trưởng thôn (Thôn Đồng Tâm, Kim Thành)" in staff.text
    assert "Người staff: cán bộ xã (Kim Thành)" in staff.text
    await staff.press("Thu hồi: Người head")
    assert "Thu hồi vai trò trưởng thôn của Người head" in staff.text
    await staff.press("Không, giữ nguyên")
    await head.say("/thon")
    assert "0/320" in head.text or "Thôn Đồng Tâm" in head.text  # still a village head
    await staff.say("/vaitro")
    await staff.press("Thu hồi: Người head")
    await staff.press("Thu hồi")
    assert "Đã thu hồi vai trò trưởng thôn của Người head" in staff.text
    await head.say("/thon")
    assert "Lệnh này chỉ dành cho trưởng thôn" in head.text
    async with sessions() as session:
        revoked = await session.scalar(select(AuditLog).where(AuditLog.action == "role.revoke"))
        assert revoked is not None and revoked.detail["role"] == "village_head"
        told = await session.scalar(select(OutboxMessage).where(OutboxMessage.kind == "role"))
        assert told is not None and told.chat_id == "head"
        assert (
            "trưởng thôn (Thôn Đồng Tâm, Kim Thành) của bạn đã được thu hồi"
            in (told.payload["text"])
        )


async def test_a_confirmation_after_someone_else_revoked_changes_nothing(
    engine: Engine, commune: int, sessions: async_sessionmaker[AsyncSession]
) -> None:
    first, second = Chat(engine, user="staff-1"), Chat(engine, user="staff-2")
    await grant(engine, first, "staff")
    await grant(engine, second, "staff")
    head = Chat(engine, user="head")
    await grant(engine, head, "village_head", "Thôn Đồng Tâm")
    for staff in (first, second):
        await staff.say("/vaitro")
        await staff.press("Thu hồi: Người head")
    await first.press("Thu hồi")
    await second.press("Thu hồi")
    assert "không còn là trưởng thôn" in second.text
    async with sessions() as session:
        revocations = list(
            await session.scalars(select(AuditLog).where(AuditLog.action == "role.revoke"))
        )
        assert len(revocations) == 1


async def test_only_admins_mint_staff_codes(engine: Engine, commune: int) -> None:
    staff = Chat(engine, user="staff")
    await grant(engine, staff, "staff")
    await staff.say("/moi")
    assert staff.labels == ["Trưởng thôn"]
    admin = Chat(engine, user="admin")
    await grant(engine, admin, "admin")
    await admin.say("/moi")
    assert admin.labels == ["Trưởng thôn", "Cán bộ xã"]


async def test_a_lower_role_code_is_refused_with_the_reason(
    engine: Engine, commune: int, sessions: async_sessionmaker[AsyncSession]
) -> None:
    admin = Chat(engine, user="admin")
    await grant(engine, admin, "admin")
    await admin.say("/moi")
    await admin.press("Trưởng thôn")
    await admin.press("Thôn Đồng Tâm")
    code = admin.text.split("/nhanma ")[1].split()[0]
    await admin.say(f"/nhanma {code}")
    assert "Bạn đang là quản trị, cao hơn vai trò trưởng thôn của mã này" in admin.text
    user = await user_of(sessions, "admin")
    assert user is not None and user.role == "admin"
    head = Chat(engine, user="head")
    await head.register()
    await head.say(f"/nhanma {code}")
    assert "vai trò trưởng thôn của Thôn Đồng Tâm" in head.text  # still valid for its owner


def test_roles_and_invites_from_the_shell(tmp_path: Path) -> None:
    assert hocvuso("demo", cwd=tmp_path).returncode == 0
    made = hocvuso("invite", "--role", "village_head", "--village", "dong tam", cwd=tmp_path)
    assert made.returncode == 0, made.stderr
    code = made.stdout.split()[0]
    other = hocvuso("invite", "--role", "staff", cwd=tmp_path).stdout.split()[0]
    listed = hocvuso("invite", "list", cwd=tmp_path)
    assert f"{code[:6]}…" in listed.stdout and "village_head" in listed.stdout
    assert code not in listed.stdout  # the code itself is never shown again
    chat = hocvuso("chat", "--user", "head", cwd=tmp_path, stdin=f"/nhanma {code}\n1\n")
    assert "vai trò trưởng thôn" in chat.stdout
    roles = hocvuso("roles", "list", "--commune", "Kim Thành", cwd=tmp_path)
    assert "trưởng thôn (Thôn Đồng Tâm, Kim Thành)" in roles.stdout, roles.stdout
    user_id = roles.stdout.split()[0].lstrip("#")
    revoked = hocvuso("roles", "revoke", "--user", user_id, cwd=tmp_path)
    assert revoked.returncode == 0, revoked.stderr
    assert "trưởng thôn (Thôn Đồng Tâm, Kim Thành) — revoked" in revoked.stdout
    assert hocvuso("roles", "list", cwd=tmp_path).stdout.strip() == "Nobody holds a role."
    cancelled = hocvuso("invite", "cancel", other, cwd=tmp_path)
    assert cancelled.returncode == 0 and "Cancelled invite" in cancelled.stdout
    assert hocvuso("invite", "list", cwd=tmp_path).stdout.strip() == "No open invite."
    late = hocvuso("chat", "--user", "late", cwd=tmp_path, stdin=f"/nhanma {other}\n1\n")
    assert "đã bị huỷ" in late.stdout
    unknown = hocvuso("invite", "cancel", "HVS-ZZ", cwd=tmp_path)
    assert unknown.returncode == 1 and "no open invite" in unknown.stderr
