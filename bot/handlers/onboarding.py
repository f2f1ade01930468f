"""Sign a resident up: consent, cohort, commune, village and household."""

from __future__ import annotations

from dataclasses import dataclass

from rapidfuzz import fuzz
from sqlalchemy import delete, select

from bot.core.auth import RESIDENT
from bot.core.context import Context
from bot.core.messages import Option
from bot.core.routes import ANYONE, Payload, Routes
from bot.handlers import texts as t
from bot.handlers.menu import holds_role_menu, show_menu
from bot.handlers.paging import page_number, page_of
from bot.storage import places
from bot.storage.limits import folded_name, person_name
from bot.storage.models import Commune, Household, Identity, LinkCode, Village
from bot.storage.participation import recount_members
from bot.storage.self_declared import drop_own_unused, other_own_in_use
from bot.text import clean, fit, fold, rank

# Phrases that mean "another village" or "my household is not listed" at the household question.
OTHER_VILLAGE_WORDS = {"doi thon", "doi thon khac", "chon thon khac", "thon khac", "sai thon"}
NOT_LISTED_WORDS = {
    "khong co ho cua toi",
    "khong co ho toi",
    "khong co",
    "khong thay",
    "chua co",
    "ho toi chua co",
    "khong co ten",
    "chua co ten",
}
CONTROLS = ("none", "village", "retype")
SURE = 90  # a typed name this close is taken without asking
LIKELY = 70  # this close is offered for confirmation
AMBIGUOUS_GAP = 8  # candidates within this many points of the best are listed together

routes = Routes()


@dataclass(frozen=True)
class Consent(Payload, prefix="consent"):
    """The answer to the consent question: yes or no."""

    answer: str


@dataclass(frozen=True)
class Cohort(Payload, prefix="cohort"):
    """The group of the plan a resident belongs to."""

    code: str


@dataclass(frozen=True)
class CommuneChoice(Payload, prefix="commune"):
    """A commune chosen from a list."""

    commune: int


@dataclass(frozen=True)
class VillageChoice(Payload, prefix="village"):
    """A village chosen or confirmed (its id), or "retype"."""

    choice: str


@dataclass(frozen=True)
class HouseholdChoice(Payload, prefix="hh"):
    """A household chosen or confirmed (its id), "new" to declare one, or "retype"."""

    choice: str


@routes.command("start", "batdau", "bat dau", "xin chao", access=ANYONE)
async def start(ctx: Context) -> None:
    """Greet the user and pick up registration where it stands."""
    if ctx.registered or (holds_role_menu(ctx) and ctx.user.consent_at is not None):
        # A village head or staff member has their menu; signing up to learn is in it.
        await show_menu(ctx)
        return
    if ctx.user.consent_at is None:
        # One message, not two: a first contact is answered as quickly as a returning user.
        name = await places.only_commune_name(ctx.session)
        await resume(ctx, lead=t.WELCOME.format(commune=name or "mình"))
        return
    await resume(ctx)


async def gate(ctx: Context) -> None:
    """Explain that registration comes first, then continue it."""
    if ctx.user.consent_at is None:
        await start(ctx)
        return
    ctx.say(t.NEED_REGISTRATION)
    await resume(ctx)


async def resume(ctx: Context, lead: str = "") -> None:
    """Ask for the first piece of registration still missing (after `lead`, a greeting)."""
    user = ctx.user
    if user.consent_at is None:
        ctx.ask(
            f"{lead}\n\n{t.CONSENT}" if lead else t.CONSENT,
            [
                Option(t.CONSENT_YES, Consent("yes").pack()),
                Option(t.CONSENT_NO, Consent("no").pack()),
            ],
        )
    elif user.cohort is None:
        ctx.ask(
            t.ASK_COHORT, [Option(label, Cohort(code).pack()) for code, label in t.COHORTS.items()]
        )
    elif user.commune_id is None:
        await _ask_commune(ctx)
    elif user.village_id is None:
        await _ask_village(ctx)
    elif user.household_id is None:
        await ask_household(ctx)
    else:
        await show_menu(ctx)


@routes.button(Consent, access=ANYONE)
async def on_consent(ctx: Context) -> None:
    """Record consent, or say goodbye and keep nothing."""
    if ctx.args != "yes":
        if ctx.user.consent_at is None and ctx.user.household_id is None:
            await forget_newcomer(ctx)
        ctx.clear()
        ctx.say(t.GOODBYE)
        return
    ctx.user.consent_at = ctx.now
    if ctx.inbound.display_name:
        ctx.user.display_name = clean(ctx.inbound.display_name)[:120] or None
    await resume(ctx)


async def forget_newcomer(ctx: Context) -> None:
    """Delete a person who never consented: their user row and app accounts, in this
    transaction, so only the answer to their refusal remains."""
    user = ctx.user
    if user.role != RESIDENT:
        return  # a role holder's account is kept for the role; /xoadulieu handles the rest
    await ctx.session.execute(delete(LinkCode).where(LinkCode.user_id == user.id))
    await ctx.session.execute(delete(Identity).where(Identity.user_id == user.id))
    await ctx.session.delete(user)
    await ctx.session.flush()
    ctx.clear()


@routes.button(Cohort, access=ANYONE)
async def on_cohort(ctx: Context) -> None:
    """Record which group of the plan the resident belongs to."""
    if ctx.args not in t.COHORTS:
        await resume(ctx)
        return
    ctx.user.cohort = ctx.args
    await resume(ctx)


async def _ask_commune(ctx: Context) -> None:
    rows = await places.communes(ctx.session)
    if not rows:
        ctx.end_step()
        ctx.say(t.NO_COMMUNE)
        return
    if len(rows) == 1:
        ctx.user.commune_id = rows[0].id
        await resume(ctx)
        return
    ctx.ask(t.ASK_COMMUNE.format(example=rows[0].name), step="commune")


@routes.step("commune", access=ANYONE)
async def on_commune_text(ctx: Context) -> None:
    """Find the commune the resident typed."""
    rows = await places.communes(ctx.session)
    wanted = fold(ctx.args)
    exact = [c for c in rows if fold(c.name) == wanted or c.name_folded == wanted]
    if len(exact) == 1:
        ctx.user.commune_id = exact[0].id
        await resume(ctx)
        return
    ranked = rank(ctx.args, [(c.id, c.name) for c in rows], prefixes=("xa", "phuong", "thi tran"))
    choices = [c for c in rows if c.id in {key for key, _ in ranked}] or rows
    ctx.ask(
        t.COMMUNE_NOT_FOUND.format(typed=ctx.args[:60]),
        [Option(f"{c.name} ({c.province})", CommuneChoice(c.id).pack()) for c in choices[:10]],
        step="commune",
    )


@routes.button(CommuneChoice, access=ANYONE)
async def on_commune(ctx: Context) -> None:
    """Record the commune chosen from a list."""
    commune = await ctx.session.get(Commune, _int(ctx.args))
    if commune is None:
        await resume(ctx)
        return
    ctx.user.commune_id = commune.id
    await resume(ctx)


async def _ask_village(ctx: Context) -> None:
    villages = await places.villages_of(ctx.session, ctx.user.commune_id or 0)
    example = villages[0].name if villages else "Thôn Đồng Tâm"
    ctx.ask(t.ASK_VILLAGE.format(example=example), step="village")


@routes.step("village", access=ANYONE)
async def on_village_text(ctx: Context) -> None:
    """Match a typed village name: take it, confirm it, or list the candidates."""
    ranked = await places.match_villages(ctx.session, ctx.user.commune_id or 0, ctx.args)
    close = [(v, s) for v, s in ranked if s >= ranked[0][1] - AMBIGUOUS_GAP] if ranked else []
    exact = [v for v, s in ranked if s >= 100]
    if len(exact) == 1:
        await _set_village(ctx, exact[0])
        return
    if ranked and len(close) == 1 and ranked[0][1] >= SURE:
        await _set_village(ctx, ranked[0][0])
        return
    if ranked and len(close) == 1 and ranked[0][1] >= LIKELY:
        village = ranked[0][0]
        ctx.ask(
            t.VILLAGE_CONFIRM.format(village=village.name),
            [
                Option(t.YES, VillageChoice(str(village.id)).pack()),
                Option(t.NO_RETYPE, VillageChoice("retype").pack()),
            ],
            step="village",
        )
        return
    if len(close) > 1 and close[0][1] >= LIKELY:
        ctx.ask(
            t.VILLAGE_CHOOSE,
            [Option(v.name, VillageChoice(str(v.id)).pack()) for v, _ in close[:8]],
            step="village",
        )
        return
    await _village_page(ctx, t.VILLAGE_NOT_FOUND.format(typed=ctx.args[:60]), 0)


async def _village_page(ctx: Context, text: str, number: int) -> None:
    """Offer one page of the commune's villages to choose from."""
    villages = await places.villages_of(ctx.session, ctx.user.commune_id or 0)
    page = page_of(villages, number)
    ctx.ask(
        text + (f" ({page.label})" if page.label else ""),
        page.options(
            lambda v: Option(v.name, VillageChoice(str(v.id)).pack()),
            lambda n: VillageChoice(f"p{n}").pack(),
        ),
        step="village",
    )


@routes.button(VillageChoice, access=ANYONE)
async def on_village(ctx: Context) -> None:
    """Record the village chosen from a list or confirmed."""
    if ctx.args == "retype":
        await _ask_village(ctx)
        return
    if ctx.args.startswith("p"):
        await _village_page(ctx, t.VILLAGE_PICK, page_number(ctx.args[1:]))
        return
    village = await ctx.session.get(Village, _int(ctx.args))
    if village is None or village.commune_id != ctx.user.commune_id:
        await resume(ctx)
        return
    await _set_village(ctx, village)


async def _set_village(ctx: Context, village: Village) -> None:
    left = ctx.user.household_id
    ctx.user.village_id = village.id
    ctx.user.household_id = None
    await recount_members(ctx.session, left)
    ctx.say(t.VILLAGE_OK.format(village=village.name))
    await ask_household(ctx)


async def ask_household(ctx: Context, text: str = t.ASK_HOUSEHOLD, want: str = "") -> None:
    """Ask for the household; in a village with a roster, offer the ways out with it."""
    village_id = ctx.user.village_id or 0
    if not await places.has_roster(ctx.session, village_id):
        ctx.ask(text, step="household")
        return
    ctx.ask(
        text,
        [
            Option(t.HOUSEHOLD_OTHER_VILLAGE, "hh:village"),
            Option(t.HOUSEHOLD_NOT_LISTED, "hh:none"),
        ],
        step="household",
        typed=str(ctx.data.get("typed") or ""),
        want=want,
    )


def _ask_pending(ctx: Context, typed: str) -> None:
    """Ask to record the typed household as pending the village head's confirmation."""
    ctx.ask(
        t.HOUSEHOLD_PENDING_CONFIRM.format(typed=typed.title()),
        [Option(t.HOUSEHOLD_PENDING_YES, "hh:pending"), Option(t.NO_RETYPE, "hh:retype")],
        step="household",
        typed=typed,
    )


def _not_found(ctx: Context, typed: str, village: str) -> None:
    """Offer the three ways on: type again, choose another village, or add a pending household."""
    ctx.ask(
        t.HOUSEHOLD_ROSTER_ONLY.format(typed=typed, village=village),
        [
            Option(t.HOUSEHOLD_RETYPE, "hh:retype"),
            Option(t.HOUSEHOLD_OTHER_VILLAGE, "hh:village"),
            Option(t.HOUSEHOLD_NOT_LISTED, "hh:none"),
        ],
        step="household",
        typed=typed,
    )


@routes.step("household", access=ANYONE)
async def on_household_text(ctx: Context) -> None:
    """Match a household by code or head-of-household name within the resident's village."""
    village_id = ctx.user.village_id or 0
    typed = " ".join(ctx.args.split())[:80]
    if fold(typed) in OTHER_VILLAGE_WORDS | NOT_LISTED_WORDS:
        ctx.args = "village" if fold(typed) in OTHER_VILLAGE_WORDS else "none"
        await on_household(ctx)
        return
    by_code = await places.household_by_code(ctx.session, village_id, typed)
    if by_code:
        _confirm_household(ctx, by_code)
        return
    if len(fold(typed).split()) < 2:
        ctx.say(t.HOUSEHOLD_TOO_SHORT)
        ctx.repeat_prompt()
        return
    ranked = await places.match_households(ctx.session, village_id, typed)
    close = [(h, s) for h, s in ranked if s >= ranked[0][1] - AMBIGUOUS_GAP] if ranked else []
    exact = [h for h, s in ranked if s >= 100]
    if len(exact) == 1:
        close = [(exact[0], 100.0)]
    if len(close) == 1:
        _confirm_household(ctx, close[0][0])
        return
    if close:
        options = [
            Option(_household_label(h), HouseholdChoice(str(h.id)).pack()) for h, _ in close[:6]
        ]
        options.append(Option(t.HOUSEHOLD_NONE_OF_THESE, HouseholdChoice("none").pack()))
        ctx.ask(t.HOUSEHOLD_CHOOSE, options, step="household", typed=typed)
        return
    village = await ctx.session.get(Village, village_id)
    if await places.has_roster(ctx.session, village_id):
        if ctx.data.get("want") == "pending":
            _ask_pending(ctx, typed)
            return
        _not_found(ctx, typed, village.name if village else "")
        return
    ctx.ask(
        t.HOUSEHOLD_NEW.format(typed=typed),
        [
            Option(t.HOUSEHOLD_CREATE, HouseholdChoice("new").pack()),
            Option(t.NO_RETYPE, HouseholdChoice("retype").pack()),
        ],
        step="household",
        typed=typed,
    )


def _typed_name(ctx: Context) -> str | None:
    """Return the text when a typed household name was taken for a control button.

    Loose matching can take "Lê Thị Chua" for "Hộ tôi chưa có trong danh sách"; a typed text
    that shares too little with the button's label is the person's answer, not the button.
    """
    text = ctx.inbound.text
    if ctx.args not in CONTROLS or ctx.inbound.payload is not None or not text:
        return None
    folded = fold(text)
    if folded.isdecimal() or folded in OTHER_VILLAGE_WORDS | NOT_LISTED_WORDS:
        return None
    label = next((o.label for o in ctx.offered() if o.payload == f"hh:{ctx.args}"), "")
    return None if fuzz.token_set_ratio(folded, fold(label)) >= 70 else text


def _household_label(household: Household) -> str:
    code = f" ({household.code})" if household.code else ""
    return fit(f"{household.head_name}{code}")


def _confirm_household(ctx: Context, household: Household) -> None:
    code = f", mã {household.code}" if household.code else ""
    ctx.ask(
        t.HOUSEHOLD_CONFIRM.format(head=household.head_name, code=code),
        [
            Option(t.YES, HouseholdChoice(str(household.id)).pack()),
            Option(t.NO_RETYPE, HouseholdChoice("retype").pack()),
        ],
        step="household",
    )


@routes.button(HouseholdChoice, access=ANYONE)
async def on_household(ctx: Context) -> None:
    """Record the chosen household, or create the self-declared one."""
    name = _typed_name(ctx)
    if name is not None:
        ctx.args = name
        await on_household_text(ctx)
        return
    village_id = ctx.user.village_id or 0
    typed = str(ctx.data.get("typed") or "").strip()
    roster = await places.has_roster(ctx.session, village_id)
    if ctx.args == "retype":
        await ask_household(ctx)
        return
    if ctx.args == "village":
        ctx.user.village_id = None
        await _ask_village(ctx)
        return
    if ctx.args == "none":
        if not roster:
            await ask_household(ctx, t.ASK_HOUSEHOLD_NEW)
            return
        if len(fold(typed).split()) < 2:
            await ask_household(ctx, t.ASK_HOUSEHOLD_PENDING, want="pending")
            return
        _ask_pending(ctx, typed)
        return
    if ctx.args in ("new", "pending"):
        if not typed or (ctx.args == "new") == roster:
            await ask_household(ctx)
            return
        declared = await _find_or_create_self_declared(ctx, village_id, typed, roster)
        if declared is None:
            return
        household = declared
    else:
        chosen = await ctx.session.get(Household, _int(ctx.args))
        if chosen is None or chosen.village_id != village_id:
            await ask_household(ctx)
            return
        household = chosen
    left, ctx.user.household_id = ctx.user.household_id, household.id
    await recount_members(ctx.session, left, household.id)
    await drop_own_unused(ctx.session, ctx.user.id, keep=household.id)
    ctx.end_step()
    village = await ctx.session.get(Village, village_id)
    ctx.say(t.REGISTERED.format(village=village.name if village else "", head=household.head_name))
    if household.status == "pending":
        ctx.say(t.REGISTERED_PENDING)
    await show_menu(ctx)


async def _find_or_create_self_declared(
    ctx: Context, village_id: int, typed: str, pending: bool = False
) -> Household | None:
    """Join the household of that name, or declare it (pending if asked); one per person."""
    head = person_name(typed)
    folded = folded_name(head)
    existing = await ctx.session.scalar(
        select(Household).where(
            Household.village_id == village_id, Household.head_name_folded == folded
        )
    )
    if existing:
        return existing
    in_use = await other_own_in_use(ctx.session, ctx.user)
    if in_use is not None:
        ctx.say(t.HOUSEHOLD_ONE_ONLY.format(head=in_use.head_name))
        ctx.ask(t.ASK_HOUSEHOLD, step="household")
        return None
    household = Household(
        village_id=village_id,
        head_name=head,
        head_name_folded=folded,
        source="self",
        status="pending" if pending else "confirmed",
        created_by=ctx.user.id,
    )
    ctx.session.add(household)
    await ctx.session.flush()
    return household


def _int(text: str) -> int:
    return int(text) if text.isdigit() else 0
