"""The main menu, reachable from anywhere with "menu" or "0"."""

from __future__ import annotations

from dataclasses import dataclass

from bot.core.context import Context
from bot.core.messages import Option
from bot.core.routes import Payload
from bot.handlers import texts as t


@dataclass(frozen=True)
class RunCommand(Payload, prefix="cmd"):
    """A menu entry that runs a command (its own access is checked when it runs)."""

    name: str


@dataclass(frozen=True)
class MenuItem(Payload, prefix="menu"):
    """A main-menu entry: learn, resume, results, help, or main (the menu itself)."""

    item: str


MENU_OPTIONS = (
    Option(t.MENU_LEARN, MenuItem("learn").pack()),
    Option(t.MENU_RESUME, MenuItem("resume").pack()),
    Option(t.MENU_RESULTS, MenuItem("results").pack()),
    Option(t.MENU_HELP, MenuItem("help").pack()),
    Option(t.MENU_ASK_PERSON, MenuItem("ask").pack()),
)
BACK = Option(t.BACK_TO_MENU, MenuItem("main").pack())


def holds_role_menu(ctx: Context) -> bool:
    """Tell whether the person holds a role with its own menu (village head, staff…): that
    menu is their home, signed up to learn or not."""
    return ctx.user.role in t.ROLE_MENUS and ctx.user.deleted_at is None


async def show_menu(ctx: Context, text: str = t.MENU) -> None:
    """Show the main menu of the person's role and leave any open step."""
    role_options = [
        Option(label, RunCommand(name).pack())
        for label, name in t.ROLE_MENUS.get(ctx.user.role, [])
    ]
    if not role_options:
        ctx.ask(text, MENU_OPTIONS)
        return
    # Not signed up to learn yet: "Chọn bài học" leads to the sign-up.
    resident = list(MENU_OPTIONS) if ctx.registered else [MENU_OPTIONS[0], MENU_OPTIONS[3]]
    ctx.ask(text if text != t.MENU else t.ROLE_MENU, [*role_options, *resident])
