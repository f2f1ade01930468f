"""The roles a person can hold, their names and their order (lowest level: imports nothing)."""

from __future__ import annotations

RESIDENT = "resident"
VILLAGE_HEAD = "village_head"
# The head of a reporting unit (agency, school, enterprise, co-operative, đoàn thể).
UNIT_HEAD = "unit_head"
STAFF = "staff"
ADMIN = "admin"
ROLES = (RESIDENT, VILLAGE_HEAD, UNIT_HEAD, STAFF, ADMIN)
ROLE_NAMES = {
    RESIDENT: "người dân",
    VILLAGE_HEAD: "trưởng thôn",
    UNIT_HEAD: "thủ trưởng đơn vị",
    STAFF: "cán bộ xã",
    ADMIN: "quản trị",
}
RANK = {RESIDENT: 0, VILLAGE_HEAD: 1, UNIT_HEAD: 1, STAFF: 2, ADMIN: 3}


def rank(role: str | None) -> int:
    """Order roles from resident (0) to admin (3)."""
    return RANK.get(role or RESIDENT, 0)
