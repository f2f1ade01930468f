"""Commands that report: statistics, the chart and the report files."""

from __future__ import annotations

import csv
import io
import json
import sys
from datetime import datetime
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any

import typer
from sqlalchemy import select

from bot import formats as f
from bot.app import build_app
from bot.cli import (
    CliError,
    app,
    commune_named,
    default_output,
    run,
    settings,
    write_file,
)
from bot.config import Settings
from bot.stats.cells import as_data
from bot.stats.coverage import SOURCES, CommuneCoverage, commune_coverage, stats_json


# --- stats ----------------------------------------------------------------------------------
class StatsFormat(StrEnum):
    """Output formats of `hocvuso stats`."""

    table = "table"
    json = "json"
    csv = "csv"
    xlsx = "xlsx"


class ReportFormat(StrEnum):
    """Formats of `hocvuso report`."""

    docx = "docx"
    xlsx = "xlsx"


async def _reports(s: Settings, commune: str | None) -> list[Any]:
    from bot.stats.report import build_commune_report
    from bot.storage.models import Commune

    async with build_app(s) as a, a.sessions() as session:
        if commune is not None:
            rows = [await commune_named(session, commune)]
        else:
            rows = list(await session.scalars(select(Commune).order_by(Commune.name)))
        now = datetime.now(s.tz)
        return [await build_commune_report(session, row.id, now) for row in rows]


class ReportKind(StrEnum):
    """What `hocvuso report` writes."""

    commune = "commune"
    emulation = "emulation"
    awards = "awards"


async def _emulation(
    s: Settings, commune: str | None, kind: ReportKind, years: tuple[int, int], as_docx: bool
) -> bytes:
    """Build an emulation, award or period file (Word or Excel)."""
    from bot.stats import emulation_files as files
    from bot.stats.awards import award_proposals
    from bot.stats.emulation import YearError, emulation_period
    from bot.storage.models import Commune

    async with build_app(s) as a, a.sessions() as session:
        if commune is not None:
            row = await commune_named(session, commune)
        else:
            rows = list(await session.scalars(select(Commune).order_by(Commune.name).limit(2)))
            if not rows:
                raise CliError("no commune yet: add one with `hocvuso commune add`")
            if len(rows) > 1:
                raise CliError("several communes: name one with --commune")
            row = rows[0]
        now = datetime.now(s.tz)
        first, last = years
        try:
            if kind is ReportKind.awards:
                data, proposals = await award_proposals(session, row.id, last, now)
                if as_docx:
                    return files.awards_docx(data, proposals)
                return files.awards_xlsx(data, proposals)
            period = await emulation_period(session, row.id, first, last, now)
        except YearError as error:
            raise CliError(f"cannot report: {error}") from None
        for data in period:
            typer.echo(f"Year {data.year}: figures ready", err=True)
        if len(period) == 1:
            one = period[0]
            return files.emulation_docx(one) if as_docx else files.emulation_xlsx(one)
        return files.period_docx(period) if as_docx else files.period_xlsx(period)


@app.command("report")
def report(
    format: Annotated[ReportFormat, typer.Option("--format", "-f")] = ReportFormat.docx,  # noqa: A002
    output: Annotated[Path | None, typer.Option("--output", "-o")] = None,
    commune: Annotated[str | None, typer.Option(help="Commune (if there are several)")] = None,
    kind: Annotated[
        ReportKind,
        typer.Option(help="commune: figures now; emulation: the year's report; awards: proposal"),
    ] = ReportKind.commune,
    year: Annotated[int | None, typer.Option(help="Year (default: this year)")] = None,
    first: Annotated[
        int | None, typer.Option("--from", help="First year of a period report")
    ] = None,
    last: Annotated[int | None, typer.Option("--to", help="Last year of a period report")] = None,
) -> None:
    """Write a report: the commune's figures, the emulation report or the award proposal."""
    from bot.stats.exports import commune_report_docx, coverage_xlsx

    s = settings()
    if first is not None or last is not None:
        if kind is ReportKind.awards:
            raise CliError("the award proposal is for one year: use --year, not --from/--to")
        if year is not None:
            raise CliError("use either --year or --from/--to")
        kind = ReportKind.emulation
    if kind is not ReportKind.commune:
        this_year = datetime.now(s.tz).year
        span = (first or last or year or this_year, last or first or year or this_year)
        as_docx = format is ReportFormat.docx
        data = run(_emulation(s, commune, kind, span, as_docx))
        years = str(span[0]) if span[0] == span[1] else f"{span[0]}-{span[1]}"
        name = {"emulation": "thi-dua", "awards": "khen-thuong"}[kind.value]
        write_file(output or default_output(f"{name}-{years}.{format.value}"), data)
        return
    if year is not None:
        raise CliError("--year goes with --kind emulation or --kind awards")
    reports = run(_reports(s, commune))
    if not reports:
        raise CliError("no commune yet: add one with `hocvuso commune add`")
    if format is ReportFormat.docx:
        if len(reports) > 1:
            raise CliError("several communes: name one with --commune")
        data = commune_report_docx(reports[0])
    else:
        data = coverage_xlsx(reports)
    stamp = reports[0].generated_at.strftime("%Y%m%d")
    write_file(output or default_output(f"bao-cao-{stamp}.{format.value}"), data)


@app.command("chart")
def chart(
    output: Annotated[Path | None, typer.Option("--output", "-o")] = None,
    commune: Annotated[str | None, typer.Option(help="Commune (if there are several)")] = None,
) -> None:
    """Draw the coverage chart by village (PNG)."""
    from bot.stats.charts import coverage_chart

    reports = run(_reports(settings(), commune))
    if len(reports) != 1:
        raise CliError("name one commune with --commune" if reports else "no commune yet")
    write_file(output or default_output("bieu-do.png"), coverage_chart(reports[0]))


def _pct(value: float | None) -> str:
    return f.percent(value)


def _met(value: bool | None) -> str:
    return "—" if value is None else ("đạt" if value else "chưa")


CHECK = "cần kiểm tra"


def render_table(communes: list[CommuneCoverage]) -> str:
    """Render coverage as an aligned text table per commune."""
    out = []
    head = ("Thôn", "Tổng hộ", "Hộ đăng ký", "Hộ tham gia", "Tỷ lệ", "Đạt")
    for c in communes:
        rows = [
            (
                v.name,
                f.number(v.households_total) if v.households_total else "chưa khai báo",
                f.number(v.households_registered),
                f.number(v.households_participating),
                CHECK if v.check else _pct(v.coverage_pct),
                CHECK if v.check else _met(v.met),
            )
            for v in c.villages
        ]
        widths = [max(len(r[i]) for r in [head, *rows]) for i in range(len(head))]
        out.append(f"{c.name} ({c.province}) — mục tiêu {c.target_pct}% số hộ")
        for row in [head, *rows]:
            out.append("  ".join(cell.ljust(widths[i]) for i, cell in enumerate(row)))
        out.append(
            f"Toàn xã: {f.number(c.households_participating)}/{f.number(c.households_total)} hộ = "
            f"{_pct(c.coverage_pct)} ({_met(c.met)})"
        )
        if c.villages_to_check:
            out.append(
                "Số liệu cần kiểm tra (quá 100%, chưa tính vào tỷ lệ xã): "
                + ", ".join(c.villages_to_check)
            )
        if c.villages_without_total:
            out.append("Chưa khai báo tổng số hộ: " + ", ".join(c.villages_without_total))
        out.append("")
    return "\n".join(out).rstrip() + "\n" if out else "No commune yet.\n"


def render_csv(communes: list[CommuneCoverage]) -> str:
    """Render one CSV row per village."""
    buf = io.StringIO()
    writer = csv.writer(buf)
    writer.writerow(
        [
            "commune",
            "village",
            "households_total",
            "households_registered",
            "households_participating",
            "coverage_pct",
            "met",
            "learners",
            "lessons_completed",
            "check",
            *(f"by_source_{k}" for k in SOURCES),
        ]
    )
    for c in communes:
        for v in c.villages:
            writer.writerow(
                as_data(cell)
                for cell in [
                    c.name,
                    v.name,
                    "" if v.households_total is None else v.households_total,
                    v.households_registered,
                    v.households_participating,
                    "" if v.coverage_pct is None else v.coverage_pct,
                    "" if v.met is None else str(v.met).lower(),
                    v.learners,
                    v.lessons_completed,
                    str(v.check).lower(),
                    *(v.by_source[k] for k in SOURCES),
                ]
            )
    return buf.getvalue()


@app.command("stats")
def stats(
    commune: Annotated[str | None, typer.Option(help="Only this commune")] = None,
    format: Annotated[StatsFormat, typer.Option("--format", "-f")] = StatsFormat.table,  # noqa: A002
    output: Annotated[Path | None, typer.Option("--output", "-o")] = None,
) -> None:
    """Print participation coverage by village against the 60% target."""

    async def go() -> tuple[
        list[CommuneCoverage],
        datetime,
        list[dict[str, Any]],
        list[list[dict[str, Any]]],
        list[list[dict[str, Any]]],
    ]:
        from bot.stats.cohorts import cohort_indicators
        from bot.stats.units import units_json
        from bot.storage.models import Commune
        from bot.storage.tickets import ticket_counts

        s = settings()
        async with build_app(s) as a, a.sessions() as session:
            rows = await commune_coverage(session)
            if commune:
                from bot.text import fold

                rows = [c for c in rows if fold(commune) in (fold(c.name), c.name)]
                if not rows:
                    raise CliError(f"commune {commune!r} not found")
            tickets = [(await ticket_counts(session, c.id)).as_json() for c in rows]
            now = datetime.now(s.tz)
            cohorts = []
            for c in rows:
                row = await session.get(Commune, c.id)
                assert row is not None  # just listed
                found = await cohort_indicators(session, row, now.year)
                cohorts.append([k.as_json() for k in found])
            units = [await units_json(session, c.id, now) for c in rows]
            return rows, now, tickets, cohorts, units

    if format is StatsFormat.xlsx:
        from bot.stats.exports import coverage_xlsx

        reports = run(_reports(settings(), commune))
        write_file(output or default_output("thong-ke.xlsx"), coverage_xlsx(reports))
        return
    rows, now, tickets, cohorts, units = run(go())
    if format is StatsFormat.json:
        document = stats_json(rows, now)
        for entry, counts, found, unit_rows in zip(
            document["communes"], tickets, cohorts, units, strict=True
        ):
            entry["tickets"] = counts
            entry["cohorts"] = found
            entry["units"] = unit_rows
        text = json.dumps(document, ensure_ascii=False, indent=2) + "\n"
    elif format is StatsFormat.csv:
        text = render_csv(rows)
    else:
        text = render_table(rows)
    if output:
        output.write_text(text, encoding="utf-8")
        typer.echo(f"Written: {output}")
    else:
        sys.stdout.write(text)
