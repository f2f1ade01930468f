"""Commands that set up a commune: database, communes, imports, content, chat, run."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import signal
from collections.abc import Awaitable, Callable
from datetime import datetime
from pathlib import Path
from typing import Annotated, Any

import typer

from bot.app import build_app, serve
from bot.cli import (
    CliError,
    app,
    commune_app,
    commune_named,
    content_app,
    db_app,
    import_app,
    run,
    settings,
)
from bot.config import ROOT, Settings
from bot.lessons.loader import check_folder
from bot.lessons.model import MAX_READING_SECONDS, TRACKS, coverage, reading_time
from bot.storage import db
from bot.storage.imports import (
    add_commune,
    import_households,
    import_villages,
)


# --- db -------------------------------------------------------------------------------------
@db_app.command("upgrade")
def db_upgrade(revision: str = "head") -> None:
    """Bring the database schema up to date (Alembic migrations)."""
    s = settings()
    run(db.upgrade(s.database_url, revision))
    typer.echo(f"Database at migration {db.head_revision() if revision == 'head' else revision}.")


DEMO_COMMUNE = ("Kim Thành", "Hải Phòng")
SEED = ROOT / "db" / "seed"


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
            found = await commune_named(session, commune)
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
    public_board: Annotated[
        str | None, typer.Option("--public-board", help="on | off: the public web board")
    ] = None,
    embed_origin: Annotated[
        list[str] | None,
        typer.Option(help="A site that may embed the public board (https://host); repeatable"),
    ] = None,
    no_embed: Annotated[
        bool, typer.Option("--no-embed", help="Let no other site embed the public board")
    ] = False,
) -> None:
    """Set a commune's totals, household target, or public board (and who may embed it)."""
    from bot.storage.models import AuditLog

    if public_board not in (None, "on", "off"):
        raise CliError("--public-board must be on or off")

    async def go() -> str:
        async with build_app(settings()) as a, db.transaction(a.sessions) as session:
            row = await commune_named(session, commune)
            board_line = ""
            if public_board is not None or embed_origin or no_embed:
                origins = [] if no_embed else (list(embed_origin) if embed_origin else None)
                board_line = await _public_board(session, row, public_board, origins, a.settings)
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
                + board_line
            )

    typer.echo(run(go()))


async def _public_board(
    session: Any, row: Any, state: str | None, origins: list[str] | None, s: Settings
) -> str:
    """Turn the public board on or off, set its embedding sites; return what it now is."""
    from bot.board.public import set_public_board

    try:
        board = await set_public_board(
            session,
            row,
            enabled=None if state is None else state == "on",
            embed_origins=origins,
            now=datetime.now(s.tz),
        )
    except ValueError as exc:
        raise CliError(str(exc)) from exc
    base = s.public_base() or "(HOCVUSO_PUBLIC_URL)"
    return (
        f"\npublic board {'on' if board.enabled else 'off'}: {base}/cong-khai/{board.slug}"
        f"\nmay be embedded by: {board.embed_origins or 'no other site'}"
        " (a running bot shows the change within a minute)"
    )


# --- import ---------------------------------------------------------------------------------
def _import(kind: str, path: Path, fn: Callable[..., Awaitable[Any]]) -> None:
    async def go() -> Any:
        async with build_app(settings()) as a, db.transaction(a.sessions) as session:
            return await fn(session, path)

    result = run(go())
    typer.echo(result.summary(kind))


@import_app.command("villages")
def import_villages_cmd(file: Path) -> None:
    """Import villages: columns commune,village,households_total (Vietnamese headers work)."""
    _import("Villages", file, import_villages)


@import_app.command("units")
def import_units_cmd(file: Path) -> None:
    """Import reporting units: commune,kind,name,members_total (Vietnamese headers work)."""
    from bot.storage.units import import_units

    _import("Units", file, import_units)


@import_app.command("households")
def import_households_cmd(file: Path) -> None:
    """Import a village roster: columns commune,village,code,head_name."""
    _import("Households", file, import_households)


# --- content --------------------------------------------------------------------------------
@content_app.command("check")
def content_check(folder: Annotated[Path | None, typer.Argument()] = None) -> None:
    """Check every lesson file: problems with file and line, reading times, framework coverage."""
    folder = folder or settings().content_path()
    lessons, problems = check_folder(folder)
    for problem in problems:
        typer.echo(str(problem), err=True)
    typer.echo(f"Reading time (at most {reading_time(MAX_READING_SECONDS)}):")
    for lesson in lessons:
        typer.echo(f"  {lesson.id}  {reading_time(lesson.reading_seconds)}  {lesson.title}")
    typer.echo("Framework groups (QĐ 757/QĐ-BKHCN, người dân):")
    groups = coverage(lessons)
    for track, members in groups.items():
        ids = ", ".join(lesson.id for lesson in members) or "NO LESSON"
        typer.echo(f"  {track:<17} {TRACKS[track]}: {len(members)} ({ids})")
    empty = [track for track, members in groups.items() if not members]
    if empty:
        typer.echo(f"framework groups without a lesson: {', '.join(empty)}", err=True)
    if problems or empty:
        raise CliError(
            f"{len(problems)} problem(s), {len(empty)} group(s) without a lesson in {folder}"
        )
    questions = sum(len(lesson.questions) for lesson in lessons)
    typer.echo(f"{len(lessons)} lessons, {questions} questions: all valid.")


@content_app.command("gaps")
def content_gaps(
    days: Annotated[int, typer.Option(min=1, help="How many days back to look")] = 30,
) -> None:
    """Print the questions no lesson answered, grouped, most frequent first."""
    from bot.storage.gaps import gaps_since, window
    from bot.storage.models import utcnow

    async def go() -> list[Any]:
        async with build_app(settings()) as a, a.sessions() as session:
            return await gaps_since(session, window(utcnow(), days))

    gaps = run(go())
    if not gaps:
        typer.echo(f"No unanswered questions in the last {days} days.")
        return
    typer.echo(f"Unanswered questions in the last {days} days (times asked, question):")
    for gap in gaps:
        typer.echo(f"{gap.count:>5}  {gap.text}")


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
        console = ConsoleChannel(a.pipeline, user=user, files_dir=s.console_files)
        # Messages the outbox sends to the terminal user (reminders, notices) appear as they go.
        outbox = asyncio.create_task(_send_outbox(a))  # owned: cancelled below
        try:
            await console.run()
        finally:
            outbox.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await outbox


async def _send_outbox(a: Any) -> None:
    while True:
        await asyncio.sleep(2)
        try:
            await a.pipeline.dispatcher.run_once()
        except Exception:
            logging.getLogger(__name__).warning("outbox run failed")


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
