"""Commands for roles and proactive messages: invites, the reminder planner, the outbox."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Annotated, Any

import typer

from bot.app import build_app
from bot.cli import (
    CliError,
    app,
    commune_named,
    run,
    settings,
)
from bot.storage import db


@app.command("invite")
def invite(
    role: Annotated[str, typer.Option(help="admin | staff | village_head")],
    commune: Annotated[str | None, typer.Option(help="Commune of the role")] = None,
    village: Annotated[str | None, typer.Option(help="Village, for a village head")] = None,
) -> None:
    """Create a one-time invite code (valid 7 days) that grants a role with its scope."""
    from bot.storage.imports import closest_villages
    from bot.storage.invites import create_invite, find_village
    from bot.storage.places import villages_of

    if role not in ("admin", "staff", "village_head"):
        raise CliError("--role must be admin, staff or village_head")

    async def go() -> str:
        async with build_app(settings()) as a, db.transaction(a.sessions) as session:
            commune_row = None
            if role != "admin" or commune:
                commune_row = await commune_named(session, commune)
            village_row = None
            if role == "village_head":
                if not village:
                    raise CliError("a village head needs --village")
                assert commune_row is not None  # set above for every role but admin
                village_row = await find_village(session, commune_row.id, village)
                if village_row is None:
                    names = [v.name for v in await villages_of(session, commune_row.id)]
                    close = closest_villages(names, village)
                    raise CliError(
                        f"không có thôn {village!r} trong {commune_row.name}"
                        + (f" (gần nhất: {close})" if close else "")
                        + f" / village {village!r} not found in {commune_row.name}"
                        + (f" (closest: {close})" if close else "")
                    )
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
