"""Resident memory of `hocvuso run` with many registered users, after many updates.

    python -m bench.memory [--users 100000] [--updates 10000] [--window 500]

Target (DESIGN.md): bot process RSS ≤ 200 MB with 100,000 registered users after 10,000
updates. A fresh SQLite database is seeded by `hocvuso demo`, then --users registered residents
(consent, cohort, commune, village, household; a Telegram identity each) are bulk inserted with
SQLAlchemy core. `hocvuso run` polls the fake Bot API (bench/fake_api.py, its own process) and
gets --updates updates from users drawn at random from all of them (texts cycling through
/start, menu, /ketqua, /trogiup, /hoc), at most --window updates unanswered at a time. VmRSS and
VmHWM (the peak) come from /proc/PID/status of the bot process (`python -m bot run`, no wrapper).

The send limit is HOCVUSO_TELEGRAM_RATE=--telegram-rate (default 10000, so 10,000 updates take
a minute rather than ten; pass 25 for the production limit).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import random
import shutil
import statistics
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

from bench.harness import (
    FakeClient,
    Proc,
    Processes,
    cpu_seconds,
    db_url_for,
    install_sigterm_exit,
    machine,
    match_replies,
    proc_status,
    seed_demo,
    seed_registered_users,
    start_fake,
    start_hocvuso,
    table,
)

TEXTS = ("/start", "menu", "/ketqua", "/trogiup", "/hoc")
WARMUP_PER_TEXT = 10
CHUNK = 100
SETTLE = 3.0


def mb(kb: int) -> str:
    return f"{kb / 1024:.1f}"


async def sample_rss(pid: int, peak: list[int], stop: asyncio.Event) -> None:
    """Keep the largest VmRSS seen, every 0.2 s, until stopped."""
    while not stop.is_set():
        with contextlib.suppress(OSError):
            peak[0] = max(peak[0], proc_status(pid).get("VmRSS", 0))
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), 0.2)


async def calibrate(client: FakeClient, proc: Proc, users: list[int]) -> dict[str, int]:
    """How many messages one update of each text gets (users not used afterwards)."""
    start = await client.count()
    texts = [t for t in TEXTS for _ in range(WARMUP_PER_TEXT)]
    items = [(users[i], text) for i, text in enumerate(texts)]
    await client.push(items)
    await client.wait_sent(start["sent"] + len(items), 60, proc, quiet=1.0)
    log = await client.log(start["pushed"], start["sent"])
    per_chat = Counter(int(chat) for chat, *_ in log["sent"])
    replies = {}
    for text in TEXTS:
        counts = {per_chat[user] for user, t in items if t == text}
        if len(counts) != 1 or 0 in counts:
            raise RuntimeError(f"{text!r} got {sorted(counts)} replies per update")
        replies[text] = counts.pop()
    return replies


def prepare(workdir: Path, users: int) -> tuple[str, list[int], float, int]:
    """A fresh database: the demo commune and `users` registered residents."""
    db_path = workdir / "bot.db"
    db_url = db_url_for(db_path)
    started = time.monotonic()
    seed_demo(workdir, db_url)
    ids = seed_registered_users(db_path, users)
    seeded = time.monotonic() - started
    size = sum(p.stat().st_size for p in workdir.glob("bot.db*") if p.is_file())
    print(f"seeded {len(ids)} users in {seeded:.1f} s", file=sys.stderr)
    return db_url, ids, seeded, size


async def run(args: argparse.Namespace, procs: Processes, workdir: Path) -> list[str]:
    db_url, ids, seeded, size = prepare(workdir, args.users)
    _fake, port = start_fake(procs)
    rows: list[list[str]] = []
    async with FakeClient(port) as client:
        proc = start_hocvuso(procs, workdir, db_url, port, args.telegram_rate, "hocvuso-run")
        await client.wait_polling(proc)
        await asyncio.sleep(SETTLE)
        idle = proc_status(proc.pid)
        rows.append(["started, idle", mb(idle["VmRSS"]), mb(idle["VmHWM"])])

        rng = random.Random(11)
        calibration_users = ids[: len(TEXTS) * WARMUP_PER_TEXT]
        replies = await calibrate(client, proc, calibration_users)
        pool = ids[len(calibration_users) :]
        items = [(rng.choice(pool), TEXTS[i % len(TEXTS)]) for i in range(args.updates)]

        start = await client.count()
        cpu0 = cpu_seconds(proc.pid)
        peak = [0]
        stop = asyncio.Event()
        sampler = asyncio.create_task(sample_rss(proc.pid, peak, stop))
        t0 = time.monotonic()
        pushed: dict[int, str] = {}
        expected = 0
        mean_replies = statistics.mean(replies.values())
        try:
            for offset in range(0, len(items), CHUNK):
                chunk = items[offset : offset + CHUNK]
                for update_id, (_, text) in zip(await client.push(chunk), chunk, strict=True):
                    pushed[update_id] = text
                    expected += replies[text]
                allowed_behind = int(args.window * mean_replies)
                await client.wait_sent(start["sent"] + expected - allowed_behind, 300, proc)
            await client.wait_sent(start["sent"] + expected, 300, proc, quiet=0.5)
        finally:
            stop.set()
            await sampler
        elapsed = time.monotonic() - t0
        cpu = cpu_seconds(proc.pid) - cpu0
        after = proc_status(proc.pid)
        rows.append([f"after {len(items)} updates", mb(after["VmRSS"]), mb(after["VmHWM"])])
        await asyncio.sleep(SETTLE)
        settled = proc_status(proc.pid)
        rows.append([f"{SETTLE:g} s later", mb(settled["VmRSS"]), mb(settled["VmHWM"])])
        log = await client.log(start["pushed"], start["sent"])
        per_update = {u: replies[t] for u, t in pushed.items()}
        matched = match_replies(log["pushes"], log["sent"], per_update)
    code = procs.stop(proc)
    distinct = len({user for user, _ in items})
    hwm = max(settled["VmHWM"], peak[0]) / 1024
    verdict = "met" if hwm <= 200 else "MISSED"
    return [
        "# bench.memory",
        "",
        f"machine: {machine()}",
        f"command: python -m bench.memory {' '.join(sys.argv[1:])}".rstrip(),
        "",
        f"{args.users} registered users (database {size / 1024 / 1024:.1f} MB, seeded in "
        f"{seeded:.1f} s); {len(items)} updates from {distinct} distinct users, "
        f"at most {args.window} unanswered; HOCVUSO_TELEGRAM_RATE={args.telegram_rate:g}",
        "",
        table(["bot process (python -m bot run)", "VmRSS MB", "VmHWM MB"], rows),
        "",
        f"largest VmRSS sampled during the run (every 0.2 s): {mb(peak[0])} MB",
        f"updates answered: {len(matched.answered) - matched.unanswered}/{len(matched.answered)}"
        f", busy replies {matched.busy_replies}, {len(items) / elapsed:.0f} updates/s, "
        f"bot CPU {1000 * cpu / len(items):.1f} ms/update, exit code {code}",
        f"replies per update: {replies}",
        f"peak RSS (max of VmHWM and the samples) {hwm:.1f} MB — target ≤ 200 MB: {verdict}",
    ]


async def main(args: argparse.Namespace) -> int:
    workdir = Path(tempfile.mkdtemp(prefix="hocvuso-bench-memory-"))
    ok = False
    try:
        with Processes(workdir) as procs:
            lines = await run(args, procs, workdir)
        print("\n".join(lines))
        ok = True
    finally:
        if ok and not args.keep:
            shutil.rmtree(workdir, ignore_errors=True)
        else:
            print(f"logs and database kept in {workdir}", file=sys.stderr)
    return 0


def cli(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--users", type=int, default=100_000)
    parser.add_argument("--updates", type=int, default=10_000)
    parser.add_argument("--window", type=int, default=500, help="most updates unanswered")
    parser.add_argument("--telegram-rate", type=float, default=10000.0)
    parser.add_argument("--keep", action="store_true", help="keep the work directory")
    args = parser.parse_args(argv)
    install_sigterm_exit()
    return asyncio.run(main(args))


if __name__ == "__main__":
    sys.exit(cli())
