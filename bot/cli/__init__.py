"""The `hocvuso` command: try, run and operate the bot from the shell."""

from __future__ import annotations

import asyncio
import os
import sys
from collections.abc import Awaitable
from pathlib import Path
from typing import Any, TypeVar

import typer
from pydantic import ValidationError
from sqlalchemy import select

from bot.app import SetupError
from bot.config import Settings
from bot.lessons.loader import ContentError
from bot.logs import configure_logging
from bot.ops import register as register_ops
from bot.storage.imports import ImportFailed, commune_key

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
            (f"HOCVUSO_{str(error['loc'][0]).upper()}: " if error["loc"] else "")
            + str(error["msg"]).removeprefix("Value error, ")
            for error in exc.errors()
        )
        raise CliError(f"invalid settings: {problems}") from exc


async def commune_named(session: Any, name: str | None) -> Any:
    """Find the commune an option names; with no name, the only one there is."""
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


def default_output(name: str) -> Path:
    """Where a file goes when no --output is given: the files folder, not the current one."""
    return settings().console_files / name


def write_file(output: Path, content: bytes) -> None:
    """Write a generated file, turning OS errors into one line."""
    try:
        output.parent.mkdir(parents=True, exist_ok=True)
        output.write_bytes(content)
    except OSError as exc:
        raise CliError(f"cannot write {output}: {exc.strerror}") from exc
    typer.echo(f"Written: {output} ({len(content):,} bytes)")


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


# The commands live in submodules; importing them registers them on `app`.
from bot.cli import admin, board, data, reports  # noqa: E402, F401
