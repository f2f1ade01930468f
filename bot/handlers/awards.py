"""Commune staff decide the year's award proposals (/khenthuong) and export the files."""

from __future__ import annotations

from dataclasses import dataclass
from zoneinfo import ZoneInfo

from bot.core.context import Context
from bot.core.messages import Option, Reply
from bot.core.routes import Payload, Routes
from bot.handlers import texts_awards as t
from bot.handlers import texts_staff as ts
from bot.handlers.paging import page_of
from bot.handlers.staff import STAFF_ONLY, commune_of, file_slug
from bot.stats.awards import DECLINE, PROPOSE, Proposal, award_proposals, decide
from bot.stats.emulation import EmulationYear, YearError
from bot.storage.models import Commune

routes = Routes()
PAGE = 6  # six proposals with their evidence stay well inside one chat message
CHOICES = {"p": PROPOSE, "d": DECLINE, "u": None}
DEFAULT_ZONE = "Asia/Ho_Chi_Minh"


@dataclass(frozen=True)
class AwardPage(Payload, prefix="ktp"):
    """One page of the year's proposals."""

    year: int
    page: int = 0


@dataclass(frozen=True)
class AwardOpen(Payload, prefix="kto"):
    """One proposal, by the parts of its AwardDecision key ("nom:12:0" → nom, 12, 0)."""

    year: int
    origin: str
    a: int
    b: int = 0


@dataclass(frozen=True)
class AwardMark(Payload, prefix="ktm"):
    """Staff's decision on one proposal: p (đề nghị), d (không đề nghị), u (chưa xét)."""

    year: int
    origin: str
    a: int
    b: int
    choice: str


@dataclass(frozen=True)
class AwardFile(Payload, prefix="ktf"):
    """The award proposal as a file: docx or xlsx."""

    year: int
    kind: str


def key_of(origin: str, a: int, b: int) -> str:
    """The AwardDecision key of a proposal from its payload parts."""
    return f"nom:{a}:{b}" if origin == "nom" else f"{origin}:{a}"


def parts_of(key: str) -> tuple[str, int, int]:
    """The payload parts of an AwardDecision key."""
    origin, *numbers = key.split(":")
    values = [int(n) for n in numbers] + [0, 0]
    return origin, values[0], values[1]


async def _load(ctx: Context, year: int) -> tuple[EmulationYear, list[Proposal]] | None:
    commune_id = await commune_of(ctx)
    if commune_id is None:
        ctx.say(ts.NO_COMMUNE)
        return None
    try:
        return await award_proposals(ctx.session, commune_id, year, ctx.now)
    except YearError:
        ctx.say(t.BAD_YEAR.format(typed=year, year=await this_year(ctx)))
        return None


async def this_year(ctx: Context) -> int:
    """The current year in the commune's time zone."""
    commune_id = await commune_of(ctx)
    commune = await ctx.session.get(Commune, commune_id) if commune_id else None
    return ctx.now.astimezone(ZoneInfo(commune.timezone if commune else DEFAULT_ZONE)).year


def _short(text: str, size: int = 40) -> str:
    return text if len(text) <= size else text[: size - 1].rstrip() + "…"


async def show_list(ctx: Context, year: int, number: int, note: str = "") -> None:
    """Show one page of the proposals with their evidence and decision."""
    loaded = await _load(ctx, year)
    if loaded is None:
        return
    data, proposals = loaded
    if not proposals:
        ctx.say(f"{note}\n\n{t.NONE.format(year=year, target=data.target_pct)}".strip())
        return
    page = page_of(proposals, number, PAGE)
    lines = [
        t.LINE.format(
            i=i,
            mark=t.MARKS[p.decision],
            who=p.who,
            achievement=p.achievement or "—",
            evidence=p.evidence,
        )
        for i, p in enumerate(page.items, start=1)
    ]
    text = t.LIST.format(
        year=year,
        commune=data.commune,
        page=f" ({page.label})" if page.label else "",
        count=len(proposals),
        proposed=sum(1 for p in proposals if p.decision == PROPOSE),
        declined=sum(1 for p in proposals if p.decision == DECLINE),
        undecided=sum(1 for p in proposals if p.decision is None),
        lines="\n".join(lines),
    )
    options = page.options(
        lambda p: Option(
            f"{t.MARKS[p.decision].split()[0]} {_short(p.name)} · "
            + t.ORIGIN_TAGS.get(p.key.partition(":")[0], ""),
            AwardOpen(year, *parts_of(p.key)).pack(),
        ),
        lambda n: AwardPage(year, n).pack(),
    )
    options += [
        Option(t.FILE_DOCX, AwardFile(year, "docx").pack()),
        Option(t.FILE_XLSX, AwardFile(year, "xlsx").pack()),
    ]
    ctx.ask(f"{note}\n\n{text}".strip(), options)


@routes.command("khenthuong", "khen thuong", access=STAFF_ONLY, takes_args=True)
async def awards(ctx: Context) -> None:
    """List the year's award proposals to decide (/khenthuong [năm])."""
    typed = ctx.args.strip()
    year = await this_year(ctx)
    if typed:
        if not (typed.isdecimal() and len(typed) == 4):
            ctx.say(t.BAD_YEAR.format(typed=typed[:20], year=year))
            return
        year = int(typed)
    await show_list(ctx, year, 0)


@routes.button(AwardPage, access=STAFF_ONLY)
async def on_page(ctx: Context) -> None:
    """Show another page of the proposals."""
    chosen = ctx.payload
    assert isinstance(chosen, AwardPage)
    await show_list(ctx, chosen.year, chosen.page)


def _find(proposals: list[Proposal], key: str) -> tuple[int, Proposal] | None:
    return next(((i, p) for i, p in enumerate(proposals) if p.key == key), None)


@routes.button(AwardOpen, access=STAFF_ONLY)
async def on_open(ctx: Context) -> None:
    """Show one proposal and ask whether the commune proposes it."""
    chosen = ctx.payload
    assert isinstance(chosen, AwardOpen)
    loaded = await _load(ctx, chosen.year)
    if loaded is None:
        return
    _, proposals = loaded
    found = _find(proposals, key_of(chosen.origin, chosen.a, chosen.b))
    if found is None:
        await show_list(ctx, chosen.year, 0, t.GONE)
        return
    index, p = found
    parts = (chosen.year, *parts_of(p.key))
    ctx.ask(
        t.DETAIL.format(
            who=p.who,
            achievement=p.achievement or "—",
            evidence=p.evidence,
            mark=t.MARKS[p.decision],
        ),
        [
            Option(t.PROPOSE, AwardMark(*parts, "p").pack()),
            Option(t.DECLINE, AwardMark(*parts, "d").pack()),
            Option(t.UNDECIDE, AwardMark(*parts, "u").pack()),
            Option(t.BACK, AwardPage(chosen.year, index // PAGE).pack()),
        ],
    )


@routes.button(AwardMark, access=STAFF_ONLY)
async def on_mark(ctx: Context) -> None:
    """Record staff's decision on one proposal, then show its page again."""
    chosen = ctx.payload
    assert isinstance(chosen, AwardMark)
    loaded = await _load(ctx, chosen.year)
    if loaded is None:
        return
    data, proposals = loaded
    found = _find(proposals, key_of(chosen.origin, chosen.a, chosen.b))
    if found is None or chosen.choice not in CHOICES:
        await show_list(ctx, chosen.year, 0, t.GONE)
        return
    index, p = found
    decision = CHOICES[chosen.choice]
    await decide(ctx.session, data.commune_id, chosen.year, p.key, decision, ctx.user.id, ctx.now)
    await ctx.session.flush()
    await show_list(ctx, chosen.year, index // PAGE, t.MARKED[decision].format(name=p.name))


@routes.button(AwardFile, access=STAFF_ONLY)
async def on_file(ctx: Context) -> None:
    """Send the award proposal as a Word or Excel file."""
    chosen = ctx.payload
    assert isinstance(chosen, AwardFile)
    loaded = await _load(ctx, chosen.year)
    if loaded is None:
        return
    reply = awards_file(*loaded, chosen.kind)
    if reply is not None:
        ctx.attach(reply)


def awards_file(data: EmulationYear, proposals: list[Proposal], kind: str) -> Reply | None:
    """Build the award proposal's .docx or .xlsx reply."""
    from bot.stats.emulation_files import awards_docx, awards_xlsx

    if kind not in ("docx", "xlsx"):
        return None
    build = awards_docx if kind == "docx" else awards_xlsx
    caption = t.FILE_CAPTION.format(year=data.year, commune=data.commune)
    name = f"khen-thuong-{file_slug(data.commune)}-{data.year}.{kind}"
    return Reply(caption, document=build(data, proposals), filename=name)
