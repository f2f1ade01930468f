"""The award proposal of a year: the units' nominations and suggestions from the data, each with
its evidence, and staff's decision on each (AwardDecision)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import delete, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncSession

from bot import formats as f
from bot import units as u
from bot.stats.cohorts import COHORT_TARGETS
from bot.stats.emulation import EmulationYear, emulation_year
from bot.storage.db import dialect
from bot.storage.models import AwardDecision

PROPOSE = "propose"
DECLINE = "decline"
DECISIONS = (PROPOSE, DECLINE)
ORIGINS = ("nom", "reach", "gain", "cohort")  # the first part of an AwardDecision key
TOP_GAINS = 3  # the largest gains of the year suggested

COLLECTIVE = "Tập thể"
INDIVIDUAL = "Cá nhân"
NOMINATED_BY = "Đề nghị của {unit} (báo cáo nộp ngày {day})"
REACH_ACHIEVEMENT = (
    "Đạt mục tiêu {target}% số hộ có thành viên tham gia học kỹ năng số "
    "(phong trào “Bình dân học vụ số” năm {year})"
)
REACH_EVIDENCE = "{part}/{total} hộ ({pct}%) đến ngày {day}; vượt {target}% ngày {reached}"
GAIN_ACHIEVEMENT = "Tỷ lệ hộ có người học số tăng nhiều thứ {rank} của xã năm {year}"
GAIN_EVIDENCE = (
    "Từ {start_pct}% ({start}/{total} hộ) ngày 01/01/{year} lên {end_pct}% ({end}/{total} hộ) "
    "ngày {day}: tăng {gain} điểm phần trăm"
)
COHORT_ACHIEVEMENT = "{kind} có {pct}% {people} học kỹ năng số, vượt chỉ tiêu {target}%"
COHORT_PEOPLE = {"can_bo": "cán bộ, công chức, viên chức", "lao_dong_dn": "người lao động"}
COHORT_EVIDENCE = "Báo cáo của đơn vị ngày {day}: {learned}/{total} người đã học"


@dataclass
class Proposal:
    """One row of the award proposal: who, for what, on what evidence, and staff's decision."""

    key: str  # AwardDecision.key: "nom:<report>:<index>", "reach:<village>", …
    name: str
    collective: bool
    achievement: str
    evidence: str
    decision: str | None = None  # propose | decline | None (not decided yet)

    @property
    def who(self) -> str:
        """The name with "Tập thể" or "Cá nhân", as the column "Tập thể/cá nhân" reads."""
        return f"{COLLECTIVE if self.collective else INDIVIDUAL}: {self.name}"


def _nominations(data: EmulationYear) -> list[Proposal]:
    found = []
    for unit in data.units:
        if not unit.reported or unit.submitted_at is None:
            continue
        day = f.day(unit.submitted_at.astimezone(data.cutoff.tzinfo))
        for index, nomination in enumerate(unit.nominations):
            name = str(nomination.get("name") or "").strip()
            if not name:
                continue
            collective = nomination.get("kind") != "ca_nhan"
            found.append(
                Proposal(
                    key=f"nom:{unit.report_id}:{index}",
                    name=name if collective else f"{name} ({unit.name})",
                    collective=collective,
                    achievement=str(nomination.get("achievement") or "").strip(),
                    evidence=NOMINATED_BY.format(unit=unit.name, day=day),
                )
            )
    return found


def _reached(data: EmulationYear) -> list[Proposal]:
    met = [v for v in data.villages if v.met and v.reached_on is not None]
    met.sort(key=lambda v: (v.reached_on, sort_name(v.name)))
    return [
        Proposal(
            key=f"reach:{v.id}",
            name=v.name,
            collective=True,
            achievement=REACH_ACHIEVEMENT.format(target=data.target_pct, year=data.year),
            evidence=REACH_EVIDENCE.format(
                part=f.number(v.end),
                total=f.number(v.households_total or 0),
                pct=f.decimal(v.pct_end or 0),
                day=f.day(data.cutoff),
                target=data.target_pct,
                reached=f.day(v.reached_on) if v.reached_on else "",
            ),
        )
        for v in met
    ]


def sort_name(name: str) -> tuple[object, ...]:
    """Vietnamese order of names."""
    return f.sort_key(name)


def _gains(data: EmulationYear) -> list[Proposal]:
    gained = [v for v in data.villages if v.gain is not None and v.gain > 0]
    gained.sort(key=lambda v: (-(v.gain or 0), sort_name(v.name)))
    return [
        Proposal(
            key=f"gain:{v.id}",
            name=v.name,
            collective=True,
            achievement=GAIN_ACHIEVEMENT.format(rank=rank, year=data.year),
            evidence=GAIN_EVIDENCE.format(
                start_pct=f.decimal(v.pct_start or 0),
                start=f.number(v.start),
                end_pct=f.decimal(v.pct_end or 0),
                end=f.number(v.end),
                total=f.number(v.households_total or 0),
                year=data.year,
                day=f.day(data.cutoff),
                gain=f.decimal(v.gain or 0),
            ),
        )
        for rank, v in enumerate(gained[:TOP_GAINS], start=1)
    ]


def _cohort_units(data: EmulationYear) -> list[Proposal]:
    found = []
    for unit in data.units:
        cohort = u.COHORT_OF_KIND.get(unit.kind)
        if cohort is None or not unit.reported or unit.pct is None or unit.submitted_at is None:
            continue
        target = COHORT_TARGETS[cohort][1]
        if (unit.members_learned or 0) * 100 < target * (unit.members_total or 0):
            continue
        found.append(
            Proposal(
                key=f"cohort:{unit.id}",
                name=unit.name,
                collective=True,
                achievement=COHORT_ACHIEVEMENT.format(
                    kind=unit.kind_name.capitalize(),
                    pct=f.decimal(unit.pct),
                    people=COHORT_PEOPLE[cohort],
                    target=target,
                ),
                evidence=COHORT_EVIDENCE.format(
                    day=f.day(unit.submitted_at.astimezone(data.cutoff.tzinfo)),
                    learned=f.number(unit.members_learned or 0),
                    total=f.number(unit.members_total or 0),
                ),
            )
        )
    return found


async def award_proposals(
    session: AsyncSession, commune_id: int, year: int, now: datetime
) -> tuple[EmulationYear, list[Proposal]]:
    """The year's figures and every proposal, nominations first, with staff's decisions."""
    data = await emulation_year(session, commune_id, year, now)
    proposals = _nominations(data) + _reached(data) + _gains(data) + _cohort_units(data)
    decided = {
        row.key: row.decision
        for row in await session.scalars(
            select(AwardDecision)
            .where(AwardDecision.commune_id == commune_id, AwardDecision.year == year)
            .execution_options(populate_existing=True)  # decide() writes past the session
        )
    }
    for proposal in proposals:
        proposal.decision = decided.get(proposal.key)
    return data, proposals


async def decide(
    session: AsyncSession,
    commune_id: int,
    year: int,
    key: str,
    decision: str | None,
    by_user_id: int | None,
    now: datetime,
) -> None:
    """Record (or, with None, withdraw) staff's decision on one proposal.

    Written in one statement each, so two staff deciding the same proposal at once do not
    collide: the later decision stands.
    """
    where = (
        AwardDecision.commune_id == commune_id,
        AwardDecision.year == year,
        AwardDecision.key == key,
    )
    if decision is None:
        await session.execute(delete(AwardDecision).where(*where))
        return
    if decision not in DECISIONS:
        raise ValueError(f"unknown decision {decision!r}")
    insert = pg_insert if dialect(session) == "postgresql" else sqlite_insert
    values = {"decision": decision, "decided_by": by_user_id, "decided_at": now}
    await session.execute(
        insert(AwardDecision)
        .values(commune_id=commune_id, year=year, key=key, **values)
        .on_conflict_do_update(index_elements=["commune_id", "year", "key"], set_=values)
    )
