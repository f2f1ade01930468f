"""Reporting units of a commune and their yearly reports: lookups and the all-or-nothing import."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncSession

from bot.storage.db import dialect
from bot.storage.deadlines import Occurrence
from bot.storage.imports import ImportFailed, ImportResult, commune_key, read_rows
from bot.storage.models import Commune, Unit, UnitReport
from bot.text import fold, rank
from bot.units import KIND_NAMES, KINDS, parse_kind

MAX_MEMBERS = 1_000_000  # more people than a province: a typing error


async def units_of(session: AsyncSession, commune_id: int) -> list[Unit]:
    """Return a commune's reporting units, by kind then name."""
    rows = await session.scalars(select(Unit).where(Unit.commune_id == commune_id))
    order = {kind: i for i, kind in enumerate(KINDS)}
    return sorted(rows, key=lambda u: (order.get(u.kind, len(order)), u.name_folded))


async def find_unit(session: AsyncSession, commune_id: int, name: str) -> Unit | None:
    """Find a commune's unit by its name, typed with or without diacritics, if unambiguous."""
    units = await units_of(session, commune_id)
    exact = [u for u in units if u.name_folded == fold(name)]
    if exact:
        return exact[0]
    by_id = {u.id: u for u in units}
    ranked = rank(name, [(u.id, u.name) for u in units], limit=2, cutoff=90)
    if ranked and (len(ranked) == 1 or ranked[1][1] < ranked[0][1]):
        return by_id[ranked[0][0]]
    return None


def closest_units(units: list[Unit], typed: str, count: int = 3) -> str:
    """Return the unit names closest to a typed one, for a "not found" message."""
    ranked = rank(typed, [(u.name, u.name) for u in units], limit=count, cutoff=0)
    return ", ".join(name for name, _ in ranked)


async def unit_report(
    session: AsyncSession, unit_id: int, occurrence: Occurrence
) -> UnitReport | None:
    """Return the unit's report of the occurrence's year, if any.

    A unit reports its emulation results once a year: a report made for one of the commune's
    deadlines answers the others of that year too (the latest, should there be two).
    """
    return await session.scalar(
        select(UnitReport)
        .where(UnitReport.unit_id == unit_id, UnitReport.year == occurrence.year)
        .order_by(UnitReport.submitted_at.desc(), UnitReport.id.desc())
        .limit(1)
    )


async def add_unit_report(
    session: AsyncSession,
    unit_id: int,
    occurrence: Occurrence,
    fields: dict[str, Any],
    by_user_id: int,
    now: datetime,
) -> UnitReport | None:
    """Record a unit's first report for an occurrence; None when one was recorded meanwhile.

    One statement that gives way on the unique key, so two heads of a unit sending at once
    never fail: the later one finds the report and replaces it as a correction.
    """
    insert = pg_insert if dialect(session) == "postgresql" else sqlite_insert
    added = await session.scalar(
        insert(UnitReport)
        .values(
            unit_id=unit_id,
            deadline_id=occurrence.deadline.id,
            year=occurrence.year,
            submitted_at=now,
            by_user_id=by_user_id,
            revision=1,
            history=[],
            **fields,
        )
        .on_conflict_do_nothing(index_elements=["unit_id", "deadline_id", "year"])
        .returning(UnitReport.id)
    )
    return await session.get(UnitReport, added) if added is not None else None


async def latest_reports(
    session: AsyncSession, unit_ids: list[int], year: int
) -> dict[int, UnitReport]:
    """Return each unit's most recently submitted report of a year."""
    latest: dict[int, UnitReport] = {}
    rows = await session.scalars(
        select(UnitReport)
        .where(UnitReport.unit_id.in_(unit_ids or [0]), UnitReport.year == year)
        .order_by(UnitReport.submitted_at, UnitReport.id)
    )
    for row in rows:
        latest[row.unit_id] = row
    return latest


@dataclass(frozen=True)
class UnitStatus:
    """A unit and whether it has reported for an occurrence of a deadline."""

    unit: Unit
    report: UnitReport | None

    @property
    def kind_name(self) -> str:
        """Return the unit's kind in Vietnamese."""
        return KIND_NAMES.get(self.unit.kind, self.unit.kind)


async def unit_statuses(
    session: AsyncSession, commune_id: int, occurrence: Occurrence | None
) -> list[UnitStatus]:
    """Return every unit of a commune with its report for the occurrence (None: no deadline)."""
    units = await units_of(session, commune_id)
    done: dict[int, UnitReport] = {}
    if occurrence is not None and units:
        done = {
            r.unit_id: r
            for r in await session.scalars(
                select(UnitReport)
                .where(
                    UnitReport.unit_id.in_([u.id for u in units]),
                    UnitReport.year == occurrence.year,
                )
                .order_by(UnitReport.submitted_at)  # the latest of a year wins
            )
        }
    return [UnitStatus(u, done.get(u.id)) for u in units]


def _members_problem(typed: str) -> str | None:
    bare = typed.replace(".", "").replace(" ", "")
    if bare.startswith("-") and bare[1:].isdecimal():
        return (
            f"tổng số người {typed!r} không được âm / members_total {typed!r} must not be negative"
        )
    if not bare.isdecimal():
        return (
            f"tổng số người {typed!r} không phải là số / members_total {typed!r} is not a number"
        )
    if int(bare) > MAX_MEMBERS:
        return f"tổng số người {typed!r} quá lớn / members_total {typed!r} is too large"
    return None


async def import_units(session: AsyncSession, path: Path) -> ImportResult:
    """Create or update a commune's reporting units (kind, name, members) from a CSV."""
    rows = read_rows(path, ("commune", "kind", "unit", "members_total"))
    communes = {c.name_folded: c for c in await session.scalars(select(Commune))}
    problems: list[str] = []
    result = ImportResult()
    seen: set[tuple[int, str]] = set()
    kinds = ", ".join(KIND_NAMES[k] for k in KINDS)
    for line, row in rows:
        commune = communes.get(commune_key(row.get("commune", "")))
        name = " ".join(row.get("unit", "").split())
        typed_kind = row.get("kind", "")
        kind = parse_kind(typed_kind)
        typed_total = row.get("members_total", "").strip()
        where = f"{path}:{line}"
        if commune is None:
            problems.append(
                f"{where}: không có xã {row.get('commune', '')!r} (thêm bằng: hocvuso commune add)"
                f" / commune {row.get('commune', '')!r} not found"
            )
            continue
        if not name:
            problems.append(f"{where}: thiếu tên đơn vị / unit name is empty")
            continue
        if kind is None:
            problems.append(
                f"{where}: loại đơn vị {typed_kind!r} không rõ (dùng: {kinds}) / "
                f"unknown unit kind {typed_kind!r}"
            )
            continue
        total = 0
        if typed_total:
            problem = _members_problem(typed_total)
            if problem:
                problems.append(f"{where}: {problem}")
                continue
            total = int(typed_total.replace(".", "").replace(" ", ""))
        if (commune.id, fold(name)) in seen:
            problems.append(f"{where}: đơn vị {name!r} bị lặp / unit {name!r} appears twice")
            continue
        seen.add((commune.id, fold(name)))
        existing = await session.scalar(
            select(Unit).where(Unit.commune_id == commune.id, Unit.name_folded == fold(name))
        )
        if existing is None:
            session.add(
                Unit(
                    commune_id=commune.id,
                    kind=kind,
                    name=name,
                    name_folded=fold(name),
                    members_total=total,
                )
            )
            result.created += 1
        elif (existing.kind, existing.name, existing.members_total) != (kind, name, total):
            existing.kind, existing.name, existing.members_total = kind, name, total
            result.updated += 1
        else:
            result.unchanged += 1
    if problems:
        raise ImportFailed(problems)
    await session.flush()
    return result
