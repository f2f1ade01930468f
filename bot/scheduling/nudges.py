"""Learning nudges: a reminder two days after a lesson was left unfinished, a weekly next lesson.

Only for registered residents who keep reminders on (/nhacnho), only between 08:00 and 20:00
in the commune's time, always through the outbox with a dedupe key (planning twice adds
nothing), and never more than three without an answer: `users.last_seen_at` is when the person
last wrote, and the nudges planned after it are the unanswered ones. Writing again resets it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from functools import lru_cache
from pathlib import Path
from zoneinfo import ZoneInfo

from sqlalchemy import and_, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.delivery.outbox import reachable_identities, withdraw_planned
from bot.lessons.model import Curriculum, Lesson
from bot.scheduling import texts as t
from bot.storage.models import Commune, LessonProgress, OutboxMessage, User

RESUME_AFTER = timedelta(days=2)  # quiet this long after leaving a lesson unfinished
NEXT_EVERY = timedelta(days=7)  # at most one "next lesson" suggestion in this time
FIRST_HOUR, LAST_HOUR = 8, 20  # local hours: from 08:00, before 20:00
MAX_UNANSWERED = 3
RESUME, NEXT = "nudge_resume", "nudge_next"
KINDS = (RESUME, NEXT)
DELIVERED = ("pending", "sending", "sent")


@dataclass(frozen=True, slots=True)
class Nudge:
    """One nudge the planner wants sent."""

    kind: str
    user_id: int
    channel: str
    chat_id: str
    dedupe_key: str
    not_before: datetime
    text: str


async def plan_nudges(session: AsyncSession, now: datetime, curriculum: Curriculum) -> list[Nudge]:
    """Work out which nudges are due at `now`, for every commune in its daytime."""
    planned: list[Nudge] = []
    for commune in await session.scalars(select(Commune)):
        local = now.astimezone(ZoneInfo(commune.timezone))
        if FIRST_HOUR <= local.hour < LAST_HOUR:
            planned += await _commune_nudges(session, now, commune.id, curriculum)
    return planned


async def _commune_nudges(
    session: AsyncSession, now: datetime, commune_id: int, curriculum: Curriculum
) -> list[Nudge]:
    """Nudges due now for the opted-in residents of one commune who have been quiet."""
    users = {
        u.id: u
        for u in await session.scalars(
            select(User).where(
                User.commune_id == commune_id,
                User.deleted_at.is_(None),
                User.consent_at.is_not(None),
                User.household_id.is_not(None),
                User.reminders_opt_in.is_(True),
                User.last_seen_at <= now - RESUME_AFTER,
            )
        )
    }
    if not users:
        return []
    ids = list(users)
    unanswered = await _unanswered(session, ids)
    last_next = dict(
        (
            await session.execute(
                select(OutboxMessage.user_id, func.max(OutboxMessage.not_before))
                .where(OutboxMessage.user_id.in_(ids), OutboxMessage.kind == NEXT)
                .group_by(OutboxMessage.user_id)
            )
        ).all()
    )
    progress: dict[int, list[LessonProgress]] = {}
    for row in await session.scalars(
        select(LessonProgress).where(LessonProgress.user_id.in_(ids))
    ):
        progress.setdefault(row.user_id, []).append(row)
    reach = await reachable_identities(session, ids)
    planned = []
    for user_id, user in users.items():
        identity = reach.get(user_id)
        if identity is None or unanswered.get(user_id, 0) >= MAX_UNANSWERED:
            continue
        rows = progress.get(user_id, [])
        open_rows = [r for r in rows if r.completed_at is None]
        seen = user.last_seen_at
        assert seen is not None  # the query asked for it
        if open_rows:
            row = max(open_rows, key=lambda r: (r.started_at, r.id))
            lesson = curriculum.get(row.lesson_id)
            if lesson is None:
                continue
            key = f"{RESUME}:{user_id}:{lesson.id}:{seen.timestamp():.0f}"  # once per absence
            text = t.NUDGE_RESUME.format(title=lesson.title)
            kind = RESUME
        else:
            lesson = _next_lesson(curriculum, rows)
            previous = last_next.get(user_id)
            if lesson is None or (previous is not None and now - _aware(previous) < NEXT_EVERY):
                continue
            key = f"{NEXT}:{user_id}:{now:%Y-%m-%d}"
            text = t.NUDGE_NEXT.format(title=lesson.title, minutes=lesson.minutes)
            kind = NEXT
        planned.append(Nudge(kind, user_id, identity.channel, identity.chat_id, key, now, text))
    return planned


async def _unanswered(session: AsyncSession, ids: list[int]) -> dict[int, int]:
    """Count, per user, the nudges planned since the person last wrote."""
    rows = await session.execute(
        select(User.id, func.count(OutboxMessage.id))
        .join(
            OutboxMessage,
            and_(
                OutboxMessage.user_id == User.id,
                OutboxMessage.kind.in_(KINDS),
                OutboxMessage.status.in_(DELIVERED),
                OutboxMessage.not_before > User.last_seen_at,
            ),
        )
        .where(User.id.in_(ids))
        .group_by(User.id)
    )
    return dict(rows.all())


def _next_lesson(curriculum: Curriculum, rows: list[LessonProgress]) -> Lesson | None:
    """The lesson to suggest: after the last one passed, else the first not yet begun."""
    begun = {r.lesson_id for r in rows}
    done = [r for r in rows if r.completed_at is not None]
    if done:
        last = curriculum.get(max(done, key=lambda r: (r.completed_at, r.id)).lesson_id)
        following = curriculum.get(last.next_id) if last and last.next_id else None
        if following is not None and following.id not in begun:
            return following
    return next((x for x in curriculum.lessons if x.id not in begun), None)


def _aware(moment: datetime) -> datetime:
    """Read a stored time as UTC when the driver returns it without a zone."""
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


async def cancel_nudges(session: AsyncSession, user_id: int) -> None:
    """Drop the nudges of a person not sent yet (they switched reminders off)."""
    await withdraw_planned(session, user_id, KINDS)


@lru_cache(maxsize=4)
def curriculum_at(folder: Path) -> Curriculum:
    """Load the lessons once per folder for the planner (the curriculum never changes)."""
    from bot.lessons import load_curriculum

    return load_curriculum(folder)
