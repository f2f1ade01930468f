"""The fuzzer: play hypothesis examples through a player, then check the database."""

from __future__ import annotations

import asyncio
import re
from collections import deque
from collections.abc import Callable
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import seed as hypothesis_seed
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.handlers import texts as t
from bot.handlers import texts_village as tv
from bot.lessons.model import TRACKS, Curriculum
from bot.roles import UNIT_HEAD
from bot.storage.db import transaction
from bot.storage.invites import create_invite
from bot.storage.models import Commune, Unit, Village, utcnow
from bot.text import fold
from bot.units import SCHOOL
from tests.fuzzing.invariants import check_invariants
from tests.fuzzing.players import LogWatch, Menu, Person, Player, Stats, show
from tests.fuzzing.strategies import Example, Step, examples

LINK_CODE = re.compile(r"Mã liên kết của bạn: (\d{6})")
RECENT = 3  # examples with who > WHO_MAX - RECENT continue with one of the last people
WHO_MAX = 14


class Fuzzer:
    """Play examples through a player: pick the person, play the steps, check the database.

    `twin` is a second channel (through the engine) for linking accounts; it shares the stats.
    """

    def __init__(
        self,
        player: Player,
        sessions: async_sessionmaker[AsyncSession],
        curriculum: Curriculum,
        twin: Player | None = None,
    ) -> None:
        self.player = player
        self.sessions = sessions
        self.curriculum = curriculum
        self.twin = twin
        self.stats = player.stats
        self.watch = LogWatch()
        self.recent: deque[Person] = deque(maxlen=RECENT)
        self.known: set[str] = set()  # invariant violations already reported
        self.people = 0

    def person(self, example: Example) -> Person:
        """A new person, or one of the last few, who continues where they stopped."""
        back = WHO_MAX + 1 - example.who
        if back <= RECENT and len(self.recent) >= back:
            self.stats.returning += 1
            return self.recent[-back]
        self.people += 1
        self.stats.new_people += 1
        person = Person(self.people, self.player.account(self.people), example.name)
        self.recent.append(person)
        return person

    async def run(self, example: Example) -> None:
        """Play one example, then check that the database is still consistent."""
        self.stats.examples += 1
        person = self.person(example)
        for step in example.steps:
            person.did.append(show(step))
            await self.play(person, step)
        await check_invariants(self.sessions, self.known)

    async def play(self, person: Person, step: Step) -> None:
        """Play one step; fail with what the person did when the bot misbehaved."""
        kind, value = step
        handled = self.stats.handled
        failure: AssertionError | None = None
        try:
            await self._step(self.player, person, kind, value)
        except AssertionError as error:
            failure = error
        self.stats.by_kind[kind] += self.stats.handled - handled
        logged = self.watch.unexpected(self.player.tolerated(kind))
        if failure is None and not logged:
            return
        lines = [
            f"{self.player.channel}, person {person.number} ({person.account!r}), "
            f"step {show(step)}",
            str(failure) if failure else "the bot logged a problem:",
            *logged,
            "what this person did (oldest first):",
            person.history(),
        ]
        raise AssertionError("\n".join(lines))

    async def _step(self, player: Player, person: Person, kind: str, value: Any) -> None:
        if kind == "say":
            await player.say(person, value)
        elif kind == "press":
            await self._press(player, person, person.menus[-1] if person.menus else None, value)
        elif kind == "old":
            back, index = value
            menu = person.menus[-1 - back] if len(person.menus) > back else None
            await self._press(player, person, menu, index)
        elif kind == "forge":
            await player.forge(person, value)
        elif kind == "media":
            await player.media(person, *value)
        elif kind == "burst":
            await player.burst(person, list(value))
        elif kind == "other":
            await player.other(person, value)
        elif kind == "raw":
            await player.raw(*value)
        elif kind == "forget":
            await player.say(person, "/xoadulieu")
            await self._choose(player, person, t.DELETE_NO if value else t.DELETE_YES)
        elif kind == "register":
            await self._register(player, person, *value)
        elif kind == "learn":
            await self._learn(player, person, *value)
        elif kind == "link":
            await self._link(person, *value)
        elif kind == "promote":
            await self._promote(player, person, *value)
        else:
            raise ValueError(f"unknown step kind {kind!r}")

    async def _press(self, player: Player, person: Person, menu: Menu | None, index: int) -> None:
        if menu is None or not menu.options:
            await player.say(person, str(index + 1))
        else:
            await player.tap(person, menu, index % len(menu.options))

    async def _choose(self, player: Player, person: Person, label: str) -> bool:
        """Tap the option with this label if the last answer offered it."""
        menu = person.fresh
        index = menu.find(label) if menu is not None else None
        if menu is None or index is None:
            return False
        await player.tap(person, menu, index)
        return True

    async def _register(
        self, player: Player, person: Person, cohort: int, village: str, household: str
    ) -> None:
        """Answer what registration asks, from wherever it stands."""
        await player.say(person, "/start")
        await self._choose(player, person, t.CONSENT_YES)
        await self._choose(player, person, list(t.COHORTS.values())[cohort])
        if _asked(person, t.ASK_VILLAGE):
            await player.say(person, village)
            await self._choose(player, person, t.YES)
        if _asked(person, t.ASK_HOUSEHOLD):
            await player.say(person, household)
            if not await self._choose(player, person, t.YES):
                await self._choose(player, person, t.HOUSEHOLD_CREATE)

    async def _learn(
        self,
        player: Player,
        person: Person,
        lesson_id: str,
        wrong: bool,
        home: tuple[str, str],
    ) -> None:
        lesson = self.curriculum.get(lesson_id)
        assert lesson is not None, lesson_id
        await player.say(person, "/hoc")
        if not await self._choose(player, person, TRACKS[lesson.track]):
            await self._register(player, person, 0, *home)
            await player.say(person, "/hoc")
            if not await self._choose(player, person, TRACKS[lesson.track]):
                return
        if not await self._choose(player, person, lesson.title[:40]):
            return
        for _ in lesson.cards[:-1]:
            if not await self._choose(player, person, t.NEXT_CARD):
                return
        if not await self._choose(player, person, t.START_QUIZ):
            return
        for question in lesson.questions:
            if question.typed:
                await player.say(person, "không biết" if wrong else question.accepted[0])
                continue
            index = (question.answer + wrong) % len(question.options)
            if not await self._choose(player, person, question.options[index]):
                return

    async def _promote(
        self, player: Player, person: Person, role: str, village: str | None
    ) -> None:
        """Give the person a role through an invite code, as an operator would."""
        async with transaction(self.sessions) as session:
            commune_id = await session.scalar(select(Commune.id).order_by(Commune.id).limit(1))
            village_id = unit_id = None
            if role == UNIT_HEAD and village is not None:
                unit_id = await _unit(session, commune_id or 0, village)
            else:
                village_id = await session.scalar(
                    select(Village.id).where(Village.name == village)
                )
            code, _ = await create_invite(
                session, role, commune_id, village_id, utcnow(), unit_id=unit_id
            )
        await player.say(person, f"/nhanma {code}")
        await self._choose(player, person, tv.INVITE_CONSENT_YES)  # if never consented

    async def _link(self, person: Person, home: tuple[str, str], person_gives: bool) -> None:
        """Link this person's account with a new one on the twin channel, registered in `home`."""
        if self.twin is None:
            return
        self.people += 1
        twin = Person(self.people, self.twin.account(self.people), person.name)
        await self._register(self.twin, twin, 0, *home)
        giver, taker = (self.twin, twin), (self.player, person)
        if person_gives:
            giver, taker = taker, giver
        await giver[0].say(giver[1], "/lienket")
        texts = reversed(giver[1].texts)
        code = next((m[1] for text in texts if (m := LINK_CODE.search(text))), None)
        await taker[0].say(taker[1], f"/lienket {code or '000000'}")


def _asked(person: Person, question: str) -> bool:
    """Tell whether the last message a person got asks this (a template's fixed start)."""
    return bool(person.texts) and person.texts[-1].startswith(question.split("{")[0])


def explore(
    fuzzer: Fuzzer,
    loop: asyncio.AbstractEventLoop,
    max_examples: int,
    seed: int | None = None,
    progress: Callable[[Stats], None] | None = None,
    **options: Any,
) -> None:
    """Run hypothesis examples through the fuzzer, each on `loop` (which must not be running).

    `progress` is called after every example; `options` go to hypothesis' settings.
    """
    config = settings(
        max_examples=max_examples,
        deadline=None,
        suppress_health_check=list(HealthCheck),
        **options,
    )

    def run(example: Example) -> None:
        try:
            loop.run_until_complete(fuzzer.run(example))
        finally:
            if progress is not None:
                progress(fuzzer.stats)

    test = config(given(examples(fuzzer.player.target))(run))
    if seed is not None:
        test = hypothesis_seed(seed)(test)
    with fuzzer.watch:
        test()


async def _unit(session: AsyncSession, commune_id: int, name: str) -> int:
    """The id of the commune's reporting unit of that name, created (a school) when missing."""
    found = await session.scalar(
        select(Unit.id).where(Unit.commune_id == commune_id, Unit.name_folded == fold(name))
    )
    if found is not None:
        return int(found)
    unit = Unit(
        commune_id=commune_id, kind=SCHOOL, name=name, name_folded=fold(name), members_total=45
    )
    session.add(unit)
    await session.flush()
    return unit.id
