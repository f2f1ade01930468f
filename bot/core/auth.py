"""Roles and scopes: who may use a command, and which villages they may see."""

from __future__ import annotations

from bot.roles import (
    ADMIN,
    RANK,
    RESIDENT,
    ROLE_NAMES,
    ROLES,
    STAFF,
    UNIT_HEAD,
    VILLAGE_HEAD,
    rank,
)
from bot.storage.models import Unit, User, Village

__all__ = [
    "ADMIN",
    "RANK",
    "RESIDENT",
    "ROLES",
    "ROLE_NAMES",
    "STAFF",
    "UNIT_HEAD",
    "VILLAGE_HEAD",
    "rank",
]

HEADS = (VILLAGE_HEAD,)
STAFF_ROLES = (STAFF, ADMIN)


def has_role(user: User, roles: tuple[str, ...]) -> bool:
    """Tell whether a (not deleted) user holds one of the roles."""
    return user.deleted_at is None and user.role in roles


def sees_village(user: User, village: Village) -> bool:
    """Tell whether the user's role covers this village (a head sees only their own)."""
    if user.role == VILLAGE_HEAD:
        return user.deleted_at is None and village.id == user.scope_village_id
    return sees_commune(user, village.commune_id)


def sees_commune(user: User, commune_id: int) -> bool:
    """Tell whether the user's role covers this commune."""
    if user.deleted_at is not None:
        return False
    return user.role == ADMIN or (user.role == STAFF and user.scope_commune_id == commune_id)


def sees_unit(user: User, unit: Unit) -> bool:
    """Tell whether the role covers this reporting unit (a unit head sees only their own)."""
    if user.role == UNIT_HEAD:
        return user.deleted_at is None and unit.id == user.scope_unit_id
    return sees_commune(user, unit.commune_id)


def may_invite(
    user: User,
    role: str,
    commune_id: int | None,
    village: Village | None,
    unit: Unit | None = None,
) -> bool:
    """Staff invite village and unit heads of their commune; only admins mint staff codes."""
    if user.deleted_at is not None:
        return False
    if user.role == ADMIN:
        return role in ROLES and role != RESIDENT
    if user.role != STAFF:
        return False
    if role == UNIT_HEAD:
        return unit is not None and unit.commune_id == user.scope_commune_id
    if role != VILLAGE_HEAD:
        return False
    return village is not None and village.commune_id == user.scope_commune_id
