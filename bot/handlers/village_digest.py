"""A village head switches the weekly digest of their village on or off (/bantin)."""

from __future__ import annotations

from dataclasses import dataclass

from bot.core.auth import VILLAGE_HEAD
from bot.core.context import Context
from bot.core.messages import Option
from bot.core.routes import Payload, Routes, roles
from bot.handlers import texts_village as t
from bot.handlers.menu import show_menu
from bot.scheduling.digest import cancel_digests
from bot.text import fold

routes = Routes()
HEAD = roles(VILLAGE_HEAD)
# Typed straight after the command: "/bantin tat", "bantin bat".
OFF_WORDS = {"tat", "off", "ngung", "dung"}
ON_WORDS = {"bat", "on", "mo"}


@dataclass(frozen=True)
class DigestSwitch(Payload, prefix="bantin"):
    """Switch the weekly digest "on" or "off"."""

    state: str


@routes.command("bantin", "ban tin", access=HEAD, takes_args=True)
async def digest(ctx: Context) -> None:
    """Show whether the weekly digest is on and offer to switch it (/bantin)."""
    word = fold(ctx.args).strip()
    if word in OFF_WORDS or word in ON_WORDS:
        await _switch(ctx, word in ON_WORDS)
        return
    state = t.DIGEST_STATE_ON if ctx.user.digest_opt_in else t.DIGEST_STATE_OFF
    ctx.ask(
        t.DIGEST_ASK.format(state=state),
        [
            Option(t.DIGEST_TURN_ON, DigestSwitch("on").pack()),
            Option(t.DIGEST_TURN_OFF, DigestSwitch("off").pack()),
        ],
    )


@routes.button(DigestSwitch, access=HEAD)
async def on_switch(ctx: Context) -> None:
    """Switch the digest on or off as pressed."""
    chosen = ctx.payload
    assert isinstance(chosen, DigestSwitch)
    await _switch(ctx, chosen.state == "on")


async def _switch(ctx: Context, on: bool) -> None:
    ctx.user.digest_opt_in = on
    if not on:
        await cancel_digests(ctx.session, ctx.user.id)  # nothing already planned goes out
    await show_menu(ctx, t.DIGEST_ON if on else t.DIGEST_OFF)
