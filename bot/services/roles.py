"""Who holds which role, taking a role back, and the invites still open or cancelled."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.core.context import without_role_work
from bot.delivery.outbox import enqueue, enqueue_menu, reachable_identities
from bot.roles import RESIDENT, ROLE_NAMES, rank
from bot.storage.invites import code_prefix, invite_hash
from bot.storage.models import AuditLog, Commune, Identity, Invite, Unit, User, Village


@dataclass(frozen=True)
class Holder:
    """A person holding a role, with where it applies."""

    user_id: int
    name: str
    role: str
    commune: str
    village: str

    @property
    def scope(self) -> str:
        """Say where the role applies ("Thôn Đồng Tâm, Kim Thành")."""
        return ", ".join(part for part in (self.village, self.commune) if part) or "toàn hệ thống"

    def describe(self) -> str:
        """Say who holds what, in one line."""
        return (
            f"#{self.user_id} {self.name}: {ROLE_NAMES.get(self.role, self.role)} ({self.scope})"
        )


async def _names(session: AsyncSession, user: User) -> tuple[str, str]:
    """Return the commune and the village (or, for a unit head, the unit) of a user's role."""
    commune = await session.get(Commune, user.scope_commune_id) if user.scope_commune_id else None
    village = await session.get(Village, user.scope_village_id) if user.scope_village_id else None
    unit = await session.get(Unit, user.scope_unit_id) if user.scope_unit_id else None
    place = village.name if village else (unit.name if unit else "")
    return (commune.name if commune else "", place)


async def holder_of(session: AsyncSession, user: User) -> Holder:
    """Describe the role a user holds."""
    commune, village = await _names(session, user)
    name = user.display_name or "(chưa có tên)"
    return Holder(user.id, name, user.role, commune, village)


async def role_holders(session: AsyncSession, commune_id: int | None = None) -> list[Holder]:
    """List everyone holding a role above resident, highest role first (of one commune)."""
    query = select(User).where(User.deleted_at.is_(None), User.role != RESIDENT)
    if commune_id is not None:
        query = query.where(User.scope_commune_id == commune_id)
    users = list(await session.scalars(query.order_by(User.id)))
    holders = [await holder_of(session, u) for u in users]
    return sorted(holders, key=lambda h: (-rank(h.role), h.village, h.user_id))


async def revoke_role(
    session: AsyncSession,
    user: User,
    now: datetime,
    actor_id: int | None = None,
    notice: str | None = None,
) -> Holder:
    """Take a user's role and scope back (they become a resident); audit-log what they lost.

    Their role drafts and open conversation go with the role (a unit report's draft names the
    people it nominates). With `notice`, the person is told on the app they use (through the
    outbox).
    """
    lost = await holder_of(session, user)
    if notice:
        reachable = await reachable_identities(session, [user.id])
        identity = reachable.get(user.id)
        if identity is not None:
            await enqueue(
                session,
                channel=identity.channel,
                chat_id=identity.chat_id,
                text=notice.format(role=ROLE_NAMES.get(user.role, user.role), scope=lost.scope),
                kind="role",
                dedupe_key=f"role-revoked:{user.id}:{now.isoformat()}",
                user_id=user.id,
            )
    previous = {
        "role": user.role,
        "commune_id": user.scope_commune_id,
        "village_id": user.scope_village_id,
        "unit_id": user.scope_unit_id,
    }
    user.role = RESIDENT
    user.scope_commune_id = user.scope_village_id = user.scope_unit_id = None
    user.state = without_role_work(user.state)
    for identity in await session.scalars(select(Identity).where(Identity.user_id == user.id)):
        # Their app's command menu goes back to a resident's (Telegram keeps one per chat).
        await enqueue_menu(
            session,
            channel=identity.channel,
            chat_id=identity.chat_id,
            user_id=user.id,
            role=RESIDENT,
            key=f"menu:{identity.id}:{now.isoformat()}",
        )
    session.add(
        AuditLog(
            actor_id=actor_id,
            action="role.revoke",
            target=f"user:{user.id}",
            detail=previous,
            at=now,
        )
    )
    return lost


async def open_invites(session: AsyncSession, now: datetime) -> list[Invite]:
    """List the invites not used, not cancelled and not expired, oldest first."""
    return list(
        await session.scalars(
            select(Invite)
            .where(
                Invite.used_at.is_(None), Invite.cancelled_at.is_(None), Invite.expires_at > now
            )
            .order_by(Invite.created_at, Invite.id)
        )
    )


async def invites_named(session: AsyncSession, typed: str, now: datetime) -> list[Invite]:
    """Find the open invites a full code or a code prefix ("HVS-7K") names."""
    exact = await session.scalar(select(Invite).where(Invite.code_hash == invite_hash(typed)))
    if exact is not None:
        still_open = exact.used_at is None and exact.cancelled_at is None
        return [exact] if still_open and exact.expires_at > now else []
    wanted = code_prefix(typed)
    if len(wanted) < len("HVS-") + 2:
        return []
    return [
        i
        for i in await open_invites(session, now)
        if i.code_prefix and (i.code_prefix.startswith(wanted) or wanted.startswith(i.code_prefix))
    ]


async def cancel_invite(
    session: AsyncSession, invite: Invite, now: datetime, actor_id: int | None = None
) -> None:
    """Cancel an unused invite, audit-logged."""
    invite.cancelled_at = now
    session.add(
        AuditLog(
            actor_id=actor_id,
            action="invite.cancel",
            target=f"invite:{invite.id}",
            detail={"role": invite.role},
            at=now,
        )
    )


async def invite_scope(session: AsyncSession, invite: Invite) -> str:
    """Say where an invite's role applies."""
    village = await session.get(Village, invite.village_id) if invite.village_id else None
    unit = await session.get(Unit, invite.unit_id) if invite.unit_id else None
    commune = await session.get(Commune, invite.commune_id) if invite.commune_id else None
    return ", ".join(x.name for x in (village, unit, commune) if x is not None) or "toàn hệ thống"
