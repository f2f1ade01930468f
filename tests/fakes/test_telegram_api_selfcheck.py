"""Self-check of the fake Telegram Bot API, driven by the real python-telegram-bot Bot."""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import AsyncIterator
from datetime import timedelta

import aiohttp
import pytest
from aiohttp import web
from telegram import (
    Bot,
    BotCommand,
    BotCommandScopeChat,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    InputFile,
    Update,
)
from telegram.error import (
    BadRequest,
    Conflict,
    EndPointNotFound,
    Forbidden,
    InvalidToken,
    RetryAfter,
)
from telegram.ext import Application, ContextTypes, MessageHandler, filters

from tests.fakes.telegram_api import FakeTelegram

USER = 555


@pytest.fixture
async def fake() -> AsyncIterator[FakeTelegram]:
    server = FakeTelegram()
    await server.start()
    yield server
    await server.stop()


@pytest.fixture
async def bot(fake: FakeTelegram) -> AsyncIterator[Bot]:
    async with Bot(fake.token, base_url=fake.base_url) as client:
        yield client


def _keyboard(*data: str) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup([[InlineKeyboardButton(d, callback_data=d)] for d in data])


async def test_get_me(bot: Bot, fake: FakeTelegram) -> None:
    me = await bot.get_me()
    assert me.id == fake.bot_id and me.is_bot and me.username == "hocvuso_test_bot"
    assert me.first_name == "Học vụ số"


async def test_wrong_token_is_unauthorized(fake: FakeTelegram) -> None:
    other = Bot("999:WRONG", base_url=fake.base_url)
    try:
        with pytest.raises(InvalidToken, match="rejected"):
            await other.initialize()
    finally:
        await other.shutdown()


async def test_keyboard_sent_then_removed(bot: Bot, fake: FakeTelegram) -> None:
    fake.push_message(USER, "/start")
    sent = await bot.send_message(USER, "Chọn bài", reply_markup=_keyboard("a", "b"))
    assert sent.reply_markup is not None and sent.from_user is not None
    assert fake.messages(USER)[0]["reply_markup"]["inline_keyboard"][1][0]["callback_data"] == "b"

    edited = await bot.edit_message_reply_markup(USER, sent.message_id, reply_markup=None)
    assert not isinstance(edited, bool) and edited.reply_markup is None
    assert fake.messages(USER)[0]["reply_markup"] is None
    assert [s["method"] for s in fake.sent] == ["sendMessage", "editMessageReplyMarkup"]
    with pytest.raises(BadRequest, match="(?i)not modified"):
        await bot.edit_message_reply_markup(USER, sent.message_id, reply_markup=None)
    with pytest.raises(BadRequest, match="(?i)message to edit not found"):
        await bot.edit_message_text("x", chat_id=USER, message_id=999)


async def test_a_json_body_is_read_like_a_form(fake: FakeTelegram) -> None:
    """The Bot API reads JSON fields as it reads form fields: a chat id or a keyboard may come
    as text; a bad one is refused the same way."""
    fake.push_message(USER, "hi")
    keyboard = {"inline_keyboard": [[{"text": "Có", "callback_data": "c"}]]}
    url = f"{fake.base_url}{fake.token}/sendMessage"
    async with aiohttp.ClientSession() as session:
        for chat_id, markup in ((str(USER), keyboard), (USER, json.dumps(keyboard))):
            body = {"chat_id": chat_id, "text": "Đồng ý?", "reply_markup": markup}
            async with session.post(url, json=body) as response:
                assert response.status == 200, await response.text()
        async with session.post(
            url, json={"chat_id": USER, "text": "x", "reply_markup": "{"}
        ) as r:
            assert r.status == 400
    sent = fake.messages(USER)
    assert len(sent) == 2
    assert [m["reply_markup"]["inline_keyboard"][0][0]["callback_data"] for m in sent] == ["c"] * 2


async def test_callback_carries_current_message_and_is_answered_once(
    bot: Bot, fake: FakeTelegram
) -> None:
    fake.push_message(USER, "hi")
    sent = await bot.send_message(USER, "Chọn", reply_markup=_keyboard("x"))
    update = Update.de_json(fake.push_callback(USER, sent.message_id, "x"), bot)
    query = update.callback_query
    assert query is not None and query.data == "x" and query.message is not None
    assert query.message.reply_markup is not None
    assert await bot.answer_callback_query(query.id, text="ok")
    with pytest.raises(BadRequest, match="(?i)query is too old"):
        await bot.answer_callback_query(query.id)
    assert fake.answered_callbacks == [
        {"callback_query_id": query.id, "text": "ok", "show_alert": False}
    ]


async def test_text_validation(bot: Bot, fake: FakeTelegram) -> None:
    with pytest.raises(BadRequest, match="(?i)chat not found"):
        await bot.send_message(USER, "hi")
    fake.push_message(USER, "hi")
    with pytest.raises(BadRequest, match="(?i)message is too long"):
        await bot.send_message(USER, "a" * 4097)
    with pytest.raises(BadRequest, match="(?i)message text is empty"):
        await bot.send_message(USER, "   ")
    with pytest.raises(BadRequest, match="(?i)BUTTON_DATA_INVALID"):
        await bot.send_message(USER, "x", reply_markup=_keyboard("ắ" * 30))
    await bot.send_message(USER, "a" * 4096)
    assert len(fake.calls("sendMessage")) == 5 and len(fake.sent) == 1


async def test_blocked_chat_is_forbidden(bot: Bot, fake: FakeTelegram) -> None:
    fake.push_message(USER, "hi")
    fake.push_block(USER)
    with pytest.raises(Forbidden, match="(?i)blocked by the user"):
        await bot.send_message(USER, "hi")
    assert fake.sent == []


async def test_fail_next_429_is_retry_after(
    bot: Bot, fake: FakeTelegram, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PTB_TIMEDELTA", "true")
    fake.push_message(USER, "hi")
    fake.fail_next("sendMessage", 429, retry_after=7)
    with pytest.raises(RetryAfter) as caught:
        await bot.send_message(USER, "hi")
    assert caught.value.retry_after == timedelta(seconds=7)
    await bot.send_message(USER, "again")
    assert fake.texts(USER) == ["again"] and len(fake.calls("sendMessage")) == 2


async def test_long_poll_returns_pushed_update_and_times_out(bot: Bot, fake: FakeTelegram) -> None:
    poll = asyncio.create_task(bot.get_updates(timeout=5))
    await asyncio.sleep(0.1)
    pushed = fake.push_message(USER, "/start")
    updates = await asyncio.wait_for(poll, 2)
    assert [u.update_id for u in updates] == [pushed["update_id"]]
    message = updates[0].message
    assert message is not None and message.text == "/start"
    assert message.entities[0].type == "bot_command"

    started = time.monotonic()
    assert await bot.get_updates(offset=pushed["update_id"] + 1, timeout=1) == ()
    assert 0.9 <= time.monotonic() - started < 3


async def test_send_document_and_photo_bytes(bot: Bot, fake: FakeTelegram) -> None:
    fake.push_message(USER, "hi")
    message = await bot.send_document(
        USER, InputFile(b"%PDF-1.4 data", filename="bao-cao.pdf"), caption="Báo cáo"
    )
    assert message.document is not None and message.document.file_name == "bao-cao.pdf"
    await bot.send_photo(USER, b"\x89PNG fake", caption="Ảnh")
    document, photo = fake.sent
    assert document["filename"] == "bao-cao.pdf"
    assert document["document_bytes"] == b"%PDF-1.4 data"
    assert photo["photo_bytes"] == b"\x89PNG fake"
    assert fake.texts(USER) == ["Báo cáo", "Ảnh"]
    assert await fake.wait_texts(USER, 2) == ["Báo cáo", "Ảnh"]


async def test_set_my_commands_per_chat(bot: Bot, fake: FakeTelegram) -> None:
    commands = [BotCommand("start", "Bắt đầu"), BotCommand("help", "Trợ giúp")]
    await bot.set_my_commands(commands)
    await bot.set_my_commands(commands[:1], scope=BotCommandScopeChat(USER))
    assert fake.commands["chat:555"] == [{"command": "start", "description": "Bắt đầu"}]
    assert len(fake.commands["default"]) == 2
    assert [c.command for c in await bot.get_my_commands(scope=BotCommandScopeChat(USER))] == [
        "start"
    ]
    with pytest.raises(BadRequest, match="(?i)BOT_COMMAND_INVALID"):
        await bot.set_my_commands([BotCommand("Bad-Name", "x")])


async def test_webhook_delivery_and_conflict(bot: Bot, fake: FakeTelegram) -> None:
    received: list[tuple[dict, str | None]] = []
    answers = [500]

    async def hook(request: web.Request) -> web.Response:
        received.append(
            (await request.json(), request.headers.get("X-Telegram-Bot-Api-Secret-Token"))
        )
        return web.Response(status=answers.pop() if answers else 200)

    app = web.Application()
    app.router.add_post("/hook", hook)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = runner.addresses[0][1]
    fake.forward_to = f"http://127.0.0.1:{port}"  # the TLS proxy in front of the bot
    try:
        with pytest.raises(BadRequest, match="(?i)unallowed characters"):
            await bot.set_webhook("https://bot.test/hook", secret_token="a+b")
        with pytest.raises(BadRequest, match="(?i)https url must be provided"):
            await bot.set_webhook(f"http://127.0.0.1:{port}/hook", secret_token="s3cret_-")
        await bot.set_webhook("https://bot.test/hook", secret_token="s3cret_-")
        with pytest.raises(Conflict, match="(?i)webhook is active"):
            await bot.get_updates()
        first = fake.push_message(USER, "một")
        second = fake.push_message(USER, "hai")
        await fake.wait_for(lambda: len(received) == 3)
        assert [r[0]["message"]["text"] for r in received] == ["một", "một", "hai"]
        assert {r[1] for r in received} == {"s3cret_-"}
        assert fake.webhook_posts == [
            (first["update_id"], 500),
            (first["update_id"], 200),
            (second["update_id"], 200),
        ]
        assert await fake.deliver(first, secret=None) == 200
        assert received[-1][1] is None
        info = await bot.get_webhook_info()
        assert info.url.endswith("/hook") and info.pending_update_count == 0
        await bot.delete_webhook()
        assert fake.webhook["url"] == ""
    finally:
        await runner.cleanup()


async def test_unknown_method_is_not_found(bot: Bot) -> None:
    with pytest.raises(EndPointNotFound):
        await bot.do_api_request("noSuchMethod")


async def test_raw_http_answers_and_clean_stop_during_long_poll() -> None:
    async with FakeTelegram() as server, aiohttp.ClientSession() as session:
        async with session.post(f"{server.base_url}WRONG:TOKEN/getMe") as response:
            assert response.status == 401
            assert await response.json() == {
                "ok": False,
                "error_code": 401,
                "description": "Unauthorized",
            }
        server.fail_next("sendMessage", 429, retry_after=3)
        async with session.post(
            f"{server.base_url}{server.token}/sendMessage", json={"chat_id": 1, "text": "x"}
        ) as response:
            assert response.status == 429
            assert (await response.json())["parameters"] == {"retry_after": 3}
        url = f"{server.base_url}{server.token}/getUpdates"
        poll = asyncio.create_task(session.post(url, data={"timeout": "30"}))
        await asyncio.sleep(0.1)
        started = time.monotonic()
        await server.stop()
        async with await poll as response:
            assert (await response.json())["result"] == []
        assert time.monotonic() - started < 2


async def test_application_polling_round_trip(fake: FakeTelegram) -> None:
    async def echo(update: Update, _context: ContextTypes.DEFAULT_TYPE) -> None:
        assert update.effective_chat is not None and update.effective_message is not None
        await update.effective_chat.send_message(f"echo: {update.effective_message.text}")

    app = Application.builder().token(fake.token).base_url(fake.base_url).build()
    app.add_handler(MessageHandler(filters.TEXT, echo))
    await app.initialize()
    await app.start()
    assert app.updater is not None
    await app.updater.start_polling(poll_interval=0, timeout=10)
    try:
        fake.push_message(USER, "xin chào")
        fake.push_message(USER, "lần hai")
        assert await fake.wait_texts(USER, 2) == ["echo: xin chào", "echo: lần hai"]
    finally:
        started = time.monotonic()
        await app.updater.stop()
        await app.stop()
        await app.shutdown()
    assert time.monotonic() - started < 3
    assert fake.calls("getUpdates")[-1]["offset"] == 3
