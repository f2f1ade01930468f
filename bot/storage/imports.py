"""CSV imports of villages and households: all rows or none, every bad row named by line."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.storage.deadlines import add_default_deadlines
from bot.storage.models import Commune, Household, Village
from bot.text import VILLAGE_PREFIXES, clean, fold, rank

# Accepted header names (folded), English first, then the Vietnamese an office would type.
COLUMNS = {
    "commune": ("commune", "xa", "ten xa", "xa phuong", "phuong"),
    "village": ("village", "thon", "ten thon", "thon to dan pho", "to dan pho", "thon xom"),
    "households_total": (
        "households total",
        "households",
        "tong so ho",
        "so ho",
        "tong ho",
        "so ho gia dinh",
    ),
    "code": ("code", "ma ho", "ma", "ma ho gia dinh"),
    "head_name": ("head name", "chu ho", "ho ten chu ho", "ten chu ho", "ho va ten chu ho"),
    "kind": ("kind", "loai", "loai don vi", "loai hinh", "loai hinh don vi"),
    "unit": (
        "name",
        "unit",
        "ten don vi",
        "don vi",
        "ten co quan don vi",
        "ten co quan",
        "co quan don vi",
    ),
    "members_total": (
        "members total",
        "tong so nguoi",
        "so nguoi",
        "tong so",
        "so luong",
        "so can bo",
        "so lao dong",
        "so hoi vien",
    ),
}


class ImportFailed(Exception):
    """Raised with every problem found; nothing was written."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("\n".join(problems))
        self.problems = problems


@dataclass
class ImportResult:
    """What an import changed."""

    created: int = 0
    updated: int = 0
    unchanged: int = 0

    def summary(self, kind: str) -> str:
        """Say what changed, Vietnamese first, English after, on one line."""
        if not self.created and not self.updated:
            return (
                f"{kind}: không có thay đổi ({self.unchanged} dòng đã đúng) / "
                f"no changes ({self.unchanged} rows already up to date)."
            )
        return (
            f"{kind}: thêm {self.created}, cập nhật {self.updated}, giữ nguyên {self.unchanged} / "
            f"{self.created} added, {self.updated} updated, {self.unchanged} unchanged."
        )


def closest_villages(names: list[str], typed: str, count: int = 3) -> str:
    """Return the `count` village names closest to a typed one, for a "not found" message."""
    ranked = rank(typed, list(enumerate(names)), prefixes=VILLAGE_PREFIXES, limit=count, cutoff=0)
    return ", ".join(names[i] for i, _ in ranked)


def _total_problem(typed: str) -> str | None:
    """Explain what is wrong with a typed households_total, or None when it is a count."""
    bare = typed.replace(".", "").replace(" ", "")
    if bare.lstrip("-").isdecimal() and (bare.startswith("-") or int(bare) == 0):
        return (
            f"tổng số hộ {typed!r} phải là số dương / households_total {typed!r} "
            "must be a positive number"
        )
    if not bare.isdecimal():
        return (
            f"tổng số hộ {typed!r} không phải là số / households_total {typed!r} is not a number"
        )
    return None


def read_rows(path: Path, required: tuple[str, ...]) -> list[tuple[int, dict[str, str]]]:
    """Read a CSV (comma, semicolon or tab; UTF-8 with or without BOM) into (line, row) pairs."""
    try:
        text = path.read_text(encoding="utf-8-sig")
    except FileNotFoundError as exc:
        raise ImportFailed([f"{path}: file not found"]) from exc
    except UnicodeDecodeError as exc:
        raise ImportFailed([f"{path}: not UTF-8 text (save the sheet as CSV UTF-8)"]) from exc
    first = text.splitlines()[0] if text.strip() else ""
    delimiter = max(",;\t", key=first.count)
    reader = csv.reader(io.StringIO(text), delimiter=delimiter)
    header = next(reader, [])
    names: dict[int, str] = {}
    for index, raw in enumerate(header):
        key = fold(raw)
        for column, accepted in COLUMNS.items():
            if key in accepted:
                names[index] = column
    missing = [c for c in required if c not in names.values()]
    if missing:
        raise ImportFailed(
            [f"{path}:1: missing column(s) {', '.join(missing)} (header: {', '.join(header)})"]
        )
    rows = []
    for line, values in enumerate(reader, start=2):
        if not any(v.strip() for v in values):
            continue
        # Control characters (a stray bell or NUL from a spreadsheet) would break every export.
        cells = {names[i]: clean(v).strip() for i, v in enumerate(values) if i in names}
        rows.append((line, cells))
    return rows


async def _communes_by_name(session: AsyncSession) -> dict[str, Commune]:
    return {c.name_folded: c for c in await session.scalars(select(Commune))}


def commune_key(name: str) -> str:
    """Return the folded name communes are matched by ("Xã Kim Thành" → "kim thanh")."""
    folded = fold(name)
    for prefix in ("xa ", "phuong ", "thi tran "):
        if folded.startswith(prefix):
            return folded[len(prefix) :]
    return folded


async def import_villages(session: AsyncSession, path: Path) -> ImportResult:
    """Create or update villages and their declared household totals."""
    rows = read_rows(path, ("commune", "village"))
    communes = await _communes_by_name(session)
    problems: list[str] = []
    result = ImportResult()
    for line, row in rows:
        commune = communes.get(commune_key(row.get("commune", "")))
        name = " ".join(row.get("village", "").split())
        typed_total = row.get("households_total", "").strip()
        if commune is None:
            problems.append(
                f"{path}:{line}: commune {row.get('commune', '')!r} not found "
                "(add it with: hocvuso commune add)"
            )
            continue
        if not name:
            problems.append(f"{path}:{line}: village name is empty")
            continue
        total: int | None = None
        if typed_total:
            problem = _total_problem(typed_total)
            if problem:
                problems.append(f"{path}:{line}: {problem}")
                continue
            total = int(typed_total.replace(".", "").replace(" ", ""))
        existing = await session.scalar(
            select(Village).where(
                Village.commune_id == commune.id, Village.name_folded == fold(name)
            )
        )
        if existing:
            if total is not None and existing.households_total != total:
                existing.households_total = total
                result.updated += 1
            else:
                result.unchanged += 1
        else:
            session.add(
                Village(
                    commune_id=commune.id,
                    name=name,
                    name_folded=fold(name),
                    households_total=total,
                )
            )
            await session.flush()
            result.created += 1
    if problems:
        raise ImportFailed(problems)
    return result


async def import_households(session: AsyncSession, path: Path) -> ImportResult:
    """Create or update the roster households of villages (by household code)."""
    rows = read_rows(path, ("commune", "village", "code", "head_name"))
    communes = await _communes_by_name(session)
    problems: list[str] = []
    result = ImportResult()
    seen: set[tuple[int, str]] = set()
    for line, row in rows:
        commune = communes.get(commune_key(row.get("commune", "")))
        village = (
            await session.scalar(
                select(Village).where(
                    Village.commune_id == commune.id,
                    Village.name_folded == fold(row.get("village", "")),
                )
            )
            if commune
            else None
        )
        code = row.get("code", "").strip()
        head = " ".join(row.get("head_name", "").split())
        if commune is None:
            problems.append(f"{path}:{line}: commune {row.get('commune', '')!r} not found")
            continue
        if village is None:
            typed = row.get("village", "")
            names = [
                v.name
                for v in await session.scalars(
                    select(Village).where(Village.commune_id == commune.id)
                )
            ]
            close = closest_villages(names, typed)
            problems.append(
                f"{path}:{line}: không có thôn {typed!r} trong {commune.name}"
                + (f" (gần nhất: {close})" if close else "")
                + f" / village {typed!r} not found in {commune.name}"
                + (f" (closest: {close}; " if close else " (")
                + "import villages first)"
            )
            continue
        if not code or not head:
            problems.append(f"{path}:{line}: household code and head name are both needed")
            continue
        if (village.id, fold(code)) in seen:
            problems.append(f"{path}:{line}: household code {code!r} appears twice")
            continue
        seen.add((village.id, fold(code)))
        existing = await session.scalar(
            select(Household).where(Household.village_id == village.id, Household.code == code)
        )
        if existing:
            if (existing.head_name, existing.source) == (head, "roster"):
                result.unchanged += 1
                continue
            existing.head_name, existing.head_name_folded = head, fold(head)
            existing.source = "roster"
            result.updated += 1
        else:
            session.add(
                Household(
                    village_id=village.id,
                    code=code,
                    head_name=head,
                    head_name_folded=fold(head),
                    source="roster",
                )
            )
            result.created += 1
    if problems:
        raise ImportFailed(problems)
    return result


async def add_commune(
    session: AsyncSession, name: str, province: str, timezone: str = "Asia/Ho_Chi_Minh"
) -> tuple[Commune, bool]:
    """Create a commune unless one with that name already exists; return it and whether new."""
    name = " ".join(name.split())
    existing = (await _communes_by_name(session)).get(commune_key(name))
    if existing:
        return existing, False
    commune = Commune(
        name=name, name_folded=commune_key(name), province=province.strip(), timezone=timezone
    )
    session.add(commune)
    await session.flush()
    await add_default_deadlines(session, commune.id)
    return commune, True
