"""Time the coverage service: one commune's village table and the province roll-up.

    python -m bench.stats --url URL [--commune-id ID] [--runs 20] [--explain]

Each case runs once to warm up, then `--runs` times, each in a fresh session, exactly as the
bot's handlers, reports and `hocvuso stats` call it (`commune_coverage(session, [id])` and
`commune_coverage(session)`). Prints p50, p95 and max in milliseconds, the row counts of the main
tables, and with `--explain` the plan of every query the service sends, slowest first
(`EXPLAIN (ANALYZE, BUFFERS)` on PostgreSQL, `EXPLAIN QUERY PLAN` and a timing on SQLite).
"""

from __future__ import annotations

import argparse
import asyncio
import math
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import event, text
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from bot.stats.coverage import commune_coverage
from bot.storage import db

TABLES = (
    "communes",
    "villages",
    "households",
    "users",
    "identities",
    "lesson_progress",
    "quiz_answers",
)
# DESIGN.md "Targets the benchmarks hold us to", in milliseconds.
TARGETS = {
    ("sqlite", "commune"): 50.0,
    ("postgresql", "commune"): 200.0,
    ("postgresql", "province"): 2000.0,
}


@dataclass
class Timing:
    """The timings of one case."""

    case: str
    detail: str
    runs: list[float]
    target_ms: float | None

    def quantile(self, q: float) -> float:
        """Return the nearest-rank quantile of the runs, in milliseconds."""
        ordered = sorted(self.runs)
        return ordered[max(0, math.ceil(q * len(ordered)) - 1)]

    @property
    def ok(self) -> str:
        """Tell whether p95 is within the target ("-" without a target)."""
        if self.target_ms is None:
            return "-"
        return "yes" if self.quantile(0.95) <= self.target_ms else "NO"


async def timed(
    sessions: async_sessionmaker[AsyncSession], ids: list[int] | None, runs: int
) -> list[float]:
    """Run the coverage service once to warm up, then `runs` times; return milliseconds."""
    result = []
    for i in range(runs + 1):
        started = time.perf_counter()
        async with sessions() as session:
            communes = await commune_coverage(session, ids)
        elapsed = (time.perf_counter() - started) * 1000
        if not communes:
            raise SystemExit("no communes found: generate data with python -m bench.gen first")
        if i:
            result.append(elapsed)
    return result


async def row_counts(engine: AsyncEngine) -> dict[str, int]:
    """Count the rows of the main tables."""
    counts = {}
    async with engine.connect() as conn:
        for table in TABLES:
            counts[table] = int(await conn.scalar(text(f"SELECT count(*) FROM {table}")) or 0)
    return counts


async def captured_statements(
    engine: AsyncEngine, sessions: async_sessionmaker[AsyncSession], ids: list[int] | None
) -> list[tuple[str, Any]]:
    """Return the SQL statements (with their parameters) one coverage call sends."""
    seen: list[tuple[str, Any]] = []

    def record(
        _conn: Any, _cursor: Any, statement: str, parameters: Any, _context: Any, _many: bool
    ) -> None:
        if statement.lstrip().upper().startswith("SELECT"):
            seen.append((statement, parameters))

    event.listen(engine.sync_engine, "before_cursor_execute", record)
    try:
        async with sessions() as session:
            await commune_coverage(session, ids)
    finally:
        event.remove(engine.sync_engine, "before_cursor_execute", record)
    return seen


async def explain(
    engine: AsyncEngine, sessions: async_sessionmaker[AsyncSession], ids: list[int] | None
) -> list[tuple[float, str, str]]:
    """Return (ms, statement, plan) for every statement of one coverage call, slowest first."""
    plans = []
    statements = await captured_statements(engine, sessions, ids)
    async with engine.connect() as conn:
        raw = await conn.get_raw_connection()
        driver = raw.driver_connection
        for statement, parameters in statements:
            params = tuple(parameters or ())
            if engine.dialect.name == "postgresql":
                rows = await driver.fetch(f"EXPLAIN (ANALYZE, BUFFERS) {statement}", *params)
                plan = "\n".join(r[0] for r in rows)
                ms = next(
                    (
                        float(r[0].split(":")[1].split()[0])
                        for r in rows
                        if r[0].startswith("Execution Time")
                    ),
                    0.0,
                )
            else:
                rows = (
                    await conn.exec_driver_sql(f"EXPLAIN QUERY PLAN {statement}", params)
                ).all()
                plan = "\n".join(f"{'  ' * (r[1] > 0)}{r[3]}" for r in rows)
                started = time.perf_counter()
                await conn.exec_driver_sql(statement, params)
                ms = (time.perf_counter() - started) * 1000
            plans.append((ms, statement, plan))
    return sorted(plans, key=lambda p: -p[0])


def print_table(timings: list[Timing], counts: dict[str, int]) -> None:
    """Print the timing table and the row counts."""
    print()
    print("| case | what | runs | p50 ms | p95 ms | max ms | target ms | p95 within |")
    print("|---|---|---:|---:|---:|---:|---:|---|")
    for t in timings:
        target = f"{t.target_ms:,.0f}" if t.target_ms else "-"
        print(
            f"| {t.case} | {t.detail} | {len(t.runs)} | {t.quantile(0.5):,.1f} | "
            f"{t.quantile(0.95):,.1f} | {max(t.runs):,.1f} | {target} | {t.ok} |"
        )
    print()
    print("| table | rows |")
    print("|---|---:|")
    for table, count in counts.items():
        print(f"| {table} | {count:,} |")


async def run(url: str, commune_id: int | None, runs: int, want_explain: bool) -> None:
    """Time both cases and print the results."""
    engine = db.make_engine(url)
    sessions = db.make_sessionmaker(engine)
    dialect = engine.dialect.name
    try:
        async with engine.connect() as conn:
            if commune_id is None:
                commune_id = await conn.scalar(text("SELECT min(id) FROM communes"))
            villages = await conn.scalar(
                text("SELECT count(*) FROM villages WHERE commune_id = :id"), {"id": commune_id}
            )
            communes = await conn.scalar(text("SELECT count(*) FROM communes"))
        if commune_id is None:
            raise SystemExit("no communes found: generate data with python -m bench.gen first")
        print(f"{dialect}: {make_url(url).render_as_string(hide_password=True)}", flush=True)
        timings = [
            Timing(
                "commune",
                f"commune_coverage(session, [{commune_id}]): {villages} villages",
                await timed(sessions, [commune_id], runs),
                TARGETS.get((dialect, "commune")),
            ),
            Timing(
                "province",
                f"commune_coverage(session): {communes} communes",
                await timed(sessions, None, runs),
                TARGETS.get((dialect, "province")),
            ),
        ]
        print_table(timings, await row_counts(engine))
        if want_explain:
            for case, ids in (("commune", [commune_id]), ("province", None)):
                print(f"\n## {case}: every query of one call, slowest first\n")
                for ms, statement, plan in await explain(engine, sessions, ids):
                    print(f"### {ms:,.1f} ms\n\n```sql\n{statement}\n```\n\n```\n{plan}\n```\n")
    finally:
        await engine.dispose()


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    """Read the command line."""
    summary = (__doc__ or "").split("\n")[0]
    parser = argparse.ArgumentParser(prog="python -m bench.stats", description=summary)
    parser.add_argument("--url", required=True, help="SQLAlchemy URL of a generated database")
    parser.add_argument("--commune-id", type=int, help="the commune to time (default: lowest id)")
    parser.add_argument("--runs", type=int, default=20, help="timed runs after one warm-up")
    parser.add_argument("--explain", action="store_true", help="print the query plans")
    return parser.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> None:
    """Run the benchmark."""
    args = parse_args(argv)
    if args.runs < 1:
        raise SystemExit("--runs must be at least 1")
    asyncio.run(run(args.url, args.commune_id, args.runs, args.explain))


if __name__ == "__main__":
    sys.exit(main())
