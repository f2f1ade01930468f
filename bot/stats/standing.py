"""Where a village stands in its commune: its place by coverage and the households still needed."""

from __future__ import annotations

from dataclasses import dataclass

from bot import formats as f
from bot.stats import texts_standing as t
from bot.stats.coverage import CommuneCoverage, VillageCoverage, households_needed

TIE_NAMES = 2  # up to this many villages sharing the place are named, more are counted


@dataclass(frozen=True)
class Standing:
    """One village's place, read from the coverage service's figures."""

    village: VillageCoverage
    target_pct: int
    ranked: int  # villages with a place
    unranked: int  # villages left out (no declared total, or figures to check)
    tied_with: tuple[str, ...]  # other villages sharing the place
    needed: int | None  # households still needed for the target; None without a total

    @property
    def rank(self) -> int | None:
        """The village's place, None when it is not ranked."""
        return self.village.rank


def standing_of(coverage: CommuneCoverage, village_id: int) -> Standing | None:
    """Return the standing of one village of this commune, None if it is not there."""
    row = next((v for v in coverage.villages if v.id == village_id), None)
    if row is None:
        return None
    ranked = [v for v in coverage.villages if v.rank is not None]
    tied = (
        tuple(v.name for v in ranked if v.rank == row.rank and v.id != row.id)
        if row.rank is not None
        else ()
    )
    return Standing(
        village=row,
        target_pct=coverage.target_pct,
        ranked=len(ranked),
        unranked=len(coverage.villages) - len(ranked),
        tied_with=tied,
        needed=households_needed(row, coverage.target_pct),
    )


def rank_text(standing: Standing, *, head: bool = False) -> str:
    """The sentence giving the village's place, or why it has none (how to fix it, for a head)."""
    village = standing.village
    if village.check:
        return t.NOT_RANKED_CHECK.format(village=village.name) + (t.HEAD_FIX_TOTAL if head else "")
    if standing.rank is None:
        return t.NOT_RANKED_NO_TOTAL.format(village=village.name) + (
            t.HEAD_FIX_TOTAL if head else ""
        )
    tie = ""
    if standing.tied_with:
        if len(standing.tied_with) <= TIE_NAMES:
            others = " và ".join(standing.tied_with)
        else:
            others = t.RANK_TIE_MANY.format(count=len(standing.tied_with))
        tie = t.RANK_TIE.format(others=others)
    text = t.RANK.format(village=village.name, rank=standing.rank, ranked=standing.ranked, tie=tie)
    if standing.unranked:
        text += "\n" + t.UNRANKED_OTHERS.format(count=standing.unranked)
    return text


def needed_text(standing: Standing) -> str:
    """The sentence with the households still needed, or that the target is reached ("" if
    unknown)."""
    if standing.needed is None:
        return ""
    if standing.needed == 0:
        return t.MET.format(target=standing.target_pct)
    return t.NEEDED.format(need=f.number(standing.needed), target=standing.target_pct)


def standing_text(standing: Standing, *, head: bool = False) -> str:
    """The place and the households still needed, one sentence a line."""
    return "\n".join(x for x in (rank_text(standing, head=head), needed_text(standing)) if x)
