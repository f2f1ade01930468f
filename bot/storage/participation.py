"""Household participation and the counts the coverage figures read, kept exact on every change."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.storage.models import Household, LessonProgress, OfflineLearning, User


async def mark_participating(session: AsyncSession, household_id: int, at: datetime) -> bool:
    """Count the household from now on; return True if this is its first time.

    A household waiting for the village head's confirmation ("pending") is not counted yet;
    `recompute` counts it from its first learning once it is confirmed.
    """
    household = await session.get(Household, household_id)
    if household is None or household.participating_since is not None:
        return False
    if household.status == "pending":
        return False
    household.participating_since = at
    return True


async def recompute(session: AsyncSession, household_id: int) -> None:
    """Set a household's participation from what it has: lessons passed, confirmed learning.

    Cleared when nothing qualifies any more (or the household is pending), set from the first
    qualifying date otherwise.
    """
    household = await session.get(Household, household_id)
    if household is None:
        return
    if household.status == "pending":
        household.participating_since = None
        return
    first = await session.scalar(
        select(LessonProgress.completed_at)
        .join(User, User.id == LessonProgress.user_id)
        .where(
            User.household_id == household_id,
            User.deleted_at.is_(None),
            LessonProgress.completed_at.is_not(None),
        )
        .order_by(LessonProgress.completed_at)
        .limit(1)
    )
    at_class = await session.scalar(
        select(OfflineLearning.date)
        .where(
            OfflineLearning.household_id == household_id,
            OfflineLearning.confirmed_at.is_not(None),
        )
        .order_by(OfflineLearning.date)
        .limit(1)
    )
    first = min((d for d in (first, at_class) if d is not None), default=None)
    if first is None:
        household.participating_since = None
    elif household.participating_since is None:
        household.participating_since = first


async def recount_members(session: AsyncSession, *household_ids: int | None) -> None:
    """Set each household's count of members who have not deleted their data.

    Called wherever a user joins or leaves a household or deletes their data, so the coverage
    figures can count registered households from the households table alone.
    """
    await session.flush()
    for household_id in {h for h in household_ids if h is not None}:
        household = await session.get(Household, household_id)
        if household is not None:
            household.members = int(
                await session.scalar(
                    select(func.count()).where(
                        User.household_id == household_id, User.deleted_at.is_(None)
                    )
                )
                or 0
            )


async def recount_lessons(session: AsyncSession, user: User) -> None:
    """Set the user's lessons begun and passed from their lesson_progress rows.

    Called wherever those rows change, so the coverage figures can read the counts from the
    users table alone.
    """
    await session.flush()
    started, completed = (
        await session.execute(
            select(func.count(), func.count(LessonProgress.completed_at)).where(
                LessonProgress.user_id == user.id
            )
        )
    ).one()
    user.lessons_started, user.lessons_completed = int(started), int(completed)
