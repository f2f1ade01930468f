"""The /web command: a one-time link that signs a staff member or village head in to the board."""

from __future__ import annotations

from bot.board import texts as t
from bot.board.auth import TooManyLinks, create_link, link_url
from bot.config import Settings
from bot.core.auth import ADMIN, STAFF, VILLAGE_HEAD
from bot.core.context import Context
from bot.core.routes import Routes, roles

routes = Routes()


@routes.command("web", "bang theo doi", access=roles(VILLAGE_HEAD, STAFF, ADMIN))
async def web_link(ctx: Context) -> None:
    """Send a sign-in link to the web board, valid 10 minutes and for one use (/web)."""
    base = Settings().public_base()  # fields come from the environment
    if base is None:
        ctx.say(t.WEB_NO_URL)
        return
    try:
        token = await create_link(ctx.session, ctx.user, ctx.now)
    except TooManyLinks:
        ctx.say(t.WEB_TOO_MANY)
        return
    ctx.say(t.WEB_LINK.format(url=link_url(base, token)))
