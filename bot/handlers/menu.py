"""The main menu, reachable from anywhere with "menu" or "0"."""

from __future__ import annotations

from bot.core.context import Context
from bot.core.messages import Option
from bot.handlers import texts as t

MENU_OPTIONS = (
    Option(t.MENU_LEARN, "menu:learn"),
    Option(t.MENU_RESUME, "menu:resume"),
    Option(t.MENU_RESULTS, "menu:results"),
    Option(t.MENU_HELP, "menu:help"),
    Option(t.MENU_ASK_PERSON, "menu:ask"),
)
BACK = Option(t.BACK_TO_MENU, "menu:main")


async def show_menu(ctx: Context, text: str = t.MENU) -> None:
    """Show the main menu and leave any open step."""
    ctx.ask(text, MENU_OPTIONS)
