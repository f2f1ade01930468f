"""APScheduler triggers the planner (hourly, and at start-up) and the dispatcher (every 2 s)."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime

from apscheduler.schedulers.asyncio import AsyncIOScheduler
from apscheduler.triggers.interval import IntervalTrigger
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, AsyncSession, async_sessionmaker

from bot.config import Settings
from bot.delivery.broadcasts import update_progress
from bot.delivery.dispatcher import Dispatcher
from bot.delivery.outbox import enqueue_planned
from bot.lessons.model import Curriculum
from bot.metrics import Metrics
from bot.scheduling.digest import plan_digests
from bot.scheduling.nudges import curriculum_at, plan_nudges
from bot.scheduling.reminders import plan_deadline_reminders
from bot.scheduling.retention import prune_expired
from bot.scheduling.tickets import plan_tickets
from bot.storage.db import transaction
from bot.storage.models import utcnow

log = logging.getLogger(__name__)

# Any fixed number shared by every instance using the same database.
PLANNER_LOCK = 0x48565301


class _SkippedRunsFilter(logging.Filter):
    """Drop APScheduler's "skipped: maximum number of running instances" warning.

    A dispatcher run lasts as long as there is something to send, often longer than the 2 s
    between triggers; the triggers it overlaps are skipped by design, not a fault to warn about.
    """

    def filter(self, record: logging.LogRecord) -> bool:
        return "maximum number of running instances reached" not in record.getMessage()


SKIPPED_RUNS_FILTER = _SkippedRunsFilter()


async def plan_now(
    sessions: async_sessionmaker[AsyncSession], now: datetime, curriculum: Curriculum | None = None
) -> int:
    """Plan what is due at `now` and put it in the outbox; return how many messages are new.

    Deadline reminders for village heads and staff, the weekly digest for village heads, and
    learning nudges for residents (the lessons are read from the configured folder unless
    `curriculum` is given). The retention job runs here too, hourly, on the one instance that
    plans.
    """
    lessons = curriculum or curriculum_at(Settings().content_path())
    async with transaction(sessions) as session:
        await prune_expired(session, now)
        planned = await plan_deadline_reminders(session, now)
        await plan_tickets(session, now)
        added = await enqueue_planned(session, planned)
        added += await enqueue_planned(session, await plan_digests(session, now))
        return added + await enqueue_planned(session, await plan_nudges(session, now, lessons))


class Scheduler:
    """Run the planner on one instance per database and the dispatcher on every instance."""

    def __init__(
        self,
        sessions: async_sessionmaker[AsyncSession],
        db_engine: AsyncEngine,
        dispatcher: Dispatcher | None,
        *,
        clock: Callable[[], datetime] = utcnow,
        dispatch_seconds: float = 2.0,
        metrics: Metrics | None = None,
        curriculum: Curriculum | None = None,
    ) -> None:
        self.curriculum = curriculum
        self.metrics = metrics
        self.sessions = sessions
        self.db_engine = db_engine
        self.dispatcher = dispatcher
        self.clock = clock
        self.dispatch_seconds = dispatch_seconds
        self.aps = AsyncIOScheduler(timezone=UTC)
        self._lock_conn: AsyncConnection | None = None
        self._running: set[asyncio.Task[object]] = set()  # job runs not yet ended

    def _tracked(self, job: Callable[[], Awaitable[object]]) -> Callable[[], Awaitable[object]]:
        """Wrap a job so that stop() can let its run end instead of cutting it off."""

        async def run() -> object:
            task = asyncio.current_task()
            assert task is not None
            self._running.add(task)
            try:
                return await job()
            finally:
                self._running.discard(task)

        return run

    async def start(self) -> None:
        """Add the jobs and start; the planner runs at once, then hourly."""
        logging.getLogger("apscheduler.scheduler").addFilter(SKIPPED_RUNS_FILTER)
        self.aps.add_job(
            self._tracked(self.plan),
            IntervalTrigger(hours=1),
            id="planner",
            name="planner",
            next_run_time=datetime.now(UTC),
            max_instances=1,
            coalesce=True,
            misfire_grace_time=None,
        )
        if self.dispatcher is not None:
            self.aps.add_job(
                self._tracked(self.progress),
                IntervalTrigger(seconds=3),
                id="broadcast-progress",
                name="broadcast progress",
                max_instances=1,
                coalesce=True,
                misfire_grace_time=None,
            )
            self.aps.add_job(
                self._tracked(self.dispatcher.run_once),
                IntervalTrigger(seconds=self.dispatch_seconds),
                id="dispatcher",
                name="dispatcher",
                next_run_time=datetime.now(UTC),  # after a restart, resume sending at once
                max_instances=1,
                coalesce=True,
                misfire_grace_time=None,
            )
        self.aps.start()

    async def stop(self, grace: float = 10.0) -> None:
        """Stop triggering, let running jobs end, then let go of the planner lock.

        The dispatcher is told to stop first, so its run ends once the sends under way finish
        and hands back what it had claimed. A run still going after `grace` seconds is
        cancelled, and awaited: it rolls back before the event loop closes. Cutting a
        transaction off mid-statement instead can leave its connection unable to close.
        """
        if self.aps.running:
            self.aps.pause()
            if self.dispatcher is not None:
                await self.dispatcher.stop()
            if self._running:
                await asyncio.wait(set(self._running), timeout=grace)
            late = set(self._running)
            self.aps.shutdown(wait=False)  # cancels the runs in `late`
            if late:
                log.warning("cancelling %d scheduled job(s) still running at stop", len(late))
                await asyncio.gather(*late, return_exceptions=True)
        if self._lock_conn is not None:
            # Closing only returns the connection to the pool: unlock explicitly.
            try:
                await self._lock_conn.scalar(
                    text("SELECT pg_advisory_unlock(:key)"), {"key": PLANNER_LOCK}
                )
                await self._lock_conn.commit()
            finally:
                await self._lock_conn.close()
                self._lock_conn = None

    async def is_leader(self) -> bool:
        """Hold PostgreSQL's advisory lock so one instance plans; SQLite has one process."""
        if self.db_engine.dialect.name != "postgresql":
            return True
        if self._lock_conn is not None:
            return True
        conn = await self.db_engine.connect()
        try:
            got = await conn.scalar(
                text("SELECT pg_try_advisory_lock(:key)"), {"key": PLANNER_LOCK}
            )
            await conn.commit()
        except BaseException:
            await conn.close()
            raise
        if got:
            self._lock_conn = conn  # the lock lives as long as this connection
            return True
        await conn.close()
        return False

    async def progress(self) -> None:
        """Update the progress messages of running notices."""
        if self.dispatcher is None:
            return
        try:
            await update_progress(self.sessions, self.dispatcher.channels, self.clock())
        except Exception:
            log.exception("broadcast progress update failed")

    async def plan(self) -> int:
        """Plan reminders if this instance leads; never raises (a failed run is retried)."""
        try:
            if not await self.is_leader():
                return 0
            added = await plan_now(self.sessions, self.clock(), self.curriculum)
        except Exception:
            log.exception("reminder planning failed")
            return 0
        if added:
            log.info("planned %d new messages", added)
            if self.metrics is not None:
                self.metrics.reminders.inc(added)
        return added
