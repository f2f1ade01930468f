"""Signing in through a one-time link, and signing out."""

from __future__ import annotations

import aiohttp_jinja2
from aiohttp import web

from bot.board import texts as t
from bot.board.auth import csrf_matches, end_session, link_is_open, redeem_link
from bot.board.guard import (
    CONFIG,
    clear_session_cookie,
    now,
    set_session_cookie,
    signed_in,
)
from bot.storage import db


def _plausible(token: str) -> bool:
    """Tell whether a token could be one of ours (saves a query on junk)."""
    return 20 <= len(token) <= 64 and all(c.isalnum() or c in "-_" for c in token)


async def confirm(request: web.Request) -> web.Response:
    """Show the sign-in button (a GET must not use the link: chat apps preview links)."""
    token = request.match_info["token"]
    is_open = False
    if _plausible(token):
        async with request.app[CONFIG].sessions() as session:
            is_open = await link_is_open(session, token, now())
    context = {"who": None, "t": t, "token": token if is_open else None}
    response = aiohttp_jinja2.render_template(
        "sign_in.html", request, context, status=200 if is_open else 410
    )
    response.headers["Cache-Control"] = "no-store"
    return response


async def sign_in(request: web.Request) -> web.StreamResponse:
    """Use the link once, open a session for its owner and set the cookie."""
    form = await request.post()
    token = form.get("token")
    session_token = None
    if isinstance(token, str) and _plausible(token):
        async with db.transaction(request.app[CONFIG].sessions) as session:
            session_token = await redeem_link(session, token, now())
    if session_token is None:
        return aiohttp_jinja2.render_template(
            "sign_in.html", request, {"who": None, "t": t, "token": None}, status=410
        )
    response = web.Response(status=303, headers={"Location": "/bang/"})
    set_session_cookie(response, session_token, request.app[CONFIG].secure_cookies)
    return response


async def sign_out(request: web.Request) -> web.StreamResponse:
    """End the session (the CSRF token must match) and forget the cookie."""
    who = await signed_in(request)
    form = await request.post()
    given = form.get("csrf")
    if who is not None:
        if not csrf_matches(who.token, given if isinstance(given, str) else None):
            return aiohttp_jinja2.render_template(
                "error.html", request, {"who": who, "t": t, "message": t.BAD_FORM}, status=403
            )
        async with db.transaction(request.app[CONFIG].sessions) as session:
            await end_session(session, who.session_id, now())
    response = aiohttp_jinja2.render_template(
        "signed_out.html", request, {"who": None, "t": t, "done": True}
    )
    clear_session_cookie(response)
    return response
