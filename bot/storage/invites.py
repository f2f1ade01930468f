"""One-time invite codes that grant roles: created hashed, expiring, audit-logged."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.roles import rank
from bot.storage import security
from bot.storage.models import AuditLog, Invite, Unit, User, Village
from bot.storage.places import match_villages
from bot.text import fold

VALID_FOR = timedelta(days=7)
INVITE_FAIL = security.INVITE_FAIL
ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I/L: read aloud over the phone
PREFIX_CHARS = 2  # kept to name an invite; 6 secret characters (31**6 ≈ 9e8) remain
ACCOUNT_FAILURES = 5  # wrong codes an account may type in 24 hours
HOURLY_FAILURES = 30  # wrong codes everyone together may type in an hour


def invite_hash(code: str) -> str:
    """Hash a code for storage and lookup (case and separators ignored)."""
    normalised = "".join(ch for ch in code.upper() if ch.isalnum())
    return hashlib.sha256(normalised.encode()).hexdigest()


def code_prefix(code: str) -> str:
    """Return the part of a code kept to name it: "HVS-" and two characters (HVS-7K)."""
    normalised = "".join(ch for ch in code.upper() if ch.isalnum())
    body = normalised[3:] if normalised.startswith("HVS") else normalised
    return f"HVS-{body[:PREFIX_CHARS]}"


def new_code() -> str:
    """Return a fresh code such as HVS-7K3M-Q9P2."""
    body = "".join(secrets.choice(ALPHABET) for _ in range(8))
    return f"HVS-{body[:4]}-{body[4:]}"


async def create_invite(
    session: AsyncSession,
    role: str,
    commune_id: int | None,
    village_id: int | None,
    now: datetime,
    created_by: int | None = None,
    unit_id: int | None = None,
) -> tuple[str, Invite]:
    """Create an invite; the plain code is returned once and never stored.

    A unit head's invite names the unit (`unit_id`) and its commune.
    """
    code = new_code()
    invite = Invite(
        code_hash=invite_hash(code),
        role=role,
        commune_id=commune_id,
        village_id=village_id,
        unit_id=unit_id,
        expires_at=now + VALID_FOR,
        created_by=created_by,
        created_at=now,
        code_prefix=code_prefix(code),
    )
    session.add(invite)
    await session.flush()
    session.add(
        AuditLog(
            actor_id=created_by,
            action="invite.create",
            target=f"invite:{invite.id}",
            detail={
                "role": role,
                "commune_id": commune_id,
                "village_id": village_id,
                "unit_id": unit_id,
            },
            at=now,
        )
    )
    return code, invite


@dataclass
class Redeemed:
    """What redeeming a code did."""

    ok: bool
    reason: str = ""  # unknown | used | expired | cancelled | too_many | busy | lower
    invite: Invite | None = None


async def redeem_invite(
    session: AsyncSession, user: User, code: str, now: datetime, account: str
) -> Redeemed:
    """Grant the invite's role and scope to the user, once; count and log every failure.

    `account` is the hashed app account (bot.storage.security.account_key): its failures
    survive /xoadulieu. The caller asks for consent first; it is not given here.
    """
    since = now - security.KEPT_FOR
    if await security.failures(session, INVITE_FAIL, account, since) >= ACCOUNT_FAILURES:
        return await _refused(session, user, account, now, "too_many", count=False)
    hour = now - timedelta(hours=1)
    if await security.failures(session, INVITE_FAIL, security.EVERYONE, hour) >= HOURLY_FAILURES:
        return await _refused(session, user, account, now, "busy", count=False)
    invite = await session.scalar(
        select(Invite).where(Invite.code_hash == invite_hash(code)).with_for_update()
    )
    if invite is None:
        return await _refused(session, user, account, now, "unknown")
    reason = (
        "used"
        if invite.used_at is not None
        else "cancelled"
        if invite.cancelled_at is not None
        else "expired"
        if invite.expires_at <= now
        else ""
    )
    if reason:
        return await _refused(session, user, account, now, reason, invite)
    if rank(invite.role) < rank(user.role):
        # Not a guess: the code stays valid for the person it was meant for.
        return await _refused(session, user, account, now, "lower", invite, count=False)
    invite.used_at, invite.used_by = now, user.id
    user.role = invite.role
    user.scope_commune_id = invite.commune_id
    user.scope_village_id = invite.village_id
    user.scope_unit_id = invite.unit_id
    if invite.village_id is not None:
        village = await session.get(Village, invite.village_id)
        user.scope_commune_id = village.commune_id if village else invite.commune_id
    if invite.unit_id is not None:
        unit = await session.get(Unit, invite.unit_id)
        user.scope_commune_id = unit.commune_id if unit else invite.commune_id
    session.add(
        AuditLog(
            actor_id=user.id,
            action="invite.redeem",
            target=f"invite:{invite.id}",
            detail={"role": invite.role},
            at=now,
        )
    )
    return Redeemed(True, invite=invite)


async def _refused(
    session: AsyncSession,
    user: User,
    account: str,
    now: datetime,
    reason: str,
    invite: Invite | None = None,
    *,
    count: bool = True,
) -> Redeemed:
    """Audit-log a refused redemption and count it as a failed try unless told otherwise."""
    if count:
        await security.record_failure(session, INVITE_FAIL, [account, security.EVERYONE], now)
    session.add(
        AuditLog(
            actor_id=user.id,
            action="invite.fail",
            target=f"invite:{invite.id}" if invite else account[:200],
            detail={"reason": reason},
            at=now,
        )
    )
    return Redeemed(False, reason, invite)


async def find_village(session: AsyncSession, commune_id: int, name: str) -> Village | None:
    """Find a commune's village by its name ("dong tam" finds "Thôn Đồng Tâm"), if unambiguous."""
    exact = await session.scalar(
        select(Village).where(Village.commune_id == commune_id, Village.name_folded == fold(name))
    )
    if exact is not None:
        return exact
    ranked = await match_villages(session, commune_id, name)
    if ranked and ranked[0][1] >= 95 and (len(ranked) == 1 or ranked[1][1] < ranked[0][1]):
        return ranked[0][0]
    return None
