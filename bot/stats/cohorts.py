"""Cohort indicators from the best source: the units' own reports where they exist, else the
bot's learners who chose the cohort; and each unit's figures of a year."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot import formats as f
from bot import units as u
from bot.formats import sort_key
from bot.stats.coverage import percent, target_met
from bot.storage.models import LEARNING_USER, Commune, LessonProgress, Unit, UnitReport, User

COHORT_TARGETS = {  # from the commune plans
    "can_bo": ("Cán bộ, công chức, viên chức", 80, "cbcc_total"),
    "lao_dong_dn": ("Lao động doanh nghiệp, HTX", 30, "worker_total"),
}
# "100% taking part" is measured as the agencies and schools that reported their figures
# for the year, out of all agencies and schools of the commune.
TAKING_PART = "can_bo_tham_gia"
TAKING_PART_LABEL = "Cơ quan, trường học tham gia (đã báo cáo kết quả)"
TAKING_PART_TARGET = 100
# Which units report for a cohort, in words.
COHORT_UNITS = {"can_bo": "cơ quan, trường học", "lao_dong_dn": "doanh nghiệp, HTX"}
SOURCE_BOT = "bot"
SOURCE_UNITS = "units"
SOURCE_BOT_TEXT = "theo người học trên trợ lý (người dân tự chọn nhóm)"
SOURCE_UNITS_TEXT = "theo báo cáo của {reported}/{total} {units}"
KIND_ORDER = {kind: i for i, kind in enumerate(u.KINDS)}


@dataclass
class CohortIndicator:
    """A plan indicator for one group: learners against a total, and where both come from."""

    cohort: str
    label: str
    learners: int
    total: int
    target_pct: int
    pct: float | None
    met: bool | None
    source: str = SOURCE_BOT
    source_text: str = SOURCE_BOT_TEXT
    noun: str = "người"  # what is counted: people, or units for the taking-part indicator

    def as_json(self) -> dict[str, Any]:
        """Return the shape `stats --format json` prints under "cohorts"."""
        return {
            "cohort": self.cohort,
            "label": self.label,
            "total": self.total,
            "learned": self.learners,
            "pct": self.pct,
            "target": self.target_pct,
            "met": self.met,
            "source": self.source,
            "source_text": self.source_text,
        }


@dataclass
class UnitYear:
    """One reporting unit in one year: its latest report's figures and texts, if any."""

    id: int
    name: str
    kind: str
    members_total: int | None
    members_learned: int | None = None
    classes_held: int | None = None
    report_id: int | None = None
    submitted_at: datetime | None = None
    results: str = ""
    initiatives: str = ""
    nominations: list[dict[str, Any]] = field(default_factory=list)

    @property
    def reported(self) -> bool:
        """Tell whether the unit reported for the year."""
        return self.report_id is not None

    @property
    def pct(self) -> float | None:
        """People who learned out of the unit's people, when reported."""
        if not self.reported:
            return None
        return percent(self.members_learned or 0, self.members_total)

    @property
    def kind_name(self) -> str:
        """The kind in Vietnamese."""
        return u.KIND_NAMES.get(self.kind, self.kind)


async def units_of_year(session: AsyncSession, commune_id: int, year: int) -> list[UnitYear]:
    """Every unit of the commune with its latest report of `year` (by kind, then name)."""
    units = list(await session.scalars(select(Unit).where(Unit.commune_id == commune_id)))
    if not units:
        return []
    reports = list(
        await session.scalars(
            select(UnitReport)
            .where(UnitReport.unit_id.in_([x.id for x in units]), UnitReport.year == year)
            .order_by(UnitReport.submitted_at)
        )
    )
    latest = {r.unit_id: r for r in reports}  # a later deadline's report replaces an earlier
    rows = []
    for unit in units:
        report = latest.get(unit.id)
        row = UnitYear(unit.id, unit.name, unit.kind, unit.members_total or None)
        if report is not None:
            row.members_total = report.members_total or unit.members_total or None
            row.members_learned = report.members_learned
            row.classes_held = report.classes_held
            row.report_id = report.id
            row.submitted_at = report.submitted_at
            row.results = (report.results or "").strip()
            row.initiatives = (report.initiatives or "").strip()
            row.nominations = [n for n in report.nominations or [] if isinstance(n, dict)]
        rows.append(row)
    rows.sort(key=lambda x: (KIND_ORDER.get(x.kind, 99), sort_key(x.name)))
    return rows


def cohort_from_units(cohort: str, units: list[UnitYear]) -> list[CohortIndicator]:
    """The cohort's indicators from the reports of its units; empty when none reported."""
    label, target, _ = COHORT_TARGETS[cohort]
    own = [x for x in units if u.COHORT_OF_KIND.get(x.kind) == cohort]
    reported = [x for x in own if x.reported]
    if not reported:
        return []
    learned = sum(x.members_learned or 0 for x in reported)
    total = sum(x.members_total or 0 for x in reported)
    source = SOURCE_UNITS_TEXT.format(
        reported=len(reported), total=len(own), units=COHORT_UNITS[cohort]
    )
    found = [
        CohortIndicator(
            cohort,
            label,
            learned,
            total,
            target,
            percent(learned, total),
            target_met(learned, total, target),
            SOURCE_UNITS,
            source,
        )
    ]
    if cohort == "can_bo":
        found.append(
            CohortIndicator(
                TAKING_PART,
                TAKING_PART_LABEL,
                len(reported),
                len(own),
                TAKING_PART_TARGET,
                percent(len(reported), len(own)),
                target_met(len(reported), len(own), TAKING_PART_TARGET),
                SOURCE_UNITS,
                source,
                noun="đơn vị",
            )
        )
    return found


async def bot_learners(
    session: AsyncSession, commune_id: int, cohort: str, until: datetime | None = None
) -> int:
    """People of the cohort who passed a lesson on the bot (by `until` when given)."""
    if until is None:
        # users.lessons_completed counts the user's passed lessons (kept with lesson_progress);
        # LEARNING_USER repeats the partial index's predicate word for word (migration 0012).
        found = await session.scalar(
            select(func.count(User.id)).where(
                LEARNING_USER,
                User.commune_id == commune_id,
                User.cohort == cohort,
                User.lessons_completed > 0,
            )
        )
        return int(found or 0)
    found = await session.scalar(
        select(func.count(func.distinct(User.id)))
        .join(LessonProgress, LessonProgress.user_id == User.id)
        .where(
            User.deleted_at.is_(None),
            User.commune_id == commune_id,
            User.cohort == cohort,
            LessonProgress.completed_at.is_not(None),
            LessonProgress.completed_at <= until,
        )
    )
    return int(found or 0)


async def cohort_indicators(
    session: AsyncSession,
    commune: Commune,
    year: int,
    until: datetime | None = None,
    units: list[UnitYear] | None = None,
) -> list[CohortIndicator]:
    """The commune's cohort indicators for `year`: units' reports first, else the bot's count.

    `until` None means now (the bot's live counts); a cohort without reports and without a
    declared total is left out.
    """
    if units is None:
        units = await units_of_year(session, commune.id, year)
    found: list[CohortIndicator] = []
    for cohort, (label, target, total_field) in COHORT_TARGETS.items():
        from_units = cohort_from_units(cohort, units)
        if from_units:
            found.extend(from_units)
            continue
        total = getattr(commune, total_field)
        if not total:
            continue
        learners = await bot_learners(session, commune.id, cohort, until)
        found.append(
            CohortIndicator(
                cohort,
                label,
                learners,
                total,
                target,
                percent(learners, total),
                target_met(learners, total, target),
            )
        )
    return found


def cohort_sentence(cohort: CohortIndicator) -> str:
    """One cohort indicator in a sentence, with where its figures come from."""
    if cohort.pct is None:
        return f"{cohort.label}: chưa có tổng số ({cohort.source_text})."
    verdict = "đạt chỉ tiêu" if cohort.met else "chưa đạt chỉ tiêu"
    done = "người đã học" if cohort.noun == "người" else f"{cohort.noun} đã báo cáo"
    figures = f"{f.number(cohort.learners)}/{f.number(cohort.total)}"
    return (
        f"{cohort.label}: {figures} {done}, đạt {f.decimal(cohort.pct)}% "
        f"({verdict} {cohort.target_pct}%; {cohort.source_text})."
    )
