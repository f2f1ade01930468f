"""pg_dump and pg_restore get the password from the environment, never on the command line."""

from __future__ import annotations

import json
import os
import stat
from pathlib import Path

import pytest

from bot.config import Settings
from bot.ops import backup_to, restore_from

URL = "postgresql+asyncpg://hocvuso:Sup3r-s3cret@127.0.0.1:5432/hocvuso"


@pytest.fixture
def recording_tools(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Put pg_dump and pg_restore on PATH that record what a `ps` would see, and the env."""
    bin_dir, record = tmp_path / "bin", tmp_path / "calls.jsonl"
    bin_dir.mkdir()
    for name in ("pg_dump", "pg_restore"):
        tool = bin_dir / name
        tool.write_text(
            "#!/usr/bin/env python3\n"
            "import json, os, sys\n"
            f"with open({str(record)!r}, 'a') as out:\n"
            "    out.write(json.dumps({'argv': sys.argv,"
            " 'password': os.environ.get('PGPASSWORD')}) + '\\n')\n"
        )
        tool.chmod(tool.stat().st_mode | stat.S_IEXEC)
    monkeypatch.setenv("PATH", f"{bin_dir}{os.pathsep}{os.environ['PATH']}")
    return record


def test_the_password_never_reaches_argv(recording_tools: Path, tmp_path: Path) -> None:
    settings = Settings(database_url=URL)
    backup = tmp_path / "backup.dump"
    backup_to(settings, backup)
    backup.write_bytes(b"dump")
    restore_from(settings, backup)
    calls = [json.loads(line) for line in recording_tools.read_text().splitlines()]
    assert [Path(c["argv"][0]).name for c in calls] == ["pg_dump", "pg_restore"]
    for call in calls:
        assert not any("Sup3r-s3cret" in arg for arg in call["argv"]), call["argv"]
        assert any("hocvuso@127.0.0.1:5432/hocvuso" in arg for arg in call["argv"])
        assert call["password"] == "Sup3r-s3cret"
