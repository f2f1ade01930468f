"""Roles: redeem an invite code (/nhanma) and, for staff, create one (/moi)."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from bot.core.auth import ROLE_NAMES, STAFF, VILLAGE_HEAD, may_invite
from bot.core.context import Context
from bot.core.messages import Option
from bot.handlers import texts_village as t
from bot.handlers.menu import show_menu
from bot.handlers.paging import page_number, page_of
from bot.storage import places
from bot.storage.invites import create_invite, redeem_invite
from bot.storage.models import Commune, Village


async def redeem(ctx: Context) -> None:
    """Grant the role of the invite code the user typed."""
    code = ctx.args.strip()
    if not code:
        ctx.ask(t.ASK_CODE, step="invite_code")
        return
    result = await redeem_invite(ctx.session, ctx.user, code, ctx.now)
    ctx.end_step()
    if not result.ok or result.invite is None:
        ctx.say(t.CODE_BAD[result.reason])
        return
    scope = ""
    if result.invite.village_id:
        village = await ctx.session.get(Village, result.invite.village_id)
        scope = f" của {village.name}" if village else ""
    elif result.invite.commune_id:
        commune = await ctx.session.get(Commune, result.invite.commune_id)
        scope = f" của xã {commune.name}" if commune else ""
    ctx.role_changed = result.invite.role
    ctx.say(t.CODE_OK.format(role=ROLE_NAMES[result.invite.role], scope=scope))
    if result.invite.role == VILLAGE_HEAD:
        ctx.say(t.HEAD_HELP)
    if ctx.registered:
        await show_menu(ctx)


async def on_code_text(ctx: Context) -> None:
    """Take the typed text as an invite code."""
    await redeem(ctx)


async def invite(ctx: Context) -> None:
    """Ask staff which role the new invite is for (/moi)."""
    ctx.ask(
        t.INVITE_ROLE,
        [Option(t.INVITE_HEAD, "moi:village_head"), Option(t.INVITE_STAFF, "moi:staff")],
    )


async def on_invite(ctx: Context) -> None:
    """Continue /moi: pick the village for a village head, then show the code."""
    role, _, rest = ctx.args.partition(":")
    commune_id = ctx.user.scope_commune_id
    if (role == VILLAGE_HEAD and not rest) or role == "page":
        villages = await places.villages_of(ctx.session, commune_id or 0)
        page = page_of(villages, page_number(rest) if role == "page" else 0)
        ctx.ask(
            t.INVITE_VILLAGE + (f" ({page.label})" if page.label else ""),
            page.options(
                lambda v: Option(v.name, f"moi:village_head:{v.id}"), lambda n: f"moi:page:{n}"
            ),
        )
        return
    village = await ctx.session.get(Village, int(rest)) if rest.isdigit() else None
    if role not in (VILLAGE_HEAD, STAFF) or not may_invite(ctx.user, role, commune_id, village):
        ctx.say("Bạn không tạo được mã mời cho vai trò này.")
        return
    code, row = await create_invite(
        ctx.session,
        role,
        village.commune_id if village else commune_id,
        village.id if village else None,
        ctx.now,
        created_by=ctx.user.id,
    )
    commune = await ctx.session.get(Commune, row.commune_id) if row.commune_id else None
    zone = ZoneInfo(commune.timezone if commune else "Asia/Ho_Chi_Minh")
    scope = f" của {village.name}" if village else (f" xã {commune.name}" if commune else "")
    ctx.say(
        t.INVITE_CODE.format(
            role=ROLE_NAMES[role],
            scope=scope,
            code=code,
            expires=row.expires_at.astimezone(zone).strftime("%d/%m/%Y"),
        )
    )
