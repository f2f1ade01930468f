"""The real python-telegram-bot Application against a local fake Bot API: polling and webhook."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator
from typing import Any

import aiohttp
import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.channels.telegram.adapter import TelegramChannel
from bot.core.engine import Engine
from bot.core.messages import Reply
from bot.core.router import MEDIA, STALE
from bot.delivery.pipeline import Pipeline
from bot.lessons import Curriculum
from bot.lessons.model import TRACKS
from bot.storage.models import Identity, ProcessedUpdate, User
from bot.web import Webhook, WebServer, build_web_app
from tests.fakes.telegram_api import FakeTelegram

SECRET = "s3cret-token_for-tests"


class TgUser:
    """A Telegram user: types messages and presses buttons of the bot's last messages."""

    def __init__(self, fake: FakeTelegram, user_id: int) -> None:
        self.fake = fake
        self.id = user_id

    def sent_count(self) -> int:
        # Cheap: fifty users' predicates run on every API call the bot makes.
        return self.fake.message_count(self.id)

    async def _await(self, before: int, expect: str) -> None:
        def arrived() -> bool:
            # Count first: every waiter is asked after each API call the bot makes.
            if self.sent_count() <= before:
                return False
            return any(expect in t for t in self.fake.texts(self.id)[-6:])

        try:
            await self.fake.wait_for(arrived, 30)
        except AssertionError:
            tail = [t[:50] for t in self.fake.texts(self.id)]
            raise AssertionError(f"user {self.id} waited for {expect!r}; last: {tail}") from None

    async def say(self, text: str, expect: str) -> None:
        before = self.sent_count()
        self.fake.push_message(self.id, text)
        await self._await(before, expect)

    def button(self, label: str) -> tuple[int, str]:
        for message in reversed(self.fake.messages(self.id)):
            markup = message.get("reply_markup") or {}
            for row in markup.get("inline_keyboard", []):
                for button in row:
                    if label in button["text"]:
                        return message["message_id"], button["callback_data"]
        raise AssertionError(f"no button {label!r}; last texts: {self.fake.texts(self.id)[-3:]}")

    async def press(self, label: str, expect: str) -> None:
        message_id, data = self.button(label)
        before = self.sent_count()
        self.fake.push_callback(self.id, message_id, data)
        await self._await(before, expect)

    async def register(self) -> None:
        await self.say("/start", "Bạn có đồng ý không?")
        await self.press("Đồng ý", "nhóm nào")
        await self.press("Người dân", "thôn")
        await self.say("dong tam", "hộ gia đình nào")
        await self.say("nguyen van an", "đúng không")
        await self.press("Đúng", "Menu chính")

    async def learn(self, curriculum: Curriculum, lesson_id: str = "L01") -> None:
        lesson = curriculum.get(lesson_id)
        assert lesson is not None
        await self.press("Chọn bài học", "Các nhóm bài học")
        await self.press(TRACKS[lesson.track], "các bài học")
        await self.press(lesson.title, "Thẻ 1/")
        for index in range(2, len(lesson.cards) + 1):
            await self.press("Tiếp", f"Thẻ {index}/")
        await self.press("Làm bài kiểm tra", "Câu 1/")
        for number, question in enumerate(lesson.questions, start=1):
            expect = f"Câu {number + 1}/" if number < len(lesson.questions) else "Bạn đạt"
            await self.press(question.options[question.answer], expect)


@pytest.fixture
async def fake() -> AsyncIterator[FakeTelegram]:
    server = FakeTelegram()
    await server.start()
    yield server
    await server.stop()


@pytest.fixture
async def polling(
    fake: FakeTelegram, engine: Engine, sessions: async_sessionmaker[AsyncSession], commune: int
) -> AsyncIterator[TelegramChannel]:
    channel = TelegramChannel(
        Pipeline(engine), fake.token, fake.base_url, rate=1000, chat_interval=0
    )
    await channel.start()
    yield channel
    await channel.stop()


@pytest.fixture
async def webhook(
    fake: FakeTelegram, engine: Engine, sessions: async_sessionmaker[AsyncSession], commune: int
) -> AsyncIterator[TelegramChannel]:
    holder: dict[str, Any] = {}

    async def handle(data: dict[str, Any]) -> bool:
        return bool(await holder["channel"].process_json(data))

    server = WebServer(
        build_web_app(
            sessions.kw["bind"],
            hooks=[Webhook("telegram", handle, SECRET, "X-Telegram-Bot-Api-Secret-Token")],
        ),
        "127.0.0.1",
        0,
    )
    await server.start()
    fake.forward_to = f"http://127.0.0.1:{server.port}"  # the TLS proxy in front of the bot
    channel = TelegramChannel(
        Pipeline(engine),
        fake.token,
        fake.base_url,
        rate=1000,
        chat_interval=0,
        webhook_url="https://bot.example.gov.vn/webhook/telegram",
        webhook_secret=SECRET,
    )
    holder["channel"] = channel
    await channel.start()
    yield channel
    await channel.stop()
    await server.stop()


async def test_polling_journey_by_pressing_buttons(
    fake: FakeTelegram, polling: TelegramChannel, curriculum: Curriculum, sessions
) -> None:
    assert fake.commands["default"][0]["command"] == "start"
    assert any(c["description"] == "Chọn bài học" for c in fake.commands["default"])
    user = TgUser(fake, 501)
    await user.register()
    await user.learn(curriculum)
    await fake.wait_for(lambda: any("Hộ của bạn đã được tính" in t for t in fake.texts(501)))
    # every pressed button was answered, and its keyboard removed
    assert len(fake.answered_callbacks) >= 10
    assert all(not c["text"] for c in fake.answered_callbacks)
    pressed = [m for m in fake.messages(501) if "Bạn có đồng ý không?" in (m["text"] or "")]
    assert pressed and not pressed[0]["reply_markup"]
    async with sessions() as session:
        identity = await session.scalar(select(Identity))
        assert identity is not None
        assert (identity.channel, identity.external_id) == ("telegram", "501")


async def test_webhook_journey_and_redelivery(
    fake: FakeTelegram, webhook: TelegramChannel, curriculum: Curriculum, sessions
) -> None:
    assert fake.webhook["secret_token"] == SECRET
    assert set(fake.webhook["allowed_updates"]) >= {"message", "callback_query"}
    user = TgUser(fake, 502)
    await user.register()
    await user.learn(curriculum)
    assert all(status == 200 for _, status in fake.webhook_posts)

    before = len(fake.texts(502))
    update = fake.push_message(502, "/ketqua")
    await fake.wait_for(lambda: any("Đã xong 1/" in t for t in fake.texts(502)))
    assert await fake.deliver(update) == 200  # Telegram sends the same update again
    await asyncio.sleep(0.3)
    assert len([t for t in fake.texts(502)[before:] if "Đã xong 1/" in t]) == 1
    async with sessions() as session:
        keys = await session.scalar(
            select(func.count()).where(ProcessedUpdate.update_key == str(update["update_id"]))
        )
        assert keys == 1


async def test_webhook_with_wrong_secret_is_refused_and_stores_nothing(
    fake: FakeTelegram, webhook: TelegramChannel, sessions
) -> None:
    update = {
        "update_id": 999,
        "message": {
            "message_id": 1,
            "date": int(time.time()),
            "chat": {"id": 77, "type": "private", "first_name": "X"},
            "from": {"id": 77, "is_bot": False, "first_name": "X"},
            "text": "/start",
        },
    }
    assert await fake.deliver(update, secret="wrong") == 403
    assert await fake.deliver(update, secret=None) == 403
    async with sessions() as session:
        assert await session.scalar(select(func.count(User.id))) == 0
    url = f"{fake.forward_to}/webhook/telegram"  # past the TLS proxy
    async with (
        aiohttp.ClientSession() as http,
        http.post(
            url, data=b"not json", headers={"X-Telegram-Bot-Api-Secret-Token": SECRET}
        ) as response,
    ):
        assert response.status == 400
    # A secret header of bytes that are no text at all: refused like any wrong secret.
    host, port = url.split("//", 1)[1].split("/", 1)[0].rsplit(":", 1)
    reader, writer = await asyncio.open_connection(host, int(port))
    writer.write(
        b"POST /webhook/telegram HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\n"
        b"X-Telegram-Bot-Api-Secret-Token: \xff\xfe\r\nConnection: close\r\n\r\n{}"
    )
    status = await reader.readline()
    writer.close()
    assert status.split()[1] == b"403"


async def test_webhook_bodies_telegram_never_sends_are_refused_or_ignored_quietly(
    fake: FakeTelegram,
    webhook: TelegramChannel,
    sessions: async_sessionmaker[AsyncSession],
    caplog: pytest.LogCaptureFixture,
) -> None:
    # Found by bench/fuzz.py: JSON too deep to decode, and updates missing or mistyping what
    # every real one has, made the webhook answer 500 or the bot answer "busy", with tracebacks.
    fake.register_chat(78)
    sender = {"id": 78, "is_bot": False, "first_name": "X"}
    message = {"message_id": 1, "date": 0, "chat": {"id": 78, "type": "private"}, "from": sender}
    forged = [
        {"update_id": 1, "my_chat_member": {}},
        {"update_id": 2, "callback_query": {"id": "7", "chat_instance": "1", "data": "menu"}},
        {"update_id": 3, "message": {**message, "text": ["/start"]}},
        {"update_id": 4, "message": {**message, "text": 12}},
        {"update_id": 5, "message": {**message, "from": {**sender, "first_name": [1]}}},
    ]
    deep = b'{"update_id": 6, "message": {"text": ' + b"[" * 5000 + b"]" * 5000 + b"}}"
    headers = {"X-Telegram-Bot-Api-Secret-Token": SECRET}
    async with aiohttp.ClientSession() as http:
        url = f"{fake.forward_to}/webhook/telegram"
        async with http.post(url, data=deep, headers=headers) as response:
            assert response.status == 400
        for update in forged:
            async with http.post(url, json=update, headers=headers) as response:
                assert response.status == 200, update
    assert fake.texts(78) == []
    assert [r.getMessage() for r in caplog.records if r.levelname == "ERROR"] == []
    async with sessions() as session:
        assert await session.scalar(select(func.count(User.id))) == 0


async def test_old_and_forged_buttons_get_a_toast_and_change_nothing(
    fake: FakeTelegram, polling: TelegramChannel, sessions
) -> None:
    user = TgUser(fake, 503)
    await user.say("/start", "Bạn có đồng ý không?")
    consent_id, consent_data = user.button("Đồng ý")
    await user.press("Đồng ý", "nhóm nào")
    before = len(fake.answered_callbacks)
    fake.push_callback(503, consent_id, consent_data)  # the old button, pressed again
    await fake.wait_for(lambda: len(fake.answered_callbacks) > before)
    assert fake.answered_callbacks[-1]["text"] == STALE
    cohort_id, _ = user.button("Người dân")
    fake.push_callback(503, cohort_id, "cohort:hacker")  # forged data
    await fake.wait_for(lambda: len(fake.answered_callbacks) > before + 1)
    assert fake.answered_callbacks[-1]["text"] == STALE
    fake.push_callback(503, cohort_id, "del:yes")
    await fake.wait_for(lambda: len(fake.answered_callbacks) > before + 2)
    assert fake.answered_callbacks[-1]["text"] == STALE
    async with sessions() as session:
        user_row = await session.scalar(select(User))
        assert user_row is not None
        assert user_row.cohort is None and user_row.deleted_at is None


async def test_blocked_user_breaks_nothing(
    fake: FakeTelegram, polling: TelegramChannel, sessions
) -> None:
    blocked = TgUser(fake, 504)
    await blocked.say("/start", "Bạn có đồng ý không?")
    fake.blocked.add(504)
    fake.push_message(504, "1")
    other = TgUser(fake, 505)
    await other.say("/start", "Bạn có đồng ý không?")  # others are still served

    async def unreachable() -> bool:
        async with sessions() as session:
            identity = await session.scalar(select(Identity).where(Identity.external_id == "504"))
            return identity is not None and identity.unreachable_at is not None

    deadline = time.monotonic() + 5
    while not await unreachable():
        assert time.monotonic() < deadline, "the blocked chat was not marked unreachable"
        await asyncio.sleep(0.05)


async def test_kicked_status_marks_the_chat_unreachable(
    fake: FakeTelegram, polling: TelegramChannel, sessions
) -> None:
    user = TgUser(fake, 506)
    await user.say("/start", "Bạn có đồng ý không?")
    fake.push_block(506)
    deadline = time.monotonic() + 5
    while True:
        async with sessions() as session:
            identity = await session.scalar(select(Identity))
            if identity is not None and identity.unreachable_at is not None:
                break
        assert time.monotonic() < deadline
        await asyncio.sleep(0.05)


async def test_photos_stickers_voice_and_locations_get_a_short_answer(
    fake: FakeTelegram, polling: TelegramChannel
) -> None:
    user = TgUser(fake, 507)
    await user.say("/start", "Bạn có đồng ý không?")
    for kind in ("photo", "sticker", "voice", "location"):
        before = user.sent_count()
        fake.push_message(507, kind=kind)
        await user._await(before, MEDIA)
    before = user.sent_count()
    fake.push_message(507, "sửa lại", edited=True)
    fake.push_message(507, "1")
    await user._await(before, "nhóm nào")
    assert not any("sửa lại" in t for t in fake.texts(507))


async def test_group_chats_get_a_note_and_nothing_is_stored(
    fake: FakeTelegram, polling: TelegramChannel, sessions
) -> None:
    fake.push_message(508, "/start", chat_type="group")
    await fake.wait_for(lambda: any("trò chuyện riêng" in t for t in fake.texts(-1508)))
    fake.push_message(508, "chào cả nhà", chat_type="group")
    await asyncio.sleep(0.2)
    assert len(fake.texts(-1508)) == 1
    async with sessions() as session:
        assert await session.scalar(select(func.count(User.id))) == 0


async def test_flood_control_and_server_errors_are_retried(
    fake: FakeTelegram, polling: TelegramChannel
) -> None:
    user = TgUser(fake, 509)
    fake.fail_next("sendMessage", 429, count=1, retry_after=1)
    start = time.monotonic()
    await user.say("/start", "Bạn có đồng ý không?")
    assert time.monotonic() - start >= 0.9
    fake.fail_next("sendMessage", 502, count=2)
    await user.press("Đồng ý", "nhóm nào")


async def test_long_replies_are_split_and_buttons_stay_on_the_last_part(
    fake: FakeTelegram, polling: TelegramChannel
) -> None:
    from bot.core.messages import Option

    user = TgUser(fake, 510)
    await user.say("/start", "Bạn có đồng ý không?")
    long_text = "\n\n".join(["Một đoạn dài. " * 40] * 12)
    before = len(fake.messages(510))
    await polling.send("510", Reply(long_text, (Option("A", "a:1"),)))
    parts = fake.messages(510)[before:]
    assert len(parts) == 2
    assert all(len(m["text"]) <= 4096 for m in parts)
    assert parts[-1]["reply_markup"]
    assert not parts[0]["reply_markup"]
    await polling.send("510", Reply("Tệp báo cáo", document=b"PK\x03\x04", filename="bc.xlsx"))
    document = fake.sent[-1]
    assert document["method"] == "sendDocument"
    assert document["filename"] == "bc.xlsx"
    assert document["document_bytes"] == b"PK\x03\x04"


async def test_fifty_users_at_once_each_get_every_reply_in_order(
    fake: FakeTelegram, polling: TelegramChannel, curriculum: Curriculum
) -> None:
    users = [TgUser(fake, 600 + i) for i in range(50)]

    async def journey(user: TgUser) -> None:
        await user.register()
        await user.learn(curriculum)

    await asyncio.gather(*(journey(u) for u in users))
    lesson = curriculum.get("L01")
    assert lesson is not None
    for user in users:
        texts = fake.texts(user.id)
        cards = [t for t in texts if "Thẻ " in t]
        assert [c.split("Thẻ ")[1].split("/")[0] for c in cards] == [
            str(i) for i in range(1, len(lesson.cards) + 1)
        ]
        questions = [t for t in texts if t.startswith("Câu ")]
        assert [q.split("/")[0] for q in questions] == [
            f"Câu {i}" for i in range(1, len(lesson.questions) + 1)
        ]
        assert texts.index(next(t for t in texts if "Bạn đạt" in t)) > texts.index(questions[-1])


async def test_role_menus_are_published_for_users_with_a_role(
    fake: FakeTelegram, engine: Engine, sessions: async_sessionmaker[AsyncSession], commune: int
) -> None:
    async with sessions() as session, session.begin():
        head = User(role="village_head", state={})
        session.add(head)
        await session.flush()
        session.add(Identity(user_id=head.id, channel="telegram", external_id="90", chat_id="90"))
    fake.register_chat(90)
    channel = TelegramChannel(Pipeline(engine), fake.token, fake.base_url, rate=1000)
    await channel.start()
    await channel.stop()
    head_menu = [c["command"] for c in fake.commands["chat:90"]]
    assert "thon" in head_menu
    assert "nopbaocao" in head_menu
    assert "thongke" not in head_menu
    assert "thon" not in [c["command"] for c in fake.commands["default"]]


async def test_a_revoked_role_resets_the_persons_command_menu(
    fake: FakeTelegram, engine: Engine, sessions: async_sessionmaker[AsyncSession], commune: int
) -> None:
    from datetime import UTC, datetime

    from bot.delivery.dispatcher import Dispatcher
    from bot.services.roles import revoke_role

    async with sessions() as session, session.begin():
        head = User(role="village_head", state={})
        session.add(head)
        await session.flush()
        session.add(Identity(user_id=head.id, channel="telegram", external_id="91", chat_id="91"))
    fake.register_chat(91)
    channel = TelegramChannel(Pipeline(engine), fake.token, fake.base_url, rate=1000)
    await channel.start()
    try:
        assert "thon" in [c["command"] for c in fake.commands["chat:91"]]
        async with sessions() as session, session.begin():
            user = await session.get(User, head.id)
            assert user is not None
            await revoke_role(session, user, datetime.now(UTC))
        await Dispatcher(sessions, {"telegram": channel}).drain()
    finally:
        await channel.stop()
    menu = [c["command"] for c in fake.commands["chat:91"]]
    assert "thon" not in menu and "hoc" in menu
