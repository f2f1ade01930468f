"""Every route declares who may use it, and the router enforces it: typed, pressed, mid-step."""

from __future__ import annotations

import dataclasses
import typing
from typing import Any

import pytest
from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.core.auth import ADMIN, RESIDENT, ROLES, STAFF, VILLAGE_HEAD
from bot.core.engine import Engine
from bot.core.messages import STALE
from bot.core.routes import Payload, Route
from bot.handlers import build_router
from bot.handlers.broadcast import NoticeStep
from bot.handlers.learning import OpenLesson
from bot.storage.db import transaction
from bot.storage.models import User, Village
from tests.factories import Chat, grant, user_of

REFUSED = "Lệnh này chỉ dành cho"


def sample(payload: type[Payload]) -> Payload:
    """A well-formed payload of this type (its fields filled with plain values)."""
    hints = typing.get_type_hints(payload)
    values = {
        f.name: 1 if hints[f.name] is int else "1"
        for f in dataclasses.fields(payload)  # type: ignore[arg-type]
    }
    return payload(**values)


def refused_roles(route: Route) -> list[str]:
    roles = route.access.roles
    return [] if roles is None else [r for r in ROLES if r not in roles]


TABLE = build_router().table
GUARDED = [r for r in TABLE if refused_roles(r)]


def test_every_route_declares_its_access_and_payloads_round_trip() -> None:
    kinds = {r.kind for r in TABLE}
    assert kinds == {"command", "button", "step"}
    for route in TABLE:
        assert route.access is not None, route.key
        if route.kind == "button":
            assert route.payload is not None and route.payload.prefix == route.key
            packed = sample(route.payload).pack()
            assert len(packed.encode()) <= 64
            assert route.payload.unpack(packed) == sample(route.payload)
    # Staff and village-head work is guarded, not left open by omission.
    guarded = {r.key for r in GUARDED}
    assert {"thongke", "guitin", "gt", "notice_text", "moi", "thon", "nop", "class"} <= guarded


def test_forged_payloads_do_not_unpack() -> None:
    assert OpenLesson.unpack("lesson:L01") == OpenLesson("L01")
    for forged in ("lesson", "lesson:L01:extra", "ans:L01:q1:x:0", "ans:L01:q1:1:²", "quiz"):
        payload_type = {r.key: r.payload for r in TABLE if r.kind == "button"}[
            forged.split(":")[0]
        ]
        assert payload_type is not None
        assert payload_type.unpack(forged) is None, forged


async def person(
    sessions: async_sessionmaker[AsyncSession], engine: Engine, commune: int, role: str, name: str
) -> Chat:
    """A person with a role (a resident signed up fully), chatting on the console."""
    chat = Chat(engine, user=name)
    await chat.register()
    if role != RESIDENT:
        user = await user_of(sessions, name)
        assert user is not None
        async with transaction(sessions) as session:
            village = await session.scalar(select(Village).limit(1))
            assert village is not None
            await session.execute(
                update(User)
                .where(User.id == user.id)
                .values(role=role, scope_commune_id=commune, scope_village_id=village.id)
            )
    return chat


async def offer(sessions: async_sessionmaker[AsyncSession], name: str, **state: Any) -> None:
    """Put a conversation state on a person, as if the bot had just asked something."""
    user = await user_of(sessions, name)
    assert user is not None
    async with transaction(sessions) as session:
        await session.execute(update(User).where(User.id == user.id).values(state=state))


@pytest.mark.parametrize("backend", ["sqlite"], indirect=True)
async def test_each_guarded_route_refuses_the_roles_it_must_typed_and_pressed(
    engine: Engine, sessions: async_sessionmaker[AsyncSession], commune: int
) -> None:
    chats = {role: await person(sessions, engine, commune, role, role) for role in ROLES}
    for route in GUARDED:
        for role in refused_roles(route):
            chat = chats[role]
            if route.kind == "command":
                await chat.say(f"/{route.key}")
            elif route.kind == "button":
                assert route.payload is not None
                data = sample(route.payload).pack()
                await offer(sessions, role, prompt={"text": "?", "options": [["x", data]]})
                await chat.tap(data)
            else:
                await offer(sessions, role, step=route.key, data={})
                await chat.say("một câu trả lời")
            assert REFUSED in chat.text, (route.kind, route.key, role, chat.text)


async def test_a_button_offered_before_a_role_change_is_refused_when_pressed(
    engine: Engine, sessions: async_sessionmaker[AsyncSession], commune: int
) -> None:
    staff = Chat(engine, user="can-bo")
    await staff.register()
    await grant(engine, staff, STAFF)
    await staff.say("/guitin")
    await staff.press("Toàn xã")
    await staff.say("Họp thôn tối nay")
    assert "Xem trước" in staff.text
    send = staff.option("Gửi")
    # Elsewhere (an operator, another app) the person becomes a village head before pressing.
    user = await user_of(sessions, "can-bo")
    assert user is not None
    async with transaction(sessions) as session:
        await session.execute(update(User).where(User.id == user.id).values(role=VILLAGE_HEAD))
    await staff.tap(send)
    assert REFUSED in staff.text and "Đã bắt đầu gửi" not in staff.text
    assert NoticeStep.unpack(send) is not None


async def test_a_step_left_open_by_a_revoked_role_no_longer_reads_text(
    engine: Engine, sessions: async_sessionmaker[AsyncSession], commune: int
) -> None:
    staff = Chat(engine, user="cb2")
    await staff.register()
    await grant(engine, staff, ADMIN)
    await staff.say("/guitin")
    await staff.press("Toàn xã")
    user = await user_of(sessions, "cb2")
    assert user is not None
    async with transaction(sessions) as session:
        await session.execute(update(User).where(User.id == user.id).values(role=RESIDENT))
    await staff.say("Thông báo lạ")
    assert REFUSED in staff.text and "Xem trước" not in staff.text
    await staff.say("Thông báo lạ")  # the step is closed: plain text again, no refusal loop
    assert REFUSED not in staff.text


async def test_a_forged_button_of_a_route_is_stale_not_run(
    engine: Engine, sessions: async_sessionmaker[AsyncSession], commune: int
) -> None:
    chat = Chat(engine, user="dan")
    await chat.register()
    await offer(sessions, "dan", prompt={"text": "?", "options": [["x", "lesson:L01:x"]]})
    await chat.tap("lesson:L01:x")
    assert STALE in chat.text
