"""Route one message: a button, a number, a label, a command or free text for the current step."""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field

from rapidfuzz import fuzz

from bot.core.auth import ADMIN, ROLE_NAMES, has_role
from bot.core.context import Context
from bot.core.messages import Option
from bot.core.text import clean, fold

Handler = Callable[[Context], Awaitable[None]]

MAX_TEXT = 1000
_NUMBER = re.compile(r"^(?:so |cau |chon )?(\d{1,4})$")
YES = {"co", "dong y", "ok", "oke", "u", "uh", "um", "vang", "da", "dung", "dung roi", "yes", "y"}
NO = {"khong", "ko", "k", "kg", "khong dong y", "sai", "no", "n", "thoi"}

STALE = "Câu này đã qua, mời bạn chọn lại 🙏"
MEDIA = "Mình chỉ đọc được chữ thôi 🙏. Bạn gõ chữ, gõ số hoặc bấm nút giúp mình nhé."
UNSUPPORTED = (
    "Mình chưa xem được tin nhắn này. Nếu bạn đang giúp người thân dùng, "
    "hãy gõ chữ hoặc gõ số (ví dụ: 1) để trả lời nhé. Gõ 0 để về menu."
)
EMPTY = "Mình chưa nhận được chữ nào. Bạn gõ lại giúp mình nhé."
TOO_LONG = "Tin nhắn dài quá, mình chỉ đọc được tin ngắn. Bạn gõ ngắn gọn lại giúp mình nhé."
UNKNOWN_COMMAND = "Mình chưa biết lệnh này. Gõ /trogiup để xem các lệnh, hoặc gõ 0 để về menu."


def refusal(roles: tuple[str, ...]) -> str:
    """Say politely that a command belongs to other roles, and how to get one."""
    who = " hoặc ".join(dict.fromkeys(ROLE_NAMES[r] for r in roles if r != ADMIN))
    return (
        f"Lệnh này chỉ dành cho {who or ROLE_NAMES[ADMIN]}. Nếu bạn được giao việc này, "
        "hãy nhập mã mời: /nhanma MÃ. Gõ /trogiup để xem các lệnh của bạn."
    )


def out_of_range(count: int) -> str:
    """Say which numbers are valid answers."""
    return f"Bạn chọn một số từ 1 đến {count} nhé (hoặc gõ 0 để về menu)."


@dataclass
class Command:
    """A chat command: typed with or without "/" and diacritics."""

    name: str
    handler: Handler
    aliases: tuple[str, ...] = ()
    open: bool = False  # usable before registration is finished
    takes_args: bool = False
    roles: tuple[str, ...] | None = None  # only these roles (registration not needed)


@dataclass
class Router:
    """Tables of commands, button payload prefixes and conversation steps."""

    fallback: Handler
    gate: Handler  # called instead of a command that needs registration
    commands: dict[str, Command] = field(default_factory=dict)
    payloads: dict[str, Handler] = field(default_factory=dict)
    steps: dict[str, Handler] = field(default_factory=dict)
    _names: dict[str, str] = field(default_factory=dict)

    def command(self, command: Command) -> None:
        """Register a command under its name and aliases (folded, spaces removed)."""
        self.commands[command.name] = command
        for word in (command.name, *command.aliases):
            self._names[fold(word).replace(" ", "")] = command.name

    def payload(self, prefix: str, handler: Handler) -> None:
        """Register the handler of button payloads "prefix" or "prefix:arg"."""
        self.payloads[prefix] = handler

    def step(self, name: str, handler: Handler) -> None:
        """Register the handler of free text typed while a step is open."""
        self.steps[name] = handler

    async def dispatch(self, ctx: Context) -> bool:
        """Handle one message; return True when it was an old or forged button (refused)."""
        inbound = ctx.inbound
        ctx.user.last_seen_at = ctx.now  # nudges count from the person's last message
        offered = ctx.offered()
        if inbound.payload is not None:
            if any(option.payload == inbound.payload for option in offered):
                await self.run_payload(ctx, inbound.payload)
                return False
            ctx.say(STALE)
            ctx.repeat_prompt()
            return True
        if inbound.kind in ("media", "unsupported"):
            ctx.say(MEDIA if inbound.kind == "media" else UNSUPPORTED)
            ctx.repeat_prompt()
            return False
        text = clean(inbound.text or "").strip()
        if not text:
            ctx.say(EMPTY)
            ctx.repeat_prompt()
            return False
        if len(text) > MAX_TEXT:
            ctx.say(TOO_LONG)
            ctx.repeat_prompt()
            return False
        if text.startswith("/"):
            head, _, args = text[1:].partition(" ")
            name = self._names.get(fold(head.split("@", 1)[0]).replace(" ", ""))
            if name is None:
                ctx.say(UNKNOWN_COMMAND)
                ctx.repeat_prompt()
                return False
            await self.run_command(ctx, name, args.strip())
            return False
        folded = fold(text)
        if folded in ("0", "menu", "ve menu"):
            await self.run_command(ctx, "menu", "")
            return False
        if offered:
            chosen = self._choose(folded, offered)
            if chosen:
                await self.run_payload(ctx, chosen.payload)
                return False
            number = _NUMBER.match(folded)
            if number and ctx.step not in self.steps:
                ctx.say(out_of_range(len(offered)))
                ctx.repeat_prompt()
                return False
        head, _, args = folded.partition(" ")
        whole = self._names.get(folded.replace(" ", ""))
        if whole:
            await self.run_command(ctx, whole, "")
            return False
        by_head = self._names.get(head)
        if by_head and self.commands[by_head].takes_args:
            await self.run_command(ctx, by_head, text.split(None, 1)[1] if args else "")
            return False
        step = self.steps.get(ctx.step or "")
        ctx.args = text
        await (step or self.fallback)(ctx)
        return False

    async def run_command(self, ctx: Context, name: str, args: str) -> None:
        """Run a command, sending unregistered users back to registration where needed."""
        command = self.commands[name]
        ctx.args = args
        if command.roles is not None:
            if not has_role(ctx.user, command.roles):
                ctx.say(refusal(command.roles))
                ctx.repeat_prompt()
                return
            await command.handler(ctx)
            return
        if not command.open and not ctx.registered:
            await self.gate(ctx)
            return
        await command.handler(ctx)

    async def run_payload(self, ctx: Context, payload: str) -> None:
        """Run the handler of a button payload "prefix:arg"."""
        prefix, _, arg = payload.partition(":")
        handler = self.payloads.get(prefix)
        ctx.args = arg
        if handler is None:
            ctx.say(STALE)
            ctx.repeat_prompt()
            return
        await handler(ctx)

    @staticmethod
    def _choose(folded: str, offered: list[Option]) -> Option | None:
        number = _NUMBER.match(folded)
        if number:
            index = int(number.group(1))
            return offered[index - 1] if 1 <= index <= len(offered) else None
        labels = [fold(option.label) for option in offered]
        for option, label in zip(offered, labels, strict=True):
            if folded == label:
                return option
        for words in (YES, NO):
            if folded in words:
                hits = [
                    o
                    for o, label in zip(offered, labels, strict=True)
                    if label in words or label.split(" ", 1)[0] in words  # "Không, giữ lại"
                ]
                if len(hits) == 1:
                    return hits[0]
        if len(folded) < 3:
            return None
        scored = sorted(
            # The whole label, nearly exact: one shared everyday word ("qua", "của") is no match.
            ((fuzz.ratio(folded, label), i) for i, label in enumerate(labels) if label),
            reverse=True,
        )
        if scored and scored[0][0] >= 85 and (len(scored) == 1 or scored[1][0] < scored[0][0] - 5):
            return offered[scored[0][1]]
        return None
