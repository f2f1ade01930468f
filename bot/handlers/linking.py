"""Link a person's Telegram and Zalo accounts with a 6-digit code (/lienket)."""

from __future__ import annotations

import hashlib
import re
import secrets
from datetime import timedelta

from sqlalchemy import delete, select

from bot.core.context import Context
from bot.core.routes import ANYONE, Routes
from bot.handlers import onboarding
from bot.handlers import texts as t
from bot.handlers.menu import show_menu
from bot.storage.accounts import merge_users
from bot.storage.db import dialect
from bot.storage.models import AuditLog, LinkCode, User

CODE = re.compile(r"^\d{6}$")
VALID_FOR = timedelta(minutes=10)
MAX_FAILURES = 5
APPS = {"telegram": "Telegram", "zalo": "Zalo", "console": "cửa sổ dòng lệnh"}

routes = Routes()


def code_hash(code: str) -> str:
    """Hash a code for storage; the code itself is never kept."""
    return hashlib.sha256(code.encode()).hexdigest()


def looks_like_code(text: str) -> bool:
    """Tell whether a message is a bare 6-digit link code."""
    return bool(CODE.match(text.replace(" ", "")))


@routes.command("lienket", "lien ket", access=ANYONE, takes_args=True)
async def link(ctx: Context) -> None:
    """Give a new code (no argument), or use the code given on the other app."""
    if ctx.args.strip():
        await redeem(ctx, ctx.args)
        return
    if not ctx.registered:
        await onboarding.gate(ctx)
        return
    await ctx.session.execute(delete(LinkCode).where(LinkCode.user_id == ctx.user.id))
    while True:
        code = f"{secrets.randbelow(10**6):06d}"
        taken = await ctx.session.scalar(
            select(LinkCode.id).where(LinkCode.code_hash == code_hash(code))
        )
        if taken is None:
            break
    ctx.session.add(
        LinkCode(
            user_id=ctx.user.id,
            channel=ctx.inbound.channel,
            code_hash=code_hash(code),
            expires_at=ctx.now + VALID_FOR,
        )
    )
    ctx.say(t.LINK_CODE.format(code=code, minutes=int(VALID_FOR.total_seconds() // 60)))
    await show_menu(ctx)


async def redeem(ctx: Context, typed: str) -> None:
    """Join this account to the user who asked for the code on their other app."""
    code = typed.replace(" ", "")
    failures = [f for f in ctx.get("link_failures", []) if f > (ctx.now - VALID_FOR).timestamp()]
    if len(failures) >= MAX_FAILURES:
        ctx.say(t.LINK_TOO_MANY)
        return
    row = None
    if looks_like_code(code):
        row = await ctx.session.scalar(
            select(LinkCode).where(
                LinkCode.code_hash == code_hash(code),
                LinkCode.used_at.is_(None),
                LinkCode.expires_at > ctx.now,
            )
        )
    if row is None:
        ctx.put("link_failures", [*failures, ctx.now.timestamp()])
        ctx.say(t.LINK_BAD_CODE)
        ctx.repeat_prompt()
        return
    if row.user_id == ctx.user.id or row.channel == ctx.inbound.channel:
        ctx.say(t.LINK_OTHER_APP.format(app=APPS.get(row.channel, row.channel)))
        return
    target = await ctx.session.get(
        User, row.user_id, with_for_update=dialect(ctx.session) == "postgresql"
    )
    if target is None or target.deleted_at is not None:
        ctx.say(t.LINK_BAD_CODE)
        return
    row.used_at = ctx.now
    source = ctx.user
    await merge_users(ctx.session, source, target, ctx.now)
    ctx.session.add(
        AuditLog(
            actor_id=target.id,
            action="user.link",
            target=f"user:{source.id}",
            detail={"channel": ctx.inbound.channel},
            at=ctx.now,
        )
    )
    ctx.switch_user(target)
    ctx.say(t.LINKED.format(app=APPS.get(row.channel, row.channel)))
    await show_menu(ctx)
