"""Nothing a person typed reaches the logs, and a valid name never outgrows its column."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator

import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.channels.telegram.adapter import TelegramChannel
from bot.core.engine import Engine
from bot.delivery.pipeline import Pipeline
from bot.logs import configure_logging
from tests.channels.test_telegram import TgUser
from tests.factories import Chat, household_named
from tests.fakes.telegram_api import FakeTelegram

SECRET_NAME = "Quách Bímật Zyxwvu"


async def refuse_new_households(sessions: async_sessionmaker[AsyncSession], backend: str) -> None:
    """Make the database reject every new household, as a broken disk or a bug would."""
    async with sessions() as session, session.begin():
        if backend == "sqlite":
            await session.execute(
                text(
                    "CREATE TRIGGER refuse BEFORE INSERT ON households"
                    " BEGIN SELECT RAISE(ABORT, 'refused by the test'); END"
                )
            )
        else:
            await session.execute(
                text(
                    "CREATE OR REPLACE FUNCTION refuse() RETURNS trigger AS"
                    " $$ BEGIN RAISE EXCEPTION 'refused by the test'; END $$ LANGUAGE plpgsql"
                )
            )
            await session.execute(
                text(
                    "CREATE TRIGGER refuse BEFORE INSERT ON households"
                    " FOR EACH ROW EXECUTE FUNCTION refuse()"
                )
            )


@pytest.fixture
async def households_refused(
    sessions: async_sessionmaker[AsyncSession], backend: str
) -> AsyncIterator[None]:
    await refuse_new_households(sessions, backend)
    yield
    async with sessions() as session, session.begin():  # the PostgreSQL schema outlives a test
        await session.execute(
            text(
                "DROP TRIGGER refuse ON households"
                if backend != "sqlite"
                else "DROP TRIGGER refuse"
            )
        )


async def test_a_database_error_on_typed_text_logs_none_of_it(
    engine: Engine,
    commune: int,
    households_refused: None,
    caplog: pytest.LogCaptureFixture,
) -> None:
    chat = Chat(engine)
    for said in ("/start", "1", "1", "thon moi"):
        await chat.say(said)
    caplog.set_level(logging.DEBUG)
    await chat.say(SECRET_NAME)
    await chat.say("1")  # "Tạo hộ mới": the insert fails
    assert "Hệ thống đang bận" in chat.text
    assert caplog.records, "the failure was not logged at all"
    formatter = logging.Formatter("%(message)s %(exc_text)s")
    for record in caplog.records:
        line = formatter.format(record) + repr(record.__dict__)
        for part in SECRET_NAME.split():
            assert part not in line, f"typed text in the log: {line[:500]}"


async def test_forty_ligatures_fit_the_household_column(
    engine: Engine, commune: int, sessions: async_sessionmaker[AsyncSession]
) -> None:
    typed = "Nguyễn " + "ﬃ" * 40  # 47 characters; title() makes each ligature three
    chat = Chat(engine)
    await chat.register(village="thon moi", household=typed)
    household = await household_named(sessions, ("Nguyễn " + "Ffi" + "ffi" * 39)[:120])
    assert len(household.head_name) <= 120 and len(household.head_name_folded) <= 120


async def test_at_debug_level_the_logs_hold_no_token_and_nothing_typed(
    engine: Engine, commune: int, capsys: pytest.CaptureFixture[str]
) -> None:
    """An operator chasing a problem turns on DEBUG: the libraries under us would then log the
    bot's token (in every API address), the webhook secret and each update as received."""
    root = logging.getLogger()
    saved = root.handlers[:], root.level
    fake = FakeTelegram()
    await fake.start()
    try:
        configure_logging("DEBUG")
        channel = TelegramChannel(
            Pipeline(engine), fake.token, fake.base_url, rate=1000, chat_interval=0
        )
        await channel.start()
        try:
            user = TgUser(fake, 9001)
            await user.say("/start", "Bạn có đồng ý không?")
            await user.say(SECRET_NAME, "")
        finally:
            await channel.stop()
    finally:
        await fake.stop()
        root.handlers[:], _ = saved
        root.setLevel(saved[1])
    logged = capsys.readouterr().err
    assert "telegram polling started" in logged  # our own lines are there
    assert fake.token not in logged and fake.token.split(":")[1] not in logged
    for part in SECRET_NAME.split():
        assert part not in logged, "typed text in the log"
