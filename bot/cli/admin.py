"""Commands for roles and proactive messages: invites, roles, reminders and the outbox."""

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

invite_app = typer.Typer(
    help="Invite codes: create one (--role …), list the open ones, cancel one.",
    invoke_without_command=True,
)
roles_app = typer.Typer(help="Who holds which role; take a role back.", no_args_is_help=True)
app.add_typer(invite_app, name="invite")
app.add_typer(roles_app, name="roles")


@invite_app.callback()
def invite(
    ctx: typer.Context,
    role: Annotated[
        str | None, typer.Option(help="admin | staff | village_head | unit_head")
    ] = None,
    commune: Annotated[str | None, typer.Option(help="Commune of the role")] = None,
    village: Annotated[str | None, typer.Option(help="Village, for a village head")] = None,
    unit: Annotated[str | None, typer.Option(help="Reporting unit, for a unit head")] = None,
) -> None:
    """Create a one-time invite code (valid 7 days) that grants a role with its scope."""
    from bot.storage.imports import closest_villages
    from bot.storage.invites import create_invite, find_village
    from bot.storage.places import villages_of

    if ctx.invoked_subcommand is not None:
        return
    if role not in ("admin", "staff", "village_head", "unit_head"):
        raise CliError(
            "--role must be admin, staff, village_head or unit_head (or: invite list | cancel)"
        )

    async def go() -> str:
        async with build_app(settings()) as a, db.transaction(a.sessions) as session:
            commune_row = None
            if role != "admin" or commune:
                commune_row = await commune_named(session, commune)
            village_row = None
            if role == "village_head":
                if not village or commune_row is None:
                    raise CliError("a village head needs --village")
                assert commune_row is not None  # commune_named raises when there is none
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
            unit_row = None
            if role == "unit_head":
                assert commune_row is not None  # commune_named raises when there is none
                unit_row = await _unit_named(session, commune_row, unit)
            now = datetime.now(a.settings.tz)
            code, row = await create_invite(
                session,
                role,
                commune_row.id if commune_row else None,
                village_row.id if village_row else None,
                now,
                unit_id=unit_row.id if unit_row else None,
            )
            place = village_row or unit_row or commune_row
            scope = place.name if place else ""
            expires = row.expires_at.astimezone(a.settings.tz).strftime("%d/%m/%Y %H:%M")
            return f"{code}\n{role} {scope} — one use, expires {expires}. Send: /nhanma {code}"

    typer.echo(run(go()))


async def _unit_named(session: Any, commune: Any, typed: str | None) -> Any:
    """Return the commune's unit named by --unit, or stop with the closest names."""
    from bot.storage.units import closest_units, find_unit, units_of

    if not typed:
        raise CliError("a unit head needs --unit (see: hocvuso import units)")
    found = await find_unit(session, commune.id, typed)
    if found is None:
        close = closest_units(await units_of(session, commune.id), typed)
        raise CliError(
            f"không có đơn vị {typed!r} trong {commune.name}"
            + (f" (gần nhất: {close})" if close else "")
            + f" / unit {typed!r} not found in {commune.name}"
            + (f" (closest: {close})" if close else " (import units first)")
        )
    return found


@invite_app.command("list")
def invite_list() -> None:
    """List the invites not yet used, cancelled or expired (codes shown by their prefix)."""
    from bot.services.roles import invite_scope, open_invites

    async def go() -> list[str]:
        async with build_app(settings()) as a, a.sessions() as session:
            lines = []
            for row in await open_invites(session, datetime.now(a.settings.tz)):
                expires = row.expires_at.astimezone(a.settings.tz).strftime("%d/%m/%Y %H:%M")
                prefix = f"{row.code_prefix}…" if row.code_prefix else "(old code)"
                scope = await invite_scope(session, row)
                lines.append(f"#{row.id} {prefix:10} {row.role:13} {scope} — expires {expires}")
            return lines

    lines = run(go())
    typer.echo("\n".join(lines) if lines else "No open invite.")


@invite_app.command("cancel")
def invite_cancel(
    code: Annotated[str, typer.Argument(help="The code, or its beginning (HVS-7K)")],
) -> None:
    """Cancel an open invite named by its code or the beginning of it."""
    from bot.services.roles import cancel_invite, invite_scope, invites_named

    async def go() -> str:
        async with build_app(settings()) as a, db.transaction(a.sessions) as session:
            found = await invites_named(session, code, datetime.now(a.settings.tz))
            if not found:
                raise CliError(f"no open invite starts with {code!r} (see: hocvuso invite list)")
            if len(found) > 1:
                ids = ", ".join(f"#{i.id}" for i in found)
                raise CliError(f"{len(found)} open invites ({ids}) match {code!r}: give the code")
            row = found[0]
            await cancel_invite(session, row, datetime.now(a.settings.tz))
            return f"Cancelled invite #{row.id}: {row.role} {await invite_scope(session, row)}"

    typer.echo(run(go()))


@roles_app.command("list")
def roles_list(
    commune: Annotated[str | None, typer.Option(help="Only this commune")] = None,
) -> None:
    """List everyone holding a role (village head, staff, admin) and where it applies."""
    from bot.services.roles import role_holders

    async def go() -> list[str]:
        async with build_app(settings()) as a, a.sessions() as session:
            commune_id = (await commune_named(session, commune)).id if commune else None
            return [h.describe() for h in await role_holders(session, commune_id)]

    lines = run(go())
    typer.echo("\n".join(lines) if lines else "Nobody holds a role.")


@roles_app.command("revoke")
def roles_revoke(
    user: Annotated[int, typer.Option("--user", help="The user's number (see: roles list)")],
) -> None:
    """Take a user's role back: they stay a resident with their learning kept."""
    from bot.handlers.texts_village import ROLE_REVOKED_NOTICE
    from bot.services.roles import revoke_role
    from bot.storage.models import User

    async def go() -> str:
        async with build_app(settings()) as a, db.transaction(a.sessions) as session:
            row = await session.get(User, user)
            if row is None or row.deleted_at is not None:
                raise CliError(f"user #{user} not found")
            if row.role == "resident":
                raise CliError(f"user #{user} holds no role")
            lost = await revoke_role(
                session, row, datetime.now(a.settings.tz), notice=ROLE_REVOKED_NOTICE
            )
            return f"{lost.describe()} — revoked; now a resident."

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
    from bot.delivery.outbox import enqueue_planned
    from bot.scheduling.reminders import plan_deadline_reminders

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
    statuses = ("pending", "sending", "sent", "failed", "unreachable", "cancelled")
    typer.echo(f"{'kind':18}" + "".join(f"{s:>12}" for s in statuses))
    for kind in sorted({k for k, _ in counts}):
        typer.echo(f"{kind:18}" + "".join(f"{counts.get((kind, s), 0):>12}" for s in statuses))
    for row in failures:
        typer.echo(
            f"#{row.id} {row.kind} {row.channel}:{row.chat_id} {row.status}: {row.last_error}"
        )
