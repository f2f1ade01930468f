"""Signing in through a one-time link, and signing out."""

from __future__ import annotations

import hmac
import secrets

import aiohttp_jinja2
from aiohttp import web

from bot.board import texts as t
from bot.board.auth import LINK_TTL, csrf_matches, end_session, link_is_open, redeem_link
from bot.board.guard import (
    CONFIG,
    clear_session_cookie,
    now,
    set_session_cookie,
    signed_in,
)
from bot.storage import db

FORM_COOKIE = "hocvuso_dang_nhap"


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
    # The button's form carries a one-off value that is also set as a cookie only our pages
    # send: another site cannot post a link of its choosing and sign a visitor in to it.
    form = secrets.token_urlsafe(24) if is_open else None
    context = {"who": None, "t": t, "token": token if is_open else None, "form": form}
    response = aiohttp_jinja2.render_template(
        "sign_in.html", request, context, status=200 if is_open else 410
    )
    response.headers["Cache-Control"] = "no-store"
    if form is not None:
        response.set_cookie(
            FORM_COOKIE,
            form,
            max_age=int(LINK_TTL.total_seconds()),
            path="/bang/dang-nhap",
            httponly=True,
            samesite="Strict",
            secure=request.app[CONFIG].secure_cookies,
        )
    return response


def _from_our_page(request: web.Request, given: object) -> bool:
    """Tell whether a sign-in form came from our confirm page (its value matches the cookie)."""
    kept = request.cookies.get(FORM_COOKIE)
    if not kept or not isinstance(given, str):
        return False
    return hmac.compare_digest(kept.encode(), given.encode())


async def sign_in(request: web.Request) -> web.StreamResponse:
    """Use the link once, open a session for its owner and set the cookie."""
    form = await request.post()
    if not _from_our_page(request, form.get("form")):
        return aiohttp_jinja2.render_template(
            "error.html", request, {"who": None, "t": t, "message": t.BAD_FORM}, status=403
        )
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
    response.del_cookie(FORM_COOKIE, path="/bang/dang-nhap")
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
