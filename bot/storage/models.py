"""SQLAlchemy 2.0 models: the tables of DESIGN.md's data model."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Text,
    TypeDecorator,
    UniqueConstraint,
    text,
)
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


def utcnow() -> datetime:
    """Return the current time, timezone-aware in UTC."""
    return datetime.now(UTC)


class UTCDateTime(TypeDecorator[datetime]):
    """A timestamp stored in UTC and always read back timezone-aware (SQLite keeps no zone)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to the database")
        return value.astimezone(UTC)

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


JSONType = JSON().with_variant(JSONB(), "postgresql")


class Base(DeclarativeBase):
    """Declarative base with constraint names Alembic can follow."""

    metadata = MetaData(naming_convention=NAMING)


class Commune(Base):
    """A commune (xã/phường) running the bot."""

    __tablename__ = "communes"
    __table_args__ = (UniqueConstraint("name", "province"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(120))
    name_folded: Mapped[str] = mapped_column(String(120), index=True)
    province: Mapped[str] = mapped_column(String(120), default="")
    target_household_pct: Mapped[int] = mapped_column(Integer, default=60)
    cbcc_total: Mapped[int | None] = mapped_column(Integer)
    worker_total: Mapped[int | None] = mapped_column(Integer)
    timezone: Mapped[str] = mapped_column(String(64), default="Asia/Ho_Chi_Minh")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class Village(Base):
    """A village (thôn, tổ dân phố) of a commune."""

    __tablename__ = "villages"
    __table_args__ = (UniqueConstraint("commune_id", "name_folded"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    commune_id: Mapped[int] = mapped_column(ForeignKey("communes.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(String(120))
    name_folded: Mapped[str] = mapped_column(String(120))
    households_total: Mapped[int | None] = mapped_column(Integer)


REGISTERED_HOUSEHOLD = text("members > 0")


class Household(Base):
    """A household: from the village roster or declared by a resident."""

    __tablename__ = "households"
    __table_args__ = (
        UniqueConstraint("village_id", "code"),
        Index("ix_households_village_participating", "village_id", "participating_since"),
        Index(
            "ix_households_registered",
            "village_id",
            postgresql_where=REGISTERED_HOUSEHOLD,
            sqlite_where=REGISTERED_HOUSEHOLD,
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    village_id: Mapped[int] = mapped_column(ForeignKey("villages.id", ondelete="CASCADE"))
    code: Mapped[str | None] = mapped_column(String(40))
    head_name: Mapped[str] = mapped_column(String(120))
    head_name_folded: Mapped[str] = mapped_column(String(120))
    source: Mapped[str] = mapped_column(String(10), default="self")  # roster | self
    # A household a resident added to a village with a roster waits, "pending", for the village
    # head to confirm it; until then it does not count (bot.storage.participation).
    status: Mapped[str] = mapped_column(
        String(10), default="confirmed", server_default="confirmed"
    )  # confirmed | pending
    participating_since: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # Members who have not deleted their data, denormalised from users so the coverage figures
    # need not read that busy table; kept exact by bot.storage.participation.recount_members.
    members: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    # Who declared a self-declared household: /xoadulieu removes or anonymises it.
    # use_alter: users refer to households too, and the cycle must not stop table sorting.
    created_by: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL", use_alter=True), index=True
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


LEARNING_USER = text("deleted_at IS NULL AND lessons_started > 0")


class User(Base):
    """One person, whatever app they write from."""

    __tablename__ = "users"
    __table_args__ = (
        # The coverage figures (bot/stats/coverage.py) count learners who have not deleted
        # their data from this partial index alone (migration 0006, bench/RESULTS.md).
        Index(
            "ix_users_learning",
            "village_id",
            "lessons_completed",
            postgresql_where=LEARNING_USER,
            sqlite_where=LEARNING_USER,
        ),
        # The cohort indicators (bot/stats/report.py) count a commune's learners of one cohort
        # from this partial index alone (migration 0012: the web board renders them often).
        Index(
            "ix_users_cohort_learning",
            "commune_id",
            "cohort",
            "lessons_completed",
            postgresql_where=LEARNING_USER,
            sqlite_where=LEARNING_USER,
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    display_name: Mapped[str | None] = mapped_column(String(120))
    role: Mapped[str] = mapped_column(String(20), default="resident")
    cohort: Mapped[str | None] = mapped_column(String(20))
    commune_id: Mapped[int | None] = mapped_column(
        ForeignKey("communes.id", ondelete="SET NULL"), index=True
    )
    village_id: Mapped[int | None] = mapped_column(
        ForeignKey("villages.id", ondelete="SET NULL"), index=True
    )
    household_id: Mapped[int | None] = mapped_column(
        ForeignKey("households.id", ondelete="SET NULL"), index=True
    )
    consent_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    reminders_opt_in: Mapped[bool] = mapped_column(Boolean, default=True)
    # Where a role applies: a village head's village, a staff member's commune.
    scope_commune_id: Mapped[int | None] = mapped_column(
        ForeignKey("communes.id", ondelete="SET NULL"), index=True
    )
    scope_village_id: Mapped[int | None] = mapped_column(
        ForeignKey("villages.id", ondelete="SET NULL"), index=True
    )
    # A unit head's reporting unit (agency, school, enterprise, co-operative, union).
    scope_unit_id: Mapped[int | None] = mapped_column(
        ForeignKey("units.id", ondelete="SET NULL", use_alter=True), index=True
    )
    # A village head's weekly digest (rank, new households, households still needed); opt-out.
    digest_opt_in: Mapped[bool] = mapped_column(Boolean, default=True, server_default=text("true"))
    state: Mapped[dict[str, Any]] = mapped_column(JSONType, default=dict)
    # Denormalised from lesson_progress so the coverage figures need not read it: the lessons
    # begun and passed. Kept exact by bot.storage.participation.recount_lessons.
    lessons_started: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    lessons_completed: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    deleted_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # When the person last wrote (set by the router): learning nudges wait two days after it
    # and stop after three unanswered ones, counted from it (bot/scheduling/nudges.py).
    last_seen_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


class Identity(Base):
    """An account on one channel (Telegram, Zalo, console) pointing at a user."""

    __tablename__ = "identities"
    __table_args__ = (UniqueConstraint("channel", "external_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    channel: Mapped[str] = mapped_column(String(20))
    external_id: Mapped[str] = mapped_column(String(64))
    chat_id: Mapped[str] = mapped_column(String(64))
    unreachable_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class LessonProgress(Base):
    """Where a user is in a lesson, and whether it is done."""

    __tablename__ = "lesson_progress"
    __table_args__ = (
        UniqueConstraint("user_id", "lesson_id"),
        Index("ix_lesson_progress_completed", "lesson_id", "completed_at"),
        Index("ix_lesson_progress_user_completed", "user_id", "completed_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    lesson_id: Mapped[str] = mapped_column(String(10))
    card: Mapped[int] = mapped_column(Integer, default=0)
    question: Mapped[int] = mapped_column(Integer, default=0)
    correct: Mapped[int] = mapped_column(Integer, default=0)
    started_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    completed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    score: Mapped[float | None] = mapped_column(Float)
    attempts: Mapped[int] = mapped_column(Integer, default=0)


class QuizAnswer(Base):
    """One answer to one quiz question in one attempt."""

    __tablename__ = "quiz_answers"
    __table_args__ = (UniqueConstraint("user_id", "lesson_id", "question_id", "attempt"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    lesson_id: Mapped[str] = mapped_column(String(10))
    question_id: Mapped[str] = mapped_column(String(20))
    attempt: Mapped[int] = mapped_column(Integer)
    answer: Mapped[str] = mapped_column(String(200))
    correct: Mapped[bool] = mapped_column(Boolean)
    at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class LinkCode(Base):
    """A short-lived code that joins a person's accounts on two apps into one user."""

    __tablename__ = "link_codes"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    channel: Mapped[str] = mapped_column(String(20))
    code_hash: Mapped[str] = mapped_column(String(64), unique=True)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime())
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


class Invite(Base):
    """A one-time code that grants a role with its scope."""

    __tablename__ = "invites"

    id: Mapped[int] = mapped_column(primary_key=True)
    code_hash: Mapped[str] = mapped_column(String(64), unique=True)
    role: Mapped[str] = mapped_column(String(20))
    commune_id: Mapped[int | None] = mapped_column(ForeignKey("communes.id", ondelete="CASCADE"))
    village_id: Mapped[int | None] = mapped_column(ForeignKey("villages.id", ondelete="CASCADE"))
    unit_id: Mapped[int | None] = mapped_column(ForeignKey("units.id", ondelete="CASCADE"))
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime())
    created_by: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    used_by: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # The code's first characters ("HVS-7K"), enough for an operator to name it, too few to
    # help a guesser; the code itself is never stored.
    code_prefix: Mapped[str | None] = mapped_column(String(12))
    cancelled_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


class Deadline(Base):
    """A yearly reporting deadline of a commune, with its reminder schedule."""

    __tablename__ = "deadlines"
    __table_args__ = (UniqueConstraint("commune_id", "month", "day"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    commune_id: Mapped[int] = mapped_column(ForeignKey("communes.id", ondelete="CASCADE"))
    month: Mapped[int] = mapped_column(Integer)
    day: Mapped[int] = mapped_column(Integer)
    title: Mapped[str] = mapped_column(String(200))
    offsets_days: Mapped[list[int]] = mapped_column(JSONType)
    send_hour: Mapped[int] = mapped_column(Integer, default=8)


class ReportSubmission(Base):
    """A village's report for one deadline of one year."""

    __tablename__ = "report_submissions"
    __table_args__ = (UniqueConstraint("village_id", "deadline_id", "year"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    village_id: Mapped[int] = mapped_column(ForeignKey("villages.id", ondelete="CASCADE"))
    deadline_id: Mapped[int] = mapped_column(ForeignKey("deadlines.id", ondelete="CASCADE"))
    year: Mapped[int] = mapped_column(Integer)
    submitted_at: Mapped[datetime] = mapped_column(UTCDateTime())
    by_user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    method: Mapped[str] = mapped_column(String(10))  # chat | paper
    snapshot: Mapped[dict[str, Any]] = mapped_column(JSONType)


class OfflineLearning(Base):
    """Learning outside the bot's lessons: a community class, or a course on another platform.

    A class is recorded (and confirmed) by the village head; a course finished elsewhere is
    declared by a resident and counts once the village head confirms it.
    """

    __tablename__ = "offline_learning"

    id: Mapped[int] = mapped_column(primary_key=True)
    household_id: Mapped[int] = mapped_column(
        ForeignKey("households.id", ondelete="CASCADE"), index=True
    )
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    date: Mapped[datetime] = mapped_column(UTCDateTime())
    note: Mapped[str] = mapped_column(String(200), default="")
    recorded_by: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    source: Mapped[str] = mapped_column(
        String(10), default="class", server_default="class"
    )  # class | platform
    confirmed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # The certificate picture the resident sent: a file name in the media directory (random,
    # not guessable); /xoadulieu deletes the file and this reference.
    photo: Mapped[str | None] = mapped_column(String(100))


class OutboxMessage(Base):
    """A proactive message waiting to be sent (reminders, notices, broadcasts)."""

    __tablename__ = "outbox"
    __table_args__ = (Index("ix_outbox_due", "status", "not_before"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    channel: Mapped[str] = mapped_column(String(20))
    chat_id: Mapped[str] = mapped_column(String(64))
    user_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), index=True
    )
    payload: Mapped[dict[str, Any]] = mapped_column(JSONType)
    dedupe_key: Mapped[str] = mapped_column(String(200), unique=True)
    kind: Mapped[str] = mapped_column(String(30))
    not_before: Mapped[datetime] = mapped_column(UTCDateTime())
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    # pending → sending (leased) → sent | failed | unreachable
    status: Mapped[str] = mapped_column(String(12), default="pending")
    lease_until: Mapped[datetime | None] = mapped_column(UTCDateTime())
    last_error: Mapped[str | None] = mapped_column(String(500))
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    broadcast_id: Mapped[int | None] = mapped_column(
        ForeignKey("broadcasts.id", ondelete="CASCADE"), index=True
    )
    message_ref: Mapped[str | None] = mapped_column(String(64))  # the platform's message id


class Broadcast(Base):
    """A notice from staff to the commune, a village or a role, with its progress message."""

    __tablename__ = "broadcasts"

    id: Mapped[int] = mapped_column(primary_key=True)
    commune_id: Mapped[int] = mapped_column(ForeignKey("communes.id", ondelete="CASCADE"))
    audience: Mapped[dict[str, Any]] = mapped_column(JSONType)
    text: Mapped[str] = mapped_column(Text)
    created_by: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    total: Mapped[int] = mapped_column(Integer, default=0)
    unreachable: Mapped[int] = mapped_column(Integer, default=0)  # no app to write to
    progress_channel: Mapped[str | None] = mapped_column(String(20))
    progress_chat_id: Mapped[str | None] = mapped_column(String(64))
    progress_text: Mapped[str | None] = mapped_column(String(500))
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


class ProcessedUpdate(Base):
    """A platform update already handled, so a redelivery is not handled twice."""

    __tablename__ = "processed_updates"
    __table_args__ = (UniqueConstraint("channel", "update_key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    channel: Mapped[str] = mapped_column(String(20))
    update_key: Mapped[str] = mapped_column(String(100))
    at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, index=True)


class SecurityRecord(Base):
    """A failed code try, kept 24 h to limit guessing; no personal content.

    `key` is a code's row ("link:12"), a hashed account ("acct:<sha256>") or "all".
    /xoadulieu does not touch these rows, so deleting one's data does not reset the count.
    """

    __tablename__ = "security_records"
    __table_args__ = (Index("ix_security_records_kind_key_at", "kind", "key", "at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(20))  # link_fail | invite_fail
    key: Mapped[str] = mapped_column(String(80))
    at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, index=True)


class AuditLog(Base):
    """Who did what to whom: roles, totals, deletions."""

    __tablename__ = "audit_log"

    id: Mapped[int] = mapped_column(primary_key=True)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    action: Mapped[str] = mapped_column(String(40))
    target: Mapped[str] = mapped_column(String(200), default="")
    detail: Mapped[dict[str, Any] | None] = mapped_column(JSONType)
    at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class Ticket(Base):
    """A resident's question to a person: their village head, else the commune's staff."""

    __tablename__ = "tickets"
    __table_args__ = (
        Index("ix_tickets_commune_status", "commune_id", "status"),
        Index("ix_tickets_village_status", "village_id", "status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    resident_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), index=True
    )
    commune_id: Mapped[int] = mapped_column(ForeignKey("communes.id", ondelete="CASCADE"))
    village_id: Mapped[int | None] = mapped_column(ForeignKey("villages.id", ondelete="SET NULL"))
    household_id: Mapped[int | None] = mapped_column(
        ForeignKey("households.id", ondelete="SET NULL")
    )
    # The village head it was routed to; None: the commune's staff answer it.
    helper_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), index=True
    )
    answered_by: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    status: Mapped[str] = mapped_column(String(12), default="open")  # open | answered
    question: Mapped[str] = mapped_column(Text)
    additions: Mapped[int] = mapped_column(Integer, default=0)
    answer: Mapped[str | None] = mapped_column(Text)
    opened_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    answered_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    escalated_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    reopened_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    rating: Mapped[str | None] = mapped_column(String(4))  # up | down


class FaqEntry(Base):
    """A question and answer staff wrote from an answered ticket; question search finds it."""

    __tablename__ = "faq_entries"

    id: Mapped[int] = mapped_column(primary_key=True)
    commune_id: Mapped[int] = mapped_column(
        ForeignKey("communes.id", ondelete="CASCADE"), index=True
    )
    ticket_id: Mapped[int | None] = mapped_column(ForeignKey("tickets.id", ondelete="SET NULL"))
    question: Mapped[str] = mapped_column(Text)
    answer: Mapped[str] = mapped_column(Text)
    created_by: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class WebLink(Base):
    """A one-time sign-in link to the web board (only its hash is kept)."""

    __tablename__ = "web_links"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime())
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


class WebSession(Base):
    """A signed-in browser: the cookie's token, hashed, for one person until it ends."""

    __tablename__ = "web_sessions"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime())
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


class PublicBoard(Base):
    """A commune's public board: off until staff turn it on, and where it may be embedded."""

    __tablename__ = "public_boards"

    commune_id: Mapped[int] = mapped_column(
        ForeignKey("communes.id", ondelete="CASCADE"), primary_key=True
    )
    slug: Mapped[str] = mapped_column(String(120), unique=True)
    enabled: Mapped[bool] = mapped_column(Boolean, default=False)
    # Space-separated origins allowed to show the board in an <iframe> (CSP frame-ancestors).
    embed_origins: Mapped[str] = mapped_column(String(500), default="")
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


__all__ = [
    "AuditLog",
    "Base",
    "Broadcast",
    "Commune",
    "Household",
    "Identity",
    "Deadline",
    "FaqEntry",
    "Invite",
    "LessonProgress",
    "OfflineLearning",
    "OutboxMessage",
    "ReportSubmission",
    "SecurityRecord",
    "LinkCode",
    "ProcessedUpdate",
    "PublicBoard",
    "QuizAnswer",
    "Ticket",
    "User",
    "Village",
    "WebLink",
    "WebSession",
    "utcnow",
]


class SearchGap(Base):
    """A question no lesson answered: its text only (digits stripped), never who asked."""

    __tablename__ = "search_gaps"

    id: Mapped[int] = mapped_column(primary_key=True)
    text: Mapped[str] = mapped_column(String(300))
    at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, index=True)


class Unit(Base):
    """A reporting unit of a commune other than a village: an agency (cơ quan), a school, an
    enterprise, a co-operative or a mass organisation (đoàn thể). Villages and tổ dân phố are
    units of kind "thôn" and stay in `villages`."""

    __tablename__ = "units"
    __table_args__ = (UniqueConstraint("commune_id", "name_folded"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    commune_id: Mapped[int] = mapped_column(ForeignKey("communes.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(20))  # bot.units.KINDS
    name: Mapped[str] = mapped_column(String(200))
    name_folded: Mapped[str] = mapped_column(String(200))
    members_total: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class UnitReport(Base):
    """A reporting unit's yearly emulation report for one deadline.

    One row per unit, deadline and year: a correction before the deadline replaces the figures
    and texts, and the replaced version is kept in `history` (with when and by whom).
    """

    __tablename__ = "unit_reports"
    __table_args__ = (UniqueConstraint("unit_id", "deadline_id", "year"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id", ondelete="CASCADE"), index=True)
    deadline_id: Mapped[int] = mapped_column(ForeignKey("deadlines.id", ondelete="CASCADE"))
    year: Mapped[int] = mapped_column(Integer)
    submitted_at: Mapped[datetime] = mapped_column(UTCDateTime())
    by_user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    members_total: Mapped[int | None] = mapped_column(Integer)
    # People who learned digital skills this year: on this bot, on binhdanhocvuso.gov.vn or in
    # classes (the unit head's count).
    members_learned: Mapped[int | None] = mapped_column(Integer)
    classes_held: Mapped[int | None] = mapped_column(Integer)
    results: Mapped[str] = mapped_column(Text, default="")
    initiatives: Mapped[str] = mapped_column(Text, default="")
    # [{"kind": "tap_the" | "ca_nhan", "name": ..., "achievement": ...}]
    nominations: Mapped[list[dict[str, Any]]] = mapped_column(JSONType, default=list)
    revision: Mapped[int] = mapped_column(Integer, default=1)
    history: Mapped[list[dict[str, Any]]] = mapped_column(JSONType, default=list)


class AwardDecision(Base):
    """Staff's decision on one award proposal of a year: propose (đề nghị) or not.

    `key` names the proposal stably: "nom:<unit_report_id>:<index>" for a nomination,
    "reach:<village_id>", "gain:<village_id>", "cohort:<unit_id>" for suggestions from the data.
    """

    __tablename__ = "award_decisions"
    __table_args__ = (UniqueConstraint("commune_id", "year", "key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    commune_id: Mapped[int] = mapped_column(ForeignKey("communes.id", ondelete="CASCADE"))
    year: Mapped[int] = mapped_column(Integer)
    key: Mapped[str] = mapped_column(String(80))
    decision: Mapped[str] = mapped_column(String(10))  # propose | decline
    decided_by: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    decided_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
