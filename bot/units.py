"""The kinds of reporting unit and their Vietnamese names (lowest level: imports only text)."""

from __future__ import annotations

from bot.text import fold

AGENCY = "co_quan"
SCHOOL = "truong_hoc"
ENTERPRISE = "doanh_nghiep"
COOPERATIVE = "hop_tac_xa"
UNION = "doan_the"
VILLAGE = "thon"  # villages and tổ dân phố: kept in `villages`, listed with the units
KINDS = (AGENCY, SCHOOL, ENTERPRISE, COOPERATIVE, UNION)
KIND_NAMES = {
    AGENCY: "cơ quan",
    SCHOOL: "trường học",
    ENTERPRISE: "doanh nghiệp",
    COOPERATIVE: "hợp tác xã",
    UNION: "đoàn thể",
    VILLAGE: "thôn, tổ dân phố",
}
# Which cohort indicator a kind's report feeds (bot/stats/report.py COHORT_TARGETS).
COHORT_OF_KIND = {
    AGENCY: "can_bo",
    SCHOOL: "can_bo",
    ENTERPRISE: "lao_dong_dn",
    COOPERATIVE: "lao_dong_dn",
}

_ALIASES = {
    AGENCY: ("co quan", "co quan nha nuoc", "agency"),
    SCHOOL: ("truong hoc", "truong", "school"),
    ENTERPRISE: ("doanh nghiep", "cong ty", "enterprise"),
    COOPERATIVE: ("hop tac xa", "htx", "cooperative"),
    UNION: ("doan the", "to chuc doan the", "union"),
}
_BY_FOLDED = {alias: kind for kind, aliases in _ALIASES.items() for alias in aliases} | {
    kind.replace("_", " "): kind for kind in KINDS
}


def parse_kind(text: str) -> str | None:
    """A unit kind from its Vietnamese name, with or without diacritics; None if unknown."""
    return _BY_FOLDED.get(fold(text))


def by_kind(units: list[tuple[str, str]]) -> str:
    """List (kind, name) pairs under their kind's Vietnamese name, kinds in the usual order."""
    lines = []
    for kind in (*KINDS, *sorted({k for k, _ in units} - set(KINDS))):
        names = [name for k, name in units if k == kind]
        if names:
            lines.append(f"{KIND_NAMES.get(kind, kind).capitalize()}:")
            lines.extend(f"• {name}" for name in names)
    return "\n".join(lines)
