"""Queries about communes, villages and households: lookups for onboarding and CSV imports."""

from __future__ import annotations

import time
from typing import cast

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.formats import sorted_vi
from bot.storage.models import Commune, Household, Village
from bot.text import PERSON_PREFIXES, VILLAGE_PREFIXES, fold, rank


async def communes(session: AsyncSession) -> list[Commune]:
    """Return every commune, by name."""
    return list(await session.scalars(select(Commune).order_by(Commune.name)))


async def only_commune_name(session: AsyncSession) -> str | None:
    """The commune's name when the bot serves one commune, else None.

    Every newcomer's greeting reads it, so it is kept for a minute with the pooled database
    connection (`Connection.info` lives as long as that connection): a renamed commune shows
    in greetings within a minute, and the busiest minute of sign-ups reads it once per
    connection. The query is Core, on the transaction's connection.
    """
    connection = await session.connection()
    now = time.time()  # wall-clock: tests travel in time
    cached = connection.info.get(_NAME_KEY)
    if cached is not None and now - cached[0] < NAME_SECONDS:
        return cast("str | None", cached[1])
    names = (await connection.execute(_COMMUNE_NAMES)).scalars().all()
    name = names[0] if len(names) == 1 else None
    connection.info[_NAME_KEY] = (now, name)
    return name


NAME_SECONDS = 60.0
_NAME_KEY = "hocvuso.only_commune_name"
_COMMUNE_NAMES = select(Commune.__table__.c.name).limit(2)


async def villages_of(session: AsyncSession, commune_id: int) -> list[Village]:
    """Return a commune's villages in Vietnamese alphabetical order."""
    rows = await session.scalars(select(Village).where(Village.commune_id == commune_id))
    return sorted_vi(rows, lambda v: v.name)


async def match_villages(
    session: AsyncSession, commune_id: int, typed: str
) -> list[tuple[Village, float]]:
    """Rank a commune's villages against a typed name ("dong tam" → "Thôn Đồng Tâm")."""
    villages = await villages_of(session, commune_id)
    by_id = {v.id: v for v in villages}
    ranked = rank(typed, [(v.id, v.name) for v in villages], prefixes=VILLAGE_PREFIXES)
    return [(by_id[key], score) for key, score in ranked]


async def household_by_code(
    session: AsyncSession, village_id: int, typed: str
) -> Household | None:
    """Find a household of a village by its code, ignoring case and spacing."""
    wanted = fold(typed).replace(" ", "")
    if not wanted:
        return None
    rows = await session.scalars(
        select(Household).where(Household.village_id == village_id, Household.code.is_not(None))
    )
    return next((h for h in rows if fold(h.code or "").replace(" ", "") == wanted), None)


async def match_households(
    session: AsyncSession, village_id: int, typed: str
) -> list[tuple[Household, float]]:
    """Rank a village's households by head-of-household name against a typed name."""
    rows = list(await session.scalars(select(Household).where(Household.village_id == village_id)))
    by_id = {h.id: h for h in rows}
    ranked = rank(typed, [(h.id, h.head_name) for h in rows], prefixes=PERSON_PREFIXES, cutoff=75)
    return [(by_id[key], score) for key, score in ranked]


async def has_roster(session: AsyncSession, village_id: int) -> bool:
    """Tell whether the village's households were imported (then only those can be chosen)."""
    count = await session.scalar(
        select(func.count(Household.id)).where(
            Household.village_id == village_id, Household.source == "roster"
        )
    )
    return bool(count)
