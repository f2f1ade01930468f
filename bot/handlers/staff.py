"""Commune staff: statistics, the chart, report files and who has reported."""

from __future__ import annotations

from sqlalchemy import select

from bot.core.auth import ADMIN
from bot.core.context import Context
from bot.core.messages import Option, Reply
from bot.core.text import VILLAGE_PREFIXES, fold, rank
from bot.handlers import texts_staff as t
from bot.stats.report import CommuneReport, build_commune_report
from bot.storage.models import Commune


def pct(value: float | None) -> str:
    """Format a percentage the Vietnamese way: 27,5%."""
    return "—" if value is None else f"{value:.1f}%".replace(".", ",")


async def commune_of(ctx: Context) -> int | None:
    """Return the commune a staff member works on (an admin of a single commune: that one)."""
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
            date=report.generated_at.strftime("%d/%m/%Y %H:%M"),
            part=c.households_participating,
            total=c.households_total,
            pct=pct(c.coverage_pct),
            target=c.target_pct,
            met=t.MET if c.met else t.NOT_MET.format(need=need),
            learners=report.learners,
            lessons=report.lessons_completed,
            new=report.new_households_7d,
        )
    ]
    ranked = sorted(
        (v for v in c.villages if v.households_total),
        key=lambda v: (-(v.coverage_pct or 0), v.name),
    )
    if ranked:
        lines = [
            t.RANK_LINE.format(
                i=i,
                name=v.name,
                part=v.households_participating,
                total=v.households_total,
                pct=pct(v.coverage_pct),
                mark=" ✅" if v.met else "",
            )
            for i, v in enumerate(ranked, start=1)
        ]
        parts.append(t.RANKING.format(lines="\n".join(lines)))
    if c.villages_without_total:
        parts.append(t.NO_TOTAL.format(names=", ".join(c.villages_without_total)))
    parts.append(tickets_text(report))
    if report.cohorts:
        lines = [
            t.COHORT.format(
                label=k.label,
                learners=k.learners,
                total=k.total,
                pct=pct(k.pct),
                target=k.target_pct,
                met="đạt" if k.met else "chưa đạt",
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
        names = ", ".join(v.name for v in villages)
        ctx.say(t.VILLAGE_NOT_FOUND.format(typed=ctx.args.strip()[:60], names=names))
        return
    v = next(x for x in villages if x.id == ranked[0][0])
    met = (
        "đạt mục tiêu ✅"
        if v.met
        else "chưa đạt"
        if v.met is False
        else "chưa khai báo tổng số hộ"
    )
    ctx.say(
        t.VILLAGE.format(
            village=v.name,
            part=v.households_participating,
            total=v.households_total or "?",
            pct=pct(v.coverage_pct),
            met=met,
            registered=v.households_registered,
            learners=v.learners,
            lessons=v.lessons_completed,
        )
    )


async def chart(ctx: Context) -> None:
    """Send the coverage chart as a picture (/bieudo)."""
    from bot.stats.charts import coverage_chart

    report = await _report(ctx)
    if report is None:
        return
    caption = t.CHART_CAPTION.format(
        commune=report.coverage.name, date=report.generated_at.strftime("%d/%m/%Y")
    )
    ctx.attach(Reply(caption, photo=coverage_chart(report), filename="bieu-do.png"))


async def export(ctx: Context) -> None:
    """Ask which file to export (/xuatbaocao)."""
    ctx.ask(
        t.EXPORT_ASK,
        [Option(t.EXPORT_XLSX, "xuat:xlsx"), Option(t.EXPORT_DOCX, "xuat:docx")],
    )


async def on_export(ctx: Context) -> None:
    """Send the chosen report file as a document."""
    report = await _report(ctx)
    if report is None:
        return
    reply = report_file(report, ctx.args)
    if reply is not None:
        ctx.attach(reply)


def report_file(report: CommuneReport, kind: str) -> Reply | None:
    """Build the .xlsx or .docx reply for a report."""
    from bot.stats.exports import commune_report_docx, coverage_xlsx

    stamp = report.generated_at.strftime("%Y%m%d")
    slug = "".join(ch for ch in _ascii(report.coverage.name) if ch.isalnum())
    when = report.generated_at.strftime("%d/%m/%Y")
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


def _ascii(text: str) -> str:
    return fold(text).replace(" ", "-")


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
            at=s.submitted_at.strftime("%d/%m %H:%M") if s.submitted_at else "",
            paper=" (bản giấy)" if s.method == "paper" else "",
        )
        for s in done
    ] + [t.MISSING_LINE.format(village=s.village) for s in missing]
    ctx.say(
        t.SUBMISSIONS.format(
            title=report.deadline_title,
            due=report.deadline_due.strftime("%d/%m/%Y"),
            lines="\n".join(lines),
            done=len(done),
            total=len(report.submissions),
        )
    )
