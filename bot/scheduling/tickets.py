"""Ticket notices through the outbox, and the planner that escalates and prunes tickets."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from bot.core.messages import Option
from bot.delivery.broadcasts import after_quiet_hours
from bot.delivery.outbox import enqueue, reachable_identities
from bot.handlers import texts_helpdesk as t
from bot.storage.models import Commune, Household, Ticket, User, Village
from bot.storage.tickets import commune_staff, due_for_escalation, prune_tickets

DEFAULT_ZONE = "Asia/Ho_Chi_Minh"


async def notify(
    session: AsyncSession,
    users: list[int],
    text: str,
    *,
    kind: str,
    key: str,
    now: datetime,
    zone: str,
    options: tuple[Option, ...] = (),
) -> datetime:
    """Queue a message to each user on their own app, after quiet hours; return when it goes.

    `key` makes the dedupe key (with the user id), so planning or answering twice sends once.
    """
    send_at = after_quiet_hours(now, zone)
    for user_id, identity in (await reachable_identities(session, users)).items():
        await enqueue(
            session,
            channel=identity.channel,
            chat_id=identity.chat_id,
            user_id=user_id,
            text=text,
            kind=kind,
            dedupe_key=f"{key}:{user_id}",
            not_before=send_at,
            options=options,
        )
    return send_at


async def zone_of(session: AsyncSession, commune_id: int) -> str:
    """Return the commune's time zone."""
    commune = await session.get(Commune, commune_id)
    return commune.timezone if commune else DEFAULT_ZONE


async def who_asked(session: AsyncSession, ticket: Ticket) -> dict[str, str]:
    """Describe who asked, for helpers: display name, village, household; never a phone."""
    resident = await session.get(User, ticket.resident_id)
    village = await session.get(Village, ticket.village_id) if ticket.village_id else None
    household = await session.get(Household, ticket.household_id) if ticket.household_id else None
    house = (
        t.HOUSEHOLD.format(
            head=household.head_name, code=f" ({household.code})" if household.code else ""
        )
        if household
        else "—"
    )
    return {
        "name": (resident.display_name if resident else None) or t.SOMEONE,
        "village": village.name if village else "—",
        "household": house,
    }


async def helpers_of(session: AsyncSession, ticket: Ticket) -> list[int]:
    """Return who is told about a ticket: its village head, else (or once escalated) staff."""
    if ticket.helper_id is not None and ticket.escalated_at is None:
        return [ticket.helper_id]
    return [u.id for u in await commune_staff(session, ticket.commune_id)]


async def escalate_tickets(session: AsyncSession, now: datetime) -> int:
    """Hand tickets unanswered for 24 hours to the commune's staff; tell them and the resident.

    Returns how many tickets were escalated. Running twice escalates nothing new.
    """
    due = await due_for_escalation(session, now)
    for ticket in due:
        ticket.escalated_at = now
        zone = await zone_of(session, ticket.commune_id)
        commune = await session.get(Commune, ticket.commune_id)
        staff = [u.id for u in await commune_staff(session, ticket.commune_id)]
        asked = await who_asked(session, ticket)
        await notify(
            session,
            staff,
            t.ESCALATED_TICKET.format(id=ticket.id, question=ticket.question, **asked),
            kind="ticket_escalated",
            key=f"tke:{ticket.id}",
            now=now,
            zone=zone,
        )
        await notify(
            session,
            [ticket.resident_id],
            t.ESCALATED_RESIDENT.format(id=ticket.id, commune=commune.name if commune else ""),
            kind="ticket_escalated",
            key=f"tker:{ticket.id}",
            now=now,
            zone=zone,
        )
    return len(due)


async def plan_tickets(session: AsyncSession, now: datetime) -> int:
    """Escalate what waited too long and prune what is past retention; return escalations."""
    escalated = await escalate_tickets(session, now)
    await prune_tickets(session, now)
    return escalated
