"""Joining two users into one when a person links their Telegram and Zalo accounts."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import delete, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.roles import RESIDENT, rank
from bot.storage.models import Identity, LessonProgress, QuizAnswer, User
from bot.storage.participation import (
    mark_participating,
    recompute,
    recount_lessons,
    recount_members,
)


def _role_of(user: User) -> tuple[str, int | None, int | None]:
    return (user.role or RESIDENT, user.scope_commune_id, user.scope_village_id)


def role_clash(source: User, target: User) -> bool:
    """Tell whether two users hold different roles (or scopes), so they cannot become one."""
    if (source.role or RESIDENT) == RESIDENT or (target.role or RESIDENT) == RESIDENT:
        return False
    return _role_of(source) != _role_of(target)


async def merge_users(session: AsyncSession, source: User, target: User, now: datetime) -> None:
    """Move everything of `source` onto `target`, keeping the better result of each lesson.

    The joined person keeps the role and scope held by either account, whichever app started
    the link; two different roles are refused before (`role_clash`).
    """
    if role_clash(source, target):
        raise ValueError("two accounts with different roles cannot be joined")
    if rank(source.role) > rank(target.role):
        target.role = source.role
        target.scope_commune_id = source.scope_commune_id
        target.scope_village_id = source.scope_village_id
    source.role = RESIDENT
    source.scope_commune_id = source.scope_village_id = None
    theirs = {
        row.lesson_id: row
        for row in await session.scalars(
            select(LessonProgress).where(LessonProgress.user_id == target.id)
        )
    }
    for row in list(
        await session.scalars(select(LessonProgress).where(LessonProgress.user_id == source.id))
    ):
        kept = theirs.get(row.lesson_id)
        if kept is None:
            row.user_id = target.id
            await session.execute(
                update(QuizAnswer)
                .where(QuizAnswer.user_id == source.id, QuizAnswer.lesson_id == row.lesson_id)
                .values(user_id=target.id)
            )
            continue
        if row.completed_at and (
            kept.completed_at is None or row.completed_at < kept.completed_at
        ):
            kept.completed_at = row.completed_at
        if row.score is not None and (kept.score or 0) < row.score:
            kept.score = row.score
        await session.delete(row)
    await session.execute(delete(QuizAnswer).where(QuizAnswer.user_id == source.id))
    await session.execute(
        update(Identity).where(Identity.user_id == source.id).values(user_id=target.id)
    )
    if target.household_id is None and source.household_id is not None:
        target.consent_at = target.consent_at or source.consent_at
        target.cohort = target.cohort or source.cohort
        target.commune_id, target.village_id = source.commune_id, source.village_id
        target.household_id = source.household_id
    old_household = source.household_id
    source.display_name = source.cohort = None
    source.commune_id = source.village_id = source.household_id = None
    source.consent_at = None
    source.state = {}
    source.deleted_at = now
    await recount_lessons(session, source)
    await recount_lessons(session, target)
    await recount_members(session, old_household, target.household_id)
    if target.household_id:
        first = await session.scalar(
            select(LessonProgress.completed_at)
            .where(LessonProgress.user_id == target.id, LessonProgress.completed_at.is_not(None))
            .order_by(LessonProgress.completed_at)
            .limit(1)
        )
        if first is not None:
            await mark_participating(session, target.household_id, first)
    if old_household and old_household != target.household_id:
        await recompute(session, old_household)
