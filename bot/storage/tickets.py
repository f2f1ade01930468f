"""Tickets (residents' questions to a person) and the FAQ entries made from them: queries."""

from __future__ import annotations

import statistics
from dataclasses import asdict, dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import and_, delete, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.roles import ADMIN, STAFF, VILLAGE_HEAD
from bot.storage.models import FaqEntry, Ticket, User
from bot.text import fold

OPEN, ANSWERED = "open", "answered"
ESCALATE_AFTER = timedelta(hours=24)
# Tickets are kept a year after they were answered (or opened, if nobody ever answered).
RETENTION = timedelta(days=365)
MAX_QUESTION = 4000
# Words too common in questions to say anything about their topic.
_COMMON = (
    "toi minh em anh chi co khong ko la lam sao the nao gi cua va thi bi duoc de cho voi"
    " nhu muon can phai hay hoi oi nhe ah vay roi mot cai nay kia do"
)
STOPWORDS = frozenset(_COMMON.split())


@dataclass
class TicketCounts:
    """A commune's tickets: waiting, answered, ever escalated, and the median wait in hours."""

    open: int = 0
    answered: int = 0
    escalated: int = 0
    median_hours_to_answer: float | None = None

    def as_json(self) -> dict[str, Any]:
        """Return the shape `hocvuso stats --format json` prints under "tickets"."""
        return asdict(self)


async def village_head_of(session: AsyncSession, village_id: int | None) -> User | None:
    """Return the village head of a village (the first appointed), if it has one."""
    if village_id is None:
        return None
    return await session.scalar(
        select(User)
        .where(
            User.role == VILLAGE_HEAD,
            User.scope_village_id == village_id,
            User.deleted_at.is_(None),
        )
        .order_by(User.id)
        .limit(1)
    )


async def commune_staff(session: AsyncSession, commune_id: int) -> list[User]:
    """Return the commune's staff members."""
    rows = await session.scalars(
        select(User)
        .where(User.role == STAFF, User.scope_commune_id == commune_id, User.deleted_at.is_(None))
        .order_by(User.id)
    )
    return list(rows)


def may_handle(user: User, ticket: Ticket) -> bool:
    """Tell whether a helper may read and answer a ticket: their village, or their commune."""
    if user.deleted_at is not None:
        return False
    if user.role == ADMIN:
        return True
    if user.role == STAFF:
        return ticket.commune_id == user.scope_commune_id
    if user.role == VILLAGE_HEAD:
        return ticket.village_id is not None and ticket.village_id == user.scope_village_id
    return False


async def waiting_ticket(session: AsyncSession, resident_id: int) -> Ticket | None:
    """Return the resident's ticket still waiting for an answer, if any."""
    return await session.scalar(
        select(Ticket)
        .where(Ticket.resident_id == resident_id, Ticket.status == OPEN)
        .order_by(Ticket.id.desc())
        .limit(1)
    )


async def latest_ticket(session: AsyncSession, resident_id: int) -> Ticket | None:
    """Return the resident's newest ticket."""
    return await session.scalar(
        select(Ticket).where(Ticket.resident_id == resident_id).order_by(Ticket.id.desc()).limit(1)
    )


async def open_tickets_for(session: AsyncSession, helper: User, limit: int = 10) -> list[Ticket]:
    """Return the open tickets a helper should answer, oldest first.

    A village head: their village's. Staff: their commune's tickets that came to staff (no
    village head, or escalated). An admin: every open ticket.
    """
    where: list[Any] = [Ticket.status == OPEN]
    if helper.role == VILLAGE_HEAD:
        where.append(Ticket.village_id == (helper.scope_village_id or 0))
    elif helper.role == STAFF:
        where.append(Ticket.commune_id == (helper.scope_commune_id or 0))
        where.append(or_(Ticket.helper_id.is_(None), Ticket.escalated_at.is_not(None)))
    elif helper.role != ADMIN:
        return []
    rows = await session.scalars(
        select(Ticket).where(*where).order_by(Ticket.opened_at, Ticket.id).limit(limit)
    )
    return list(rows)


def waited_since(ticket: Ticket) -> datetime:
    """Return when the current wait for an answer began (opening, or reopening)."""
    return ticket.reopened_at or ticket.opened_at


async def due_for_escalation(session: AsyncSession, now: datetime) -> list[Ticket]:
    """Return the tickets a village head left unanswered for 24 hours."""
    cutoff = now - ESCALATE_AFTER
    rows = await session.scalars(
        select(Ticket)
        .where(
            Ticket.status == OPEN,
            Ticket.escalated_at.is_(None),
            Ticket.helper_id.is_not(None),
            func.coalesce(Ticket.reopened_at, Ticket.opened_at) <= cutoff,
        )
        .order_by(Ticket.id)
    )
    return list(rows)


async def prune_tickets(session: AsyncSession, now: datetime) -> int:
    """Delete tickets past the retention period; return how many."""
    cutoff = now - RETENTION
    result = await session.execute(
        delete(Ticket)
        .where(
            or_(
                and_(Ticket.status == ANSWERED, Ticket.answered_at < cutoff),
                and_(Ticket.status == OPEN, Ticket.opened_at < cutoff),
            )
        )
        .returning(Ticket.id)
    )
    return len(result.all())


async def delete_tickets_of(session: AsyncSession, user_id: int) -> None:
    """Delete every ticket a person asked (their right to erasure)."""
    await session.execute(delete(Ticket).where(Ticket.resident_id == user_id))


async def ticket_counts(session: AsyncSession, commune_id: int) -> TicketCounts:
    """Count a commune's tickets and the median time to an answer."""
    counts = TicketCounts()
    rows = await session.execute(
        select(
            Ticket.status,
            Ticket.opened_at,
            Ticket.reopened_at,
            Ticket.answered_at,
            Ticket.escalated_at,
        ).where(Ticket.commune_id == commune_id)
    )
    waits = []
    for status, opened, reopened, answered, escalated in rows.all():
        if escalated is not None:
            counts.escalated += 1
        if status == OPEN:
            counts.open += 1
        elif answered is not None:
            counts.answered += 1
            waits.append((answered - (reopened or opened)).total_seconds() / 3600)
    if waits:
        counts.median_hours_to_answer = round(statistics.median(waits), 1)
    return counts


# --- FAQ ----------------------------------------------------------------------------------
async def faq_entries(
    session: AsyncSession, commune_id: int | None = None
) -> list[tuple[int, str, str]]:
    """Return (id, question, answer) of the FAQ entries (of one commune, or all) for search."""
    query = select(FaqEntry.id, FaqEntry.question, FaqEntry.answer).order_by(FaqEntry.id)
    if commune_id is not None:
        query = query.where(FaqEntry.commune_id == commune_id)
    return [(row.id, row.question, row.answer) for row in await session.execute(query)]


def topic_words(text: str) -> set[str]:
    """Return the folded words of a text that carry its topic."""
    return {w for w in fold(text).split() if w not in STOPWORDS and len(w) > 1}


def faq_score(question: str, entry: str) -> float:
    """Share of the entry's topic words found in the question (0 when fewer than two match)."""
    asked, known = topic_words(question), topic_words(entry)
    common = len(asked & known)
    if common < 2 or not known:
        return 0.0
    return common / max(len(known), len(asked))


async def find_faq(
    session: AsyncSession, commune_id: int | None, question: str, threshold: float = 0.5
) -> tuple[int, str, str] | None:
    """Return the FAQ entry that best matches a typed question, if one matches well enough."""
    if commune_id is None:
        return None
    scored = [
        (faq_score(question, entry[1]), entry) for entry in await faq_entries(session, commune_id)
    ]
    scored = [(s, e) for s, e in scored if s >= threshold]
    return max(scored, key=lambda pair: pair[0])[1] if scored else None
