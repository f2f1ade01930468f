"""The web board: signed-in pages for staff and village heads, and the public board."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import aiohttp_jinja2
import jinja2
from aiohttp import web
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.board import pages, signin
from bot.board import texts as t
from bot.board.guard import CONFIG, BoardConfig, public_csp, security_headers
from bot.board.public import NO_BOARD, PublicCache, could_be_slug
from bot.board.svg import pct_text
from bot.config import Settings

HERE = Path(__file__).resolve().parent
CSS = (HERE / "static" / "board.css").read_bytes
PUBLIC_CACHE: web.AppKey[PublicCache] = web.AppKey("public_cache", PublicCache)


def local_time(moment: datetime | None, zone: str = "Asia/Ho_Chi_Minh") -> str:
    """Format a moment in the commune's time zone: 05/12/2026 08:30."""
    if moment is None:
        return "—"
    return moment.astimezone(ZoneInfo(zone)).strftime("%d/%m/%Y %H:%M")


def number(n: int) -> str:
    """Format a count the Vietnamese way: 1.234."""
    return f"{n:,}".replace(",", ".")


def add_filters(env: jinja2.Environment) -> jinja2.Environment:
    """Give the templates our formats: local time, percentages and counts the Vietnamese way."""
    env.filters["local"] = local_time
    env.filters["pct"] = pct_text
    env.filters["number"] = number
    return env


def environment() -> jinja2.Environment:
    """Return the board's templates outside a server (documentation samples)."""
    return add_filters(
        jinja2.Environment(
            loader=jinja2.FileSystemLoader(HERE / "templates"),
            autoescape=jinja2.select_autoescape(default=True),
        )
    )


async def stylesheet(_request: web.Request) -> web.Response:
    """Serve the board's stylesheet (one file, ours)."""
    return web.Response(
        body=CSS(),
        content_type="text/css",
        charset="utf-8",
        headers={"Cache-Control": "public, max-age=3600"},
    )


async def public_board(request: web.Request) -> web.StreamResponse:
    """Show a commune's public board: villages ranked against the target, and the trend."""
    slug = request.match_info["slug"]
    # An address no board can have is answered without a look in the database or the cache.
    entry = await request.app[PUBLIC_CACHE].get(slug) if could_be_slug(slug) else NO_BOARD
    if entry.figures is None:
        response = aiohttp_jinja2.render_template(
            "error.html", request, {"who": None, "t": t, "message": t.PUBLIC_OFF}, status=404
        )
    else:
        response = aiohttp_jinja2.render_template(
            "public.html", request, {"f": entry.figures, "t": t, "who": None}
        )
        response.headers["Cache-Control"] = "public, max-age=60"
    response.headers["Content-Security-Policy"] = public_csp(entry.embed_origins)
    return response


def add_board(
    app: web.Application, sessions: async_sessionmaker[AsyncSession], settings: Settings
) -> None:
    """Add the web board's routes, templates and headers to our aiohttp app."""
    base = settings.public_base()
    app[CONFIG] = BoardConfig(
        sessions=sessions,
        secure_cookies=bool(base and base.startswith("https://")),
        public_base=base,
    )
    app[PUBLIC_CACHE] = PublicCache(sessions)
    add_filters(
        aiohttp_jinja2.setup(
            app,
            loader=jinja2.FileSystemLoader(HERE / "templates"),
            autoescape=jinja2.select_autoescape(default=True),
        )
    )
    app.middlewares.append(security_headers)
    app.router.add_get("/bang/board.css", stylesheet)
    app.router.add_get("/bang/dang-nhap/{token}", signin.confirm)
    app.router.add_post("/bang/dang-nhap", signin.sign_in)
    app.router.add_post("/bang/dang-xuat", signin.sign_out)
    app.router.add_get("/bang", pages.overview)
    app.router.add_get("/bang/", pages.overview)
    app.router.add_get("/bang/thon/{village_id}", pages.village)
    app.router.add_get("/bang/bao-cao", pages.reports)
    app.router.add_get("/bang/tai-ve", pages.downloads)
    app.router.add_get("/bang/tai-ve/{kind}", pages.download)
    app.router.add_get("/bang/thong-bao", pages.notices)
    app.router.add_get("/cong-khai/{slug}", public_board)
