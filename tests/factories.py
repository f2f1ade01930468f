"""Builders for tests: seeded communes and a transcript-style chat with the engine."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.config import ROOT
from bot.core.engine import Engine
from bot.core.messages import Inbound, Outcome, Reply
from bot.lessons.model import TRACKS, Lesson
from bot.storage.db import transaction
from bot.storage.imports import add_commune, import_households, import_villages
from bot.storage.models import Household, User, Village

SEED = ROOT / "db" / "seed"


async def seed_demo_commune(sessions: async_sessionmaker[AsyncSession]) -> int:
    """Create Kim Thành with the demo villages and roster; return the commune id."""
    async with transaction(sessions) as session:
        commune, _ = await add_commune(session, "Kim Thành", "Hải Phòng")
        await import_villages(session, SEED / "demo_villages.csv")
        await import_households(session, SEED / "demo_households.csv")
        return commune.id


class Chat:
    """One person talking to the bot: `say` types, `press` taps an option by its label."""

    def __init__(self, engine: Engine, user: str = "an", channel: str = "console") -> None:
        self.engine = engine
        self.user = user
        self.channel = channel
        self.outcome = Outcome()
        self._counter = 0

    async def send(self, inbound: Inbound) -> list[Reply]:
        self.outcome = await self.engine.handle(inbound)
        return self.outcome.replies

    def inbound(self, **kwargs: object) -> Inbound:
        base: dict[str, object] = {
            "channel": self.channel,
            "external_id": self.user,
            "chat_id": self.user,
            "display_name": f"Người {self.user}",
        }
        base.update(kwargs)
        return Inbound(**base)  # type: ignore[arg-type]

    async def say(self, text: str) -> list[Reply]:
        return await self.send(self.inbound(text=text))

    async def tap(self, payload: str) -> list[Reply]:
        return await self.send(self.inbound(payload=payload, kind="button"))

    async def press(self, label: str) -> list[Reply]:
        """Tap the option whose label contains `label` (as a Telegram user would)."""
        return await self.tap(self.option(label))

    def option(self, label: str) -> str:
        for option in self.options_reply.options:
            if label in option.label:
                return option.payload
        raise AssertionError(f"no option {label!r} in {self.labels}")

    @property
    def replies(self) -> list[Reply]:
        return self.outcome.replies

    @property
    def text(self) -> str:
        return "\n---\n".join(r.text for r in self.outcome.replies)

    @property
    def options_reply(self) -> Reply:
        with_options = [r for r in self.outcome.replies if r.options]
        if not with_options:
            raise AssertionError(f"the last replies offer no options:\n{self.text}")
        return with_options[-1]

    @property
    def labels(self) -> list[str]:
        with_options = [r for r in self.outcome.replies if r.options]
        return [o.label for o in with_options[-1].options] if with_options else []

    async def register(
        self, village: str = "dong tam", household: str = "nguyen van an", cohort: str = "1"
    ) -> None:
        """Go through consent, cohort, village and household by typing, as on Zalo."""
        await self.say("/start")
        await self.say("1")
        await self.say(cohort)
        await self.say(village)
        await self.say(household)
        if "đúng không" in self.text or "Tạo hộ mới" in self.text:
            await self.say("1")
        assert "đăng ký xong" in self.text, self.text

    async def open_quiz(self, lesson: Lesson) -> None:
        """Open a lesson from /hoc, read every card and start its quiz."""
        await self.say("/hoc")
        await self.press(TRACKS[lesson.track])
        await self.press(lesson.title)
        for _ in lesson.cards[:-1]:
            await self.press("Tiếp")
        await self.press("Làm bài kiểm tra")

    async def complete_lesson(self, lesson_id: str, *, right: bool = True) -> None:
        """Open a lesson, read every card and answer every question (right or wrong)."""
        lesson = self.engine.curriculum.get(lesson_id)
        assert lesson is not None
        await self.open_quiz(lesson)
        for question in lesson.questions:
            assert question.text in self.text
            if question.typed:
                # "không biết" is not an answer any more (a hint comes back): type a wrong one.
                await self.say(question.accepted[0] if right else "zzz")
                continue
            index = question.answer if right else (question.answer + 1) % len(question.options)
            await self.press(question.options[index])


async def user_of(sessions: async_sessionmaker[AsyncSession], external_id: str) -> User | None:
    from bot.storage.models import Identity

    async with sessions() as session:
        return await session.scalar(
            select(User).join(Identity).where(Identity.external_id == external_id)
        )


async def household_named(sessions: async_sessionmaker[AsyncSession], head: str) -> Household:
    async with sessions() as session:
        found = await session.scalar(select(Household).where(Household.head_name == head))
        assert found is not None
        return found


async def village_named(sessions: async_sessionmaker[AsyncSession], name: str) -> Village:
    async with sessions() as session:
        found = await session.scalar(select(Village).where(Village.name == name))
        assert found is not None
        return found


async def grant(
    engine: Engine, chat: Chat, role: str, village: str | None = None, commune: str = "Kim Thành"
) -> None:
    """Give a chat user a role through a real invite code, as an operator would."""
    from datetime import UTC, datetime

    from bot.storage.imports import commune_key
    from bot.storage.invites import create_invite, find_village
    from bot.storage.models import Commune

    async with transaction(engine.sessions) as session:
        row = await session.scalar(
            select(Commune).where(Commune.name_folded == commune_key(commune))
        )
        assert row is not None
        village_row = await find_village(session, row.id, village) if village else None
        code, _ = await create_invite(
            session,
            role,
            row.id,
            village_row.id if village_row else None,
            datetime.now(UTC),
        )
    await chat.say(f"/nhanma {code}")
    if "nhận vai trò" in chat.text and "Bạn có đồng ý không?" in chat.text:
        await chat.press("Đồng ý, nhận vai trò")  # never consented: asked first
    assert "Bạn đã được giao vai trò" in chat.text, chat.text


async def add_participating(
    sessions: async_sessionmaker[AsyncSession],
    village: str,
    count: int,
    since: str = "2026-11-01T09:00+07:00",
) -> None:
    """Add `count` roster households taking part since `since` (local time) to a village."""
    from datetime import datetime

    from bot.text import fold

    at = datetime.fromisoformat(since)
    async with transaction(sessions) as session:
        row = await session.scalar(select(Village).where(Village.name == village))
        assert row is not None
        known = await session.scalar(
            select(func.count()).select_from(Household).where(Household.village_id == row.id)
        )
        for n in range(int(known or 0), int(known or 0) + count):
            session.add(
                Household(
                    village_id=row.id,
                    code=f"T-{n:04d}",
                    head_name=f"Hộ thử {n}",
                    head_name_folded=fold(f"Hộ thử {n}"),
                    source="roster",
                    participating_since=at,
                )
            )


async def set_total(
    sessions: async_sessionmaker[AsyncSession], village: str, total: int | None
) -> None:
    """Declare a village's household total (None: not declared)."""
    async with transaction(sessions) as session:
        row = await session.scalar(select(Village).where(Village.name == village))
        assert row is not None
        row.households_total = total


async def add_unit(
    sessions: async_sessionmaker[AsyncSession],
    commune_id: int,
    name: str,
    kind: str = "co_quan",
    members_total: int = 0,
) -> int:
    """Create a reporting unit (agency, school, enterprise…) and return its id."""
    from bot.storage.models import Unit
    from bot.text import fold

    async with transaction(sessions) as session:
        unit = Unit(
            commune_id=commune_id,
            kind=kind,
            name=name,
            name_folded=fold(name),
            members_total=members_total,
        )
        session.add(unit)
        await session.flush()
        return unit.id


async def add_unit_report(
    sessions: async_sessionmaker[AsyncSession],
    unit_id: int,
    year: int,
    *,
    learned: int | None,
    total: int | None = None,
    classes: int | None = None,
    results: str = "",
    initiatives: str = "",
    nominations: list[dict[str, str]] | None = None,
    submitted_at: str = "",
) -> int:
    """Store a unit's report for `year` (as the unit report conversation would); its id."""
    from datetime import datetime

    from bot.storage.models import Deadline, Unit, UnitReport

    async with transaction(sessions) as session:
        unit = await session.get(Unit, unit_id)
        assert unit is not None
        deadline = await session.scalar(
            select(Deadline).where(Deadline.commune_id == unit.commune_id).order_by(Deadline.id)
        )
        assert deadline is not None
        report = UnitReport(
            unit_id=unit_id,
            deadline_id=deadline.id,
            year=year,
            submitted_at=datetime.fromisoformat(submitted_at or f"{year}-12-01T09:00+07:00"),
            members_total=unit.members_total if total is None else total,
            members_learned=learned,
            classes_held=classes,
            results=results,
            initiatives=initiatives,
            nominations=nominations or [],
        )
        session.add(report)
        await session.flush()
        return report.id


async def households_joined(
    sessions: async_sessionmaker[AsyncSession], village: str, *dates: str
) -> None:
    """Add households of a village taking part since the given ISO datetimes."""
    from datetime import datetime

    row = await village_named(sessions, village)
    async with transaction(sessions) as session:
        for i, when in enumerate(dates):
            session.add(
                Household(
                    village_id=row.id,
                    code=f"J-{row.id}-{i}-{when[:10]}",
                    head_name=f"Hộ {i} {when[:10]}",
                    head_name_folded=f"ho {i} {when[:10]}",
                    participating_since=datetime.fromisoformat(when),
                )
            )


async def grant_unit_head(engine: Engine, chat: Chat, unit: str, kind: str = "truong_hoc") -> None:
    """Make a chat user the head of a reporting unit of Kim Thành (created if missing)."""
    from datetime import UTC, datetime

    from bot.storage.invites import create_invite
    from bot.storage.models import Commune, Unit
    from bot.text import fold

    async with transaction(engine.sessions) as session:
        commune = await session.scalar(select(Commune).where(Commune.name_folded == "kim thanh"))
        assert commune is not None
        row = await session.scalar(select(Unit).where(Unit.name_folded == fold(unit)))
        if row is None:
            row = Unit(
                commune_id=commune.id,
                kind=kind,
                name=unit,
                name_folded=fold(unit),
                members_total=40,
            )
            session.add(row)
            await session.flush()
        code, _ = await create_invite(
            session, "unit_head", commune.id, None, datetime.now(UTC), unit_id=row.id
        )
    await chat.say(f"/nhanma {code}")
    if "Bạn có đồng ý không?" in chat.text:
        await chat.press("Đồng ý, nhận vai trò")
    assert "Bạn đã được giao vai trò thủ trưởng đơn vị" in chat.text, chat.text
