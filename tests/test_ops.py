"""Operations: doctor, backup and restore, health, metrics, JSON logs, running as compose does."""

from __future__ import annotations

import asyncio
import json
import os
import signal
import subprocess
import sys
from collections.abc import AsyncIterator
from pathlib import Path

import aiohttp
import pytest
from sqlalchemy import select, text

from bot.config import ROOT
from bot.delivery.outbox import enqueue
from bot.lessons import load_curriculum
from bot.storage import db
from bot.storage.models import Identity, OutboxMessage, User
from tests.channels.test_telegram_run import free_port
from tests.conftest import PG_SKIP, PG_URL, run_apart
from tests.fakes.telegram_api import FakeTelegram
from tests.fakes.zalo_api import FakeZalo
from tests.test_cli import hocvuso


@pytest.fixture
async def fakes() -> AsyncIterator[tuple[FakeTelegram, FakeZalo]]:
    telegram, zalo = FakeTelegram(), FakeZalo()
    await telegram.start()
    await zalo.start()
    yield telegram, zalo
    await zalo.stop()
    await telegram.stop()


async def shell(*args: str, cwd: Path, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return await asyncio.to_thread(hocvuso, *args, cwd=cwd, env=env)


async def test_doctor_checks_everything_and_fails_on_any_cross(
    tmp_path: Path, fakes: tuple[FakeTelegram, FakeZalo]
) -> None:
    telegram, zalo = fakes
    env = {
        "HOCVUSO_TELEGRAM_TOKEN": telegram.token,
        "HOCVUSO_TELEGRAM_API_URL": telegram.base_url,
        "HOCVUSO_ZALO_TOKEN": zalo.token,
        "HOCVUSO_ZALO_API_URL": zalo.base_url,
    }
    fresh = await shell("doctor", cwd=tmp_path, env=env)
    assert fresh.returncode == 1  # no database yet
    assert "✗ database at migration None" in fresh.stdout
    assert (await shell("db", "upgrade", cwd=tmp_path, env=env)).returncode == 0
    good = await shell("doctor", cwd=tmp_path, env=env)
    assert good.returncode == 0, good.stdout
    for line in (
        "✓ database reachable",
        "✓ database at the latest migration",
        f"✓ lessons valid ({len(load_curriculum(ROOT / 'content' / 'lessons').lessons)})",
        "✓ Telegram token valid: @hocvuso_test_bot",
        "✓ Telegram: polling (no webhook)",
        "✓ Zalo token valid",
        "✓ time zone Asia/Ho_Chi_Minh",
    ):
        assert line in good.stdout
    wrong = await shell(
        "doctor",
        cwd=tmp_path,
        env={**env, "HOCVUSO_TELEGRAM_TOKEN": "1:WRONG", "HOCVUSO_TIMEZONE": "Mars/Olympus"},
    )
    assert wrong.returncode == 1
    assert "✗ Telegram refused the token" in wrong.stdout
    assert "✗ unknown time zone 'Mars/Olympus'" in wrong.stdout
    assert "Traceback" not in wrong.stdout + wrong.stderr


def test_sqlite_backup_and_restore_round_trip(tmp_path: Path) -> None:
    assert hocvuso("demo", cwd=tmp_path).returncode == 0
    photo = tmp_path / "hocvuso-media" / ("x" * 43 + ".jpg")  # a resident's certificate
    photo.parent.mkdir()
    photo.write_bytes(b"\xff\xd8 certificate")
    backup = tmp_path / "backup.db"
    made = hocvuso("backup", str(backup), cwd=tmp_path)
    assert made.returncode == 0 and backup.exists(), made.stderr
    assert "1 certificate photo(s)" in made.stdout
    assert (tmp_path / "backup.db.media" / photo.name).read_bytes() == photo.read_bytes()
    photo.unlink()  # lost with the server
    hocvuso("commune", "add", "--name", "Xã Mới Thêm", "--province", "Hà Nội", cwd=tmp_path)
    assert "Mới Thêm" in hocvuso("stats", cwd=tmp_path).stdout
    refused = hocvuso("restore", str(backup), cwd=tmp_path)
    assert refused.returncode == 1 and "--yes" in refused.stderr
    done = hocvuso("restore", str(backup), "--yes", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    after = hocvuso("stats", "--format", "json", cwd=tmp_path)
    assert [c["name"] for c in json.loads(after.stdout)["communes"]] == ["Kim Thành"]
    assert photo.read_bytes() == b"\xff\xd8 certificate"  # the photos come back too
    junk = tmp_path / "junk.db"
    junk.write_text("not a database")
    bad = hocvuso("restore", str(junk), "--yes", cwd=tmp_path)
    assert bad.returncode == 1 and "not a backup" in bad.stderr


def test_postgresql_backup_and_restore_round_trip(tmp_path: Path) -> None:
    if not PG_URL:
        pytest.skip(PG_SKIP)
    base = PG_URL.rsplit("/", 1)[0]
    url = f"{base}/hocvuso_backup_test"
    admin = f"{base}/postgres"

    async def recreate() -> None:
        engine = db.make_engine(admin, isolation_level="AUTOCOMMIT")
        async with engine.connect() as conn:
            await conn.execute(text("DROP DATABASE IF EXISTS hocvuso_backup_test WITH (FORCE)"))
            await conn.execute(text("CREATE DATABASE hocvuso_backup_test"))
        await engine.dispose()

    run_apart(recreate())
    env = {"HOCVUSO_DATABASE_URL": url}
    assert hocvuso("db", "upgrade", cwd=tmp_path, env=env).returncode == 0
    assert (
        hocvuso(
            "commune",
            "add",
            "--name",
            "Kim Thành",
            "--province",
            "Hải Phòng",
            cwd=tmp_path,
            env=env,
        ).returncode
        == 0
    )
    backup = tmp_path / "pg.dump"
    made = hocvuso("backup", str(backup), cwd=tmp_path, env=env)
    assert made.returncode == 0, made.stderr
    hocvuso("commune", "add", "--name", "Xã Thừa", "--province", "Hà Nội", cwd=tmp_path, env=env)
    done = hocvuso("restore", str(backup), "--yes", cwd=tmp_path, env=env)
    assert done.returncode == 0, done.stderr
    names = [
        c["name"]
        for c in json.loads(hocvuso("stats", "--format", "json", cwd=tmp_path, env=env).stdout)[
            "communes"
        ]
    ]
    assert names == ["Kim Thành"]


async def test_run_as_compose_does_health_metrics_and_clean_shutdown(
    tmp_path: Path, fakes: tuple[FakeTelegram, FakeZalo], backend: str, db_url: str
) -> None:
    telegram, _ = fakes
    port = free_port()
    engine = db.make_engine(db_url)
    sessions = db.make_sessionmaker(engine)
    async with sessions() as session, session.begin():  # a backlog the shutdown interrupts
        for chat in range(3000, 3060):
            telegram.register_chat(chat)
            user = User(state={})
            session.add(user)
            await session.flush()
            session.add(
                Identity(
                    user_id=user.id, channel="telegram", external_id=str(chat), chat_id=str(chat)
                )
            )
            await enqueue(
                session,
                channel="telegram",
                chat_id=str(chat),
                user_id=user.id,
                text="Thông báo",
                kind="notice",
                dedupe_key=f"n{chat}",
            )
    env = {
        **os.environ,
        "HOCVUSO_DATABASE_URL": db_url,
        "HOCVUSO_HTTP_PORT": str(port),
        "HOCVUSO_TELEGRAM_TOKEN": telegram.token,
        "HOCVUSO_TELEGRAM_API_URL": telegram.base_url,
        "HOCVUSO_TELEGRAM_RATE": "4",
        "HOCVUSO_LOG_FORMAT": "json",
    }
    upgrade = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot", "db", "upgrade", cwd=tmp_path, env=env
    )
    assert await upgrade.wait() == 0
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bot",
        "run",
        cwd=tmp_path,
        env=env,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    try:
        async with aiohttp.ClientSession() as http:
            for _ in range(100):
                try:
                    async with http.get(f"http://127.0.0.1:{port}/healthz") as response:
                        assert response.status == 200
                        assert (await response.json())["database"] == "ok"
                        break
                except aiohttp.ClientConnectionError:
                    await asyncio.sleep(0.1)
            else:
                raise AssertionError("/healthz never answered")
            telegram.push_message(2999, "/start")
            await telegram.wait_for(lambda: bool(telegram.texts(2999)), 20)
            await telegram.wait_for(
                lambda: sum(bool(telegram.texts(c)) for c in range(3000, 3060)) >= 3, 20
            )
            async with http.get(f"http://127.0.0.1:{port}/metrics") as response:
                page = await response.text()
        assert 'hocvuso_updates_total{channel="telegram"} 1.0' in page
        assert "hocvuso_handler_seconds_bucket" in page
        assert 'hocvuso_outbox_messages{status="pending"}' in page
    finally:
        process.send_signal(signal.SIGTERM)
        started = asyncio.get_running_loop().time()
        _, stderr = await asyncio.wait_for(process.communicate(), 15)
        elapsed = asyncio.get_running_loop().time() - started
    assert process.returncode == 0
    assert elapsed < 10
    lines = [json.loads(line) for line in stderr.decode().splitlines() if line.startswith("{")]
    assert any(line["message"].startswith("bot running") for line in lines)
    assert not any("/start" in line["message"] for line in lines)  # never what users typed
    async with sessions() as session:
        statuses = set(await session.scalars(select(OutboxMessage.status)))
    await engine.dispose()
    assert "sending" not in statuses  # every lease handed back
    assert statuses <= {"sent", "pending"}
