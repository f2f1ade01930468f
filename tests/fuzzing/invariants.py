"""What must hold in the database whatever users sent: one statement per invariant."""

from __future__ import annotations

from sqlalchemy import Select, and_, exists, func, literal, or_, select, union_all
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from sqlalchemy.orm import aliased

from bot.storage.models import (
    Household,
    Identity,
    LessonProgress,
    OfflineLearning,
    QuizAnswer,
    User,
)

_member = aliased(User)
_completed = aliased(LessonProgress)


def _checks() -> dict[str, Select]:
    """Each query returns the ids that break its invariant (none when it holds)."""
    checks: dict[str, Select] = {}
    for name, model in (
        ("identity", Identity),
        ("lesson_progress", LessonProgress),
        ("quiz_answer", QuizAnswer),
    ):
        checks[f"{name} of a missing user"] = (
            select(model.id).outerjoin(User, User.id == model.user_id).where(User.id.is_(None))
        )
        # A deleted (or merged-away) user can no longer be written to, nor keep results.
        checks[f"{name} of a deleted user"] = (
            select(model.id)
            .join(User, User.id == model.user_id)
            .where(User.deleted_at.is_not(None))
        )
    return checks | {
        "deleted user still in a household": select(User.id).where(
            User.deleted_at.is_not(None), User.household_id.is_not(None)
        ),
        # One person, one household: the household they joined is in the village they chose.
        "user in a household of another village": select(User.id)
        .join(Household, Household.id == User.household_id)
        .where(
            (User.village_id.is_(None)) | (Household.village_id != User.village_id),
        ),
        # Participation is set once and cleared only when no member qualifies any more; a
        # household pending the village head's confirmation does not count yet, and learning
        # declared elsewhere counts once confirmed.
        "qualifying household not counted": select(Household.id).where(
            Household.participating_since.is_(None),
            Household.status == "confirmed",
            or_(
                exists().where(
                    _member.household_id == Household.id,
                    _member.deleted_at.is_(None),
                    _completed.user_id == _member.id,
                    _completed.completed_at.is_not(None),
                ),
                exists().where(
                    OfflineLearning.household_id == Household.id,
                    OfflineLearning.confirmed_at.is_not(None),
                ),
            ),
        ),
        "pending household counted": select(Household.id).where(
            Household.status == "pending", Household.participating_since.is_not(None)
        ),
        "completed lesson without a score": select(LessonProgress.id).where(
            and_(LessonProgress.completed_at.is_not(None), LessonProgress.score.is_(None))
        ),
        # The counts the coverage figures read (migration 0006) match the rows they summarise.
        "user's lesson counts differ from their lessons": select(User.id).where(
            or_(
                User.lessons_started
                != select(func.count(LessonProgress.id))
                .where(LessonProgress.user_id == User.id)
                .scalar_subquery(),
                User.lessons_completed
                != select(func.count(LessonProgress.completed_at))
                .where(LessonProgress.user_id == User.id)
                .scalar_subquery(),
            )
        ),
        "household's member count differs from its members": select(Household.id).where(
            Household.members
            != select(func.count(_member.id))
            .where(_member.household_id == Household.id, _member.deleted_at.is_(None))
            .scalar_subquery()
        ),
    }


_CHECK_ALL = union_all(
    *(
        select(literal(name).label("broken"), query.subquery().c[0].label("row_id"))
        for name, query in _checks().items()
    )
)


async def violations(sessions: async_sessionmaker[AsyncSession]) -> set[str]:
    """Every broken invariant as "what: id", empty when the database is consistent."""
    async with sessions() as session:
        rows = await session.execute(_CHECK_ALL)
        return {f"{broken}: {row_id}" for broken, row_id in rows}


async def check_invariants(
    sessions: async_sessionmaker[AsyncSession], known: set[str] | None = None
) -> None:
    """Fail on broken invariants, except those already in `known` (which grows).

    With `known`, only new breakage fails: a violation left by one example must not make
    every later example (and so the shrunk one) fail too.
    """
    found = await violations(sessions)
    new = found - (known or set())
    if known is not None:
        known |= found
    assert not new, "database invariants broken:\n  " + "\n  ".join(sorted(new))
