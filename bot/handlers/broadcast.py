"""Staff notices (/guitin): audience, text, preview, confirm, then the outbox sends."""

from __future__ import annotations

from dataclasses import dataclass

from bot.core.auth import STAFF, VILLAGE_HEAD
from bot.core.context import Context
from bot.core.messages import Option
from bot.core.routes import Payload, Routes
from bot.delivery.broadcasts import after_quiet_hours, recipients, start_broadcast
from bot.handlers import texts_staff as t
from bot.handlers.paging import page_number, page_of
from bot.handlers.staff import STAFF_ONLY, commune_of
from bot.storage import places
from bot.storage.models import Commune, Village

MAX_NOTICE = 1000
routes = Routes()


@dataclass(frozen=True)
class NoticeStep(Payload, prefix="gt"):
    """A step of /guitin: to (audience), village, v (one village), edit, send or cancel."""

    action: str
    arg: str = ""


AUDIENCES: dict[str, tuple[dict[str, object], str]] = {
    "all": ({"kind": "commune"}, t.NOTICE_ALL),
    "heads": ({"kind": "role", "role": VILLAGE_HEAD}, t.NOTICE_HEADS),
    "staff": ({"kind": "role", "role": STAFF}, t.NOTICE_STAFF),
}


@routes.command("guitin", "gui tin", "thong bao", access=STAFF_ONLY)
async def notice(ctx: Context) -> None:
    """Ask who the notice is for (/guitin)."""
    if await commune_of(ctx) is None:
        ctx.say(t.NO_COMMUNE)
        return
    ctx.ask(
        t.NOTICE_AUDIENCE,
        [
            Option(t.NOTICE_ALL, NoticeStep("to", "all").pack()),
            Option(t.NOTICE_VILLAGE, NoticeStep("village").pack()),
            Option(t.NOTICE_HEADS, NoticeStep("to", "heads").pack()),
            Option(t.NOTICE_STAFF, NoticeStep("to", "staff").pack()),
        ],
    )


@routes.button(NoticeStep, access=STAFF_ONLY)
async def on_notice(ctx: Context) -> None:
    """Go through the notice steps chosen with buttons."""
    commune_id = await commune_of(ctx)
    step = ctx.payload
    assert isinstance(step, NoticeStep)
    action, arg = step.action, step.arg
    if commune_id is None:
        ctx.say(t.NO_COMMUNE)
        return
    if action == "village":
        villages = await places.villages_of(ctx.session, commune_id)
        page = page_of(villages, page_number(arg))
        ctx.ask(
            t.NOTICE_WHICH_VILLAGE + (f" ({page.label})" if page.label else ""),
            page.options(
                lambda v: Option(v.name, NoticeStep("v", str(v.id)).pack()),
                lambda n: NoticeStep("village", str(n)).pack(),
            ),
        )
        return
    if action in ("to", "v"):
        if action == "v":
            village = await ctx.session.get(Village, int(arg)) if arg.isdigit() else None
            if village is None or village.commune_id != commune_id:
                await notice(ctx)
                return
            audience: dict[str, object] = {"kind": "village", "village_id": village.id}
            label = village.name
        elif arg in AUDIENCES:
            audience, label = AUDIENCES[arg]
        else:
            await notice(ctx)
            return
        ctx.ask(
            t.NOTICE_ASK_TEXT.format(limit=MAX_NOTICE),
            step="notice_text",
            audience=audience,
            label=label,
        )
        return
    if action == "edit":
        ctx.ask(
            t.NOTICE_ASK_TEXT.format(limit=MAX_NOTICE),
            step="notice_text",
            audience=ctx.data.get("audience"),
            label=ctx.data.get("label"),
        )
        return
    if action == "send":
        await _send(ctx, commune_id)
        return
    ctx.end_step()
    ctx.say(t.NOTICE_CANCELLED)


@routes.step("notice_text", access=STAFF_ONLY)
async def on_notice_text(ctx: Context) -> None:
    """Take the typed notice and show a preview to confirm."""
    text = ctx.args.strip()
    if len(text) > MAX_NOTICE:
        ctx.say(t.NOTICE_TOO_LONG.format(length=len(text), limit=MAX_NOTICE))
        ctx.repeat_prompt()
        return
    commune_id = await commune_of(ctx)
    audience, label = ctx.data.get("audience") or {}, ctx.data.get("label") or ""
    count = len(await recipients(ctx.session, commune_id or 0, audience))
    ctx.ask(
        t.NOTICE_PREVIEW.format(audience=label, count=count, text=text),
        [
            Option(t.NOTICE_SEND, NoticeStep("send").pack()),
            Option(t.NOTICE_EDIT, NoticeStep("edit").pack()),
            Option(t.NOTICE_CANCEL, NoticeStep("cancel").pack()),
        ],
        step=None,
        audience=audience,
        label=label,
        notice=text,
    )


async def _send(ctx: Context, commune_id: int) -> None:
    text, audience = ctx.data.get("notice"), ctx.data.get("audience")
    commune = await ctx.session.get(Commune, commune_id)
    ctx.end_step()
    if not text or not audience or commune is None:
        ctx.say(t.NOTICE_CANCELLED)
        return
    broadcast = await start_broadcast(
        ctx.session,
        commune=commune,
        audience=audience,
        text=text,
        sender=ctx.user,
        sender_channel=ctx.inbound.channel,
        sender_chat_id=ctx.inbound.chat_id,
        now=ctx.now,
    )
    if broadcast.total == 0:
        ctx.say(t.NOTICE_NOBODY)
        return
    send_at = after_quiet_hours(ctx.now, commune.timezone)
    if send_at > ctx.now:
        ctx.say(t.NOTICE_LATER.format(day=send_at.strftime("%d/%m")))
    else:
        ctx.say(t.NOTICE_QUEUED.format(count=broadcast.total))
