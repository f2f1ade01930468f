"""The board's plumbing: the session cookie, role checks, CSRF and security headers."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import aiohttp_jinja2
from aiohttp import web
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.board import texts as t
from bot.board.auth import SESSION_TTL, SignedIn, csrf_matches, find_session

log = logging.getLogger(__name__)

COOKIE = "hocvuso_board"
STAFF_CSP = (
    "default-src 'none'; style-src 'self'; img-src 'self' data:; form-action 'self'; "
    "base-uri 'none'; frame-ancestors 'none'"
)
Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


@dataclass
class BoardConfig:
    """What the board needs to know about where it runs."""

    sessions: async_sessionmaker[AsyncSession]
    secure_cookies: bool  # the public address is https
    public_base: str | None


CONFIG: web.AppKey[BoardConfig] = web.AppKey("board_config", BoardConfig)
USER: str = "board_user"


def now() -> datetime:
    """Return the current time (UTC, timezone-aware)."""
    return datetime.now(UTC)


def public_csp(origins: list[str]) -> str:
    """Return the public board's policy: embeddable only where staff allowed it."""
    ancestors = " ".join(["'self'", *origins])
    return (
        "default-src 'none'; style-src 'self'; img-src 'self' data:; form-action 'none'; "
        f"base-uri 'none'; frame-ancestors {ancestors}"
    )


BOARD_PATHS = ("/bang", "/cong-khai")


@web.middleware
async def security_headers(request: web.Request, handler: Handler) -> web.StreamResponse:
    """Add the security headers to every board response (the public board sets its own CSP).

    A failure of ours on a board page becomes a kind page ("Hệ thống đang bận"), logged with
    its stack, never a traceback or a bare error.
    """
    if not request.path.startswith(BOARD_PATHS):
        return await handler(request)
    try:
        response = await handler(request)
    except web.HTTPException:
        raise
    except Exception:
        # The route, not the path: a sign-in link's path is the credential itself.
        log.exception("web board: %s %s failed", request.method, _route_of(request))
        response = aiohttp_jinja2.render_template(
            "error.html", request, {"who": None, "t": t, "message": t.BUSY}, status=503
        )
    if request.path.startswith(BOARD_PATHS):
        response.headers.setdefault("Content-Security-Policy", STAFF_CSP)
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("Referrer-Policy", "no-referrer")
        if "frame-ancestors 'none'" in response.headers["Content-Security-Policy"]:
            response.headers.setdefault("X-Frame-Options", "DENY")
        if request.path.startswith("/bang") and not request.path.endswith(".css"):
            response.headers.setdefault("Cache-Control", "no-store")
    return response


def set_session_cookie(response: web.StreamResponse, token: str, secure: bool) -> None:
    """Hand the browser its session token: HttpOnly, SameSite=Lax, 8 hours, Secure on https."""
    response.set_cookie(
        COOKIE,
        token,
        max_age=int(SESSION_TTL.total_seconds()),
        path="/bang",
        httponly=True,
        samesite="Lax",
        secure=secure,
    )


def clear_session_cookie(response: web.StreamResponse) -> None:
    """Tell the browser to forget its session."""
    response.del_cookie(COOKIE, path="/bang")


async def signed_in(request: web.Request) -> SignedIn | None:
    """Return who is signed in on this request, None when nobody (or the session ended)."""
    token = request.cookies.get(COOKIE)
    if not token or len(token) > 100:
        return None
    config = request.app[CONFIG]
    async with config.sessions() as session:
        return await find_session(session, token, now())


def page(template: str, roles: tuple[str, ...]) -> Callable[[Any], Handler]:
    """Guard a page: signed in, holding one of `roles`, and POSTs carrying the CSRF token."""

    def wrap(view: Callable[[web.Request, SignedIn], Awaitable[dict[str, Any]]]) -> Handler:
        async def handler(request: web.Request) -> web.StreamResponse:
            who = await signed_in(request)
            if who is None:
                return aiohttp_jinja2.render_template(
                    "signed_out.html", request, {"who": None, "t": t}, status=401
                )
            if who.user.role not in roles:
                return forbidden(request, who)
            if request.method == "POST":
                form = await request.post()
                given = form.get("csrf")
                if not csrf_matches(who.token, given if isinstance(given, str) else None):
                    return aiohttp_jinja2.render_template(
                        "error.html",
                        request,
                        {"who": who, "t": t, "message": t.BAD_FORM},
                        status=403,
                    )
            context = await view(request, who)
            if isinstance(context, web.StreamResponse):
                return context
            context.setdefault("who", who)
            context.setdefault("t", t)
            return aiohttp_jinja2.render_template(template, request, context)

        return handler

    return wrap


def forbidden(request: web.Request, who: SignedIn | None) -> web.Response:
    """Answer a page the person may not see, kindly, with a way back."""
    return aiohttp_jinja2.render_template(
        "error.html", request, {"who": who, "t": t, "message": t.FORBIDDEN}, status=403
    )


def not_found(request: web.Request, who: SignedIn | None) -> web.Response:
    """Answer an address that does not exist, kindly, with a way back."""
    return aiohttp_jinja2.render_template(
        "error.html", request, {"who": who, "t": t, "message": t.NOT_FOUND}, status=404
    )


def _route_of(request: web.Request) -> str:
    """The page's route as declared (`/bang/dang-nhap/{token}`), never the path asked for."""
    resource = request.match_info.route.resource
    return resource.canonical if resource is not None else "?"
