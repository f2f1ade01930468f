"""The weekly digest to village heads: Monday 08:00 local, the village's place and its week.

Planned by the hourly planner from Monday 08:00 until the end of Monday in the commune's time
(a bot that was down all Monday skips that week rather than send a stale week), through the
outbox with one dedupe key per head and ISO week, so planning twice or after a restart adds
nothing. Only for village heads who have not deleted their data, keep the digest on (/bantin)
and can be reached.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.core.auth import VILLAGE_HEAD
from bot.delivery.outbox import reachable_identities, withdraw_planned
from bot.stats import texts_standing as t
from bot.stats.coverage import commune_coverage
from bot.stats.standing import Standing, needed_text, rank_text, standing_of
from bot.storage.models import Commune, Household, OutboxMessage, User, Village

KIND = "village_digest"
WEEKDAY, HOUR = 0, 8  # Monday, 08:00 local
WEEK = timedelta(days=7)


@dataclass(frozen=True, slots=True)
class Digest:
    """One digest the planner wants sent."""

    user_id: int
    channel: str
    chat_id: str
    dedupe_key: str
    not_before: datetime
    text: str
    kind: str = KIND


def digest_text(standing: Standing, new: int) -> str:
    """The digest: the place, the week's new households, those still needed, how to stop it."""
    body = t.DIGEST.format(
        village=standing.village.name,
        rank=rank_text(standing, head=True),
        new=t.DIGEST_NEW.format(count=new) if new else t.DIGEST_NEW_NONE,
        need=needed_text(standing),
    )
    return "\n".join(line for line in body.splitlines() if line) + "\n" + t.DIGEST_FOOTER


async def plan_digests(session: AsyncSession, now: datetime) -> list[Digest]:
    """Work out the digests due at `now`: on Monday from 08:00, in each commune's time."""
    planned: list[Digest] = []
    for commune in await session.scalars(select(Commune)):
        zone = ZoneInfo(commune.timezone)
        local = now.astimezone(zone)
        if local.weekday() != WEEKDAY or local.hour < HOUR:
            continue
        send_at = datetime.combine(local.date(), time(HOUR), zone)
        planned += await _commune_digests(session, commune, send_at)
    return planned


async def _commune_digests(
    session: AsyncSession, commune: Commune, send_at: datetime
) -> list[Digest]:
    """The digests of one commune's village heads for the week ending at `send_at`.

    The planner runs every hour of Monday: heads whose digest of the week is already in the
    outbox are left out first, so the commune's figures are computed once a week, not hourly.
    """
    year, week, _ = send_at.isocalendar()
    key = f"{KIND}:{{}}:{year}-W{week:02d}"
    heads = list(
        await session.scalars(
            select(User).where(
                User.role == VILLAGE_HEAD,
                User.deleted_at.is_(None),
                User.digest_opt_in.is_(True),
                User.scope_village_id.in_(
                    select(Village.id).where(Village.commune_id == commune.id)
                ),
            )
        )
    )
    planned_already = set(
        await session.scalars(
            select(OutboxMessage.dedupe_key).where(
                OutboxMessage.dedupe_key.in_([key.format(h.id) for h in heads])
            )
        )
    )
    heads = [h for h in heads if key.format(h.id) not in planned_already]
    if not heads:
        return []
    [coverage] = await commune_coverage(session, [commune.id])
    villages = [v.id for v in coverage.villages]
    # The week is the seven days before this Monday 08:00: weeks follow each other without a
    # gap or an overlap, whatever hour the planner runs.
    new = dict(
        (
            await session.execute(
                select(Household.village_id, func.count())
                .where(
                    Household.village_id.in_(villages),
                    Household.participating_since >= send_at - WEEK,
                    Household.participating_since < send_at,
                )
                .group_by(Household.village_id)
            )
        ).all()
    )
    reach = await reachable_identities(session, [h.id for h in heads])
    planned = []
    for head in heads:
        identity = reach.get(head.id)
        standing = standing_of(coverage, head.scope_village_id or 0)
        if identity is None or standing is None:
            continue
        planned.append(
            Digest(
                user_id=head.id,
                channel=identity.channel,
                chat_id=identity.chat_id,
                dedupe_key=key.format(head.id),
                not_before=send_at,
                text=digest_text(standing, int(new.get(standing.village.id, 0))),
            )
        )
    return planned


async def cancel_digests(session: AsyncSession, user_id: int) -> None:
    """Drop a head's digests not sent yet (they switched the digest off)."""
    await withdraw_planned(session, user_id, (KIND,))
