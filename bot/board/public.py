"""The public board of a commune: aggregates only, at /cong-khai/<slug>, cached a minute."""

from __future__ import annotations

import asyncio
import re
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.board.svg import RankedVillage, pct_text, ranked, trend_line, village_bars
from bot.stats.report import CommuneReport, build_commune_report
from bot.storage.models import Commune, PublicBoard
from bot.text import fold

CACHE_SECONDS = 60.0
SLUG = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")
SLUG_MAX = 120  # the column's length
ORIGIN = re.compile(r"^https?://[a-z0-9.-]+(:\d{1,5})?$")


def could_be_slug(text: str) -> bool:
    """Tell whether an address part has the shape `slug_of` gives (anything else is no board)."""
    return len(text) <= SLUG_MAX and SLUG.fullmatch(text) is not None


def slug_of(name: str, province: str = "") -> str:
    """Return the address part of a commune's board: its folded name, words joined by '-'."""
    words = re.findall(r"[a-z0-9]+", fold(f"{name} {province}".strip()))
    return "-".join(words) or "xa"


def valid_origin(origin: str) -> bool:
    """Tell whether an embedding origin is a plain scheme://host[:port], nothing more."""
    return bool(ORIGIN.match(origin.lower()))


async def set_public_board(
    session: AsyncSession,
    commune: Commune,
    *,
    enabled: bool | None,
    embed_origins: list[str] | None,
    now: datetime,
) -> PublicBoard:
    """Turn a commune's public board on or off and set where it may be embedded."""
    board = await session.get(PublicBoard, commune.id)
    if board is None:
        slug = slug_of(commune.name)
        taken = await session.scalar(select(PublicBoard).where(PublicBoard.slug == slug))
        if taken is not None:  # the same commune name in another province
            slug = slug_of(commune.name, commune.province)
        board = PublicBoard(commune_id=commune.id, slug=slug, enabled=False, embed_origins="")
        session.add(board)
    if enabled is not None:
        board.enabled = enabled
    if embed_origins is not None:
        bad = [o for o in embed_origins if not valid_origin(o)]
        if bad:
            raise ValueError(f"not an origin (https://host): {', '.join(bad)}")
        board.embed_origins = " ".join(o.lower() for o in embed_origins)
    board.updated_at = now
    await session.flush()
    return board


@dataclass
class PublicFigures:
    """Everything the public board shows: no person, no household, only sums and shares."""

    commune: str
    province: str
    target_pct: int
    coverage_pct: str
    households_participating: int
    households_total: int
    met: bool
    villages_without_total: int
    ranking: list[RankedVillage]
    bars_svg: str
    trend_svg: str
    generated_at: datetime


async def public_figures(session: AsyncSession, commune_id: int, now: datetime) -> PublicFigures:
    """Compute the public board's figures from the commune report."""
    return figures_of(await build_commune_report(session, commune_id, now))


def figures_of(report: CommuneReport) -> PublicFigures:
    """Keep only the aggregates of a commune report: what the public may see."""
    c = report.coverage
    return PublicFigures(
        commune=c.name,
        province=c.province,
        target_pct=c.target_pct,
        coverage_pct=pct_text(c.coverage_pct),
        households_participating=c.households_participating,
        households_total=c.households_total,
        met=bool(c.met),
        villages_without_total=len(c.villages_without_total),
        ranking=ranked(c),
        bars_svg=village_bars(c, f"Tỷ lệ hộ tham gia theo thôn, {c.name}"),
        trend_svg=trend_line(report.trend, c.target_pct, "Tỷ lệ hộ tham gia 12 tuần qua"),
        generated_at=report.generated_at,
    )


@dataclass
class PublicEntry:
    """What the cache keeps for one address: the figures (None when off or unknown)."""

    figures: PublicFigures | None
    embed_origins: list[str]
    expires: float


NO_BOARD = PublicEntry(None, [], float("inf"))


@dataclass
class PublicCache:
    """A minute's cache per address; one request fills it while the others wait for it."""

    sessions: async_sessionmaker[AsyncSession]
    seconds: float = CACHE_SECONDS
    clock: Callable[[], float] = time.monotonic
    _entries: dict[str, PublicEntry] = field(default_factory=dict)
    # The computations under way, one per address; each is forgotten once done.
    _loading: dict[str, asyncio.Future[PublicEntry]] = field(default_factory=dict)

    async def get(self, slug: str) -> PublicEntry:
        """Return the board at `slug`, from the cache when it is younger than a minute."""
        entry = self._entries.get(slug)
        if entry is not None and entry.expires > self.clock():
            return entry
        loading = self._loading.get(slug)
        if loading is None:
            # owned: self._loading until done (_forget); every visitor of the address awaits it
            loading = asyncio.ensure_future(self._fill(slug))
            self._loading[slug] = loading
            loading.add_done_callback(lambda done: self._forget(slug, done))
        # A visitor who leaves does not cancel the computation the others wait for.
        return await asyncio.shield(loading)

    async def _fill(self, slug: str) -> PublicEntry:
        entry = await self._load(slug)
        if len(self._entries) > 10_000:  # unknown addresses must not grow it for ever
            self._entries.clear()
        self._entries[slug] = entry
        return entry

    def _forget(self, slug: str, done: asyncio.Future[PublicEntry]) -> None:
        if self._loading.get(slug) is done:
            del self._loading[slug]
        if not done.cancelled():
            done.exception()  # read, so a failure shared by every waiter is not logged again

    async def _load(self, slug: str) -> PublicEntry:
        async with self.sessions() as session:
            board = await session.scalar(select(PublicBoard).where(PublicBoard.slug == slug))
            figures = None
            origins: list[str] = []
            if board is not None and board.enabled:
                figures = await public_figures(session, board.commune_id, datetime.now(UTC))
                origins = board.embed_origins.split()
        return PublicEntry(figures, origins, self.clock() + self.seconds)
