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

# Folded names an office types in the "kind" column. A longer name that starts with one of them
# ("doanh nghiep tu nhan", "hop tac xa nong nghiep", "truong mam non") is that kind too.
_ALIASES = {
    AGENCY: (
        "co quan",
        "co quan nha nuoc",
        "co quan hanh chinh",
        "don vi su nghiep",
        "hoi dong",
        "uy ban",
        "ubnd",
        "tram y te",
        "cong an",
        "ban chi huy quan su",
        "agency",
    ),
    SCHOOL: ("truong hoc", "truong", "mam non", "tieu hoc", "thcs", "thpt", "school"),
    ENTERPRISE: ("doanh nghiep", "cong ty", "dn", "enterprise", "company"),
    COOPERATIVE: ("hop tac xa", "htx", "to hop tac", "cooperative"),
    UNION: (
        "doan the",
        "to chuc doan the",
        "to chuc chinh tri xa hoi",
        "mat tran",
        "doan thanh nien",
        "cong doan",
        "hoi phu nu",
        "hoi lien hiep phu nu",
        "hoi nong dan",
        "hoi cuu chien binh",
        "hoi nguoi cao tuoi",
        "hoi chu thap do",
        "hoi khuyen hoc",
        "union",
    ),
}
_BY_FOLDED = {alias: kind for kind, aliases in _ALIASES.items() for alias in aliases} | {
    kind.replace("_", " "): kind for kind in KINDS
}
_LONGEST_FIRST = sorted(_BY_FOLDED, key=len, reverse=True)


def parse_kind(text: str) -> str | None:
    """A unit kind from its Vietnamese name, with or without diacritics; None if unknown.

    "Cơ quan", "co quan nha nuoc", "HTX", "Doanh nghiệp tư nhân", "Trường Mầm non", "Hội Nông dân"
    are all understood.
    """
    folded = fold(text)
    if folded in _BY_FOLDED:
        return _BY_FOLDED[folded]
    for alias in _LONGEST_FIRST:
        if folded.startswith(alias + " "):
            return _BY_FOLDED[alias]
    return None


def by_kind(units: list[tuple[str, str]]) -> str:
    """List (kind, name) pairs under their kind's Vietnamese name, kinds in the usual order."""
    lines = []
    for kind in (*KINDS, *sorted({k for k, _ in units} - set(KINDS))):
        names = [name for k, name in units if k == kind]
        if names:
            lines.append(f"{KIND_NAMES.get(kind, kind).capitalize()}:")
            lines.extend(f"• {name}" for name in names)
    return "\n".join(lines)
