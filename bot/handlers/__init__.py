"""Conversation handlers: each module declares its routes; `build_router()` gathers them."""

from __future__ import annotations

from bot.core.router import Router
from bot.handlers import (
    awards,
    broadcast,
    community_class,
    declared,
    faq,
    help,
    helpdesk,
    learning,
    linking,
    onboarding,
    privacy,
    progress,
    roles,
    staff,
    unit_report,
    units,
    village_digest,
    village_head,
    village_report,
    web_board,
)

MODULES = (
    onboarding,
    community_class,
    declared,
    village_report,
    unit_report,
    units,
    helpdesk,
    faq,
    help,
    learning,
    progress,
    privacy,
    linking,
    roles,
    village_head,
    village_digest,
    staff,
    awards,
    broadcast,
    web_board,
)


def build_router() -> Router:
    """Gather the routes every handler module declares next to its handlers."""
    return Router(
        fallback=help.fallback,
        gate=onboarding.gate,
        tables=[module.routes for module in MODULES],
        help_text=help.help_text,
    )
