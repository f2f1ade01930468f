"""Import messages that help: the right reason, the cell as typed, close names, no-op runs."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.storage.db import transaction
from bot.storage.imports import ImportFailed, import_households, import_villages

VILLAGES = "commune,village,households_total\n"


async def _villages(sessions: async_sessionmaker[AsyncSession], path: Path) -> str:
    async with transaction(sessions) as session:
        return (await import_villages(session, path)).summary("Thôn")


async def test_a_bad_total_says_why_with_the_cell_as_typed(
    sessions: async_sessionmaker[AsyncSession], commune: int, tmp_path: Path
) -> None:
    path = tmp_path / "thon.csv"
    path.write_text(VILLAGES + "Kim Thành,Thôn A,-5\nKim Thành,Thôn B,một trăm\n")
    with pytest.raises(ImportFailed) as failed:
        await _villages(sessions, path)
    negative, words = failed.value.problems
    # Before: "households_total '-5' is not a number" and "'mộttrăm'".
    assert negative == (
        f"{path}:2: tổng số hộ '-5' phải là số dương / "
        "households_total '-5' must be a positive number"
    )
    assert "'một trăm' không phải là số" in words and "'một trăm' is not a number" in words


async def test_an_unknown_village_lists_the_three_closest(
    sessions: async_sessionmaker[AsyncSession], commune: int, tmp_path: Path
) -> None:
    path = tmp_path / "ho.csv"
    path.write_text("commune,village,code,head_name\nKim Thành,dong,X-1,Ngô Văn Một\n")
    async with transaction(sessions) as session:
        with pytest.raises(ImportFailed) as failed:
            await import_households(session, path)
    [problem] = failed.value.problems
    assert problem.startswith(f"{path}:2: không có thôn 'dong' trong Kim Thành (gần nhất: ")
    close = problem.split("gần nhất: ")[1].split(")")[0].split(", ")
    assert len(close) == 3 and "Thôn Đồng Tâm" in close
    assert "/ village 'dong' not found in Kim Thành" in problem


async def test_an_identical_reimport_changes_nothing_and_says_so(
    sessions: async_sessionmaker[AsyncSession], commune: int, tmp_path: Path
) -> None:
    path = tmp_path / "thon.csv"
    path.write_text(VILLAGES + "Kim Thành,Thôn Đồng Tâm,320\nKim Thành,Thôn Mới,\n")
    # Before: "5 updated" for a file identical to what was imported.
    assert await _villages(sessions, path) == (
        "Thôn: không có thay đổi (2 dòng đã đúng) / no changes (2 rows already up to date)."
    )
    path.write_text(VILLAGES + "Kim Thành,Thôn Đồng Tâm,330\nKim Thành,Thôn Mới,\n")
    assert "cập nhật 1, giữ nguyên 1" in await _villages(sessions, path)
