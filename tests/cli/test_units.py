"""`hocvuso import units`, `invite --role unit_head` and the units in `stats --format json`."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.storage.db import transaction
from bot.storage.imports import ImportFailed
from bot.storage.models import Unit
from bot.storage.units import import_units
from tests.test_cli import hocvuso


async def units(sessions: async_sessionmaker[AsyncSession]) -> list[tuple[str, str, int]]:
    async with sessions() as session:
        rows = await session.scalars(select(Unit).order_by(Unit.name))
        return [(u.name, u.kind, u.members_total) for u in rows]


async def test_a_bad_row_writes_nothing_and_names_its_line(
    sessions: async_sessionmaker[AsyncSession], commune: int, tmp_path: Path
) -> None:
    path = tmp_path / "don-vi.csv"
    path.write_text(
        "Xã;Loại;Tên đơn vị;Tổng số người\n"
        "Kim Thành;Cơ quan;UBND xã Kim Thành;30\n"
        "Kim Thành;Bệnh viện;Trạm y tế;12\n"
        "Kim Thành;HTX;HTX Nông nghiệp Kim Thành;-4\n"
        "Kim Thành;Trường học;;20\n",
        encoding="utf-8-sig",
    )
    with pytest.raises(ImportFailed) as failed:
        async with transaction(sessions) as session:
            await import_units(session, path)
    problems = failed.value.problems
    assert problems[0].startswith(f"{path}:3: loại đơn vị 'Bệnh viện' không rõ (dùng: cơ quan,")
    assert problems[1].startswith(f"{path}:4: tổng số người '-4' không được âm")
    assert problems[2].startswith(f"{path}:5: thiếu tên đơn vị")
    assert await units(sessions) == []  # nothing half-imported


async def test_vietnamese_headers_and_unaccented_kinds_import(
    sessions: async_sessionmaker[AsyncSession], commune: int, tmp_path: Path
) -> None:
    path = tmp_path / "units.csv"
    path.write_text(
        "Xa,Loai,Ten don vi,Tong so nguoi\n"
        "Kim Thanh,truong hoc,Trường Tiểu học Kim Thành,38\n"
        "Kim Thành,doanh nghiep,Công ty May Kim Thành,1.200\n"
        "Xã Kim Thành,hop tac xa,HTX Nông nghiệp,\n"
        "Kim Thành,Đoàn thể,Hội Phụ nữ xã,250\n",
        encoding="utf-8",
    )
    async with transaction(sessions) as session:
        result = await import_units(session, path)
    assert (result.created, result.updated) == (4, 0)
    assert await units(sessions) == [
        ("Công ty May Kim Thành", "doanh_nghiep", 1200),
        ("HTX Nông nghiệp", "hop_tac_xa", 0),
        ("Hội Phụ nữ xã", "doan_the", 250),
        ("Trường Tiểu học Kim Thành", "truong_hoc", 38),
    ]
    english = tmp_path / "english.csv"
    english.write_text(
        "commune,kind,name,members_total\nKim Thành,school,Trường Tiểu học Kim Thành,40\n"
    )
    async with transaction(sessions) as session:
        again = await import_units(session, english)
    assert (again.created, again.updated) == (0, 1)


def test_units_from_the_shell_to_a_unit_head_and_stats_json(tmp_path: Path) -> None:
    assert hocvuso("demo", cwd=tmp_path).returncode == 0
    bad = tmp_path / "don-vi.csv"
    bad.write_text("Xã,Loại,Tên đơn vị,Tổng số người\nKim Thành,co quan,UBND xã,abc\n")
    failed = hocvuso("import", "units", str(bad), cwd=tmp_path)
    assert failed.returncode == 1 and f"{bad}:2: tổng số người 'abc'" in failed.stderr
    assert "Traceback" not in failed.stderr
    bad.write_text("Xã,Loại,Tên đơn vị,Tổng số người\nKim Thành,co quan,UBND xã Kim Thành,30\n")
    done = hocvuso("import", "units", str(bad), cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert "Units: thêm 1" in done.stdout

    missing = hocvuso("invite", "--role", "unit_head", "--unit", "Công an", cwd=tmp_path)
    assert missing.returncode == 1 and "không có đơn vị 'Công an'" in missing.stderr
    code = hocvuso("invite", "--role", "unit_head", "--unit", "ubnd xa kim thanh", cwd=tmp_path)
    assert code.returncode == 0, code.stderr
    assert "unit_head UBND xã Kim Thành" in code.stdout
    invite_code = code.stdout.split()[0]
    chat = hocvuso(
        "chat", "--user", "chutich", cwd=tmp_path, stdin=f"/nhanma {invite_code}\n1\n/donvi\n"
    )
    assert "vai trò thủ trưởng đơn vị của UBND xã Kim Thành" in chat.stdout
    assert "UBND xã Kim Thành (cơ quan), xã Kim Thành" in chat.stdout
    listed = hocvuso("invite", "list", cwd=tmp_path)
    assert "UBND xã Kim Thành" not in listed.stdout  # used

    stats = hocvuso("stats", "--format", "json", cwd=tmp_path)
    assert stats.returncode == 0, stats.stderr
    [commune] = json.loads(stats.stdout)["communes"]
    assert commune["units"] == [
        {
            "name": "UBND xã Kim Thành",
            "kind": "co_quan",
            "members_total": 30,
            "members_learned": None,
            "reported": False,
        }
    ]


async def test_kinds_and_headers_as_offices_write_them(
    sessions: async_sessionmaker[AsyncSession], commune: int, tmp_path: Path
) -> None:
    path = tmp_path / "danh-sach.csv"
    path.write_text(
        "Xã/Phường\tLoại hình đơn vị\tTên cơ quan\tSố lượng\n"
        "Kim Thành\tCơ quan hành chính\tHội đồng nhân dân xã\t12\n"
        "Kim Thành\tTrường Mầm non\tTrường Mầm non Hoa Sen\t25\n"
        "Kim Thành\tDoanh nghiệp tư nhân\tXưởng gỗ Minh Phát\t40\n"
        "Kim Thành\tHợp tác xã nông nghiệp\tHTX Dịch vụ Kim Thành\t18\n"
        "Kim Thành\tHội Nông dân\tHội Nông dân xã\t300\n"
        "Kim Thành\tMặt trận Tổ quốc\tỦy ban MTTQ xã\t9\n",
        encoding="utf-8",
    )
    async with transaction(sessions) as session:
        result = await import_units(session, path)
    assert result.created == 6
    assert {name: kind for name, kind, _ in await units(sessions)} == {
        "HTX Dịch vụ Kim Thành": "hop_tac_xa",
        "Hội Nông dân xã": "doan_the",
        "Hội đồng nhân dân xã": "co_quan",
        "Trường Mầm non Hoa Sen": "truong_hoc",
        "Xưởng gỗ Minh Phát": "doanh_nghiep",
        "Ủy ban MTTQ xã": "doan_the",
    }
