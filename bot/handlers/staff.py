"""Commune staff: statistics, the chart, report files and who has reported."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select

from bot import formats as f
from bot.core.auth import ADMIN, STAFF
from bot.core.context import Context
from bot.core.messages import Option, Reply
from bot.core.routes import Payload, Routes, roles
from bot.handlers import texts_staff as t
from bot.handlers.village_report import titled
from bot.stats.coverage import SOURCE_NAMES, SOURCES
from bot.stats.report import CommuneReport, build_commune_report
from bot.storage.deadlines import current_occurrence, deadlines_of
from bot.storage.models import Commune
from bot.storage.units import unit_statuses
from bot.text import VILLAGE_PREFIXES, fold, rank
from bot.units import by_kind

routes = Routes()
STAFF_ONLY = roles(STAFF, ADMIN)


@dataclass(frozen=True)
class ExportAs(Payload, prefix="xuat"):
    """The report file to export: xlsx or docx."""

    kind: str


def pct(value: float | None) -> str:
    """Format a percentage the Vietnamese way: 27,5%."""
    return f.percent(value)


def sources_line(by_source: dict[str, int]) -> str:
    """Render the breakdown by source on one line."""
    return t.SOURCES.format(
        parts=" · ".join(
            t.SOURCE_PART.format(name=SOURCE_NAMES[k], count=f.number(by_source.get(k, 0)))
            for k in SOURCES
        )
    )


async def commune_of(ctx: Context) -> int | None:
    """Return the commune a staff member works on (an admin of a single commune: that one).

    The scope comes from the role: only staff and admins have a commune to work on.
    """
    if ctx.user.role not in (STAFF, ADMIN) or ctx.user.deleted_at is not None:
        return None
    if ctx.user.scope_commune_id is not None:
        return ctx.user.scope_commune_id
    if ctx.user.role == ADMIN:
        ids = list(await ctx.session.scalars(select(Commune.id).limit(2)))
        return ids[0] if len(ids) == 1 else None
    return None


async def _report(ctx: Context) -> CommuneReport | None:
    commune_id = await commune_of(ctx)
    if commune_id is None:
        ctx.say(t.NO_COMMUNE)
        return None
    return await build_commune_report(ctx.session, commune_id, ctx.now)


def stats_text(report: CommuneReport) -> str:
    """Render the commune statistics as one chat message."""
    c = report.coverage
    need = max(0, -(-c.target_pct * c.households_total // 100) - c.households_participating)
    parts = [
        t.STATS.format(
            commune=c.name,
            date=f"{report.generated_at:%H:%M} {f.day(report.generated_at)}",
            part=f.number(c.households_participating),
            total=f.number(c.households_total),
            pct=pct(c.coverage_pct),
            target=c.target_pct,
            met=t.MET if c.met else t.NOT_MET.format(need=f.number(need)),
            learners=f.number(report.learners),
            lessons=f.number(report.lessons_completed),
            new=f.number(report.new_households_7d),
        ),
        sources_line(c.by_source),
    ]
    ranked = sorted(
        (v for v in c.villages if v.households_total and not v.check),
        key=lambda v: (-(v.coverage_pct or 0), f.sort_key(v.name)),
    )
    if ranked:
        lines = [
            t.RANK_LINE.format(
                i=i,
                name=v.name,
                part=f.number(v.households_participating),
                total=f.number(v.households_total),
                pct=pct(v.coverage_pct),
                mark=" ✅" if v.met else "",
            )
            for i, v in enumerate(ranked, start=1)
        ]
        parts.append(t.RANKING.format(lines="\n".join(lines)))
    if c.villages_to_check:
        parts.append(t.TO_CHECK.format(names=", ".join(c.villages_to_check)))
    if c.villages_without_total:
        parts.append(t.NO_TOTAL.format(names=", ".join(c.villages_without_total)))
    parts.append(tickets_text(report))
    if report.cohorts:
        lines = [
            t.COHORT.format(
                label=k.label,
                learners=f.number(k.learners),
                total=f.number(k.total),
                pct=pct(k.pct),
                target=k.target_pct,
                met="đạt" if k.met else "chưa đạt",
                source=k.source_text,
            )
            for k in report.cohorts
        ]
        parts.append(t.COHORTS.format(lines="\n".join(lines)))
    return "\n\n".join(parts)


def tickets_text(report: CommuneReport) -> str:
    """Render the residents' questions to a person: waiting, answered, escalated, median."""
    k = report.tickets
    hours = k.median_hours_to_answer
    median = "—" if hours is None else t.TICKET_HOURS.format(hours=f"{hours:g}".replace(".", ","))
    return t.TICKETS.format(open=k.open, answered=k.answered, escalated=k.escalated, median=median)


@routes.command("thongke", "thong ke", access=STAFF_ONLY, takes_args=True)
async def statistics(ctx: Context) -> None:
    """Show the commune's coverage, ranking and indicators, or one village (/thongke [thôn])."""
    report = await _report(ctx)
    if report is None:
        return
    if not ctx.args.strip():
        ctx.say(stats_text(report))
        return
    villages = report.coverage.villages
    ranked = rank(ctx.args, [(v.id, v.name) for v in villages], prefixes=VILLAGE_PREFIXES)
    if not ranked or ranked[0][1] < 80:
        names = ", ".join(v.name for v in f.sorted_vi(villages, lambda v: v.name))
        ctx.say(t.VILLAGE_NOT_FOUND.format(typed=ctx.args.strip()[:60], names=names))
        return
    v = next(x for x in villages if x.id == ranked[0][0])
    if v.check:
        met = t.CHECK
    else:
        met = (
            t.VILLAGE_MET if v.met else t.VILLAGE_NOT_MET if v.met is False else t.VILLAGE_NO_TOTAL
        )
    ctx.say(
        t.VILLAGE.format(
            village=v.name,
            part=f.number(v.households_participating),
            total=f.number(v.households_total) if v.households_total else "?",
            pct=t.CHECK_SHORT if v.check else pct(v.coverage_pct),
            met=met,
            registered=f.number(v.households_registered),
            learners=f.number(v.learners),
            lessons=f.number(v.lessons_completed),
        )
        + "\n"
        + sources_line(v.by_source)
    )


@routes.command("bieudo", "bieu do", access=STAFF_ONLY)
async def chart(ctx: Context) -> None:
    """Send the coverage chart as a picture (/bieudo)."""
    from bot.stats.charts import coverage_chart

    report = await _report(ctx)
    if report is None:
        return
    caption = t.CHART_CAPTION.format(commune=report.coverage.name, date=f.day(report.generated_at))
    ctx.attach(Reply(caption, photo=coverage_chart(report), filename="bieu-do.png"))


@routes.command("xuatbaocao", "xuat bao cao", access=STAFF_ONLY)
async def export(ctx: Context) -> None:
    """Ask which file to export (/xuatbaocao): figures, the emulation report, the awards."""
    from bot.handlers import texts_awards as ta
    from bot.handlers.awards import this_year

    year = await this_year(ctx)
    ctx.ask(
        t.EXPORT_ASK,
        [
            Option(t.EXPORT_XLSX, ExportAs("xlsx").pack()),
            Option(t.EXPORT_DOCX, ExportAs("docx").pack()),
            Option(ta.EXPORT_EMULATION_DOCX.format(year=year), ExportAs("emu_docx").pack()),
            Option(ta.EXPORT_EMULATION_XLSX.format(year=year), ExportAs("emu_xlsx").pack()),
            Option(ta.EXPORT_AWARDS_DOCX.format(year=year), ExportAs("award_docx").pack()),
            Option(ta.EXPORT_AWARDS_XLSX.format(year=year), ExportAs("award_xlsx").pack()),
        ],
    )


@routes.button(ExportAs, access=STAFF_ONLY)
async def on_export(ctx: Context) -> None:
    """Send the chosen report file as a document."""
    if ctx.args.startswith(("emu_", "award_")):
        reply = await _emulation_file(ctx, ctx.args)
    else:
        report = await _report(ctx)
        reply = report_file(report, ctx.args) if report is not None else None
    if reply is not None:
        ctx.attach(reply)


async def _emulation_file(ctx: Context, kind: str) -> Reply | None:
    """Build this year's emulation report or award proposal file."""
    from bot.handlers import texts_awards as ta
    from bot.handlers.awards import awards_file, this_year
    from bot.stats.awards import award_proposals
    from bot.stats.emulation import emulation_year
    from bot.stats.emulation_files import emulation_docx, emulation_xlsx

    commune_id = await commune_of(ctx)
    if commune_id is None:
        ctx.say(t.NO_COMMUNE)
        return None
    what, _, form = kind.partition("_")
    if form not in ("docx", "xlsx"):
        return None
    year = await this_year(ctx)
    if what == "award":
        data, proposals = await award_proposals(ctx.session, commune_id, year, ctx.now)
        return awards_file(data, proposals, form)
    data = await emulation_year(ctx.session, commune_id, year, ctx.now)
    build = emulation_docx if form == "docx" else emulation_xlsx
    caption = ta.EMULATION_CAPTION.format(year=year, commune=data.commune)
    name = f"thi-dua-{file_slug(data.commune)}-{year}.{form}"
    return Reply(caption, document=build(data), filename=name)


def report_file(report: CommuneReport, kind: str) -> Reply | None:
    """Build the .xlsx or .docx reply for a report."""
    from bot.stats.exports import commune_report_docx, coverage_xlsx

    stamp = report.generated_at.strftime("%Y%m%d")
    slug = file_slug(report.coverage.name)
    when = f.day(report.generated_at)
    if kind == "xlsx":
        data, what, name = coverage_xlsx([report]), "Bảng số liệu", f"hocvuso-{slug}-{stamp}.xlsx"
    elif kind == "docx":
        data, what, name = (
            commune_report_docx(report),
            "Dự thảo báo cáo",
            f"bao-cao-{slug}-{stamp}.docx",
        )
    else:
        return None
    caption = t.REPORT_CAPTION.format(what=what, commune=report.coverage.name, date=when)
    return Reply(caption, document=data, filename=name)


def file_slug(name: str) -> str:
    """A commune's name for a file name: ASCII letters and digits only."""
    return "".join(ch for ch in fold(name).replace(" ", "-") if ch.isalnum())


@routes.command("chuanop", "chua nop", access=STAFF_ONLY)
async def submissions(ctx: Context) -> None:
    """List the villages that have and have not reported for the current deadline (/chuanop)."""
    report = await _report(ctx)
    if report is None:
        return
    if report.deadline_due is None:
        ctx.say(t.NO_DEADLINE)
        return
    done = [s for s in report.submissions if s.submitted_at]
    missing = [s for s in report.submissions if not s.submitted_at]
    lines = [
        t.SUBMITTED_LINE.format(
            village=s.village,
            at=f.day_time(s.submitted_at) if s.submitted_at else "",
            paper=" (bản giấy)" if s.method == "paper" else "",
        )
        for s in done
    ] + [t.MISSING_LINE.format(village=s.village) for s in missing]
    text = t.SUBMISSIONS.format(
        title=titled(report.deadline_title or "", report.deadline_due),
        lines="\n".join(lines),
        done=len(done),
        total=len(report.submissions),
    )
    ctx.say(text + await _units_missing(ctx, report))


async def _units_missing(ctx: Context, report: CommuneReport) -> str:
    """The reporting units that have not reported for the current deadline, by kind."""
    commune = await ctx.session.get(Commune, report.coverage.id)
    if commune is None:
        return ""
    deadlines = await deadlines_of(ctx.session, commune.id)
    occurrence = current_occurrence(deadlines, report.generated_at.date())
    statuses = await unit_statuses(ctx.session, commune.id, occurrence)
    if not statuses:
        return ""
    missing = [(s.unit.kind, s.unit.name) for s in statuses if s.report is None]
    done = len(statuses) - len(missing)
    if not missing:
        return t.UNITS_ALL_DONE.format(total=len(statuses))
    return t.UNITS_MISSING.format(
        missing=len(missing), done=done, total=len(statuses), groups=by_kind(missing)
    )
