"""Routes declared next to their handlers (commands, steps, typed buttons) and who may use them.

A handler module keeps one `Routes` table and decorates its handlers, aiogram-router style:

    routes = Routes()

    @routes.command("hoc", "bai hoc")
    async def lesson_list(ctx: Context) -> None: ...

    @routes.button(OpenLesson)
    async def open_lesson(ctx: Context) -> None: ...

The router checks each route's `Access` for typed commands, for free text read by a step and for
button presses, at the moment they arrive: a button offered before a role changed is refused.
"""

from __future__ import annotations

import dataclasses
import typing
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, ClassVar, Literal, Self, TypeVar

from bot.core.messages import MAX_PAYLOAD_BYTES

if TYPE_CHECKING:
    from bot.core.context import Context

Handler = Callable[["Context"], Awaitable[None]]
H = TypeVar("H", bound=Handler)
Verdict = Literal["ok", "register", "refuse"]


@dataclass(frozen=True, slots=True)
class Access:
    """Who may use a route: any of `roles` (None: any role), registered as a resident or not.

    `roles=None, registered=False` is open to everyone, before sign-up too (consent, /start);
    `roles=None, registered=True` needs a finished resident sign-up; a route with roles needs one
    of them (a role holder need not sign up as a resident).
    """

    roles: tuple[str, ...] | None = None
    registered: bool = True

    def check(self, role: str, deleted: bool, registered: bool) -> Verdict:
        """Tell whether a person may use the route now, must sign up first, or is refused."""
        if self.roles is not None:
            return "ok" if not deleted and role in self.roles else "refuse"
        if self.registered and not registered:
            return "register"
        return "ok"


ANYONE = Access(registered=False)
RESIDENT = Access()


def roles(*names: str) -> Access:
    """Access for the holders of these roles."""
    return Access(roles=names, registered=False)


class Payload:
    """The data of a button: a prefix and typed fields, packed as "prefix:field:field".

    Subclasses are frozen dataclasses of `str` and `int` fields declared with their prefix:

        @dataclass(frozen=True)
        class OpenLesson(Payload, prefix="lesson"):
            lesson: str

    What a platform hands back is untrusted: `unpack` returns None for anything malformed, and
    the router refuses it like a stale button.
    """

    prefix: ClassVar[str] = ""

    def __init_subclass__(cls, prefix: str = "", **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        if prefix:
            cls.prefix = prefix

    def pack(self) -> str:
        """Return the button data (at most 64 bytes)."""
        fields = dataclasses.fields(self)  # type: ignore[arg-type]
        values = [str(getattr(self, f.name)) for f in fields]
        # Trailing fields left at their default are not written ("chuahoc:1", not "chuahoc:1:").
        while fields and fields[len(values) - 1].default == getattr(
            self, fields[len(values) - 1].name
        ):
            values.pop()
            if not values:
                break
        if any(":" in value for value in values):
            raise ValueError(f"a payload field holds ':': {values}")
        data = ":".join([self.prefix, *values])
        if len(data.encode()) > MAX_PAYLOAD_BYTES:
            raise ValueError(f"payload over {MAX_PAYLOAD_BYTES} bytes: {data!r}")
        return data

    @classmethod
    def unpack(cls, data: str) -> Self | None:
        """Read button data back; None when it does not fit this payload's fields."""
        prefix, _, rest = data.partition(":")
        if prefix != cls.prefix:
            return None
        fields = dataclasses.fields(cls)  # type: ignore[arg-type]
        parts = rest.split(":") if rest else []
        if len(parts) > len(fields):
            return None
        hints = typing.get_type_hints(cls)
        values: dict[str, Any] = {}
        for index, field in enumerate(fields):
            if index >= len(parts):
                if field.default is dataclasses.MISSING:
                    return None
                continue
            raw = parts[index]
            if hints[field.name] is int:
                if not (raw.isdecimal() and raw.isascii() and len(raw) <= 12):
                    return None
                values[field.name] = int(raw)
            else:
                values[field.name] = raw
        return cls(**values)


@dataclass(frozen=True, slots=True)
class Route:
    """One entry of the routing table."""

    kind: Literal["command", "button", "step"]
    key: str  # the command's name, the payload's prefix or the step's name
    handler: Handler
    access: Access
    aliases: tuple[str, ...] = ()
    takes_args: bool = False
    payload: type[Payload] | None = None
    media: bool = False  # a step that takes a picture the person sends


class Routes:
    """The routes of one handler module."""

    def __init__(self) -> None:
        self.table: list[Route] = []

    def command(
        self, name: str, *aliases: str, access: Access = RESIDENT, takes_args: bool = False
    ) -> Callable[[H], H]:
        """Route a command typed with or without "/" and diacritics (and its aliases)."""

        def register(handler: H) -> H:
            self.table.append(Route("command", name, handler, access, aliases, takes_args))
            return handler

        return register

    def button(self, payload: type[Payload], access: Access = RESIDENT) -> Callable[[H], H]:
        """Route the presses of buttons carrying this payload type."""
        if not payload.prefix:
            raise ValueError(f"{payload.__name__} has no prefix")

        def register(handler: H) -> H:
            self.table.append(Route("button", payload.prefix, handler, access, payload=payload))
            return handler

        return register

    def step(
        self, name: str, access: Access = RESIDENT, *, media: bool = False
    ) -> Callable[[H], H]:
        """Route the free text typed while a conversation step is open.

        With `media`, the step also receives photos, stickers, voice messages… sent while it is
        open (`ctx.inbound.file` and `ctx.download` say whether it was a picture); other steps
        answer them with the router's polite "text only".
        """

        def register(handler: H) -> H:
            self.table.append(Route("step", name, handler, access, media=media))
            return handler

        return register
