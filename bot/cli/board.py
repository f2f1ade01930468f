"""Commands for the web board: sign-in links (the public board is `hocvuso commune set`)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

import typer

from bot.app import build_app
from bot.cli import CliError, app, run, settings
from bot.storage import db

web_app = typer.Typer(help="The web board.", no_args_is_help=True)
app.add_typer(web_app, name="web")


@web_app.command("link")
def web_link(
    user: Annotated[int, typer.Option(help="The user id (staff, admin or village head)")],
) -> None:
    """Print a one-time sign-in link to the web board (valid 10 minutes)."""
    from bot.board.auth import NotAllowed, TooManyLinks, create_link, link_url
    from bot.storage.models import User

    s = settings()
    base = s.public_base()
    if base is None:
        raise CliError("set HOCVUSO_PUBLIC_URL (where the board is reachable) first")

    async def go() -> str:
        async with build_app(s) as a, db.transaction(a.sessions) as session:
            row = await session.get(User, user)
            if row is None:
                raise CliError(f"user {user} not found")
            try:
                token = await create_link(session, row, datetime.now(a.settings.tz))
            except NotAllowed as exc:
                raise CliError(
                    f"user {user} is a {row.role}: only staff, admins and village heads sign in"
                ) from exc
            except TooManyLinks as exc:
                raise CliError(f"user {user} asked for 5 links in the last hour") from exc
            return link_url(base, token)

    typer.echo(run(go()))
