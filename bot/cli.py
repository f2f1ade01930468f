"""The `hocvuso` command: try, run and operate the bot from the shell."""

from __future__ import annotations

import asyncio
import csv
import io
import json
import logging
import os
import signal
import sys
from collections.abc import Awaitable, Callable
from datetime import datetime
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any, TypeVar

import typer
from pydantic import ValidationError
from sqlalchemy import select

from bot.app import SetupError, build_app, serve
from bot.config import ROOT, Settings
from bot.lessons.loader import ContentError, check_folder
from bot.logs import configure_logging
from bot.ops import register as register_ops
from bot.stats.coverage import CommuneCoverage, commune_coverage, stats_json
from bot.storage import db
from bot.storage.imports import (
    ImportFailed,
    add_commune,
    commune_key,
    import_households,
    import_villages,
)

T = TypeVar("T")

app = typer.Typer(
    help="Học vụ số bot: the commune chatbot for the Bình dân học vụ số movement.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
db_app = typer.Typer(help="Database schema.", no_args_is_help=True)
commune_app = typer.Typer(help="Communes.", no_args_is_help=True)
import_app = typer.Typer(help="Import villages and households from CSV.", no_args_is_help=True)
content_app = typer.Typer(help="Lesson content.", no_args_is_help=True)
app.add_typer(db_app, name="db")
app.add_typer(commune_app, name="commune")
app.add_typer(import_app, name="import")
app.add_typer(content_app, name="content")

DEMO_COMMUNE = ("Kim Thành", "Hải Phòng")
SEED = ROOT / "db" / "seed"


class CliError(Exception):
    """An error the operator can fix; printed as one line."""


def run(coro: Awaitable[T]) -> T:
    """Run a coroutine from a synchronous command."""
    return asyncio.run(coro)  # type: ignore[arg-type]


def settings() -> Settings:
    """Read settings, turning validation errors into one line."""
    try:
        return Settings()
    except ValidationError as exc:
        problems = "; ".join(
            f"HOCVUSO_{str(error['loc'][0]).upper()}: {error['msg']}" for error in exc.errors()
        )
        raise CliError(f"invalid settings: {problems}") from exc


# --- db -------------------------------------------------------------------------------------
@db_app.command("upgrade")
def db_upgrade(revision: str = "head") -> None:
    """Bring the database schema up to date (Alembic migrations)."""
    s = settings()
    run(db.upgrade(s.database_url, revision))
    typer.echo(f"Database at migration {db.head_revision() if revision == 'head' else revision}.")


# --- commune --------------------------------------------------------------------------------
@commune_app.command("add")
def commune_add(
    name: Annotated[str, typer.Option(help="Commune name, e.g. 'Kim Thành'")],
    province: Annotated[str, typer.Option(help="Province, e.g. 'Hải Phòng'")],
) -> None:
    """Add a commune (does nothing if it exists)."""

    async def go() -> str:
        async with build_app(settings()) as a, db.transaction(a.sessions) as session:
            commune, created = await add_commune(session, name, province, a.settings.timezone)
            return (
                f"{'Added' if created else 'Already there'}: {commune.name} ({commune.province})"
            )

    typer.echo(run(go()))


async def _commune_named(session: Any, name: str | None) -> Any:
    from bot.storage.models import Commune

    rows = list(await session.scalars(select(Commune).order_by(Commune.name)))
    if name is None:
        if len(rows) != 1:
            raise CliError("there are several communes (or none): name one with --commune")
        return rows[0]
    wanted = commune_key(name)
    found = next((c for c in rows if c.name_folded == wanted), None)
    if found is None:
        raise CliError(f"commune {name!r} not found")
    return found


@commune_app.command("deadlines")
def commune_deadlines(
    commune: Annotated[
        str | None, typer.Option(help="Commune name (if there are several)")
    ] = None,
    add: Annotated[str | None, typer.Option(help="Add or change a deadline: DD/MM")] = None,
    title: Annotated[str | None, typer.Option(help="Title of the added deadline")] = None,
    offsets: Annotated[str, typer.Option(help="Reminder days before, e.g. 14,7,3,1,0")] = (
        "14,7,3,1,0"
    ),
    hour: Annotated[int, typer.Option(help="Local hour reminders are sent", min=0, max=23)] = 8,
    remove: Annotated[str | None, typer.Option(help="Remove a deadline: DD/MM")] = None,
) -> None:
    """List a commune's reporting deadlines, or add, change or remove one."""
    from bot.storage.deadlines import deadlines_of
    from bot.storage.models import Deadline

    def day_month(text: str) -> tuple[int, int]:
        try:
            day, month = (int(part) for part in text.split("/"))
            datetime(2024, month, day)  # noqa: DTZ001 - only validates the day and month
        except ValueError as exc:
            raise CliError(f"{text!r} is not a date DD/MM") from exc
        return day, month

    try:
        offset_days = sorted({int(x) for x in offsets.split(",") if x.strip()}, reverse=True)
    except ValueError as exc:
        raise CliError("--offsets takes whole numbers separated by commas") from exc
    if any(d < 0 or d > 90 for d in offset_days):
        raise CliError("--offsets must be between 0 and 90 days")

    async def go() -> list[str]:
        async with build_app(settings()) as a, db.transaction(a.sessions) as session:
            found = await _commune_named(session, commune)
            rows = {(d.day, d.month): d for d in await deadlines_of(session, found.id)}
            if remove:
                row = rows.get(day_month(remove))
                if row is None:
                    raise CliError(f"no deadline on {remove}")
                await session.delete(row)
            if add:
                day, month = day_month(add)
                row = rows.get((day, month))
                if row is None:
                    row = Deadline(commune_id=found.id, day=day, month=month, title="")
                    session.add(row)
                row.title = title or row.title or f"Báo cáo Bình dân học vụ số (hạn {add})"
                row.offsets_days = offset_days
                row.send_hour = hour
            await session.flush()
            lines = []
            for d in await deadlines_of(session, found.id):
                days = ", ".join(map(str, d.offsets_days))
                lines.append(
                    f"{d.day:02d}/{d.month:02d}  {d.title}  "
                    f"(reminders {days} days before, at {d.send_hour:02d}:00)"
                )
            return lines or ["(no deadlines)"]

    typer.echo("\n".join(run(go())))


@commune_app.command("set")
def commune_set(
    commune: Annotated[
        str | None, typer.Option(help="Commune name (if there are several)")
    ] = None,
    cbcc_total: Annotated[
        int | None, typer.Option(help="Number of cán bộ, công chức, viên chức", min=0)
    ] = None,
    worker_total: Annotated[
        int | None, typer.Option(help="Number of enterprise and co-operative workers", min=0)
    ] = None,
    target: Annotated[
        int | None, typer.Option(help="Household target in %", min=1, max=100)
    ] = None,
) -> None:
    """Set a commune's totals for the cohort indicators, or its household target."""
    from bot.storage.models import AuditLog

    async def go() -> str:
        async with build_app(settings()) as a, db.transaction(a.sessions) as session:
            row = await _commune_named(session, commune)
            before = {"cbcc_total": row.cbcc_total, "worker_total": row.worker_total}
            if cbcc_total is not None:
                row.cbcc_total = cbcc_total or None
            if worker_total is not None:
                row.worker_total = worker_total or None
            if target is not None:
                row.target_household_pct = target
            session.add(
                AuditLog(
                    action="commune.set",
                    target=f"commune:{row.id}",
                    detail={
                        "before": before,
                        "cbcc_total": row.cbcc_total,
                        "worker_total": row.worker_total,
                    },
                    at=datetime.now(a.settings.tz),
                )
            )
            return (
                f"{row.name}: target {row.target_household_pct}% of households, "
                f"cbcc_total {row.cbcc_total or '-'}, worker_total {row.worker_total or '-'}"
            )

    typer.echo(run(go()))


@app.command("invite")
def invite(
    role: Annotated[str, typer.Option(help="admin | staff | village_head")],
    commune: Annotated[str | None, typer.Option(help="Commune of the role")] = None,
    village: Annotated[str | None, typer.Option(help="Village, for a village head")] = None,
) -> None:
    """Create a one-time invite code (valid 7 days) that grants a role with its scope."""
    from bot.storage.invites import create_invite, find_village

    if role not in ("admin", "staff", "village_head"):
        raise CliError("--role must be admin, staff or village_head")

    async def go() -> str:
        async with build_app(settings()) as a, db.transaction(a.sessions) as session:
            commune_row = None
            if role != "admin" or commune:
                commune_row = await _commune_named(session, commune)
            village_row = None
            if role == "village_head":
                if not village:
                    raise CliError("a village head needs --village")
                village_row = await find_village(session, commune_row.id, village)
                if village_row is None:
                    raise CliError(f"village {village!r} not found in {commune_row.name}")
            now = datetime.now(a.settings.tz)
            code, row = await create_invite(
                session,
                role,
                commune_row.id if commune_row else None,
                village_row.id if village_row else None,
                now,
            )
            scope = village_row.name if village_row else (commune_row.name if commune_row else "")
            expires = row.expires_at.astimezone(a.settings.tz).strftime("%d/%m/%Y %H:%M")
            return f"{code}\n{role} {scope} — one use, expires {expires}. Send: /nhanma {code}"

    typer.echo(run(go()))


# --- import ---------------------------------------------------------------------------------
def _import(kind: str, path: Path, fn: Callable[..., Awaitable[Any]]) -> None:
    async def go() -> Any:
        async with build_app(settings()) as a, db.transaction(a.sessions) as session:
            return await fn(session, path)

    result = run(go())
    typer.echo(f"{kind}: {result.created} added, {result.updated} updated.")


@import_app.command("villages")
def import_villages_cmd(file: Path) -> None:
    """Import villages: columns commune,village,households_total (Vietnamese headers work)."""
    _import("Villages", file, import_villages)


@import_app.command("households")
def import_households_cmd(file: Path) -> None:
    """Import a village roster: columns commune,village,code,head_name."""
    _import("Households", file, import_households)


# --- content --------------------------------------------------------------------------------
@content_app.command("check")
def content_check(folder: Annotated[Path | None, typer.Argument()] = None) -> None:
    """Check every lesson file; print each problem with file and line."""
    folder = folder or settings().content_path()
    lessons, problems = check_folder(folder)
    for problem in problems:
        typer.echo(str(problem), err=True)
    if problems:
        raise CliError(f"{len(problems)} problem(s) in {folder}")
    questions = sum(len(lesson.questions) for lesson in lessons)
    typer.echo(f"{len(lessons)} lessons, {questions} questions: all valid.")


# --- stats ----------------------------------------------------------------------------------
class StatsFormat(StrEnum):
    """Output formats of `hocvuso stats`."""

    table = "table"
    json = "json"
    csv = "csv"
    xlsx = "xlsx"


class ReportFormat(StrEnum):
    """Formats of `hocvuso report`."""

    docx = "docx"
    xlsx = "xlsx"


async def _reports(s: Settings, commune: str | None) -> list[Any]:
    from bot.stats.report import build_commune_report
    from bot.storage.models import Commune

    async with build_app(s) as a, a.sessions() as session:
        if commune is not None:
            rows = [await _commune_named(session, commune)]
        else:
            rows = list(await session.scalars(select(Commune).order_by(Commune.name)))
        now = datetime.now(s.tz)
        return [await build_commune_report(session, row.id, now) for row in rows]


def _write(output: Path, data: bytes) -> None:
    try:
        output.write_bytes(data)
    except OSError as exc:
        raise CliError(f"cannot write {output}: {exc.strerror}") from exc
    typer.echo(f"Written: {output} ({len(data):,} bytes)")


@app.command("report")
def report(
    format: Annotated[ReportFormat, typer.Option("--format", "-f")] = ReportFormat.docx,  # noqa: A002
    output: Annotated[Path | None, typer.Option("--output", "-o")] = None,
    commune: Annotated[str | None, typer.Option(help="Commune (if there are several)")] = None,
) -> None:
    """Write the commune's report: a Word draft to sign, or the Excel tables."""
    from bot.stats.exports import commune_report_docx, coverage_xlsx

    s = settings()
    reports = run(_reports(s, commune))
    if not reports:
        raise CliError("no commune yet: add one with `hocvuso commune add`")
    if format is ReportFormat.docx:
        if len(reports) > 1:
            raise CliError("several communes: name one with --commune")
        data = commune_report_docx(reports[0])
    else:
        data = coverage_xlsx(reports)
    stamp = reports[0].generated_at.strftime("%Y%m%d")
    _write(output or Path(f"bao-cao-{stamp}.{format.value}"), data)


@app.command("chart")
def chart(
    output: Annotated[Path, typer.Option("--output", "-o")] = Path("bieu-do.png"),
    commune: Annotated[str | None, typer.Option(help="Commune (if there are several)")] = None,
) -> None:
    """Draw the coverage chart by village (PNG)."""
    from bot.stats.charts import coverage_chart

    reports = run(_reports(settings(), commune))
    if len(reports) != 1:
        raise CliError("name one commune with --commune" if reports else "no commune yet")
    _write(output, coverage_chart(reports[0]))


def _pct(value: float | None) -> str:
    return "—" if value is None else f"{value:.1f}%"


def _met(value: bool | None) -> str:
    return "—" if value is None else ("đạt" if value else "chưa")


def render_table(communes: list[CommuneCoverage]) -> str:
    """Render coverage as an aligned text table per commune."""
    out = []
    head = ("Thôn", "Tổng hộ", "Hộ đăng ký", "Hộ tham gia", "Tỷ lệ", "Đạt")
    for c in communes:
        rows = [
            (
                v.name,
                str(v.households_total or "chưa khai báo"),
                str(v.households_registered),
                str(v.households_participating),
                _pct(v.coverage_pct),
                _met(v.met),
            )
            for v in c.villages
        ]
        widths = [max(len(r[i]) for r in [head, *rows]) for i in range(len(head))]
        out.append(f"{c.name} ({c.province}) — mục tiêu {c.target_pct}% số hộ")
        for row in [head, *rows]:
            out.append("  ".join(cell.ljust(widths[i]) for i, cell in enumerate(row)))
        out.append(
            f"Toàn xã: {c.households_participating}/{c.households_total} hộ = "
            f"{_pct(c.coverage_pct)} ({_met(c.met)})"
        )
        if c.villages_without_total:
            out.append("Chưa khai báo tổng số hộ: " + ", ".join(c.villages_without_total))
        out.append("")
    return "\n".join(out).rstrip() + "\n" if out else "No commune yet.\n"


def render_csv(communes: list[CommuneCoverage]) -> str:
    """Render one CSV row per village."""
    buf = io.StringIO()
    writer = csv.writer(buf)
    writer.writerow(
        [
            "commune",
            "village",
            "households_total",
            "households_registered",
            "households_participating",
            "coverage_pct",
            "met",
            "learners",
            "lessons_completed",
        ]
    )
    for c in communes:
        for v in c.villages:
            writer.writerow(
                [
                    c.name,
                    v.name,
                    "" if v.households_total is None else v.households_total,
                    v.households_registered,
                    v.households_participating,
                    "" if v.coverage_pct is None else v.coverage_pct,
                    "" if v.met is None else str(v.met).lower(),
                    v.learners,
                    v.lessons_completed,
                ]
            )
    return buf.getvalue()


@app.command("stats")
def stats(
    commune: Annotated[str | None, typer.Option(help="Only this commune")] = None,
    format: Annotated[StatsFormat, typer.Option("--format", "-f")] = StatsFormat.table,  # noqa: A002
    output: Annotated[Path | None, typer.Option("--output", "-o")] = None,
) -> None:
    """Print participation coverage by village against the 60% target."""

    async def go() -> tuple[list[CommuneCoverage], datetime]:
        s = settings()
        async with build_app(s) as a, a.sessions() as session:
            rows = await commune_coverage(session)
            if commune:
                from bot.core.text import fold

                rows = [c for c in rows if fold(commune) in (fold(c.name), c.name)]
                if not rows:
                    raise CliError(f"commune {commune!r} not found")
            return rows, datetime.now(s.tz)

    if format is StatsFormat.xlsx:
        from bot.stats.exports import coverage_xlsx

        reports = run(_reports(settings(), commune))
        _write(output or Path("thong-ke.xlsx"), coverage_xlsx(reports))
        return
    rows, now = run(go())
    if format is StatsFormat.json:
        text = json.dumps(stats_json(rows, now), ensure_ascii=False, indent=2) + "\n"
    elif format is StatsFormat.csv:
        text = render_csv(rows)
    else:
        text = render_table(rows)
    if output:
        output.write_text(text, encoding="utf-8")
        typer.echo(f"Written: {output}")
    else:
        sys.stdout.write(text)


# --- reminders and outbox ------------------------------------------------------------------
reminders_app = typer.Typer(help="Deadline reminders.", no_args_is_help=True)
outbox_app = typer.Typer(help="The outbox of proactive messages.", no_args_is_help=True)
app.add_typer(reminders_app, name="reminders")
app.add_typer(outbox_app, name="outbox")


@reminders_app.command("plan")
def reminders_plan(
    at: Annotated[
        str | None, typer.Option(help="The moment to plan for (ISO, e.g. 2026-12-01T08:00+07:00)")
    ] = None,
    dry_run: Annotated[bool, typer.Option("--dry-run", help="Show, do not enqueue")] = False,
    as_json: Annotated[
        bool, typer.Option("--json", help="Print the planned messages as JSON")
    ] = False,
) -> None:
    """Run the reminder planner for a moment (default: now) and enqueue what is due."""
    from bot.scheduling.reminders import enqueue_planned, plan_deadline_reminders

    s = settings()
    if at:
        try:
            moment = datetime.fromisoformat(at)
        except ValueError as exc:
            raise CliError(f"--at {at!r} is not an ISO date and time") from exc
        if moment.tzinfo is None:
            moment = moment.replace(tzinfo=s.tz)
    else:
        moment = datetime.now(s.tz)

    async def go() -> tuple[list[Any], int]:
        async with build_app(s) as a, db.transaction(a.sessions) as session:
            planned = await plan_deadline_reminders(session, moment)
            added = 0 if dry_run else await enqueue_planned(session, planned)
            return planned, added

    planned, added = run(go())
    if as_json:
        typer.echo(json.dumps([p.as_json() for p in planned], ensure_ascii=False, indent=2))
        return
    for p in planned:
        typer.echo(
            f"{p.kind:16} {p.channel}:{p.chat_id}  {p.village or '(staff)'}  "
            f"{p.due}  {p.days_left:+d} days"
        )
    verb = "would be planned (dry run)" if dry_run else f"planned, {added} new in the outbox"
    typer.echo(f"{len(planned)} message(s) {verb}.")


@outbox_app.command("status")
def outbox_status() -> None:
    """Count outbox messages by kind and status, and show the latest failures."""
    from bot.delivery.outbox import recent_failures, status_counts

    async def go() -> tuple[dict[tuple[str, str], int], list[Any]]:
        async with build_app(settings()) as a, a.sessions() as session:
            return await status_counts(session), await recent_failures(session)

    counts, failures = run(go())
    if not counts:
        typer.echo("The outbox is empty.")
        return
    statuses = ("pending", "sending", "sent", "failed", "unreachable")
    typer.echo(f"{'kind':18}" + "".join(f"{s:>12}" for s in statuses))
    for kind in sorted({k for k, _ in counts}):
        typer.echo(f"{kind:18}" + "".join(f"{counts.get((kind, s), 0):>12}" for s in statuses))
    for row in failures:
        typer.echo(
            f"#{row.id} {row.kind} {row.channel}:{row.chat_id} {row.status}: {row.last_error}"
        )


# --- chat -----------------------------------------------------------------------------------
async def seed_demo(s: Settings) -> str:
    """Create the demo commune with its villages and a small roster (idempotent)."""
    async with build_app(s) as a, db.transaction(a.sessions) as session:
        commune, _ = await add_commune(session, *DEMO_COMMUNE, timezone=s.timezone)
        await import_villages(session, SEED / "demo_villages.csv")
        await import_households(session, SEED / "demo_households.csv")
        return commune.name


async def _chat(s: Settings, user: str) -> None:
    from bot.channels.console import ConsoleChannel

    async with build_app(s) as a:
        await ConsoleChannel(a.engine, user=user).run()


@app.command("demo")
def demo(user: Annotated[str, typer.Option(help="Who you are in the chat")] = "demo") -> None:
    """Seed a demo commune (6 villages, one with a roster), then chat in the terminal."""
    s = settings()
    name = run(seed_demo(s))
    typer.echo(f"Demo commune {name} is ready ({s.database_url}).")
    run(_chat(s, user))


@app.command("chat")
def chat(user: Annotated[str, typer.Option(help="Who you are in the chat")] = "local") -> None:
    """Chat with the bot in the terminal as a resident."""
    run(_chat(settings(), user))


@app.command("run")
def run_bot() -> None:
    """Run the bot on the configured channels (Telegram polling, or webhooks) until stopped."""

    logging.getLogger().setLevel(os.environ.get("HOCVUSO_LOG_LEVEL", "INFO").upper())

    async def go() -> None:
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGTERM, signal.SIGINT):
            loop.add_signal_handler(sig, stop.set)
        async with build_app(settings()) as a:
            await serve(a, stop)

    run(go())


def _fail(message: str) -> None:
    raise CliError(message)


register_ops(app, settings, _fail)


def main() -> None:
    """Run the CLI; errors become one clear line and a non-zero exit, never a traceback."""
    configure_logging(
        os.environ.get("HOCVUSO_LOG_LEVEL", "WARNING"),
        os.environ.get("HOCVUSO_LOG_FORMAT", "plain"),
    )
    try:
        app()
    except (CliError, SetupError, ImportFailed) as exc:
        typer.echo(f"Lỗi / Error: {exc}", err=True)
        sys.exit(1)
    except ContentError as exc:
        for problem in exc.problems:
            typer.echo(str(problem), err=True)
        typer.echo(f"Lỗi / Error: {len(exc.problems)} problem(s) in the lessons", err=True)
        sys.exit(1)
    except KeyboardInterrupt:
        sys.exit(130)
    except Exception as exc:  # the last line of defence: one line, no traceback
        if os.environ.get("HOCVUSO_DEBUG"):
            raise
        message = str(exc).splitlines()[0] if str(exc) else ""
        typer.echo(f"Lỗi / Error: {type(exc).__name__}: {message}", err=True)
        sys.exit(2)
