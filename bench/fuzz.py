"""The long fuzzing run: thousands of generated examples per channel, through the real adapters.

    python -m bench.fuzz [--examples 10000] [--channels console,telegram,zalo] [--seed N]

The long version of tests/core/test_fuzz.py, playing the same examples (tests/fuzzing/): a new
person (or one of the last three, continuing) takes 1-6 steps: random unicode, emoji, huge
texts, control characters, unknown commands, taps on current and old buttons, forged or
oversized callback data, photos and stickers, bursts, edits, group messages, blocks,
redeliveries, whole registrations, lessons, deletions and account links, and for the webhook
channels any bytes POSTed to our webhook endpoint.

- console: `Engine.handle`, as the console channel does; the Reply objects are checked.
- telegram: `TelegramChannel.process_json` (python-telegram-bot) against the fake Bot API
  (tests/fakes/telegram_api.py); what a user would see is read back from the fake: a message in
  their chat for every text, every button press answered (answerCallbackQuery) and its keyboard
  removed; raw bodies go to our real /webhook/telegram (bot.web).
- zalo: `ZaloChannel.process_json` against the fake Zalo Bot API, raw bodies to /webhook/zalo.

Checks: no unhandled exception and no warning or error logged (bar the few a forged body must
cause), every text answered, and after every example the database invariants
(tests/fuzzing/invariants.py). Each channel gets a fresh migrated SQLite database in a temporary
directory, seeded with the demo commune. Hypothesis: max_examples = --examples, no deadline,
health checks off, no example database (nothing written to .hypothesis/), derandomized by --seed
(a random seed is drawn and printed when none is given).

Prints Markdown tables; exits 1, printing the shrunk falsifying example, when anything failed.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import random
import shlex
import sys
import tempfile
import time
import traceback
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bench.fuzz_channels import TelegramPlayer, WebhookPlayer, ZaloPlayer
from bench.harness import machine, table
from bot.config import ROOT
from bot.core.engine import Engine
from bot.handlers import build_router
from bot.lessons import load_curriculum
from bot.storage import db
from bot.storage.models import AuditLog, Household, LessonProgress, QuizAnswer, User
from tests.factories import seed_demo_commune
from tests.fuzzing.fuzzer import Fuzzer, explore
from tests.fuzzing.players import EnginePlayer, Player, Stats

CHANNELS = ("console", "telegram", "zalo")
TARGETS = {
    "console": "`Engine.handle`",
    "telegram": "`TelegramChannel.process_json` + `/webhook/telegram`",
    "zalo": "`ZaloChannel.process_json` + `/webhook/zalo`",
}
PROGRESS_EVERY = 500


@dataclass
class Result:
    """One channel's run."""

    channel: str
    stats: Stats
    seconds: float
    failures: int = 0
    report: str = ""
    reached: dict[str, int] = field(default_factory=dict)
    statuses: dict[int, int] = field(default_factory=dict)


async def reached(sessions: async_sessionmaker[AsyncSession]) -> dict[str, int]:
    """How deep the examples went: what the database holds at the end."""
    queries = {
        "users": select(func.count(User.id)),
        "registered": select(func.count(User.id)).where(
            User.household_id.is_not(None), User.deleted_at.is_(None)
        ),
        "lessons passed": select(func.count(LessonProgress.id)).where(
            LessonProgress.completed_at.is_not(None)
        ),
        "quiz answers": select(func.count(QuizAnswer.id)),
        "households counted": select(func.count(Household.id)).where(
            Household.participating_since.is_not(None)
        ),
        "households declared": select(func.count(Household.id)).where(Household.source == "self"),
        "accounts linked": select(func.count(AuditLog.id)).where(AuditLog.action == "user.link"),
        "data deleted": select(func.count(AuditLog.id)).where(AuditLog.action == "user.delete"),
    }
    async with sessions() as session:
        return {name: int(await session.scalar(query) or 0) for name, query in queries.items()}


def fuzz_channel(channel: str, examples: int, seed: int) -> Result:
    """Fuzz one channel on its own database and event loop."""
    with tempfile.TemporaryDirectory(prefix="hocvuso-fuzz-") as workdir:
        url = f"sqlite+aiosqlite:///{Path(workdir) / 'fuzz.db'}"
        db.upgrade_sync(url)
        loop = asyncio.new_event_loop()
        try:
            return _fuzz_on(loop, channel, url, examples, seed)
        finally:
            loop.close()


def _fuzz_on(
    loop: asyncio.AbstractEventLoop, channel: str, url: str, examples: int, seed: int
) -> Result:
    db_engine = db.make_engine(url)
    sessions = db.make_sessionmaker(db_engine)
    loop.run_until_complete(seed_demo_commune(sessions))
    curriculum = load_curriculum(ROOT / "content" / "lessons")
    engine = Engine(sessions, build_router(), curriculum)
    player: Player
    if channel == "telegram":
        player = TelegramPlayer(engine, sessions)
    elif channel == "zalo":
        player = ZaloPlayer(engine, sessions)
    else:
        player = EnginePlayer(engine, channel)
    # Linked accounts need a second app: reached through the engine, as the console does.
    twin = EnginePlayer(engine, "zalo" if channel == "console" else "console", player.stats)
    if isinstance(player, WebhookPlayer):
        loop.run_until_complete(player.start())
    fuzzer = Fuzzer(player, sessions, curriculum, twin)
    started = time.perf_counter()

    def progress(stats: Stats) -> None:
        if stats.examples % PROGRESS_EVERY == 0:
            elapsed = time.perf_counter() - started
            print(
                f"  {channel}: {stats.examples} examples, {stats.handled} inputs, {elapsed:.0f} s",
                file=sys.stderr,
                flush=True,
            )

    result = Result(channel, fuzzer.stats, 0.0)
    try:
        explore(fuzzer, loop, examples, seed, progress, database=None)
    except Exception as error:
        group = isinstance(error, BaseExceptionGroup)
        result.failures = len(error.exceptions) if group else 1
        result.report = "".join(traceback.format_exception(error))
    result.seconds = time.perf_counter() - started
    result.reached = loop.run_until_complete(reached(sessions))
    if isinstance(player, WebhookPlayer):
        result.statuses = dict(sorted(player.raw_statuses.items()))
        loop.run_until_complete(player.stop())
    loop.run_until_complete(db_engine.dispose())
    return result


def report(results: list[Result], command: str, seed: int) -> str:
    """The Markdown report: command, machine, results, what was sent and reached, failures."""
    lines = [
        f"Command: `{command}` (seed {seed}: rerun with `--seed {seed}` for the same examples)",
        "",
        f"Machine: {machine()}",
        "",
        table(
            [
                "channel",
                "fuzz target",
                "examples",
                "inputs handled",
                "replies checked",
                "failures",
                "seconds",
            ],
            [
                (
                    r.channel,
                    TARGETS.get(r.channel, "`Engine.handle`"),
                    f"{r.stats.examples:,}",
                    f"{r.stats.handled:,}",
                    f"{r.stats.replies:,}",
                    r.failures,
                    f"{r.seconds:.0f}",
                )
                for r in results
            ],
        ),
        "",
        "Examples counts every run of the test function, shrinking included. Inputs handled are"
        " messages, button presses, updates and webhook bodies (a burst counts each text);"
        " replies checked are the messages (and Telegram callback answers) a user received.",
        "",
        "Inputs by step kind, and who took them:",
        "",
    ]
    kinds = sorted({kind for r in results for kind in r.stats.by_kind})
    lines.append(
        table(
            ["channel", "new people", "returning", *kinds],
            [
                (
                    r.channel,
                    f"{r.stats.new_people:,}",
                    f"{r.stats.returning:,}",
                    *(f"{r.stats.by_kind.get(kind, 0):,}" for kind in kinds),
                )
                for r in results
            ],
        )
    )
    names = list(results[0].reached) if results else []
    lines += ["", "What the examples reached (the database at the end of each run):", ""]
    lines.append(
        table(
            ["channel", *names, "webhook answers"],
            [
                (
                    r.channel,
                    *(f"{r.reached.get(name, 0):,}" for name in names),
                    ", ".join(f"{status}: {n:,}" for status, n in r.statuses.items()) or "-",
                )
                for r in results
            ],
        )
    )
    for r in results:
        if r.report:
            lines += ["", f"### {r.channel}: falsifying example", "", "```", r.report, "```"]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    """Fuzz the chosen channels, print the report; 1 when anything failed."""
    parser = argparse.ArgumentParser(
        prog="python -m bench.fuzz", description=__doc__.splitlines()[0]
    )
    parser.add_argument("--examples", type=int, default=10_000, help="per channel")
    parser.add_argument("--channels", default=",".join(CHANNELS), help="comma-separated")
    parser.add_argument("--seed", type=int, help="hypothesis seed (default: a random one)")
    args = parser.parse_args(argv)
    channels = [name.strip() for name in args.channels.split(",") if name.strip()]
    unknown = sorted(set(channels) - set(CHANNELS))
    if unknown or not channels:
        parser.error(f"channels are among {', '.join(CHANNELS)}; got {args.channels!r}")
    seed = args.seed if args.seed is not None else random.SystemRandom().randrange(2**32)
    # Warnings and errors go to the fuzzer's watch (a failure), not to the terminal.
    logging.getLogger().setLevel(logging.WARNING)
    logging.getLogger().addHandler(logging.NullHandler())
    command = "python -m bench.fuzz " + shlex.join(sys.argv[1:] if argv is None else argv)
    results = []
    for channel in channels:
        print(f"fuzzing {channel} ({args.examples} examples)…", file=sys.stderr, flush=True)
        results.append(fuzz_channel(channel, args.examples, seed))
    print(report(results, command.strip(), seed))
    return 1 if any(r.failures for r in results) else 0


if __name__ == "__main__":
    sys.exit(main())
