"""The main menu, reachable from anywhere with "menu" or "0"."""

from __future__ import annotations

from dataclasses import dataclass

from bot.core.context import Context
from bot.core.messages import Option
from bot.core.routes import Payload
from bot.handlers import texts as t


@dataclass(frozen=True)
class MenuItem(Payload, prefix="menu"):
    """A main-menu entry: learn, resume, results, help, or main (the menu itself)."""

    item: str


MENU_OPTIONS = (
    Option(t.MENU_LEARN, MenuItem("learn").pack()),
    Option(t.MENU_RESUME, MenuItem("resume").pack()),
    Option(t.MENU_RESULTS, MenuItem("results").pack()),
    Option(t.MENU_HELP, MenuItem("help").pack()),
)
BACK = Option(t.BACK_TO_MENU, MenuItem("main").pack())


async def show_menu(ctx: Context, text: str = t.MENU) -> None:
    """Show the main menu and leave any open step."""
    ctx.ask(text, MENU_OPTIONS)
