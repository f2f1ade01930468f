"""The signed-in pages: the commune overview, a village, reports, downloads and notices."""

from __future__ import annotations

from typing import Any

from aiohttp import web
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.board.auth import SignedIn
from bot.board.guard import CONFIG, forbidden, not_found, now, page
from bot.board.svg import ranked, trend_line, village_bars
from bot.core.auth import ADMIN, STAFF, VILLAGE_HEAD, sees_commune, sees_village
from bot.stats.coverage import VillageCoverage
from bot.stats.report import CommuneReport, build_commune_report
from bot.storage.models import Broadcast, Commune, Household, OutboxMessage, Village

STAFF_ROLES = (STAFF, ADMIN)
ALL_ROLES = (STAFF, ADMIN, VILLAGE_HEAD)
PAGE = 50


async def _commune_id(
    request: web.Request, session: AsyncSession, who: SignedIn
) -> int | None | list[Commune]:
    """Return the commune a staff member sees; an admin of several chooses (?xa=ID)."""
    if who.user.role == STAFF:
        return who.user.scope_commune_id
    wanted = request.query.get("xa", "")
    if wanted.isdecimal() and await session.get(Commune, int(wanted)) is not None:
        return int(wanted)
    communes = list(await session.scalars(select(Commune).order_by(Commune.name)))
    if len(communes) == 1:
        return communes[0].id
    return communes


async def _staff_report(
    request: web.Request, who: SignedIn
) -> tuple[CommuneReport | None, dict[str, Any] | web.StreamResponse]:
    """Build the report of the commune the page is about, or the page to show instead."""
    async with request.app[CONFIG].sessions() as session:
        found = await _commune_id(request, session, who)
        if isinstance(found, list):
            return None, {"choices": found, "choose": True}
        if found is None or not sees_commune(who.user, found):
            return None, forbidden(request, who)
        report = await build_commune_report(session, found, now())
    return report, {"report": report, "query": _keep(request, who)}


def _keep(request: web.Request, who: SignedIn) -> str:
    """Return the ?xa=ID an admin carries from page to page."""
    wanted = request.query.get("xa", "")
    return f"?xa={wanted}" if who.user.role == ADMIN and wanted.isdecimal() else ""


@page("overview.html", ALL_ROLES)
async def overview(request: web.Request, who: SignedIn) -> Any:
    """Show the commune at a glance: coverage, villages ranked, the trend, cohorts."""
    if who.user.role == VILLAGE_HEAD:
        raise web.HTTPSeeOther(f"/bang/thon/{who.user.scope_village_id}")
    report, context = await _staff_report(request, who)
    if report is None:
        return context
    assert isinstance(context, dict)
    context.update(overview_context(report))
    return context


def overview_context(report: CommuneReport) -> dict[str, Any]:
    """Return what the overview shows of a commune report: figures, ranking and charts."""
    c = report.coverage
    return {
        "report": report,
        "c": c,
        "ranking": ranked(c),
        "bars": village_bars(c, f"Tỷ lệ hộ tham gia theo thôn, {c.name}"),
        "trend": trend_line(report.trend, c.target_pct, "Tỷ lệ hộ tham gia 12 tuần qua"),
        "need": max(0, -(-c.target_pct * c.households_total // 100) - c.households_participating),
    }


@page("village.html", ALL_ROLES)
async def village(request: web.Request, who: SignedIn) -> Any:
    """Show one village: its figures, report status and (for its head) households to visit."""
    raw = request.match_info["village_id"]
    async with request.app[CONFIG].sessions() as session:
        row = await session.get(Village, int(raw)) if raw.isdecimal() else None
        if row is None:
            return not_found(request, who)
        if not sees_village(who.user, row):
            return forbidden(request, who)
        report = await build_commune_report(session, row.commune_id, now())
        figures = next(v for v in report.coverage.villages if v.id == row.id)
        status = next((s for s in report.submissions if s.village == row.name), None)
        waiting: list[Household] = []
        count, page_no, pages = 0, 0, 1
        if who.user.role == VILLAGE_HEAD:
            where = (Household.village_id == row.id, Household.participating_since.is_(None))
            count = await session.scalar(select(func.count(Household.id)).where(*where)) or 0
            pages = max(1, -(-count // PAGE))
            wanted = request.query.get("trang", "1")
            page_no = (
                min(int(wanted) - 1, pages - 1) if wanted.isdecimal() and wanted != "0" else 0
            )
            waiting = list(
                await session.scalars(
                    select(Household)
                    .where(*where)
                    .order_by(Household.code, Household.head_name_folded)
                    .offset(page_no * PAGE)
                    .limit(PAGE)
                )
            )
    return {
        **village_context(report, figures),
        "status": status,
        "waiting": waiting,
        "waiting_count": count,
        "page_no": page_no + 1,
        "pages": pages,
        "first": page_no * PAGE + 1,
        "query": _keep(request, who),
    }


def village_context(report: CommuneReport, figures: VillageCoverage) -> dict[str, Any]:
    """Return what a village page shows of the commune report."""
    target = report.coverage.target_pct
    need = 0
    if figures.households_total:
        need = max(
            0, -(-target * figures.households_total // 100) - figures.households_participating
        )
    return {"report": report, "v": figures, "need": need}


@page("reports.html", STAFF_ROLES)
async def reports(request: web.Request, who: SignedIn) -> Any:
    """Show who has reported for the current deadline, when and how."""
    report, context = await _staff_report(request, who)
    if report is not None:
        assert isinstance(context, dict)
        context["done"] = sum(1 for s in report.submissions if s.submitted_at)
    return context


@page("downloads.html", STAFF_ROLES)
async def downloads(request: web.Request, who: SignedIn) -> Any:
    """List the files staff can download."""
    _report, context = await _staff_report(request, who)
    return context


@page("error.html", STAFF_ROLES)
async def download(request: web.Request, who: SignedIn) -> Any:
    """Send one file: the Excel table, the Word draft or the chart."""
    from bot.handlers.staff import report_file
    from bot.stats.charts import coverage_chart

    report, context = await _staff_report(request, who)
    if report is None:
        return context
    kind = request.match_info["kind"]
    if kind == "png":
        stamp = report.generated_at.strftime("%Y%m%d")
        data, name, mime = coverage_chart(report), f"bieu-do-{stamp}.png", "image/png"
    else:
        reply = report_file(report, kind)
        if reply is None or reply.document is None:
            return not_found(request, who)
        data, name = reply.document, reply.filename or f"bao-cao.{kind}"
        mime = {
            "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        }[kind]
    return web.Response(
        body=data,
        content_type=mime,
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )


@page("notices.html", STAFF_ROLES)
async def notices(request: web.Request, who: SignedIn) -> Any:
    """Show the commune's latest notices and how far each has been delivered."""
    async with request.app[CONFIG].sessions() as session:
        found = await _commune_id(request, session, who)
        if isinstance(found, list):
            return {"choices": found, "choose": True}
        if found is None or not sees_commune(who.user, found):
            return forbidden(request, who)
        commune = await session.get(Commune, found)
        rows = list(
            await session.scalars(
                select(Broadcast)
                .where(Broadcast.commune_id == found)
                .order_by(Broadcast.created_at.desc())
                .limit(20)
            )
        )
        counts: dict[int, dict[str, int]] = {b.id: {} for b in rows}
        if rows:
            for broadcast_id, status, n in (
                await session.execute(
                    select(OutboxMessage.broadcast_id, OutboxMessage.status, func.count())
                    .where(OutboxMessage.broadcast_id.in_(list(counts)))
                    .group_by(OutboxMessage.broadcast_id, OutboxMessage.status)
                )
            ).all():
                if broadcast_id is not None:
                    counts[broadcast_id][status] = n
    zone = commune.timezone if commune else "Asia/Ho_Chi_Minh"
    return {
        "commune": commune,
        "notices": [(b, counts[b.id]) for b in rows],
        "zone": zone,
        "query": _keep(request, who),
    }
