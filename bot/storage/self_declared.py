"""Households residents declared themselves: at most one per person, gone when they leave."""

from __future__ import annotations

from sqlalchemy import ColumnElement, and_, exists, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.storage.models import Household, OfflineLearning, User
from bot.text import fold

ANONYMOUS = "Hộ tự khai số {id}"


def _own(user_id: int) -> ColumnElement[bool]:
    return and_(Household.created_by == user_id, Household.source == "self")


async def other_own_in_use(session: AsyncSession, user: User) -> Household | None:
    """Return a household the user declared that other people live in, if any."""
    for household in await session.scalars(select(Household).where(_own(user.id))):
        others = household.members - (1 if user.household_id == household.id else 0)
        if others > 0:
            return household
    return None


async def drop_own_unused(session: AsyncSession, user_id: int, keep: int | None = None) -> int:
    """Delete the households the user declared that nobody lives in and no class recorded.

    Call after the user's membership was recounted; return how many went.
    """
    await session.flush()
    recorded = exists().where(OfflineLearning.household_id == Household.id)
    query = select(Household).where(_own(user_id), Household.members == 0, ~recorded)
    if keep is not None:
        query = query.where(Household.id != keep)
    unused = list(await session.scalars(query))
    for household in unused:
        await session.delete(household)
    await session.flush()
    return len(unused)


async def anonymise_own(session: AsyncSession, user_id: int) -> None:
    """Replace the typed head's name of the user's remaining declared households and forget
    who declared them (other people still live there, or a class recorded them)."""
    for household in list(await session.scalars(select(Household).where(_own(user_id)))):
        name = ANONYMOUS.format(id=household.id)
        household.head_name, household.head_name_folded = name, fold(name)
        household.created_by = None
    await session.execute(
        update(Household).where(Household.created_by == user_id).values(created_by=None)
    )
