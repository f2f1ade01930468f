"""Seeded synthetic data for the coverage benchmarks: a commune, or a whole province.

    python -m bench.gen --url URL --communes N --villages-per-commune M --households H \
        --users U --quiz-answers Q --seed S [--fresh]

The schema comes from the Alembic migrations (`bot.storage.db.upgrade_sync`) on an empty
database; then every table the coverage service reads is filled with data shaped like the real
thing: ≈40% of households take part (participating_since spread over 12 weeks), every such
household has a member who completed a lesson (≈1.5 lessons each), ≈3% of users have deleted
their data, and rows arrive in time order, so one commune's users are scattered over the table
as they would be in a province where every commune signs people up at once.

PostgreSQL is filled with COPY (asyncpg `copy_records_to_table` on the raw connection, foreign
key triggers off while loading, then VACUUM ANALYZE as autovacuum would do); SQLite with
executemany in one big transaction per table. The same seed gives the same data.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import math
import sys
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import numpy as np
from sqlalchemy import text
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from bot.storage import db
from bot.storage.models import Base
from bot.text import fold

NOW = datetime(2026, 11, 20, 3, 0, tzinfo=UTC)  # fixed, so a seed always gives the same rows
WEEKS = 12
PARTICIPATING_SHARE = 0.40
DELETED_SHARE = 0.03
CHUNK = 50_000
COHORTS = ("nguoi_dan", "can_bo", "lao_dong_dn", "hoc_sinh")
COHORT_WEIGHTS = (0.70, 0.10, 0.12, 0.08)
QUESTIONS_PER_LESSON = 5
PROTECTED_DATABASES = {"postgres", "test", "template0", "template1"}

FAMILY = [
    "Nguyễn",
    "Trần",
    "Lê",
    "Phạm",
    "Hoàng",
    "Huỳnh",
    "Phan",
    "Vũ",
    "Võ",
    "Đặng",
    "Bùi",
    "Đỗ",
    "Hồ",
    "Ngô",
    "Dương",
    "Lý",
    "Đinh",
    "Mai",
    "Trịnh",
    "Lương",
]
MIDDLE = ["Văn", "Thị", "Hữu", "Đức", "Minh", "Ngọc", "Thanh", "Quốc", "Xuân", "Thu"]
GIVEN = [
    "An",
    "Bình",
    "Cường",
    "Dũng",
    "Giang",
    "Hà",
    "Hải",
    "Hạnh",
    "Hoa",
    "Hùng",
    "Hương",
    "Khánh",
    "Lan",
    "Linh",
    "Long",
    "Mai",
    "Nam",
    "Nga",
    "Phương",
    "Quang",
    "Sơn",
    "Tâm",
    "Thảo",
    "Trang",
    "Tuấn",
    "Vân",
    "Yến",
    "Hiếu",
    "Lộc",
    "Phúc",
]
PLACES = [
    "Đồng Tâm",
    "An Lạc",
    "Tân Tiến",
    "Bắc Sơn",
    "Đông Hòa",
    "Trung Thành",
    "Phú Xuân",
    "Hòa Bình",
    "Quyết Thắng",
    "Thượng",
    "Hạ",
    "Nam Hải",
    "Tiền Phong",
    "Thắng Lợi",
    "Minh Khai",
    "Quang Trung",
    "Lê Lợi",
    "Hồng Phong",
]

# Columns in the order the record builders yield them.
COLUMNS: dict[str, tuple[str, ...]] = {
    "communes": (
        "id",
        "name",
        "name_folded",
        "province",
        "target_household_pct",
        "cbcc_total",
        "worker_total",
        "timezone",
        "created_at",
    ),
    "villages": ("id", "commune_id", "name", "name_folded", "households_total"),
    "households": (
        "id",
        "village_id",
        "code",
        "head_name",
        "head_name_folded",
        "source",
        "participating_since",
        "members",
        "created_at",
    ),
    "users": (
        "id",
        "display_name",
        "role",
        "cohort",
        "commune_id",
        "village_id",
        "household_id",
        "consent_at",
        "reminders_opt_in",
        "state",
        "lessons_started",
        "lessons_completed",
        "created_at",
        "deleted_at",
    ),
    "identities": ("id", "user_id", "channel", "external_id", "chat_id", "created_at"),
    "lesson_progress": (
        "id",
        "user_id",
        "lesson_id",
        "card",
        "question",
        "correct",
        "started_at",
        "completed_at",
        "score",
        "attempts",
    ),
    "quiz_answers": (
        "id",
        "user_id",
        "lesson_id",
        "question_id",
        "attempt",
        "answer",
        "correct",
        "at",
    ),
}
JSON_COLUMNS = {("users", "state")}


@dataclass(frozen=True)
class Plan:
    """How much to generate, and from which seed."""

    communes: int
    villages_per_commune: int
    households: int
    users: int
    quiz_answers: int
    seed: int


def moments(seconds: np.ndarray) -> list[datetime | None]:
    """Turn seconds since NOW (negative: before; NaN: none) into timezone-aware datetimes."""
    base = NOW.timestamp()
    return [
        None if math.isnan(s) else datetime.fromtimestamp(base + s, UTC) for s in seconds.tolist()
    ]


def split_evenly(total: int, weights: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Split `total` into integer parts proportional to `weights` that add up exactly."""
    parts = np.floor(total * weights / weights.sum()).astype(np.int64)
    short = total - int(parts.sum())
    if short:
        parts[rng.choice(len(parts), size=short, replace=len(parts) < short)] += 1
    return parts


class Synthetic:
    """All the generated columns as numpy arrays, turned into records table by table."""

    def __init__(self, plan: Plan) -> None:
        self.plan = plan
        rng = np.random.default_rng(plan.seed)
        self.rng = rng
        n_villages = plan.communes * plan.villages_per_commune
        self.village_commune = np.repeat(
            np.arange(1, plan.communes + 1), plan.villages_per_commune
        )
        sizes = split_evenly(plan.households, rng.uniform(0.6, 1.4, n_villages), rng)
        # The declared total is at least the roster: some households are not on it yet.
        self.village_total = sizes + np.rint(sizes * rng.uniform(0.0, 0.25, n_villages)).astype(
            np.int64
        )
        self.household_village = np.repeat(np.arange(1, n_villages + 1), sizes)  # index: id - 1
        h = plan.households
        self.participating = rng.random(h) < PARTICIPATING_SHARE
        self.since = np.where(
            self.participating, -rng.uniform(0, WEEKS * 7 * 86400, h), np.nan
        )  # seconds relative to NOW
        self.head_name = rng.integers(0, len(FAMILY) * len(MIDDLE) * len(GIVEN), h)

        # Users: every participating household gets one member who completed a lesson (its
        # "anchor"), the others are spread over all households; then shuffled into time order.
        u = plan.users
        anchored = np.flatnonzero(self.participating)[:u]
        household = np.concatenate([anchored, rng.integers(0, h, u - len(anchored))])
        anchor = np.zeros(u, dtype=bool)
        anchor[: len(anchored)] = True
        order = rng.permutation(u)
        self.user_household = household[order]  # household index (id - 1)
        self.anchor = anchor[order]
        self.user_village = self.household_village[self.user_household]
        self.user_commune = self.village_commune[self.user_village - 1]
        self.deleted = (rng.random(u) < DELETED_SHARE) & ~self.anchor
        in_participating = self.participating[self.user_household]
        self.participant = self.anchor | (in_participating & (rng.random(u) < 0.35))
        self.lessons_done = np.where(self.participant, 1 + (rng.random(u) < 0.5), 0)
        hh_since = self.since[self.user_household]
        first_done = np.where(
            self.anchor,
            hh_since,
            hh_since + rng.random(u) * np.nan_to_num(-hh_since),
        )
        second_done = first_done + rng.random(u) * np.nan_to_num(-first_done)
        self.first_done = np.where(self.participant, first_done, np.nan)
        self.second_done = np.where(self.lessons_done == 2, second_done, np.nan)
        # One lesson started and not finished: some participants on their next lesson, and
        # some who never finished one (they count as learners, not as participating).
        self.in_progress = (
            np.where(self.participant, rng.random(u) < 0.2, rng.random(u) < 0.10) & ~self.deleted
        )
        last_done = np.fmax(self.first_done, self.second_done)
        self.in_progress_start = np.where(
            self.participant,
            last_done + rng.random(u) * np.nan_to_num(-last_done),
            -rng.uniform(0, WEEKS * 7 * 86400, u),
        )
        first_activity = np.fmin(self.first_done - 1800, self.in_progress_start)
        self.created = np.where(
            np.isnan(first_activity),
            -rng.uniform(0, WEEKS * 7 * 86400, u),
            first_activity - rng.uniform(60, 7 * 86400, u),
        )
        self.deleted_at = np.where(
            self.deleted, self.created + rng.random(u) * -self.created, np.nan
        )
        self.cohort = rng.choice(len(COHORTS), size=u, p=COHORT_WEIGHTS)
        self.zalo = rng.random(u) < 0.3
        self.members = np.bincount(
            self.user_household[~self.deleted], minlength=plan.households
        )  # index: household id - 1
        self._lessons(rng)

    def _lessons(self, rng: np.random.Generator) -> None:
        """Lay out lesson_progress rows in the order they were started, and their answers."""
        users = np.arange(1, self.plan.users + 1)
        done1 = self.lessons_done >= 1
        done2 = self.lessons_done == 2
        parts_user = [users[done1], users[done2], users[self.in_progress]]
        parts_lesson = [
            np.zeros(done1.sum(), dtype=np.int64),
            np.ones(done2.sum(), dtype=np.int64),
            self.lessons_done[self.in_progress],
        ]
        completed = np.concatenate(
            [
                self.first_done[done1],
                self.second_done[done2],
                np.full(int(self.in_progress.sum()), np.nan),
            ]
        )
        took = rng.uniform(300, 2400, len(completed))
        n_done = int(done1.sum() + done2.sum())
        open_start = np.concatenate([np.zeros(n_done), self.in_progress_start[self.in_progress]])
        started = np.where(np.isnan(completed), open_start, completed - took)
        order = np.argsort(started, kind="stable")
        self.lp_user = np.concatenate(parts_user)[order]
        self.lp_lesson = np.concatenate(parts_lesson)[order]
        self.lp_started = started[order]
        self.lp_completed = completed[order]
        n = len(order)
        finished = ~np.isnan(self.lp_completed)
        # Quiz answers: a finished lesson has all its questions answered, at least once.
        weights = np.where(finished, QUESTIONS_PER_LESSON, rng.integers(0, 3, n)).astype(float)
        if n and weights.sum() == 0:
            weights[:] = 1.0
        self.lp_answers = (
            split_evenly(self.plan.quiz_answers, weights, rng)
            if n
            else np.zeros(0, dtype=np.int64)
        )
        self.lp_attempts = np.where(
            finished,
            np.maximum(1, -(-self.lp_answers // QUESTIONS_PER_LESSON)),
            (self.lp_answers > 0).astype(np.int64),
        )
        self.lp_correct = np.where(finished, 4 + (rng.random(n) < 0.6), 0)
        self.lp_card = np.where(finished, 6, rng.integers(0, 6, n))

    # --- records, table by table --------------------------------------------------------------
    def communes(self) -> Iterator[list[tuple[Any, ...]]]:
        """Yield the communes."""
        rows = []
        for i in range(1, self.plan.communes + 1):
            name = f"Xã {PLACES[i % len(PLACES)]} {i}"
            created = NOW - timedelta(weeks=WEEKS + 1)
            rows.append(
                (i, name, fold(name), "Tỉnh Thử Nghiệm", 60, 40, 1500, "Asia/Ho_Chi_Minh", created)
            )
        yield rows

    def villages(self) -> Iterator[list[tuple[Any, ...]]]:
        """Yield the villages with their declared household totals."""
        rows = []
        per = self.plan.villages_per_commune
        for index, (commune, total) in enumerate(
            zip(self.village_commune.tolist(), self.village_total.tolist(), strict=True)
        ):
            k = index % per + 1
            name = f"Thôn {PLACES[k % len(PLACES)]} {k}"
            rows.append((index + 1, commune, name, fold(name), total))
        yield rows

    def households(self) -> Iterator[list[tuple[Any, ...]]]:
        """Yield the households of the rosters."""
        names = [f"{a} {b} {c}" for a in FAMILY for b in MIDDLE for c in GIVEN]
        folded = [fold(n) for n in names]
        created = NOW - timedelta(weeks=WEEKS + 1)
        for start in range(0, self.plan.households, CHUNK):
            stop = min(start + CHUNK, self.plan.households)
            since = moments(self.since[start:stop])
            rows = []
            for offset, (village, name, at, members) in enumerate(
                zip(
                    self.household_village[start:stop].tolist(),
                    self.head_name[start:stop].tolist(),
                    since,
                    self.members[start:stop].tolist(),
                    strict=True,
                )
            ):
                hid = start + offset + 1
                rows.append(
                    (
                        hid,
                        village,
                        f"H{hid:07d}",
                        names[name],
                        folded[name],
                        "roster",
                        at,
                        members,
                        created,
                    )
                )
            yield rows

    def users(self) -> Iterator[list[tuple[Any, ...]]]:
        """Yield the residents, in sign-up order."""
        for start in range(0, self.plan.users, CHUNK):
            stop = min(start + CHUNK, self.plan.users)
            created = moments(self.created[start:stop])
            deleted = moments(self.deleted_at[start:stop])
            rows = []
            begun = self.lessons_done[start:stop] + self.in_progress[start:stop]
            for offset, (
                commune,
                village,
                household,
                cohort,
                started,
                done,
                at,
                gone,
            ) in enumerate(
                zip(
                    self.user_commune[start:stop].tolist(),
                    self.user_village[start:stop].tolist(),
                    self.user_household[start:stop].tolist(),
                    self.cohort[start:stop].tolist(),
                    begun.tolist(),
                    self.lessons_done[start:stop].tolist(),
                    created,
                    deleted,
                    strict=True,
                )
            ):
                uid = start + offset + 1
                consent = at + timedelta(seconds=20)
                rows.append(
                    (
                        uid,
                        None if gone else f"Người dùng {uid}",
                        "resident",
                        COHORTS[cohort],
                        commune,
                        village,
                        household + 1,
                        consent,
                        True,
                        {},
                        started,
                        done,
                        at,
                        gone,
                    )
                )
            yield rows

    def identities(self) -> Iterator[list[tuple[Any, ...]]]:
        """Yield one Telegram or Zalo account per user."""
        for start in range(0, self.plan.users, CHUNK):
            stop = min(start + CHUNK, self.plan.users)
            created = moments(self.created[start:stop])
            rows = []
            for offset, (zalo, at) in enumerate(
                zip(self.zalo[start:stop].tolist(), created, strict=True)
            ):
                uid = start + offset + 1
                if zalo:
                    external = f"{uid * 2654435761 % 10**16:016x}"
                    rows.append((uid, uid, "zalo", external, external, at))
                else:
                    external = str(5_000_000_000 + uid * 7)
                    rows.append((uid, uid, "telegram", external, external, at))
            yield rows

    def lesson_progress(self) -> Iterator[list[tuple[Any, ...]]]:
        """Yield lesson progress: completed lessons and a few started ones."""
        n = len(self.lp_user)
        for start in range(0, n, CHUNK):
            stop = min(start + CHUNK, n)
            started = moments(self.lp_started[start:stop])
            completed = moments(self.lp_completed[start:stop])
            rows = []
            for offset, (user, lesson, card, correct, attempts, begun, done) in enumerate(
                zip(
                    self.lp_user[start:stop].tolist(),
                    self.lp_lesson[start:stop].tolist(),
                    self.lp_card[start:stop].tolist(),
                    self.lp_correct[start:stop].tolist(),
                    self.lp_attempts[start:stop].tolist(),
                    started,
                    completed,
                    strict=True,
                )
            ):
                rows.append(
                    (
                        start + offset + 1,
                        user,
                        f"L{lesson + 1:02d}",
                        card,
                        QUESTIONS_PER_LESSON if done else 0,
                        correct,
                        begun,
                        done,
                        correct / QUESTIONS_PER_LESSON if done else None,
                        attempts,
                    )
                )
            yield rows

    def quiz_answers(self) -> Iterator[list[tuple[Any, ...]]]:
        """Yield the quiz answers of every lesson row, in the order the lessons started."""
        counts = self.lp_answers
        ends = np.cumsum(counts)
        qid = 0
        row = 0
        n = len(counts)
        while row < n:
            # Take lesson rows until about CHUNK answers are gathered.
            stop = int(np.searchsorted(ends, (ends[row - 1] if row else 0) + CHUNK, "right"))
            stop = max(stop, row + 1)
            block = counts[row:stop]
            which = np.repeat(np.arange(row, stop), block)
            firsts = np.repeat(ends[row:stop] - block, block)
            total = int(block.sum())
            j = np.arange(total) + (ends[row - 1] if row else 0) - firsts
            at = moments(self.lp_started[which] + 60 + j * 20.0)
            right = (self.rng.random(total) < 0.85).tolist()
            rows = []
            for user, lesson, k, when, ok in zip(
                self.lp_user[which].tolist(),
                self.lp_lesson[which].tolist(),
                j.tolist(),
                at,
                right,
                strict=True,
            ):
                qid += 1
                question = k % QUESTIONS_PER_LESSON
                rows.append(
                    (
                        qid,
                        user,
                        f"L{lesson + 1:02d}",
                        f"q{question + 1}",
                        k // QUESTIONS_PER_LESSON + 1,
                        "ABCD"[question % 4 if ok else (question + 1) % 4],
                        ok,
                        when,
                    )
                )
            if rows:
                yield rows
            row = stop


TABLES = (
    "communes",
    "villages",
    "households",
    "users",
    "identities",
    "lesson_progress",
    "quiz_answers",
)


class Progress:
    """Print rows written and rows per second while a table loads."""

    def __init__(self, table: str, expected: int) -> None:
        self.table = table
        self.expected = expected
        self.done = 0
        self.started = time.perf_counter()
        self.last_print = self.started

    def add(self, rows: int) -> None:
        """Count rows written; print at most once a second."""
        self.done += rows
        now = time.perf_counter()
        tty = sys.stdout.isatty()
        if now - self.last_print >= (1.0 if tty else 10.0):
            self.last_print = now
            self.show(end="\r" if tty else "\n")

    def show(self, end: str = "\n") -> None:
        """Print the running total."""
        elapsed = max(time.perf_counter() - self.started, 1e-9)
        print(
            f"  {self.table:<16} {self.done:>12,}/{self.expected:<12,} "
            f"{self.done / elapsed:>10,.0f} rows/s  {elapsed:7.1f} s",
            end=end,
            flush=True,
        )


def expected_rows(data: Synthetic) -> dict[str, int]:
    """Return how many rows each table will get."""
    plan = data.plan
    return {
        "communes": plan.communes,
        "villages": plan.communes * plan.villages_per_commune,
        "households": plan.households,
        "users": plan.users,
        "identities": plan.users,
        "lesson_progress": len(data.lp_user),
        "quiz_answers": int(data.lp_answers.sum()),
    }


async def is_empty(engine: AsyncEngine) -> bool:
    """Tell whether the database has no communes yet (tables may exist, freshly migrated)."""
    async with engine.connect() as conn:
        try:
            count = await conn.scalar(text("SELECT count(*) FROM communes"))
        except Exception:  # no table yet
            return True
    return not count


async def load_postgres(conn: AsyncConnection, data: Synthetic) -> None:
    """COPY every table, foreign key triggers off, then fix sequences and VACUUM ANALYZE."""
    raw = await conn.get_raw_connection()
    apg = raw.driver_connection
    assert apg is not None
    try:
        await apg.execute("SET session_replication_role = replica")  # skip FK triggers
    except Exception as exc:  # not a superuser: foreign keys are checked, only slower
        print(f"  (foreign key checks stay on: {exc})")
    expected = expected_rows(data)
    for table in TABLES:
        columns = COLUMNS[table]
        json_at = [i for i, c in enumerate(columns) if (table, c) in JSON_COLUMNS]
        progress = Progress(table, expected[table])
        async with apg.transaction():
            for rows in getattr(data, table)():
                if json_at:
                    rows = [
                        tuple(json.dumps(v) if i in json_at else v for i, v in enumerate(r))
                        for r in rows
                    ]
                await apg.copy_records_to_table(table, records=rows, columns=list(columns))
                progress.add(len(rows))
        progress.show()
    await apg.execute("SET session_replication_role = DEFAULT")
    for table in TABLES:
        await apg.execute(
            f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
            f"coalesce((SELECT max(id) FROM {table}), 0) + 1, false)"
        )
    started = time.perf_counter()
    for table in TABLES:
        await apg.execute(f"VACUUM (ANALYZE) {table}")
    print(f"  VACUUM ANALYZE {time.perf_counter() - started:.1f} s")


async def load_sqlite(engine: AsyncEngine, data: Synthetic) -> None:
    """Insert with executemany, one transaction per table."""
    expected = expected_rows(data)
    for table in TABLES:
        columns = COLUMNS[table]
        statement = Base.metadata.tables[table].insert()
        progress = Progress(table, expected[table])
        async with engine.begin() as conn:
            for rows in getattr(data, table)():
                await conn.execute(statement, [dict(zip(columns, r, strict=True)) for r in rows])
                progress.add(len(rows))
        progress.show()


def recreate(url: str) -> None:
    """Drop the benchmark database (PostgreSQL) or file (SQLite) and start empty."""
    parsed = make_url(url)
    if db.is_sqlite(url):
        if parsed.database and parsed.database != ":memory:":
            for suffix in ("", "-wal", "-shm"):
                Path(parsed.database + suffix).unlink(missing_ok=True)
        return
    name = parsed.database or ""
    if name in PROTECTED_DATABASES:
        raise SystemExit(f"refusing to drop the database {name!r}")

    async def run() -> None:
        engine = db.make_engine(
            parsed.set(database="postgres").render_as_string(hide_password=False),
            isolation_level="AUTOCOMMIT",
        )
        try:
            async with engine.connect() as conn:
                await conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
                await conn.execute(text(f'CREATE DATABASE "{name}"'))
        finally:
            await engine.dispose()

    asyncio.run(run())


async def fill(url: str, data: Synthetic) -> None:
    """Load the generated rows into the migrated, empty database."""
    engine = db.make_engine(url)
    try:
        if not await is_empty(engine):
            raise SystemExit("the database already has communes: give an empty one or --fresh")
        if db.is_sqlite(url):
            await load_sqlite(engine, data)
        else:
            async with engine.connect() as conn:
                await load_postgres(conn, data)
    finally:
        await engine.dispose()


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    """Read the command line."""
    summary = (__doc__ or "").split("\n")[0]
    parser = argparse.ArgumentParser(prog="python -m bench.gen", description=summary)
    parser.add_argument("--url", required=True, help="SQLAlchemy URL of an empty database")
    parser.add_argument("--communes", type=int, default=1)
    parser.add_argument("--villages-per-commune", type=int, default=20)
    parser.add_argument("--households", type=int, default=20_000)
    parser.add_argument("--users", type=int, default=30_000)
    parser.add_argument("--quiz-answers", type=int, default=150_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument(
        "--fresh", action="store_true", help="drop the database (or SQLite file) first"
    )
    return parser.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> None:
    """Generate and load the data set."""
    args = parse_args(argv)
    plan = Plan(
        communes=args.communes,
        villages_per_commune=args.villages_per_commune,
        households=args.households,
        users=args.users,
        quiz_answers=args.quiz_answers,
        seed=args.seed,
    )
    if min(plan.communes, plan.villages_per_commune, plan.households) < 1 or plan.users < 0:
        raise SystemExit("communes, villages, households must be positive")
    started = time.perf_counter()
    if args.fresh:
        recreate(args.url)
    print(f"migrating {make_url(args.url).render_as_string(hide_password=True)}", flush=True)
    db.upgrade_sync(args.url)
    print(f"planning {plan}", flush=True)
    data = Synthetic(plan)
    print(f"  planned in {time.perf_counter() - started:.1f} s", flush=True)
    asyncio.run(fill(args.url, data))
    print(f"done in {time.perf_counter() - started:.1f} s")


if __name__ == "__main__":
    sys.exit(main())
