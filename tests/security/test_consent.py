"""Consent that tells the truth: a refusal keeps nothing; an invite asks first."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.core.engine import Engine
from bot.storage.db import transaction
from bot.storage.invites import create_invite
from bot.storage.models import Identity, User
from tests.factories import Chat, user_of


async def counts(sessions: async_sessionmaker[AsyncSession]) -> tuple[int, int]:
    async with sessions() as session:
        users = await session.scalar(select(func.count(User.id)))
        identities = await session.scalar(select(func.count(Identity.id)))
        return int(users or 0), int(identities or 0)


async def test_refusing_consent_leaves_no_account_behind(
    engine: Engine, commune: int, sessions: async_sessionmaker[AsyncSession]
) -> None:
    chat = Chat(engine, user="shy", channel="telegram")
    await chat.say("/start")
    await chat.press("Không đồng ý")
    assert "Mình không lưu thông tin gì của bạn" in chat.text
    assert await counts(sessions) == (0, 0)
    await chat.say("/start")
    assert chat.labels == ["Đồng ý", "Không đồng ý"]


async def test_an_invite_asks_for_consent_before_granting_the_role(
    engine: Engine, commune: int, sessions: async_sessionmaker[AsyncSession]
) -> None:
    async with transaction(sessions) as session:
        code, _ = await create_invite(session, "staff", commune, None, datetime.now(UTC))
    chat = Chat(engine, user="new-staff", channel="telegram")
    await chat.say(f"/nhanma {code}")
    assert "xin phép lưu tên hiển thị" in chat.text
    user = await user_of(sessions, "new-staff")
    assert user is not None and user.role == "resident" and user.consent_at is None
    await chat.press("Không đồng ý")
    assert "bạn chưa nhận vai trò và mình không lưu gì của bạn" in chat.text
    assert await counts(sessions) == (0, 0)
    await chat.say(f"/nhanma {code}")
    await chat.press("Đồng ý, nhận vai trò")
    assert "Bạn đã được giao vai trò cán bộ xã" in chat.text
    assert chat.outcome.role_changed == "staff"
    user = await user_of(sessions, "new-staff")
    assert user is not None and user.consent_at is not None
    assert user.display_name == "Người new-staff"
