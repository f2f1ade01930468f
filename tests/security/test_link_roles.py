"""Linking two apps keeps the person's role, whichever app started the link."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.core.engine import Engine
from tests.factories import Chat, grant, user_of
from tests.security.test_link_guessing import link_code


async def test_staff_linking_with_a_code_from_their_resident_account_stay_staff(
    engine: Engine, commune: int, sessions: async_sessionmaker[AsyncSession]
) -> None:
    telegram = Chat(engine, user="can-bo", channel="telegram")
    await telegram.register()
    await grant(engine, telegram, "staff")
    zalo = Chat(engine, user="can-bo-zalo", channel="zalo")
    await zalo.register(household="tran thi binh")
    code = await link_code(zalo)  # the code comes from the resident account
    await telegram.say(f"/lienket {code}")
    assert "Đã liên kết" in telegram.text
    assert telegram.outcome.role_changed is None  # this app already shows the staff menu
    for chat in (telegram, zalo):
        await chat.say("/thongke")
        assert "Lệnh này chỉ dành cho" not in chat.text, chat.text
    person = await user_of(sessions, "can-bo")
    assert person is not None and person.role == "staff" and person.scope_commune_id == commune
    assert person.id == (await user_of(sessions, "can-bo-zalo")).id


async def test_the_resident_app_gets_the_staff_menu_when_it_started_the_link(
    engine: Engine, commune: int, sessions: async_sessionmaker[AsyncSession]
) -> None:
    zalo = Chat(engine, user="can-bo-zalo", channel="zalo")
    await zalo.register()
    await grant(engine, zalo, "staff")
    telegram = Chat(engine, user="can-bo", channel="telegram")
    await telegram.register(household="tran thi binh")
    code = await link_code(zalo)
    await telegram.say(f"/lienket {code}")
    assert "Đã liên kết" in telegram.text
    assert telegram.outcome.role_changed == "staff"  # Telegram shows the staff commands now
    person = await user_of(sessions, "can-bo")
    assert person is not None and person.role == "staff"


async def test_two_different_roles_are_not_joined(
    engine: Engine, commune: int, sessions: async_sessionmaker[AsyncSession]
) -> None:
    head = Chat(engine, user="head-tg", channel="telegram")
    await head.register()
    await grant(engine, head, "village_head", "Thôn Đồng Tâm")
    staff = Chat(engine, user="staff-zalo", channel="zalo")
    await staff.register(household="tran thi binh")
    await grant(engine, staff, "staff")
    code = await link_code(staff)
    await head.say(f"/lienket {code}")
    assert "Không liên kết được: tài khoản này là trưởng thôn, tài khoản kia là cán bộ xã" in (
        head.text
    )
    head_user, staff_user = (
        await user_of(sessions, "head-tg"),
        await user_of(sessions, "staff-zalo"),
    )
    assert head_user.role == "village_head" and staff_user.role == "staff"
    assert head_user.id != staff_user.id
