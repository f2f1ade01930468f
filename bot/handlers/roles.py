"""Roles: redeem an invite (/nhanma), create one (/moi), see and revoke roles (/vaitro)."""

from __future__ import annotations

from dataclasses import dataclass
from zoneinfo import ZoneInfo

from bot.core.auth import (
    ADMIN,
    ROLE_NAMES,
    STAFF,
    STAFF_ROLES,
    UNIT_HEAD,
    VILLAGE_HEAD,
    has_role,
    may_invite,
    sees_village,
)
from bot.core.context import Context
from bot.core.messages import Option
from bot.core.routes import ANYONE, Payload, Routes, roles
from bot.handlers import texts_units as tu
from bot.handlers import texts_village as t
from bot.handlers.menu import show_menu
from bot.handlers.onboarding import forget_newcomer
from bot.handlers.paging import page_of
from bot.services.roles import holder_of, revoke_role, role_holders
from bot.storage import places
from bot.storage.invites import create_invite, redeem_invite
from bot.storage.models import Commune, Unit, User, Village
from bot.storage.security import account_key
from bot.storage.units import units_of
from bot.text import clean, fit

routes = Routes()
STAFF_ONLY = roles(STAFF, ADMIN)


@dataclass(frozen=True)
class InviteFor(Payload, prefix="moi"):
    """The role an invite is for and, for a village or unit head, the village or unit id
    (0: not chosen yet); "page" and "upage" turn the pages of the village and unit lists."""

    role: str
    village: int = 0


@dataclass(frozen=True)
class InviteConsent(Payload, prefix="nhanma"):
    """The answer to "may we keep your name for the role?" before a code is redeemed."""

    answer: str


@dataclass(frozen=True)
class RoleAction(Payload, prefix="vt"):
    """/vaitro: "rev" (ask to revoke), "ok" (revoke) or "no", for a person's user id."""

    action: str
    user: int = 0


@routes.command("nhanma", "nhan ma", access=ANYONE, takes_args=True)
async def redeem(ctx: Context) -> None:
    """Grant the role of the invite code the user typed, asking for consent first if needed."""
    code = ctx.args.strip()
    if not code:
        ctx.ask(t.ASK_CODE, step="invite_code")
        return
    if ctx.user.consent_at is None:
        ctx.ask(
            t.INVITE_CONSENT,
            [
                Option(t.INVITE_CONSENT_YES, InviteConsent("yes").pack()),
                Option(t.INVITE_CONSENT_NO, InviteConsent("no").pack()),
            ],
            code=code[:40],
        )
        return
    await _grant(ctx, code)


@routes.button(InviteConsent, access=ANYONE)
async def on_consent(ctx: Context) -> None:
    """Record consent and redeem the code waiting for it, or keep nothing."""
    code = str(ctx.data.get("code") or "")
    ctx.end_step()
    ctx.forget_prompt()  # answered: its buttons no longer decide anything
    if ctx.args != "yes" or not code:
        if ctx.user.consent_at is None and ctx.user.household_id is None:
            await forget_newcomer(ctx)
        ctx.say(t.INVITE_DECLINED)
        return
    ctx.user.consent_at = ctx.now
    if ctx.inbound.display_name and not ctx.user.display_name:
        ctx.user.display_name = clean(ctx.inbound.display_name)[:120] or None
    await _grant(ctx, code)


async def _grant(ctx: Context, code: str) -> None:
    account = account_key(ctx.inbound.channel, ctx.inbound.external_id)
    result = await redeem_invite(ctx.session, ctx.user, code, ctx.now, account)
    ctx.end_step()
    if not result.ok or result.invite is None:
        held, offered = ctx.user.role, result.invite.role if result.invite else ""
        ctx.say(
            t.CODE_BAD[result.reason].format(
                held=ROLE_NAMES.get(held, held), offered=ROLE_NAMES.get(offered, offered)
            )
        )
        return
    scope = ""
    if result.invite.village_id:
        village = await ctx.session.get(Village, result.invite.village_id)
        scope = f" của {village.name}" if village else ""
    elif result.invite.unit_id:
        unit = await ctx.session.get(Unit, result.invite.unit_id)
        scope = f" của {unit.name}" if unit else ""
    elif result.invite.commune_id:
        commune = await ctx.session.get(Commune, result.invite.commune_id)
        scope = f" của xã {commune.name}" if commune else ""
    ctx.role_changed = result.invite.role
    ctx.say(t.CODE_OK.format(role=ROLE_NAMES[result.invite.role], scope=scope))
    if result.invite.role == VILLAGE_HEAD:
        ctx.say(t.HEAD_HELP)
    if result.invite.role == UNIT_HEAD:
        ctx.say(tu.UNIT_HEAD_HELP)
    if ctx.registered:
        await show_menu(ctx)


@routes.step("invite_code", access=ANYONE)
async def on_code_text(ctx: Context) -> None:
    """Take the typed text as an invite code."""
    await redeem(ctx)


@routes.command("moi", "tao ma moi", access=STAFF_ONLY)
async def invite(ctx: Context) -> None:
    """Ask which role the new invite is for (/moi); only admins may invite staff."""
    options = [Option(t.INVITE_HEAD, InviteFor(VILLAGE_HEAD).pack())]
    if await units_of(ctx.session, ctx.user.scope_commune_id or 0):
        options.append(Option(tu.INVITE_UNIT_HEAD, InviteFor(UNIT_HEAD).pack()))
    if ctx.user.role == ADMIN:
        options.append(Option(t.INVITE_STAFF, InviteFor(STAFF).pack()))
    ctx.ask(t.INVITE_ROLE, options)


@routes.button(InviteFor, access=STAFF_ONLY)
async def on_invite(ctx: Context) -> None:
    """Continue /moi: pick the village or unit of a head, then show the code."""
    chosen = ctx.payload
    assert isinstance(chosen, InviteFor)
    role = chosen.role
    commune_id = ctx.user.scope_commune_id
    if (role == VILLAGE_HEAD and not chosen.village) or role == "page":
        villages = await places.villages_of(ctx.session, commune_id or 0)
        page = page_of(villages, chosen.village if role == "page" else 0)
        ctx.ask(
            t.INVITE_VILLAGE + (f" ({page.label})" if page.label else ""),
            page.options(
                lambda v: Option(v.name, InviteFor(VILLAGE_HEAD, v.id).pack()),
                lambda n: InviteFor("page", n).pack(),
            ),
        )
        return
    if (role == UNIT_HEAD and not chosen.village) or role == "upage":
        units = await units_of(ctx.session, commune_id or 0)
        unit_page = page_of(units, chosen.village if role == "upage" else 0)
        ctx.ask(
            tu.INVITE_UNIT + (f" ({unit_page.label})" if unit_page.label else ""),
            unit_page.options(
                lambda u: Option(fit(u.name), InviteFor(UNIT_HEAD, u.id).pack()),
                lambda n: InviteFor("upage", n).pack(),
            ),
        )
        return
    village, unit = None, None
    if role == UNIT_HEAD:
        unit = await ctx.session.get(Unit, chosen.village)
    elif chosen.village:
        village = await ctx.session.get(Village, chosen.village)
    allowed = role in (VILLAGE_HEAD, UNIT_HEAD, STAFF)
    if not allowed or not may_invite(ctx.user, role, commune_id, village, unit):
        ctx.say("Bạn không tạo được mã mời cho vai trò này.")
        return
    place = village or unit
    code, row = await create_invite(
        ctx.session,
        role,
        place.commune_id if place else commune_id,
        village.id if village else None,
        ctx.now,
        created_by=ctx.user.id,
        unit_id=unit.id if unit else None,
    )
    commune = await ctx.session.get(Commune, row.commune_id) if row.commune_id else None
    zone = ZoneInfo(commune.timezone if commune else "Asia/Ho_Chi_Minh")
    scope = f" của {place.name}" if place else (f" xã {commune.name}" if commune else "")
    ctx.say(
        t.INVITE_CODE.format(
            role=ROLE_NAMES[role],
            scope=scope,
            code=code,
            expires=row.expires_at.astimezone(zone).strftime("%d/%m/%Y"),
        )
    )


@routes.command("vaitro", "vai tro", access=STAFF_ONLY)
async def list_roles(ctx: Context) -> None:
    """Show who holds a role in the staff member's commune; offer to revoke village heads."""
    commune_id = ctx.user.scope_commune_id if ctx.user.role != ADMIN else None
    commune = await ctx.session.get(Commune, commune_id) if commune_id else None
    name = commune.name if commune else "(tất cả)"
    holders = await role_holders(ctx.session, commune_id)
    if not holders:
        ctx.say(t.ROLES_NONE.format(commune=name))
        await show_menu(ctx)
        return
    lines = [t.ROLES_TITLE.format(commune=name), *(f"• {h.describe()}" for h in holders)]
    heads = [h for h in holders if h.role == VILLAGE_HEAD and h.user_id != ctx.user.id]
    if not heads:
        ctx.say("\n".join(lines))
        await show_menu(ctx)
        return
    ctx.ask(
        "\n".join([*lines, "", t.ROLES_REVOKE_HINT]),
        [
            Option(
                fit(t.ROLES_REVOKE_OPTION.format(name=h.name, village=h.village)),
                RoleAction("rev", h.user_id).pack(),
            )
            for h in heads
        ],
    )


@routes.button(RoleAction, access=STAFF_ONLY)
async def on_roles(ctx: Context) -> None:
    """Confirm, then revoke a village head's role (vt:rev:ID, vt:ok:ID, vt:no)."""
    chosen = ctx.payload
    assert isinstance(chosen, RoleAction)
    action, rest = chosen.action, str(chosen.user)
    if action == "no" or not has_role(ctx.user, STAFF_ROLES):
        ctx.say(t.ROLES_KEPT)
        await show_menu(ctx)
        return
    target = await ctx.session.get(User, int(rest)) if rest.isdigit() else None
    village = (
        await ctx.session.get(Village, target.scope_village_id)
        if target is not None and target.scope_village_id
        else None
    )
    if (
        target is None
        or target.deleted_at is not None
        or target.role != VILLAGE_HEAD
        or village is None
        or not sees_village(ctx.user, village)
    ):
        ctx.say(t.ROLES_GONE)
        await show_menu(ctx)
        return
    holder = await holder_of(ctx.session, target)
    if action == "rev":
        ctx.ask(
            t.ROLES_CONFIRM.format(name=holder.name, village=holder.village),
            [
                Option(t.ROLES_CONFIRM_YES, RoleAction("ok", target.id).pack()),
                Option(t.ROLES_CONFIRM_NO, RoleAction("no").pack()),
            ],
        )
        return
    await revoke_role(
        ctx.session, target, ctx.now, actor_id=ctx.user.id, notice=t.ROLE_REVOKED_NOTICE
    )
    ctx.say(t.ROLES_REVOKED.format(name=holder.name, village=holder.village))
    await show_menu(ctx)
