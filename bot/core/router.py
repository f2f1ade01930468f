"""Route one message: a button, a number, a label, a command or free text for the current step."""

from __future__ import annotations

import re
from collections.abc import Callable

from bot.core import resolver
from bot.core.auth import ADMIN, RESIDENT, ROLE_NAMES
from bot.core.context import Context
from bot.core.messages import STALE, Option
from bot.core.routes import Handler, Route, Routes
from bot.text import clean, fold

MAX_TEXT = 1000
_AFTER_WORD = re.compile(r"[^\w]+")  # what ends a typed command word: spaces, ":", ","


def _after_head(text: str) -> str:
    """The words after a bare command word, as typed: "sohodan 320", "SOHODAN:320" → "320"."""
    parts = [part for part in _AFTER_WORD.split(text, maxsplit=2) if part]
    return text[text.index(parts[0]) + len(parts[0]) :].lstrip(" :,;.-") if parts else ""


SLASH_INTENTS = ("stop", "menu", "back", "help", "repeat")  # ways out that work as a "/word"

MEDIA = "Mình chỉ đọc được chữ thôi 🙏. Bạn gõ chữ, gõ số hoặc bấm nút giúp mình nhé."
UNSUPPORTED = (
    "Mình chưa xem được tin nhắn này. Nếu bạn đang giúp người thân dùng, "
    "hãy gõ chữ hoặc gõ số (ví dụ: 1) để trả lời nhé. Gõ 0 để về menu."
)
EMPTY = "Mình chưa nhận được chữ nào. Bạn gõ lại giúp mình nhé."
TOO_LONG = "Tin nhắn dài quá, mình chỉ đọc được tin ngắn. Bạn gõ ngắn gọn lại giúp mình nhé."
UNKNOWN_COMMAND = "Mình chưa biết lệnh này. Gõ /trogiup để xem các lệnh, hoặc gõ 0 để về menu."
WHICH = "Ý bạn là {labels}? Bạn chọn giúp mình nhé:"
STOPPED = "Đã dừng ở đây."  # followed by what the stopped question says about resuming
STOPPED_SIGNUP = "Đã dừng. Khi nào muốn đăng ký tiếp, bạn gõ /start nhé."
THANKS = "Không có gì đâu ạ 🌷 Cần gì bạn cứ nhắn mình nhé."
NO_BACK_QUIZ = (
    "Trong bài kiểm tra thì không quay lại câu trước được 🙏. "
    'Bạn trả lời câu này nhé, hoặc gõ "bỏ qua" nếu chưa biết.'
)
NO_BACK = "Không còn câu nào trước đó để quay lại. Gõ 0 để về menu nhé."
NO_BACK_FIRST = (
    "Trước câu này không còn câu nào để quay lại 🙂. "
    "Bạn trả lời câu này nhé, hoặc gõ 0 để về menu."
)
QUIZ_HINT = (
    "Không sao cả 🙂 Bạn đọc lại câu hỏi và chọn đáp án bạn thấy đúng nhất. "
    'Nếu chưa biết, gõ "bỏ qua" để sang câu sau (câu bỏ qua không được tính điểm).'
)
QUIZ_WHICH = (
    "Câu bạn gõ hợp với hơn một đáp án. Bạn gõ số của đáp án mình chọn (1, 2, 3…) nhé; "
    'chưa biết thì gõ "bỏ qua".'
)
HINT = (
    "Không sao cả 🙂 Bạn trả lời bằng cách bấm nút hoặc gõ số (1, 2, 3…). "
    'Gõ "quay lại" để về câu trước, gõ 0 để về menu.'
)


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


class Router:
    """The routing table of every handler module: commands, button payloads and steps."""

    def __init__(
        self,
        fallback: Handler,
        gate: Handler,
        tables: list[Routes],
        help_text: Callable[[Context], str] | None = None,
    ) -> None:
        self.fallback = fallback  # free text no step reads
        self.gate = gate  # a route that needs sign-up, used before it is finished
        self.help_text = help_text or (lambda _ctx: HINT)  # the caller's own commands
        self.commands: dict[str, Route] = {}
        self.buttons: dict[str, Route] = {}
        self.steps: dict[str, Route] = {}
        self._names: dict[str, str] = {}
        for table in tables:
            for route in table.table:
                self.add(route)

    def add(self, route: Route) -> None:
        """Add one route; a key routed twice is a programming error."""
        where = {"command": self.commands, "button": self.buttons, "step": self.steps}[route.kind]
        if route.key in where:
            raise ValueError(f"{route.kind} {route.key!r} is routed twice")
        where[route.key] = route
        if route.kind == "command":
            for word in (route.key, *route.aliases):
                self._names[fold(word).replace(" ", "")] = route.key

    @property
    def table(self) -> list[Route]:
        """Every route, for checks and tests."""
        return [*self.commands.values(), *self.buttons.values(), *self.steps.values()]

    async def dispatch(self, ctx: Context) -> bool:
        """Handle one message; return True when it was an old or forged button (refused)."""
        ctx.router = self
        inbound = ctx.inbound
        offered = ctx.offered()
        if inbound.payload is not None:
            if any(option.payload == inbound.payload for option in offered):
                return not await self.run_payload(ctx, inbound.payload)
            ctx.say(STALE)
            ctx.repeat_prompt()
            return True
        if inbound.kind == "media" and self.takes_media(ctx.step):
            taking = self.steps[ctx.step or ""]
            ctx.args = clean(inbound.text or "").strip()[:MAX_TEXT]
            if await self._allowed(ctx, taking):
                await taking.handler(ctx)
            return False
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
            # "/huy", "/thoi", "/menu" typed as commands mean what the words mean anywhere.
            intent = resolver.intent_of(resolver.normalise(text[1:])) if name is None else None
            if intent in SLASH_INTENTS and await self._intent(ctx, intent or "", slash=True):
                return False
            if name is None:
                ctx.say(UNKNOWN_COMMAND)
                ctx.repeat_prompt()
                return False
            await self.run_command(ctx, name, args.strip())
            return False
        if await self._resolve(ctx, text, offered):
            return False
        folded = fold(text)
        whole = self._names.get(folded.replace(" ", ""))
        if ctx.step is None:
            # Bare command words run the command; while a step is open they are its answer
            # ("thon" is the name of a village there, not /thon).
            head, _, args = folded.partition(" ")
            if whole:
                await self.run_command(ctx, whole, "")
                return False
            by_head = self._names.get(head)
            if by_head and self.commands[by_head].takes_args:
                await self.run_command(ctx, by_head, _after_head(text) if args else "")
                return False
        ctx.args = text
        step = self.steps.get(ctx.step or "")
        if step is None:
            await self.fallback(ctx)
        elif await self._allowed(ctx, step):
            await step.handler(ctx)
        return False

    def takes_media(self, step: str | None) -> bool:
        """Tell whether the step open now takes photos and other media."""
        route = self.steps.get(step or "")
        return route is not None and route.media

    async def _resolve(self, ctx: Context, text: str, offered: list[Option]) -> bool:
        """Turn typed text into an option or an intent and act on it; False: not resolved."""
        found = resolver.choose(text, offered)
        if found.kind == "option" and found.option is not None:
            await self.run_payload(ctx, found.option.payload)
            return True
        if found.kind == "out_of_range" and ctx.step not in self.steps:
            ctx.say(out_of_range(len(offered)))
            ctx.repeat_prompt()
            return True
        if found.kind == "ambiguous" and ctx.in_quiz:
            # "Did you mean A or B?" would strike out the other answers of a quiz question.
            ctx.say(QUIZ_WHICH)
            ctx.repeat_prompt()
            return True
        if found.kind == "ambiguous":
            labels = " hay ".join(f'"{o.label}"' for o in found.candidates)
            ctx.say(WHICH.format(labels=labels), found.candidates)
            return True
        if found.kind == "intent" and found.intent is not None:
            return await self._intent(ctx, found.intent)
        return False

    async def _intent(self, ctx: Context, intent: str, slash: bool = False) -> bool:
        """Act on a phrase that means the same at every step; False: let the step read it.

        `slash`: typed as a command ("/huy"), which always means the whole flow.
        """
        if intent == "menu":
            await self.run_command(ctx, "menu", "")
        elif intent == "back":
            if not ctx.go_back():
                # At the first question of a flow there is nothing of it to go back to.
                ctx.say(NO_BACK_QUIZ if ctx.in_quiz else NO_BACK_FIRST if ctx.asking else NO_BACK)
                ctx.repeat_prompt()
        elif intent == "repeat":
            if ctx.offered() or ctx.step:
                ctx.repeat_prompt()
            else:
                await self.run_command(ctx, "menu", "")
        elif intent == "help":
            ctx.say(self.help_text(ctx))
            ctx.repeat_prompt()
        elif intent == "thanks":
            ctx.say(THANKS)
            ctx.repeat_prompt()
        elif intent == "stop":
            if not slash and ctx.step in self.steps and ctx.stoppable:
                ctx.intent = "stop"
                return False  # the step ends the part it is in (one entry of a list)
            hint = ctx.resume_hint  # what the stopped question says about picking it up
            ctx.end_step()
            # A role holder is not in the middle of signing up: their drafts stay.
            if ctx.registered or ctx.user.role != RESIDENT:
                ctx.say(f"{STOPPED} {hint}".strip())
                await self.run_command(ctx, "menu", "")
            else:
                ctx.clear()
                ctx.say(STOPPED_SIGNUP)
        elif intent in ("dont_know", "skip"):
            if intent == "skip" and ctx.step in self.steps and (ctx.in_quiz or ctx.skippable):
                ctx.intent = "skip"
                return False  # the step skips its question (a quiz, a report's question)
            ctx.say(QUIZ_HINT if ctx.in_quiz else HINT)
            ctx.repeat_prompt()
        else:
            return False  # "next" with nothing to go on to: the step reads it as text
        return True

    async def _allowed(self, ctx: Context, route: Route) -> bool:
        """Check the route's access now; refuse (leaving the step) or ask for sign-up."""
        user = ctx.user
        verdict = route.access.check(user.role, user.deleted_at is not None, ctx.registered)
        if verdict == "ok":
            return True
        ctx.end_step()
        if verdict == "refuse":
            ctx.say(refusal(route.access.roles or ()))
        else:
            await self.gate(ctx)  # never a silent end: sign-up comes first
        return False

    async def run_command(self, ctx: Context, name: str, args: str) -> None:
        """Run a command, sending people who have not signed up to sign-up where needed."""
        route = self.commands.get(name)
        if route is None:
            ctx.say(UNKNOWN_COMMAND)
            return
        ctx.args = args
        user = ctx.user
        verdict = route.access.check(user.role, user.deleted_at is not None, ctx.registered)
        if verdict == "refuse":
            ctx.say(refusal(route.access.roles or ()))
            ctx.repeat_prompt()
        elif verdict == "register":
            ctx.begin_flow()
            await self.gate(ctx)
        else:
            ctx.begin_flow()  # "quay lại" at its first question does not leave the command
            await route.handler(ctx)

    async def run_payload(self, ctx: Context, data: str) -> bool:
        """Run the handler of a button's data; False when the data or the person is refused."""
        prefix, _, arg = data.partition(":")
        route = self.buttons.get(prefix)
        payload = route.payload.unpack(data) if route and route.payload else None
        if route is None or payload is None:
            ctx.say(STALE)
            ctx.repeat_prompt()
            return False
        user = ctx.user
        verdict = route.access.check(user.role, user.deleted_at is not None, ctx.registered)
        if verdict == "refuse":
            ctx.end_step()
            ctx.say(refusal(route.access.roles or ()))
            return False
        if verdict == "register":
            await self.gate(ctx)
            return True
        ctx.args, ctx.payload = arg, payload
        await route.handler(ctx)
        return True
