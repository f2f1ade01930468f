"""Roles and scopes: who may use a command, and which villages they may see."""

from __future__ import annotations

from bot.storage.models import User, Village

RESIDENT = "resident"
VILLAGE_HEAD = "village_head"
STAFF = "staff"
ADMIN = "admin"
ROLES = (RESIDENT, VILLAGE_HEAD, STAFF, ADMIN)
ROLE_NAMES = {
    RESIDENT: "người dân",
    VILLAGE_HEAD: "trưởng thôn",
    STAFF: "cán bộ xã",
    ADMIN: "quản trị",
}
HEADS = (VILLAGE_HEAD,)
STAFF_ROLES = (STAFF, ADMIN)


def has_role(user: User, roles: tuple[str, ...]) -> bool:
    """Tell whether a (not deleted) user holds one of the roles."""
    return user.deleted_at is None and user.role in roles


def may_invite(user: User, role: str, commune_id: int | None, village: Village | None) -> bool:
    """Staff invite village heads and staff of their commune; admins invite anyone."""
    if user.role == ADMIN:
        return role in ROLES and role != RESIDENT
    if user.role != STAFF or role not in (VILLAGE_HEAD, STAFF):
        return False
    if role == VILLAGE_HEAD:
        return village is not None and village.commune_id == user.scope_commune_id
    return commune_id == user.scope_commune_id
