"""What the Telegram benchmarks share: processes, the fake API client, seeding, measurements."""

from __future__ import annotations

import asyncio
import atexit
import contextlib
import ctypes
import math
import os
import platform
import select as io_select
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import IO, Any

import aiohttp
from sqlalchemy import create_engine, func, insert, select

from bot.storage.models import Commune, Household, Identity, User, Village

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
TOKEN = "123456:TEST-TOKEN"
FIRST_TELEGRAM_ID = 10_000_001
BUSY_PREFIX = "Hệ thống đang bận"
STOP_TIMEOUT = 15.0
_PR_SET_PDEATHSIG = 1


# --- processes --------------------------------------------------------------------------------
def _die_with_parent() -> None:
    """In the child: get SIGTERM when the benchmark dies, even by SIGKILL (Linux only)."""
    with contextlib.suppress(Exception):
        ctypes.CDLL("libc.so.6", use_errno=True).prctl(_PR_SET_PDEATHSIG, signal.SIGTERM)


@dataclass
class Proc:
    """A child process with its output in a log file."""

    name: str
    popen: subprocess.Popen[bytes]
    log_path: Path
    log_file: IO[bytes] | None = None

    @property
    def pid(self) -> int:
        return self.popen.pid

    def alive(self) -> bool:
        return self.popen.poll() is None

    def stop(self, timeout: float = STOP_TIMEOUT) -> int | None:
        """SIGTERM, wait, then SIGKILL; return the exit code."""
        if self.popen.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                self.popen.send_signal(signal.SIGTERM)
            try:
                self.popen.wait(timeout)
            except subprocess.TimeoutExpired:
                with contextlib.suppress(ProcessLookupError):
                    self.popen.kill()
                self.popen.wait(5)
        if self.popen.stdout is not None:
            self.popen.stdout.close()
        if self.log_file is not None:
            self.log_file.close()
            self.log_file = None
        return self.popen.returncode

    def log_tail(self, lines: int = 20) -> str:
        with contextlib.suppress(OSError):
            return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])
        return ""


class Processes:
    """Every child the benchmark starts; all of them are stopped on exit, errors included."""

    def __init__(self, workdir: Path) -> None:
        self.workdir = workdir
        self.running: list[Proc] = []
        atexit.register(self.stop_all)

    def start(
        self,
        name: str,
        args: Sequence[str],
        *,
        env: dict[str, str | None] | None = None,
        cwd: Path | None = None,
        stdout_pipe: bool = False,
    ) -> Proc:
        """Start a child; env values of None remove the variable."""
        full_env = dict(os.environ)
        for key, value in (env or {}).items():
            if value is None:
                full_env.pop(key, None)
            else:
                full_env[key] = value
        log_path = self.workdir / f"{name}.log"
        log_file = log_path.open("ab")
        popen = subprocess.Popen(  # noqa: S603 - our own interpreter and modules
            list(args),
            cwd=cwd or ROOT,
            env=full_env,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE if stdout_pipe else log_file,
            stderr=log_file,
            preexec_fn=_die_with_parent,  # noqa: PLW1509
        )
        proc = Proc(name, popen, log_path, log_file)
        self.running.append(proc)
        return proc

    def stop(self, proc: Proc) -> int | None:
        code = proc.stop()
        if proc in self.running:
            self.running.remove(proc)
        return code

    def stop_all(self) -> None:
        for proc in reversed(list(self.running)):
            self.stop(proc)

    def __enter__(self) -> Processes:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.stop_all()


def start_profiler(procs: Processes, target: Proc, output: Path) -> Proc:
    """py-spy record (collapsed stacks) of a running child; needs py-spy in the venv."""
    output.parent.mkdir(parents=True, exist_ok=True)
    spy = shutil.which("py-spy", path=str(Path(PYTHON).parent)) or shutil.which("py-spy")
    if spy is None:
        raise RuntimeError("py-spy is not installed: .venv/bin/pip install py-spy")
    args = [spy, "record", "--pid", str(target.pid), "--rate", "250", "--format", "raw"]
    args += ["--output", str(output)]
    proc = procs.start(f"py-spy-{target.name}", args)
    time.sleep(1.0)  # attach before the measurement starts
    return proc


def stop_profiler(procs: Processes, spy: Proc) -> None:
    """SIGINT makes py-spy write its output."""
    if spy.alive():
        spy.popen.send_signal(signal.SIGINT)
        with contextlib.suppress(subprocess.TimeoutExpired):
            spy.popen.wait(30)
    procs.stop(spy)


def install_sigterm_exit() -> None:
    """Turn SIGTERM into SystemExit so `finally` blocks stop the children."""
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def start_fake(procs: Processes, timeout: float = 20.0) -> tuple[Proc, int]:
    """Start bench.fake_api in its own process; return it and its port."""
    proc = procs.start("fake_api", [PYTHON, "-m", "bench.fake_api"], stdout_pipe=True)
    assert proc.popen.stdout is not None
    deadline = time.monotonic() + timeout
    line = b""
    while time.monotonic() < deadline and proc.alive():
        ready, _, _ = io_select.select([proc.popen.stdout], [], [], 0.2)
        if ready:
            line = proc.popen.stdout.readline()
            break
    if not line.startswith(b"PORT "):
        raise RuntimeError(f"the fake API did not start: {proc.log_tail()}")
    return proc, int(line.split()[1])


def seed_demo(workdir: Path, db_url: str) -> None:
    """`hocvuso demo` with no terminal: seeds the demo commune, then the chat ends at once."""
    done = subprocess.run(  # noqa: S603
        [PYTHON, "-m", "bot", "demo"],
        cwd=workdir,
        env={**os.environ, "HOCVUSO_DATABASE_URL": db_url},
        stdin=subprocess.DEVNULL,
        capture_output=True,
        timeout=120,
        check=False,
    )
    if done.returncode != 0:
        raise RuntimeError(f"hocvuso demo failed: {done.stderr.decode(errors='replace')}")


def start_hocvuso(
    procs: Processes, workdir: Path, db_url: str, api_port: int, rate: float | None, name: str
) -> Proc:
    """`hocvuso run` (as `python -m bot run`, so the PID is the bot's) against the fake.

    rate None leaves HOCVUSO_TELEGRAM_RATE unset: the production default (25/s).
    """
    base = {
        "HOCVUSO_DATABASE_URL": db_url,
        "HOCVUSO_TELEGRAM_TOKEN": TOKEN,
        "HOCVUSO_TELEGRAM_API_URL": f"http://127.0.0.1:{api_port}/bot",
        "HOCVUSO_HTTP_PORT": str(free_port()),
    }
    env: dict[str, str | None] = {
        **base,
        "HOCVUSO_TELEGRAM_RATE": None if rate is None else f"{rate:g}",
    }
    return procs.start(name, [PYTHON, "-m", "bot", "run"], env=env, cwd=workdir)


def start_echo(
    procs: Processes, api_port: int, concurrent: int, name: str, client: str = "httpx"
) -> Proc:
    args = [PYTHON, "-m", "bench.echo_bot", "--token", TOKEN, "--client", client]
    args += ["--api-url", f"http://127.0.0.1:{api_port}/bot", "--concurrent", str(concurrent)]
    return procs.start(name, args)


def db_url_for(path: Path) -> str:
    return f"sqlite+aiosqlite:///{path}"


# --- seeding ----------------------------------------------------------------------------------
def seed_registered_users(
    db_path: Path, count: int, first_telegram_id: int = FIRST_TELEGRAM_ID, per_household: int = 3
) -> list[int]:
    """Bulk insert `count` registered residents of the demo commune, each with a Telegram identity.

    Registered = consent given, cohort, commune, village and household chosen, so "/start"
    answers with the main menu. Households: one per `per_household` users, spread over the
    villages. Returns the Telegram user ids (chat id = user id, as in private chats).
    """
    engine = create_engine(f"sqlite:///{db_path}")
    now = datetime.now(UTC)
    batch = 5_000
    telegram_ids = [first_telegram_id + i for i in range(count)]
    try:
        with engine.begin() as conn:
            commune_id = conn.scalar(select(Commune.id).order_by(Commune.id).limit(1))
            village_ids = list(
                conn.scalars(select(Village.id).where(Village.commune_id == commune_id))
            )
            if commune_id is None or not village_ids:
                raise RuntimeError("seed the demo commune first (hocvuso demo)")
            next_household = (conn.scalar(select(func.max(Household.id))) or 0) + 1
            next_user = (conn.scalar(select(func.max(User.id))) or 0) + 1
            households = math.ceil(count / per_household)
            household_rows = [
                {
                    "id": next_household + h,
                    "village_id": village_ids[h % len(village_ids)],
                    "code": f"BENCH-{next_household + h:07d}",
                    "head_name": f"Chủ hộ {h}",
                    "head_name_folded": f"chu ho {h}",
                    "source": "self",
                    "participating_since": None,
                    "members": min(per_household, count - h * per_household),
                    "created_at": now,
                }
                for h in range(households)
            ]
            for start in range(0, len(household_rows), batch):
                conn.execute(insert(Household), household_rows[start : start + batch])
            for start in range(0, count, batch):
                users = []
                identities = []
                for i in range(start, min(count, start + batch)):
                    h = i // per_household
                    user_id = next_user + i
                    users.append(
                        {
                            "id": user_id,
                            "display_name": f"Dân {i}",
                            "role": "resident",
                            "cohort": "nguoi_dan",
                            "commune_id": commune_id,
                            "village_id": village_ids[h % len(village_ids)],
                            "household_id": next_household + h,
                            "consent_at": now,
                            "reminders_opt_in": True,
                            "scope_commune_id": None,
                            "scope_village_id": None,
                            "state": {},
                            "created_at": now,
                            "deleted_at": None,
                        }
                    )
                    identities.append(
                        {
                            "user_id": user_id,
                            "channel": "telegram",
                            "external_id": str(telegram_ids[i]),
                            "chat_id": str(telegram_ids[i]),
                            "unreachable_at": None,
                            "created_at": now,
                        }
                    )
                conn.execute(insert(User), users)
                conn.execute(insert(Identity), identities)
    finally:
        engine.dispose()
    return telegram_ids


# --- the fake API, from the benchmark's side --------------------------------------------------
class FakeClient:
    """Talk to bench.fake_api's /_ endpoints."""

    def __init__(self, port: int) -> None:
        self.base = f"http://127.0.0.1:{port}"
        self.session: aiohttp.ClientSession | None = None

    async def __aenter__(self) -> FakeClient:
        self.session = aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=60))
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        if self.session is not None:
            await self.session.close()

    async def _get(self, path: str, **params: Any) -> Any:
        assert self.session is not None
        async with self.session.get(self.base + path, params=params) as response:
            response.raise_for_status()
            return await response.json()

    async def _post(self, path: str, body: Any) -> Any:
        assert self.session is not None
        async with self.session.post(self.base + path, json=body) as response:
            response.raise_for_status()
            return await response.json()

    async def push(self, items: Iterable[tuple[int, str]]) -> list[int]:
        """Users write to the bot; return the update ids."""
        body = {"updates": [{"user_id": user, "text": text} for user, text in items]}
        return list((await self._post("/_push", body))["update_ids"])

    async def count(self) -> dict[str, int]:
        return dict(await self._get("/_count"))

    async def log(self, push_since: int = 0, sent_since: int = 0) -> dict[str, list[list[Any]]]:
        return dict(await self._get("/_log", push_since=push_since, sent_since=sent_since))

    async def reset(self) -> None:
        await self._post("/_reset", {})

    async def wait_polling(self, proc: Proc, within: float = 60.0) -> None:
        """Wait until a freshly started bot makes its first getUpdates call."""
        before = (await self.count())["get_updates"]
        deadline = time.monotonic() + within
        while time.monotonic() < deadline:
            if not proc.alive():
                raise RuntimeError(f"{proc.name} exited: {proc.log_tail()}")
            if (await self.count())["get_updates"] > before:
                return
            await asyncio.sleep(0.1)
        raise TimeoutError(f"{proc.name} did not start polling: {proc.log_tail()}")

    async def wait_sent(
        self, target: int, within: float, proc: Proc | None = None, quiet: float = 0.0
    ) -> dict[str, int]:
        """Wait until `target` messages were sent (then `quiet` s with no new one), `within` s."""
        deadline = time.monotonic() + within
        last, last_change = -1, time.monotonic()
        while True:
            counts = await self.count()
            now = time.monotonic()
            if counts["sent"] != last:
                last, last_change = counts["sent"], now
            if counts["sent"] >= target and now - last_change >= quiet:
                return counts
            if now > deadline:
                return counts
            if proc is not None and not proc.alive():
                raise RuntimeError(f"{proc.name} exited: {proc.log_tail()}")
            await asyncio.sleep(0.05)


# --- matching replies to updates --------------------------------------------------------------
@dataclass
class Matched:
    """Per update: push time and first-reply time (None: never answered)."""

    pushed: list[float] = field(default_factory=list)
    answered: list[float | None] = field(default_factory=list)
    busy_replies: int = 0
    messages: int = 0

    @property
    def latencies(self) -> list[float]:
        return [a - p for p, a in zip(self.pushed, self.answered, strict=True) if a is not None]

    @property
    def unanswered(self) -> int:
        return sum(1 for a in self.answered if a is None)


def match_replies(
    pushes: list[list[Any]], sent: list[list[Any]], replies_per: dict[int, int]
) -> Matched:
    """Find each update's first reply.

    A user's updates are answered in order (ours keeps per-user order; the echo bot is given
    one reply per update), and update k of a user is answered by the user's reply number
    r_1 + … + r_(k-1) + 1, r being the number of replies an update of that text gets (measured
    in the warm-up). So a backlog (the rate limiter) cannot make a reply to an earlier update
    count as the answer to a later one.
    """
    by_chat: dict[int, list[float]] = defaultdict(list)
    matched = Matched()
    for chat_id, at, method, text in sent:
        if method in ("sendMessage", "sendPhoto", "sendDocument"):
            by_chat[int(chat_id)].append(float(at))
            matched.messages += 1
            if str(text).startswith(BUSY_PREFIX):
                matched.busy_replies += 1
    seen: dict[int, int] = defaultdict(int)
    for update_id, user_id, at in sorted(pushes, key=lambda p: p[0]):
        replies = by_chat.get(int(user_id), [])
        index = seen[int(user_id)]
        seen[int(user_id)] += replies_per.get(int(update_id), 1)
        matched.pushed.append(float(at))
        matched.answered.append(replies[index] if index < len(replies) else None)
    return matched


def percentile(values: Sequence[float], pct: float) -> float:
    """Linear-interpolated percentile (pct in 0..100); nan when there is nothing."""
    if not values:
        return math.nan
    ordered = sorted(values)
    rank = (len(ordered) - 1) * pct / 100
    low = math.floor(rank)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (rank - low)


# --- /proc ------------------------------------------------------------------------------------
def proc_status(pid: int) -> dict[str, int]:
    """VmRSS, VmHWM… of a process in kB, from /proc/PID/status."""
    values: dict[str, int] = {}
    with open(f"/proc/{pid}/status") as handle:
        for line in handle:
            key, _, rest = line.partition(":")
            if key.startswith("Vm") or key.startswith("Rss"):
                parts = rest.split()
                if parts and parts[0].isdigit():
                    values[key] = int(parts[0])
    return values


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of a process so far."""
    with open(f"/proc/{pid}/stat") as handle:
        fields = handle.read().rsplit(")", 1)[1].split()
    ticks = os.sysconf("SC_CLK_TCK")
    return (int(fields[11]) + int(fields[12])) / ticks


def machine() -> str:
    mem_kb = 0
    with contextlib.suppress(OSError), open("/proc/meminfo") as handle:
        for line in handle:
            if line.startswith("MemTotal:"):
                mem_kb = int(line.split()[1])
    cpu = ""
    with contextlib.suppress(OSError), open("/proc/cpuinfo") as handle:
        for line in handle:
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    return (
        f"{os.cpu_count()} CPU ({cpu or platform.machine()}), "
        f"{mem_kb / 1024 / 1024:.1f} GiB RAM, Python {platform.python_version()}, "
        f"{platform.system()} {platform.release()}"
    )


def table(headers: Sequence[str], rows: Iterable[Sequence[Any]]) -> str:
    """A Markdown table, readable as plain text too."""
    body = [[str(cell) for cell in row] for row in rows]
    widths = [max([len(h), *(len(r[i]) for r in body)]) for i, h in enumerate(headers)]
    lines = ["| " + " | ".join(h.ljust(w) for h, w in zip(headers, widths, strict=True)) + " |"]
    lines.append("|" + "|".join("-" * (w + 2) for w in widths) + "|")
    for row in body:
        cells = (c.ljust(w) for c, w in zip(row, widths, strict=True))
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)
