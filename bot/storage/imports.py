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
from bot.text import fold

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
        rows.append((line, {names[i]: v.strip() for i, v in enumerate(values) if i in names}))
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
        raw_total = row.get("households_total", "").replace(".", "").replace(" ", "")
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
        if raw_total:
            if not raw_total.isdigit() or int(raw_total) == 0:
                problems.append(f"{path}:{line}: households_total {raw_total!r} is not a number")
                continue
            total = int(raw_total)
        existing = await session.scalar(
            select(Village).where(
                Village.commune_id == commune.id, Village.name_folded == fold(name)
            )
        )
        if existing:
            if total is not None:
                existing.households_total = total
            result.updated += 1
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
            problems.append(
                f"{path}:{line}: village {row.get('village', '')!r} not found in "
                f"{commune.name} (import villages first)"
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
