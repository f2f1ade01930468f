"""Questions no lesson answered, kept anonymously so staff see what residents ask."""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.storage.models import SearchGap
from bot.text import clean, fold

MAX_TEXT = 300
# Digits and anything built from them (phone numbers with spaces, dots, dashes, a leading +):
# a question is kept for its words, never for a number that could point at a person.
_NUMBERS = re.compile(r"\+?\d(?:[\d\s.\-()]*\d)?")
_SPACES = re.compile(r"\s+")


def anonymise(text: str) -> str:
    """Return a question without digits or phone numbers, on one line."""
    text = _NUMBERS.sub(" ", clean(text))
    return _SPACES.sub(" ", text).strip()[:MAX_TEXT]


async def record_gap(session: AsyncSession, text: str, at: datetime) -> None:
    """Keep a question that found no lesson: its text only, with no link to who asked."""
    kept = anonymise(text)
    if fold(kept):
        session.add(SearchGap(text=kept, at=at))


@dataclass(frozen=True, slots=True)
class Gap:
    """A question asked one or more times (the same words, with or without diacritics)."""

    text: str
    count: int
    last: datetime


async def gaps_since(session: AsyncSession, since: datetime) -> list[Gap]:
    """Group the unanswered questions since a moment, most frequent first."""
    rows = (
        await session.execute(
            select(SearchGap.text, SearchGap.at)
            .where(SearchGap.at >= since)
            .order_by(SearchGap.at)
        )
    ).all()
    forms: dict[str, Counter[str]] = {}
    last: dict[str, datetime] = {}
    for text, at in rows:
        key = fold(text)
        forms.setdefault(key, Counter())[text] += 1
        last[key] = at
    gaps = [
        Gap(counts.most_common(1)[0][0], sum(counts.values()), last[key])
        for key, counts in forms.items()
    ]
    return sorted(gaps, key=lambda g: (-g.count, -g.last.timestamp(), g.text))


def window(now: datetime, days: int) -> datetime:
    """Return the start of the last `days` days."""
    return now - timedelta(days=days)
