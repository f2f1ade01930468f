"""The authorisation matrix: every chat command × every role, and village-head scope."""

from __future__ import annotations

import pytest

from bot.core.engine import Engine
from bot.handlers import build_router
from tests.factories import Chat, grant, grant_unit_head

ROLES = ["unregistered", "resident", "village_head", "unit_head", "staff", "admin"]
HEAD = {"thon", "chuahoc", "sohodan", "hoctructiep", "bantin"}
REPORTING = {"nopbaocao"}  # village heads and unit heads, each their own report
UNITS = {"donvi"}  # unit heads (their unit) and staff (every unit)
STAFF = {
    "moi",
    "thongke",
    "bieudo",
    "xuatbaocao",
    "chuanop",
    "guitin",
    "vaitro",
    "themfaq",
    "khenthuong",
}
EITHER = {"hanbaocao", "hoidap", "traloi", "web"}
REFUSAL = "Lệnh này chỉ dành cho"


def expected(command: str, role: str) -> bool:
    """Return True when the role may use the command."""
    if command in HEAD:
        return role == "village_head"
    if command in REPORTING:
        return role in ("village_head", "unit_head")
    if command in UNITS:
        return role in ("unit_head", "staff", "admin")
    if command == "hanbaocao":
        return role in ("village_head", "unit_head", "staff", "admin")
    if command in STAFF:
        return role in ("staff", "admin")
    if command in EITHER:
        return role in ("village_head", "staff", "admin")
    return True  # resident commands: everyone (unregistered users are led to registration)


async def user_with(engine: Engine, role: str) -> Chat:
    chat = Chat(engine, user=f"u-{role}")
    if role == "resident":
        await chat.register()
    elif role == "village_head":
        await grant(engine, chat, role, "Thôn Đồng Tâm")
    elif role == "unit_head":
        await grant_unit_head(engine, chat, "Trường THCS Kim Thành")
    elif role in ("staff", "admin"):
        await grant(engine, chat, role)
    return chat


@pytest.mark.parametrize("role", ROLES)
async def test_every_command_for_every_role(engine: Engine, commune: int, role: str) -> None:
    chat = await user_with(engine, role)
    for name in sorted(build_router().commands):
        await chat.say(f"/{name}")
        refused = REFUSAL in chat.text
        assert refused != expected(name, role), f"/{name} as {role}: {chat.text[:200]}"
        assert "Hệ thống đang bận" not in chat.text, f"/{name} as {role} failed"
        await chat.say("0")


@pytest.mark.parametrize("role", ["resident", "village_head"])
async def test_refusal_points_to_the_invite_code(engine: Engine, commune: int, role: str) -> None:
    chat = await user_with(engine, role)
    await chat.say("/moi")
    assert "cán bộ xã" in chat.text
    assert "/nhanma" in chat.text
