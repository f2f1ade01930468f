"""Outbox fan-out benchmark: N messages through `hocvuso run` against a rate-limited fake Bot API.

    python -m bench.fanout [--messages 5000] [--limit 30] [--fail 0.05] [--kill-at 0.5]

Run 1 sends every message with one bot process. Run 2 kills the bot with SIGKILL once
`--kill-at` of the messages have been delivered, restarts it (short outbox lease) and waits
until every message is delivered. Each run has its own fake API process (bench/fanout_api.py)
and its own SQLite database in a temporary directory; every process is stopped on the way out.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import signal
import socket
import sys
import tempfile
import time
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import aiohttp
from sqlalchemy import func, insert, select

from bot.core.messages import Reply
from bot.delivery.outbox import payload_of
from bot.storage import db
from bot.storage.models import Identity, OutboxMessage, User

ROOT = Path(__file__).resolve().parent.parent
FIRST_CHAT = 10_000_000  # bench.fanout_api registers FIRST_CHAT … FIRST_CHAT + messages - 1
TOKEN = "123456:TEST-TOKEN"  # FakeTelegram's default token
POLL = 0.05


@dataclass
class RunResult:
    name: str
    messages: int
    rate: float
    lease: float
    delivered_unique: int = 0
    deliveries: int = 0
    lost: int = 0
    duplicated: int = 0
    rejected_429: int = 0
    injected_5xx: int = 0
    calls: int = 0
    max_in_window: int = 0
    first: float = 0.0
    last: float = 0.0
    wall: float = 0.0  # bot start → every row settled
    statuses: dict[str, int] = field(default_factory=dict)
    at_kill: int | None = None
    unmarked_at_kill: int | None = None  # delivered but still 'sending' when killed
    sending_at_kill: int | None = None
    restart_gap: float | None = None  # last delivery before the kill → first after
    notes: list[str] = field(default_factory=list)

    @property
    def span(self) -> float:
        return self.last - self.first

    @property
    def delivery_rate(self) -> float:
        return (self.deliveries - 1) / self.span if self.span > 0 else 0.0

    @property
    def call_rate(self) -> float:
        """sendMessage calls let through (delivered + 5xx) per second over the same span."""
        through = self.calls - self.rejected_429
        return (through - 1) / self.span if self.span > 0 else 0.0


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def text_of(i: int) -> str:
    return f"Bản tin thử {i:05d}: lịch học Bình dân học vụ số tuần này, mời bà con tham gia."


async def seed(url: str, messages: int) -> None:
    """Bulk insert one user, one Telegram identity and one outbox row per message."""
    engine = db.make_engine(url)
    now = datetime.now(UTC)
    try:
        async with engine.begin() as conn:
            await conn.execute(
                insert(User),
                [{"id": i + 1, "state": {}, "created_at": now} for i in range(messages)],
            )
            await conn.execute(
                insert(Identity),
                [
                    {
                        "user_id": i + 1,
                        "channel": "telegram",
                        "external_id": str(FIRST_CHAT + i),
                        "chat_id": str(FIRST_CHAT + i),
                        "created_at": now,
                    }
                    for i in range(messages)
                ],
            )
            await conn.execute(
                insert(OutboxMessage),
                [
                    {
                        "channel": "telegram",
                        "chat_id": str(FIRST_CHAT + i),
                        "user_id": i + 1,
                        "payload": payload_of(Reply(text_of(i))),
                        "dedupe_key": f"bench-fanout-{i}",
                        "kind": "notice",
                        "not_before": now,
                        "attempts": 0,
                        "status": "pending",
                        "created_at": now,
                    }
                    for i in range(messages)
                ],
            )
    finally:
        await engine.dispose()


async def outbox_rows(url: str) -> dict[str, int]:
    engine = db.make_engine(url)
    try:
        async with engine.connect() as conn:
            rows = await conn.execute(
                select(OutboxMessage.status, func.count()).group_by(OutboxMessage.status)
            )
            return {status: count for status, count in rows.all()}
    finally:
        await engine.dispose()


async def sending_chats(url: str) -> set[int]:
    engine = db.make_engine(url)
    try:
        async with engine.connect() as conn:
            rows = await conn.scalars(
                select(OutboxMessage.chat_id).where(OutboxMessage.status == "sending")
            )
            return {int(chat) for chat in rows}
    finally:
        await engine.dispose()


class Procs:
    """The processes a run started; stop() ends each of them by its own handle."""

    def __init__(self) -> None:
        self.procs: list[asyncio.subprocess.Process] = []

    def add(self, proc: asyncio.subprocess.Process) -> asyncio.subprocess.Process:
        self.procs.append(proc)
        return proc

    async def stop(self, proc: asyncio.subprocess.Process, grace: float = 15.0) -> None:
        if proc.returncode is None:
            with contextlib.suppress(ProcessLookupError):
                proc.send_signal(signal.SIGTERM)
            try:
                await asyncio.wait_for(proc.wait(), grace)
            except TimeoutError:
                with contextlib.suppress(ProcessLookupError):
                    proc.kill()
                await proc.wait()

    async def stop_all(self) -> None:
        for proc in reversed(self.procs):
            await self.stop(proc)


async def start_fake(
    procs: Procs, limit: int, fail: float, seed_: int, chats: int, log: Path
) -> tuple[asyncio.subprocess.Process, str]:
    proc = procs.add(
        await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            "bench.fanout_api",
            f"--limit={limit}",
            f"--fail={fail}",
            f"--seed={seed_}",
            f"--chats={chats}",
            cwd=ROOT,
            stdout=asyncio.subprocess.PIPE,
            stderr=log.open("wb"),
        )
    )
    assert proc.stdout is not None
    line = await asyncio.wait_for(proc.stdout.readline(), 30)
    if not line.startswith(b"READY "):
        raise RuntimeError(f"the fake API did not start: {line!r}; see {log}")
    return proc, line.split()[1].decode()


async def run_cli(args: list[str], env: dict[str, str], cwd: Path, budget: float) -> None:
    proc = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bot",
        *args,
        cwd=cwd,
        env=env,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.STDOUT,
    )
    try:
        out, _ = await asyncio.wait_for(proc.communicate(), budget)
    except TimeoutError:
        proc.kill()
        await proc.wait()
        raise
    if proc.returncode:
        raise RuntimeError(f"hocvuso {' '.join(args)} failed: {out.decode()[-2000:]}")


async def check_bot_root(env: dict[str, str], cwd: Path, bot_root: Path) -> None:
    """Make sure `python -m bot` imports the checkout asked for (an editable install could win)."""
    proc = await asyncio.create_subprocess_exec(
        sys.executable,
        "-c",
        "import os, bot; print(os.path.realpath(bot.__file__))",
        cwd=cwd,
        env=env,
        stdout=asyncio.subprocess.PIPE,
    )
    out, _ = await asyncio.wait_for(proc.communicate(), 60)
    where = Path(out.decode().strip())
    if not where.is_relative_to(bot_root):
        raise RuntimeError(f"the bot would run from {where}, not from {bot_root}")


async def start_bot(
    procs: Procs, env: dict[str, str], cwd: Path, log: Path
) -> asyncio.subprocess.Process:
    return procs.add(
        await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            "bot",
            "run",
            cwd=cwd,
            env={**env, "HOCVUSO_HTTP_PORT": str(free_port())},
            stdout=asyncio.subprocess.DEVNULL,
            stderr=log.open("ab"),
        )
    )


async def fetch(http: aiohttp.ClientSession, url: str) -> dict[str, Any]:
    async with http.get(url) as response:
        response.raise_for_status()
        return dict(await response.json())


async def one_run(
    name: str,
    *,
    messages: int,
    limit: int,
    fail: float,
    rate: float,
    lease: float | None,
    kill_at: float | None,
    seed_: int,
    workdir: Path,
    budget: float,
    bot_root: Path,
) -> RunResult:
    url = f"sqlite+aiosqlite:///{workdir / 'bot.db'}"
    result = RunResult(name, messages, rate, lease or 60.0)
    procs = Procs()
    try:
        _, base_url = await start_fake(
            procs, limit, fail, seed_, messages, workdir / "fake_api.log"
        )
        stats_url = base_url.removesuffix("/bot") + "/_bench/stats"
        env = {
            **os.environ,
            "PYTHONPATH": str(bot_root),
            "HOCVUSO_DATABASE_URL": url,
            "HOCVUSO_TELEGRAM_TOKEN": TOKEN,
            "HOCVUSO_TELEGRAM_API_URL": base_url,
            "HOCVUSO_TELEGRAM_RATE": str(rate),
            "HOCVUSO_LOG_LEVEL": "WARNING",
        }
        if lease is not None:
            env["HOCVUSO_OUTBOX_LEASE_SECONDS"] = str(lease)
        await check_bot_root(env, workdir, bot_root)
        await run_cli(["db", "upgrade"], env, workdir, 120)
        await seed(url, messages)
        bot_log = workdir / "bot.log"
        async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=10)) as http:
            started = time.monotonic()
            deadline = started + budget
            bot = await start_bot(procs, env, workdir, bot_log)
            if kill_at is not None:
                target = max(1, int(messages * kill_at))
                while (await fetch(http, stats_url))["delivered"] < target:
                    if time.monotonic() > deadline or bot.returncode is not None:
                        raise RuntimeError(f"{name}: never reached the kill point; see {bot_log}")
                    await asyncio.sleep(POLL / 5)
                bot.send_signal(signal.SIGKILL)
                await bot.wait()
                result.at_kill = (await fetch(http, stats_url))["delivered"]
                sending = await sending_chats(url)
                record = (await fetch(http, base_url.removesuffix("/bot") + "/_bench/record"))[
                    "record"
                ]
                delivered_chats = {chat for chat, _, _ in record}
                result.sending_at_kill = len(sending)
                result.unmarked_at_kill = len(sending & delivered_chats)
                bot = await start_bot(procs, env, workdir, bot_log)
            # Until every message reached the fake and the outbox has settled.
            while True:
                stats = await fetch(http, stats_url)
                if stats["delivered"] >= messages:
                    rows = await outbox_rows(url)
                    if not rows.get("pending") and not rows.get("sending"):
                        break
                if time.monotonic() > deadline:
                    result.notes.append(f"timed out after {budget:.0f} s")
                    break
                if bot.returncode is not None:
                    raise RuntimeError(f"{name}: the bot exited ({bot.returncode}); see {bot_log}")
                await asyncio.sleep(POLL * 4)
            result.wall = time.monotonic() - started
            await procs.stop(bot)
            final = await fetch(http, base_url.removesuffix("/bot") + "/_bench/record")
        result.statuses = await outbox_rows(url)
    finally:
        await procs.stop_all()
    record = final["record"]
    (workdir / "record.json").write_text(json.dumps(record))
    (workdir / "refused.json").write_text(json.dumps(final["refused"]))
    expected = {(FIRST_CHAT + i, text_of(i)) for i in range(messages)}
    seen = Counter((int(chat), text) for chat, text, _ in record)
    result.deliveries = len(record)
    result.delivered_unique = len(expected & set(seen))
    result.lost = len(expected - set(seen))
    result.duplicated = sum(n - 1 for n in seen.values())
    unexpected = set(seen) - expected
    if unexpected:
        result.notes.append(f"{len(unexpected)} unexpected deliveries")
    times = sorted(t for _, _, t in record)
    if times:
        result.first, result.last = times[0], times[-1]
    if kill_at is not None and result.at_kill is not None and len(times) > result.at_kill:
        result.restart_gap = times[result.at_kill] - times[result.at_kill - 1]
    result.rejected_429 = final["rejected_429"]
    result.injected_5xx = final["injected_5xx"]
    result.calls = final["calls"]
    result.max_in_window = final["max_in_window"]
    (workdir / "result.json").write_text(
        json.dumps({**result.__dict__, "record_size": len(record)}, indent=1, default=str)
    )
    return result


def table(results: list[RunResult], limit: int) -> str:
    rows = [
        ("run", lambda r: r.name),
        ("messages", lambda r: f"{r.messages:,}"),
        ("HOCVUSO_TELEGRAM_RATE", lambda r: f"{r.rate:g}"),
        ("outbox lease (s)", lambda r: f"{r.lease:g}"),
        ("delivered (unique)", lambda r: f"{r.delivered_unique:,}"),
        ("lost (never delivered)", lambda r: str(r.lost)),
        ("duplicated (extra deliveries)", lambda r: str(r.duplicated)),
        ("first → last delivery (s)", lambda r: f"{r.span:.1f}"),
        (
            "delivery rate (msg/s, % of limit)",
            lambda r: f"{r.delivery_rate:.2f} ({100 * r.delivery_rate / limit:.1f}%)",
        ),
        (
            "calls/s let through (sent + 5xx), % of limit",
            lambda r: f"{r.call_rate:.2f} ({100 * r.call_rate / limit:.1f}%)",
        ),
        ("429s seen", lambda r: str(r.rejected_429)),
        ("5xx injected", lambda r: str(r.injected_5xx)),
        ("max messages sent in any 1 s", lambda r: str(r.max_in_window)),
        ("wall: bot start → outbox settled (s)", lambda r: f"{r.wall:.1f}"),
        ("outbox rows at the end", lambda r: _statuses(r.statuses)),
        ("delivered when killed", lambda r: "" if r.at_kill is None else f"{r.at_kill:,}"),
        (
            "'sending' at kill (of them delivered)",
            lambda r: (
                "" if r.sending_at_kill is None else f"{r.sending_at_kill} ({r.unmarked_at_kill})"
            ),
        ),
        (
            "pause around the restart (s)",
            lambda r: "" if r.restart_gap is None else f"{r.restart_gap:.1f}",
        ),
        ("notes", lambda r: "; ".join(r.notes)),
    ]
    lines = ["| | " + " | ".join(r.name for r in results) + " |"]
    lines.append("|---|" + "---:|" * len(results))
    for label, cell in rows[1:]:
        lines.append(f"| {label} | " + " | ".join(str(cell(r)) for r in results) + " |")
    return "\n".join(lines)


def _statuses(statuses: dict[str, int]) -> str:
    return ", ".join(f"{k} {v:,}" for k, v in sorted(statuses.items()))


async def main_async(args: argparse.Namespace, base: Path, bot_root: Path) -> int:
    rate = args.rate if args.rate is not None else float(args.limit - 1)
    common: dict[str, Any] = {
        "messages": args.messages,
        "limit": args.limit,
        "fail": args.fail,
        "rate": rate,
        "seed_": args.seed,
        "budget": args.timeout or max(120.0, 4 * args.messages / args.limit + 90),
        "bot_root": bot_root,
    }
    results = []
    if args.run in ("1", "both"):
        results.append(
            await one_run(
                "1: no kill",
                lease=args.lease1,
                kill_at=None,
                workdir=base / "run1",
                **common,
            )
        )
    if args.run in ("2", "both"):
        results.append(
            await one_run(
                "2: SIGKILL + restart",
                lease=args.lease2,
                kill_at=args.kill_at,
                workdir=base / "run2",
                **common,
            )
        )
    print(
        f"fan-out: {args.messages:,} messages, fake limit {args.limit}/s sliding 1 s window, "
        f"{args.fail:.0%} 5xx (seed {args.seed}); bot from {common['bot_root']}; work dir {base}"
    )
    print(table(results, args.limit))
    return 0 if all(r.lost == 0 for r in results) else 1


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--messages", type=int, default=5000)
    parser.add_argument("--limit", type=int, default=30, help="the fake's sendMessage/s")
    parser.add_argument("--fail", type=float, default=0.05, help="share of calls failing 500")
    parser.add_argument("--kill-at", type=float, default=0.5, help="share delivered at SIGKILL")
    parser.add_argument("--rate", type=float, help="HOCVUSO_TELEGRAM_RATE (default: limit − 1)")
    parser.add_argument("--lease1", type=float, help="run 1 outbox lease (default: the bot's)")
    parser.add_argument("--lease2", type=float, default=5.0, help="run 2 outbox lease")
    parser.add_argument("--run", choices=("1", "2", "both"), default="both")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--timeout", type=float, help="seconds per run (default: from the size)")
    parser.add_argument("--workdir", help="keep databases and logs here (default: a temp dir)")
    parser.add_argument(
        "--bot-root",
        help="run the bot from this checkout (PYTHONPATH), e.g. an older commit; default: here",
    )
    args = parser.parse_args(argv)
    base = Path(args.workdir or tempfile.mkdtemp(prefix="fanout-bench-"))
    for run in ("run1", "run2"):
        (base / run).mkdir(parents=True, exist_ok=True)
    bot_root = Path(args.bot_root or ROOT).resolve()
    sys.exit(asyncio.run(main_async(args, base, bot_root)))


if __name__ == "__main__":
    main()
