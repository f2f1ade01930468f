"""Our Zalo client against a local fake of the Zalo Bot API: polling, webhook, linking."""

from __future__ import annotations

import asyncio
import re
from collections.abc import AsyncIterator
from typing import Any

import aiohttp
import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.channels.base import NUMBER_HINT
from bot.channels.telegram.adapter import TelegramChannel
from bot.channels.zalo.adapter import ZaloChannel
from bot.core.engine import Engine
from bot.core.messages import Option, Reply
from bot.core.router import MEDIA, UNSUPPORTED
from bot.delivery.pipeline import Pipeline
from bot.lessons import Curriculum
from bot.lessons.model import TRACKS
from bot.media import MediaStore
from bot.storage.models import Identity, ProcessedUpdate, User
from bot.web import Webhook, WebServer, build_web_app
from tests.channels.test_telegram import TgUser
from tests.fakes.telegram_api import FakeTelegram
from tests.fakes.zalo_api import FakeZalo

SECRET = "zalo-hook-secret"


class ZaloUser:
    """A Zalo user: types text only (Zalo has no buttons), often without diacritics."""

    def __init__(self, fake: FakeZalo, user_id: str) -> None:
        self.fake = fake
        self.id = user_id

    async def say(self, text: str, expect: str) -> None:
        before = len(self.fake.texts(self.id))

        def arrived() -> bool:
            texts = self.fake.texts(self.id)
            return len(texts) > before and any(expect in t for t in texts[before:])

        self.fake.push_text(self.id, text)
        try:
            await self.fake.wait_for(arrived, 10)
        except AssertionError:
            tail = [t[:60] for t in self.fake.texts(self.id)[-4:]]
            raise AssertionError(f"{self.id} waited for {expect!r}; last: {tail}") from None

    def number_of(self, label: str) -> str:
        """Find the number of an option in the last numbered list the bot sent."""
        for text in reversed(self.fake.texts(self.id)):
            for line in text.splitlines():
                match = re.match(r"^(\d+)\. (.*)$", line)
                if match and label in match.group(2):
                    return match.group(1)
        raise AssertionError(f"no option {label!r} in {self.fake.texts(self.id)[-2:]}")

    async def register(self) -> None:
        await self.say("xin chao", "Bạn có đồng ý không?")
        await self.say("1", "nhóm nào")
        await self.say("1", "thôn")
        await self.say("dong tam", "hộ gia đình nào")
        await self.say("nguyen van an", "đúng không")
        await self.say("dung", "Menu chính")

    async def learn(self, curriculum: Curriculum, lesson_id: str = "L01") -> None:
        lesson = curriculum.get(lesson_id)
        assert lesson is not None
        await self.say("1", "Các nhóm bài học")
        await self.say(self.number_of(TRACKS[lesson.track]), "các bài học")
        await self.say(self.number_of(lesson.title), "Thẻ 1/")
        for index in range(2, len(lesson.cards) + 1):
            await self.say("1", f"Thẻ {index}/")
        await self.say("1", "Câu 1/")
        for number, question in enumerate(lesson.questions, start=1):
            expect = f"Câu {number + 1}/" if number < len(lesson.questions) else "Bạn đạt"
            await self.say(self.number_of(question.options[question.answer]), expect)


@pytest.fixture
async def zalo_fake() -> AsyncIterator[FakeZalo]:
    server = FakeZalo()
    await server.start()
    yield server
    await server.stop()


@pytest.fixture
async def polling(
    zalo_fake: FakeZalo, engine: Engine, sessions: async_sessionmaker[AsyncSession], commune: int
) -> AsyncIterator[ZaloChannel]:
    channel = ZaloChannel(
        Pipeline(engine), zalo_fake.token, zalo_fake.base_url, rate=1000, chat_interval=0
    )
    await channel.start()
    yield channel
    await channel.stop()


@pytest.fixture
async def webhook(
    zalo_fake: FakeZalo, engine: Engine, sessions: async_sessionmaker[AsyncSession], commune: int
) -> AsyncIterator[tuple[ZaloChannel, WebServer]]:
    holder: dict[str, Any] = {}
    media = MediaStore()

    async def handle(data: dict[str, Any]) -> bool:
        return bool(await holder["channel"].process_json(data))

    server = WebServer(
        build_web_app(
            sessions.kw["bind"],
            hooks=[Webhook("zalo", handle, SECRET, "X-Bot-Api-Secret-Token")],
            media=media,
        ),
        "127.0.0.1",
        0,
    )
    await server.start()
    base = f"http://127.0.0.1:{server.port}"
    zalo_fake.forward_to = base  # the TLS proxy in front of the bot
    channel = ZaloChannel(
        Pipeline(engine),
        zalo_fake.token,
        zalo_fake.base_url,
        rate=1000,
        chat_interval=0,
        webhook_url="https://bot.example.gov.vn/webhook/zalo",
        webhook_secret=SECRET,
        media=media,
        public_url=base,
    )
    holder["channel"] = channel
    await channel.start()
    yield channel, server
    await channel.stop()
    await server.stop()


async def test_polling_journey_typing_digits_and_words_without_diacritics(
    zalo_fake: FakeZalo, polling: ZaloChannel, curriculum: Curriculum, sessions
) -> None:
    user = ZaloUser(zalo_fake, "6ede9afa66b88fe6d6a9")
    await user.register()
    consent = next(t for t in zalo_fake.texts(user.id) if "Bạn có đồng ý không?" in t)
    assert "1. Đồng ý\n2. Không đồng ý" in consent
    assert NUMBER_HINT in consent
    await user.learn(curriculum)
    await zalo_fake.wait_for(
        lambda: any("Hộ của bạn đã được tính" in t for t in zalo_fake.texts(user.id))
    )
    async with sessions() as session:
        identity = await session.scalar(select(Identity))
        assert identity is not None
        assert (identity.channel, identity.external_id) == ("zalo", user.id)


async def test_webhook_journey_dedupe_and_secret(
    zalo_fake: FakeZalo,
    webhook: tuple[ZaloChannel, WebServer],
    curriculum: Curriculum,
    sessions,
) -> None:
    assert zalo_fake.webhook["secret_token"] == SECRET
    user = ZaloUser(zalo_fake, "a1b2c3")
    await user.register()
    await user.learn(curriculum, "L08")
    assert all(status == 200 for _, status in zalo_fake.webhook_posts)

    event = zalo_fake.push_text(user.id, "/ketqua")
    await zalo_fake.wait_for(lambda: any("Đã xong 1/" in t for t in zalo_fake.texts(user.id)))
    assert await zalo_fake.deliver(event) == 200  # the same event again
    await asyncio.sleep(0.3)
    assert len([t for t in zalo_fake.texts(user.id) if "Đã xong 1/" in t]) == 1

    stranger = dict(event)
    stranger["message"] = {**event["message"], "message_id": "ffff", "from": {"id": "evil"}}
    assert await zalo_fake.deliver(stranger, secret="wrong-secret") == 403
    assert await zalo_fake.deliver(stranger, secret=None) == 403
    async with sessions() as session:
        assert await session.scalar(select(func.count(User.id))) == 1
        assert (
            await session.scalar(
                select(func.count(ProcessedUpdate.id)).where(ProcessedUpdate.update_key == "ffff")
            )
            == 0
        )


async def test_images_stickers_and_hidden_content_never_raise(
    zalo_fake: FakeZalo, polling: ZaloChannel
) -> None:
    user = ZaloUser(zalo_fake, "u-media")
    await user.say("/start", "Bạn có đồng ý không?")
    for push, expect in (
        (zalo_fake.push_image, MEDIA),
        (zalo_fake.push_sticker, MEDIA),
        (zalo_fake.push_unsupported, UNSUPPORTED),
    ):
        before = len(zalo_fake.texts(user.id))
        push(user.id)
        await zalo_fake.wait_for(
            lambda before=before, expect=expect: any(
                expect in t for t in zalo_fake.texts(user.id)[before:]
            )
        )
        await zalo_fake.wait_for(  # and then the question again
            lambda: "Bạn có đồng ý không?" in zalo_fake.texts(user.id)[-1]
        )
    await user.say("1", "nhóm nào")


async def test_a_2500_character_reply_arrives_as_two_valid_messages(
    zalo_fake: FakeZalo, polling: ZaloChannel
) -> None:
    zalo_fake.register_chat("long")
    text = "\n\n".join(["Một đoạn văn khá dài cho người đọc. " * 10] * 7)[:2500]
    await polling.send("long", Reply(text))
    texts = zalo_fake.texts("long")
    assert len(texts) == 2
    assert all(1 <= len(t) <= 2000 for t in texts)
    await polling.send("long", Reply("Chọn:", (Option("Có", "a:1"), Option("Không", "a:2"))))
    assert zalo_fake.texts("long")[-1].startswith("Chọn:\n\n1. Có\n2. Không")


async def test_quota_and_server_errors_are_retried_and_blocked_users_marked(
    zalo_fake: FakeZalo, polling: ZaloChannel, sessions
) -> None:
    user = ZaloUser(zalo_fake, "u-errors")
    zalo_fake.fail_next("sendMessage", 429)
    zalo_fake.fail_next("sendMessage", 502)
    await user.say("/start", "Bạn có đồng ý không?")
    zalo_fake.blocked.add(user.id)
    zalo_fake.push_text(user.id, "1")
    for _ in range(100):
        async with sessions() as session:
            identity = await session.scalar(select(Identity))
            if identity is not None and identity.unreachable_at is not None:
                break
        await asyncio.sleep(0.05)
    else:
        raise AssertionError("the blocked chat was not marked unreachable")


async def test_photos_are_sent_as_expiring_links_from_our_server(
    zalo_fake: FakeZalo, webhook: tuple[ZaloChannel, WebServer]
) -> None:
    channel, _ = webhook
    zalo_fake.register_chat("staff")
    await channel.send("staff", Reply("Biểu đồ tuần này", photo=b"\x89PNG-bytes"))
    sent = zalo_fake.sent[-1]
    assert sent["method"] == "sendPhoto"
    assert sent["text"] == "Biểu đồ tuần này"
    async with aiohttp.ClientSession() as http:
        async with http.get(sent["photo"]) as response:
            assert response.status == 200
            assert await response.read() == b"\x89PNG-bytes"
        guessed = sent["photo"].rsplit("/", 1)[0] + "/not-a-token"
        async with http.get(guessed) as response:
            assert response.status == 404


async def test_without_a_public_url_photos_fall_back_to_text(
    zalo_fake: FakeZalo, polling: ZaloChannel
) -> None:
    zalo_fake.register_chat("staff2")
    await polling.send("staff2", Reply("Biểu đồ", photo=b"png"))
    assert zalo_fake.sent[-1]["method"] == "sendMessage"
    assert "chỉ xem được trên Telegram" in zalo_fake.texts("staff2")[-1]


async def test_linked_resident_continues_the_same_lesson_on_zalo(
    zalo_fake: FakeZalo,
    polling: ZaloChannel,
    engine: Engine,
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    telegram_fake = FakeTelegram()
    await telegram_fake.start()
    telegram = TelegramChannel(
        Pipeline(engine), telegram_fake.token, telegram_fake.base_url, rate=1000, chat_interval=0
    )
    await telegram.start()
    try:
        tg = TgUser(telegram_fake, 4242)
        await tg.register()
        await tg.press("Chọn bài học", "Các nhóm bài học")
        await tg.press("An toàn", "các bài học")
        await tg.press("Nhận diện lừa đảo", "Thẻ 1/")
        await tg.press("Tiếp", "Thẻ 2/")
        await tg.press("Tiếp", "Thẻ 3/")
        await tg.say("/lienket", "Mã liên kết")
        code_text = next(t for t in telegram_fake.texts(4242) if "Mã liên kết" in t)
        code = re.search(r"\b(\d{6})\b", code_text)
        assert code is not None
        zalo = ZaloUser(zalo_fake, "linked-on-zalo")
        await zalo.say(f"lienket {code.group(1)}", "Đã liên kết với tài khoản Telegram")
        await zalo.say("tiep", "Thẻ 3/")
        await zalo.say("1", "Thẻ 4/")
        await tg.say("/tiep", "Thẻ 4/")  # back on Telegram: where Zalo left off
    finally:
        await telegram.stop()
        await telegram_fake.stop()
