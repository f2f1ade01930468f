"""Operator commands: `hocvuso doctor`, `hocvuso backup` and `hocvuso restore`."""

from __future__ import annotations

import asyncio
import os
import shutil
import sqlite3
import subprocess
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated, Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import typer
from pydantic import ValidationError
from sqlalchemy import text
from sqlalchemy.engine import URL, make_url

from bot.channels.registry import CHANNELS
from bot.config import Settings
from bot.lessons.loader import check_folder
from bot.storage import db

OK, FAIL, SKIP = "✓", "✗", "·"


class OpsError(Exception):
    """An operator command failed; the message says why."""


# --- doctor ---------------------------------------------------------------------------------
async def _database(settings: Settings) -> list[tuple[str, str]]:
    engine = db.make_engine(settings.database_url)
    lines = []
    try:
        async with engine.connect() as conn:
            await conn.execute(text("SELECT 1"))
            server_now = None
            if not db.is_sqlite(settings.database_url):
                server_now = await conn.scalar(text("SELECT now()"))
        lines.append((OK, f"database reachable ({make_url(settings.database_url).drivername})"))
        current, head = await db.current_revision(engine), db.head_revision()
        if current == head:
            lines.append((OK, f"database at the latest migration ({head})"))
        else:
            lines.append(
                (FAIL, f"database at migration {current}, needs {head}: hocvuso db upgrade")
            )
        if server_now is not None:
            drift = abs((server_now - datetime.now(UTC)).total_seconds())
            mark = OK if drift < 60 else FAIL
            lines.append((mark, f"clock within {drift:.0f} s of the database server"))
    except Exception as exc:
        lines.append((FAIL, f"database unreachable: {str(exc).splitlines()[0][:160]}"))
    finally:
        await engine.dispose()
    return lines


async def _channels(settings: Settings) -> list[tuple[str, str]]:
    """Each registered channel's own check, or a note that it is not configured."""
    lines: list[tuple[str, str]] = []
    for spec in CHANNELS:
        if spec.settings is None or spec.check is None:
            continue
        config = settings.channel(spec.name)
        if not config.enabled:
            prefix = spec.settings.model_config.get("env_prefix", "")
            lines.append((SKIP, f"{spec.label} not configured ({prefix}TOKEN)"))
            continue
        try:
            lines += await spec.check(config)
        except Exception as exc:  # a broken platform must not hide the other checks
            lines.append((FAIL, f"{spec.label}: {exc}"))
    return lines


async def _web_board(settings: Settings) -> list[tuple[str, str]]:
    base = settings.public_base()
    if base is None:
        return [(SKIP, "web board: no public address (HOCVUSO_PUBLIC_URL)")]
    import aiohttp

    url = f"{base}/bang/board.css"
    try:
        timeout = aiohttp.ClientTimeout(total=10)
        async with aiohttp.ClientSession(timeout=timeout) as client, client.get(url) as response:
            if response.status == 200 and response.content_type == "text/css":
                return [(OK, f"web board reachable at {base}/bang")]
            return [(FAIL, f"web board not served at {url}: HTTP {response.status}")]
    except Exception as exc:
        return [(FAIL, f"web board unreachable at {base}: {type(exc).__name__} {exc}"[:200])]


async def doctor_lines(settings: Settings) -> list[tuple[str, str]]:
    """Check everything the bot needs; each line is (mark, what was found)."""
    lines: list[tuple[str, str]] = [(OK, "settings read")]
    lines += await _database(settings)
    lessons, problems = check_folder(settings.content_path())
    if problems:
        lines.append((FAIL, f"lessons: {len(problems)} problem(s) — hocvuso content check"))
    else:
        lines.append((OK, f"lessons valid ({len(lessons)})"))
    lines += await _channels(settings)
    try:
        lines += await _web_board(settings)
    except Exception as exc:  # a broken check must not hide the others
        lines.append((FAIL, f"web board: {exc}"))
    try:
        zone = ZoneInfo(settings.timezone)
        local = datetime.now(zone)
        lines.append((OK, f"time zone {settings.timezone}: {local:%d/%m/%Y %H:%M}"))
    except ZoneInfoNotFoundError:
        lines.append((FAIL, f"unknown time zone {settings.timezone!r}"))
    return lines


def doctor() -> None:
    """Check settings, database, migrations, lessons, tokens, webhooks and clock (✓/✗)."""
    try:
        settings = Settings()  # fields come from the environment
    except ValidationError as exc:
        message = str(exc.errors()[0]["msg"]).removeprefix("Value error, ")
        typer.echo(f"{FAIL} settings: {message}")
        raise typer.Exit(1) from None
    lines = asyncio.run(doctor_lines(settings))
    for mark, line in lines:
        typer.echo(f"{mark} {line}")
    if any(mark == FAIL for mark, _ in lines):
        raise typer.Exit(1)


# --- backup and restore ---------------------------------------------------------------------
def _sqlite_path(url: str) -> Path:
    database = make_url(url).database
    if not database or database == ":memory:":
        raise OpsError("the SQLite database is in memory: nothing to back up")
    return Path(database)


def _pg_dsn(url: str) -> str:
    """Return the libpq connection string without the password (argv is visible in `ps`)."""
    parsed = make_url(url)
    return URL.create(
        "postgresql",
        username=parsed.username,
        host=parsed.host,
        port=parsed.port,
        database=parsed.database,
        query=parsed.query,
    ).render_as_string(hide_password=False)


def _pg_env(url: str) -> dict[str, str]:
    """Return the environment for pg_dump/pg_restore: the password travels in PGPASSWORD."""
    env = dict(os.environ)
    password = make_url(url).password
    if password is not None:
        env["PGPASSWORD"] = str(password)
    return env


def _tool(name: str) -> str:
    found = shutil.which(name)
    if found is None:
        raise OpsError(f"{name} is not installed (apt-get install postgresql-client)")
    return found


def _run(command: list[str], env: dict[str, str] | None = None) -> None:
    result = subprocess.run(  # noqa: S603
        command, capture_output=True, text=True, check=False, env=env
    )
    if result.returncode != 0:
        raise OpsError(f"{Path(command[0]).name} failed: {result.stderr.strip()[:300]}")


def media_copy(target: Path) -> Path:
    """Where a backup keeps the certificate photos: a folder next to the database file."""
    return target.with_name(target.name + ".media")


def _copy_files(source: Path, target: Path) -> int:
    """Copy the files of a folder (not its sub-folders) into another; return how many."""
    if not source.is_dir():
        return 0
    target.mkdir(mode=0o700, parents=True, exist_ok=True)
    copied = 0
    for path in source.iterdir():
        if path.is_file():
            shutil.copy2(path, target / path.name)
            copied += 1
    return copied


def backup_to(settings: Settings, target: Path) -> str:
    """Write a consistent copy of the database to `target`, and the certificate photos to the
    folder `<target>.media`; return a one-line summary."""
    url = settings.database_url
    if db.is_sqlite(url):
        source = _sqlite_path(url)
        if not source.exists():
            raise OpsError(f"{source} does not exist")
        with sqlite3.connect(source) as src, sqlite3.connect(target) as dst:
            src.backup(dst)  # the online backup API: safe while the bot runs
        summary = f"SQLite backup written: {target}"
    else:
        _run(
            [_tool("pg_dump"), "--format=custom", "--no-owner", f"--file={target}", _pg_dsn(url)],
            env=_pg_env(url),
        )
        summary = f"PostgreSQL backup (pg_dump custom format) written: {target}"
    photos = _copy_files(settings.media_dir, media_copy(target))
    if photos:
        summary += f"; {photos} certificate photo(s) copied to {media_copy(target)}"
    return summary


def restore_from(settings: Settings, source: Path) -> str:
    """Replace the database with a backup, and put back its certificate photos; return a
    one-line summary."""
    summary = _restore_database(settings, source)
    photos = _copy_files(media_copy(source), settings.media_dir)
    if photos:
        summary += f"; {photos} certificate photo(s) put back in {settings.media_dir}"
    return summary


def _restore_database(settings: Settings, source: Path) -> str:
    if not source.exists():
        raise OpsError(f"{source} does not exist")
    url = settings.database_url
    if db.is_sqlite(url):
        try:
            with sqlite3.connect(f"file:{source}?mode=ro", uri=True) as check:
                check.execute("SELECT version_num FROM alembic_version").fetchone()
        except sqlite3.DatabaseError as exc:
            raise OpsError(f"{source} is not a backup of this bot ({exc})") from exc
        target = _sqlite_path(url)
        with sqlite3.connect(source) as src, sqlite3.connect(target) as dst:
            src.backup(dst)
        return f"SQLite database {target} restored from {source}"
    _run(
        [
            _tool("pg_restore"),
            "--clean",
            "--if-exists",
            "--no-owner",
            "--single-transaction",
            f"--dbname={_pg_dsn(url)}",
            str(source),
        ],
        env=_pg_env(url),
    )
    return f"PostgreSQL database restored from {source}"


def register(
    app: typer.Typer, settings: Callable[[], Settings], fail: Callable[[str], Any]
) -> None:
    """Add doctor, backup and restore to the `hocvuso` command."""
    app.command("doctor")(doctor)

    @app.command("backup")
    def backup(file: Path) -> None:
        """Copy the database to FILE (SQLite online backup, or pg_dump for PostgreSQL) and the
        certificate photos to FILE.media."""
        try:
            typer.echo(backup_to(settings(), file))
        except OpsError as exc:
            fail(str(exc))

    @app.command("restore")
    def restore(
        file: Path,
        yes: Annotated[bool, typer.Option("--yes", help="Confirm replacing the database")] = False,
    ) -> None:
        """Replace the database with a backup made by `hocvuso backup` (stop the bot first)."""
        if not yes:
            fail("restore replaces the whole database: stop the bot, then add --yes")
        try:
            typer.echo(restore_from(settings(), file))
        except OpsError as exc:
            fail(str(exc))
