"""Players: send a person's steps through a channel and check what the person sees."""

from __future__ import annotations

import abc
import asyncio
import logging
from collections import Counter, deque
from dataclasses import dataclass, field
from types import TracebackType
from typing import Any

from bot.core.engine import Engine
from bot.core.messages import MAX_PAYLOAD_BYTES, Inbound, Outcome, Reply
from bot.core.router import MEDIA, STALE, UNSUPPORTED

SHOWN = 100


def show(value: Any, limit: int = SHOWN) -> str:
    """A repr short enough for a failure message."""
    text = repr(value)
    return text if len(text) <= limit else f"{text[:limit]}… ({len(text)} characters)"


@dataclass(frozen=True)
class Menu:
    """Options a person was shown: (label, payload), payload None where numbers are typed."""

    options: tuple[tuple[str, str | None], ...]
    ref: int | None = None  # the message carrying them (Telegram)

    def find(self, label: str) -> int | None:
        """The index of the option with this label (exactly, else containing it)."""
        for exact in (True, False):
            for index, (text, _) in enumerate(self.options):
                if text == label if exact else label in text:
                    return index
        return None


@dataclass
class Person:
    """Someone writing to the bot, with what they did and saw (for the failure report)."""

    number: int
    account: Any  # their id on the channel
    name: str
    did: deque[str] = field(default_factory=lambda: deque(maxlen=40))
    texts: deque[str] = field(default_factory=lambda: deque(maxlen=20))
    menus: deque[Menu] = field(default_factory=lambda: deque(maxlen=6))
    fresh: Menu | None = None  # options shown in answer to their last input
    last: Any = None  # their last update, for a redelivery

    def saw(self, texts: list[str], menus: list[Menu]) -> None:
        """Remember the answer to one input."""
        self.texts.extend(texts)
        self.menus.extend(menus)
        self.fresh = menus[-1] if menus else None

    def history(self) -> str:
        """What this person did so far (the last 40 steps), one per line."""
        return "\n".join(f"    {entry}" for entry in self.did)


@dataclass
class Stats:
    """What one fuzz target did."""

    examples: int = 0
    new_people: int = 0
    returning: int = 0
    handled: int = 0  # inputs the bot handled: messages, button presses, updates, bodies
    replies: int = 0  # messages and callback answers checked
    by_kind: Counter[str] = field(default_factory=Counter)


class LogWatch(logging.Handler):
    """Collect the warnings and errors logged while fuzzed input is handled."""

    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.records: list[logging.LogRecord] = []
        self.setFormatter(logging.Formatter("%(levelname)s %(name)s: %(message)s"))

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)

    def unexpected(self, tolerated: frozenset[str]) -> list[str]:
        """Take the records collected so far; return those not tolerated, formatted."""
        records, self.records = self.records, []
        return [self.format(r) for r in records if r.msg not in tolerated]

    def __enter__(self) -> LogWatch:
        logging.getLogger().addHandler(self)
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        logging.getLogger().removeHandler(self)


def check_texts(texts: list[str], what: str) -> None:
    """Every message a person receives says something."""
    assert texts, f"{what}: no answer"
    blank = [text for text in texts if not text.strip()]
    assert not blank, f"{what}: blank message {blank!r}"


class Player(abc.ABC):
    """Sends a person's steps through one channel and checks what the person sees."""

    channel: str
    target: str  # which steps it can play: "engine", "telegram" or "zalo" (strategies)

    def __init__(self, stats: Stats | None = None) -> None:
        self.stats = stats or Stats()

    @abc.abstractmethod
    def account(self, number: int) -> Any:
        """The id of person `number` on this channel."""

    @abc.abstractmethod
    async def say(self, person: Person, text: str) -> None:
        """Type a text; it must be answered."""

    @abc.abstractmethod
    async def tap(self, person: Person, menu: Menu, index: int) -> None:
        """Choose an option of a menu (the current one, or an older one)."""

    @abc.abstractmethod
    async def forge(self, person: Person, data: str) -> None:
        """Send a button press with forged callback data."""

    @abc.abstractmethod
    async def media(self, person: Person, kind: str, caption: str) -> None:
        """Send something that is not text."""

    @abc.abstractmethod
    async def burst(self, person: Person, texts: list[str]) -> None:
        """Send several texts at once; each must be answered."""

    async def other(self, person: Person, variant: str) -> None:
        """Send an update that is no message to answer (webhook channels only)."""
        raise NotImplementedError(self.channel)

    async def raw(self, body: bytes, secret: str) -> None:
        """POST any body to the webhook (webhook channels only)."""
        raise NotImplementedError(self.channel)

    def tolerated(self, kind: str) -> frozenset[str]:
        """Log messages (templates) a step of this kind may cause without being a failure."""
        return frozenset()


class EnginePlayer(Player):
    """Talks to `Engine.handle` as the console channel does, and reads the Reply objects."""

    target = "engine"

    def __init__(self, engine: Engine, channel: str = "console", stats: Stats | None = None):
        super().__init__(stats)
        self.engine = engine
        self.channel = channel

    def account(self, number: int) -> str:
        return f"fuzz-{self.channel}-{number}"

    async def _handle(self, person: Person, what: str, **fields: Any) -> Outcome:
        inbound = Inbound(
            channel=self.channel,
            external_id=person.account,
            chat_id=person.account,
            display_name=person.name or None,
            **fields,
        )
        outcome = await self.engine.handle(inbound)
        self.stats.handled += 1
        self.check(outcome, what)
        menus = [
            Menu(tuple((o.label, o.payload) for o in r.options))
            for r in outcome.replies
            if r.options
        ]
        person.saw(_texts(outcome.replies), menus)
        return outcome

    def check(self, outcome: Outcome, what: str) -> None:
        """Answered, not with "busy", every reply saying something, payloads within 64 bytes."""
        assert not outcome.failed, f"{what}: the bot failed ({_texts(outcome.replies)!r})"
        check_texts([r.text for r in outcome.replies], what)
        self.stats.replies += len(outcome.replies)
        for reply in outcome.replies:
            for option in reply.options:
                size = len(option.payload.encode())
                assert size <= MAX_PAYLOAD_BYTES, f"{what}: payload {option.payload!r} too big"
        if outcome.refused:
            assert STALE in _texts(outcome.replies), f"{what}: refused without saying so"

    async def say(self, person: Person, text: str) -> None:
        await self._handle(person, f"{self.channel} {person.account} said {show(text)}", text=text)

    async def tap(self, person: Person, menu: Menu, index: int) -> None:
        label, payload = menu.options[index]
        what = f"{self.channel} {person.account} tapped {label!r}"
        if payload is None:
            await self._handle(person, what, text=str(index + 1))
        else:
            await self._handle(person, what, payload=payload, kind="button")

    async def forge(self, person: Person, data: str) -> None:
        what = f"{self.channel} {person.account} forged button {show(data)}"
        await self._handle(person, what, payload=data, kind="button")

    async def media(self, person: Person, kind: str, caption: str) -> None:
        what = f"{self.channel} {person.account} sent {kind}"
        outcome = await self._handle(person, what, kind=kind)
        expected = UNSUPPORTED if kind == "unsupported" else MEDIA
        assert expected in _texts(outcome.replies), f"{what}: not told what to do instead"

    async def burst(self, person: Person, texts: list[str]) -> None:
        await asyncio.gather(*(self.say(person, text) for text in texts))


def _texts(replies: list[Reply]) -> list[str]:
    return [reply.text for reply in replies]
