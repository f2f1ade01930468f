"""Link a person's Telegram and Zalo accounts with a 6-digit code (/lienket)."""

from __future__ import annotations

import hashlib
import re
import secrets
from datetime import timedelta

from sqlalchemy import delete, select

from bot.core.auth import ROLE_NAMES
from bot.core.context import Context
from bot.core.routes import ANYONE, Routes
from bot.delivery.outbox import enqueue
from bot.handlers import onboarding
from bot.handlers import texts as t
from bot.handlers.menu import show_menu
from bot.storage.accounts import merge_users, role_clash
from bot.storage.db import dialect
from bot.storage.models import AuditLog, Identity, LinkCode, User
from bot.storage.security import (
    KEPT_FOR,
    LINK_FAIL,
    account_key,
    failures,
    record_failure,
)

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
    account = account_key(ctx.inbound.channel, ctx.inbound.external_id)
    since = ctx.now - KEPT_FOR
    if await failures(ctx.session, LINK_FAIL, account, since) >= MAX_FAILURES:
        # Refused before looking the code up: a blocked account learns nothing from a guess.
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
        await _failed(ctx, account)
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
    source = ctx.user
    if role_clash(source, target):
        ctx.say(t.LINK_ROLE_CLASH.format(mine=_role(source), theirs=_role(target)))
        return
    row.used_at = ctx.now
    old_role = source.role
    await merge_users(ctx.session, source, target, ctx.now)
    ctx.session.add(
        AuditLog(
            actor_id=target.id,
            action="user.link",
            target=f"user:{source.id}",
            detail={"channel": ctx.inbound.channel, "role": target.role},
            at=ctx.now,
        )
    )
    ctx.switch_user(target)
    if target.role != old_role:
        ctx.role_changed = target.role  # this app's command menu shows the kept role
    ctx.say(t.LINKED.format(app=APPS.get(row.channel, row.channel)))
    await show_menu(ctx)


async def _failed(ctx: Context, account: str) -> None:
    """Count a wrong code against the account and every outstanding code; burn guessed ones.

    Nobody can tell which code a wrong guess aimed at, so it counts against all of them: a
    code that has seen MAX_FAILURES wrong tries since it was given is burned and its owner
    told, which keeps the chance of guessing any one code below 5 in a million.
    """
    open_codes = list(
        await ctx.session.scalars(
            select(LinkCode).where(LinkCode.used_at.is_(None), LinkCode.expires_at > ctx.now)
        )
    )
    keys = [account, *(f"link:{c.id}" for c in open_codes)]
    await record_failure(ctx.session, LINK_FAIL, keys, ctx.now)
    ctx.session.add(
        AuditLog(
            actor_id=ctx.user.id,
            action="link.fail",
            target=account[:200],
            detail={"channel": ctx.inbound.channel},
            at=ctx.now,
        )
    )
    for code in open_codes:
        given = max(code.expires_at - VALID_FOR, ctx.now - KEPT_FOR)
        if await failures(ctx.session, LINK_FAIL, f"link:{code.id}", given) >= MAX_FAILURES:
            await _burn(ctx, code)


async def _burn(ctx: Context, code: LinkCode) -> None:
    """Destroy a code under attack and tell its owner on the app where they asked for it."""
    await ctx.session.delete(code)
    identity = await ctx.session.scalar(
        select(Identity).where(Identity.user_id == code.user_id, Identity.channel == code.channel)
    )
    if identity is not None:
        await enqueue(
            ctx.session,
            channel=identity.channel,
            chat_id=identity.chat_id,
            text=t.LINK_BURNED,
            kind="security",
            dedupe_key=f"link-burned:{code.id}:{code.code_hash[:16]}",
            user_id=code.user_id,
        )
    ctx.session.add(
        AuditLog(
            actor_id=None,
            action="link.burn",
            target=f"user:{code.user_id}",
            detail={"failures": MAX_FAILURES},
            at=ctx.now,
        )
    )


def _role(user: User) -> str:
    return ROLE_NAMES.get(user.role, user.role)
