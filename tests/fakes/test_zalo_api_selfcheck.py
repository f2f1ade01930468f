"""Self-check of the fake Zalo Bot API, driven by a plain aiohttp client."""

from __future__ import annotations

import asyncio
import re
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Any

import aiohttp
import pytest
from aiohttp import web

from tests.fakes.zalo_api import FakeZalo

USER = "6ede9afa66b88fe6d6a9"
SECRET = "s3cret-token"
HEX20 = re.compile(r"[0-9a-f]{20}")


@pytest.fixture
async def fake() -> AsyncIterator[FakeZalo]:
    async with FakeZalo() as server:
        yield server


@pytest.fixture
async def session() -> AsyncIterator[aiohttp.ClientSession]:
    async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=10)) as client:
        yield client


@dataclass
class Receiver:
    """A local webhook endpoint: records posts, answers queued statuses, checks the secret."""

    url: str = ""
    forward_to: str = ""  # where the fake really posts (the proxy in front of the bot)
    posts: list[tuple[dict, str | None]] = field(default_factory=list)
    answers: list[int] = field(default_factory=list)


@pytest.fixture
async def receiver() -> AsyncIterator[Receiver]:
    state = Receiver()

    async def hook(request: web.Request) -> web.Response:
        secret = request.headers.get("X-Bot-Api-Secret-Token")
        state.posts.append((await request.json(), secret))
        if state.answers:
            return web.Response(status=state.answers.pop(0))
        return web.Response(status=200 if secret == SECRET else 403)

    app = web.Application()
    app.router.add_post("/hook", hook)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    state.url = "https://bot.test/hook"
    state.forward_to = f"http://127.0.0.1:{runner.addresses[0][1]}"
    try:
        yield state
    finally:
        await runner.cleanup()


async def call(
    session: aiohttp.ClientSession, fake: FakeZalo, method: str, **params: Any
) -> tuple[int, dict]:
    async with session.post(f"{fake.base_url}{fake.token}/{method}", json=params) as response:
        return response.status, await response.json()


async def test_get_me_wrong_token_and_wrong_case(
    fake: FakeZalo, session: aiohttp.ClientSession
) -> None:
    assert await call(session, fake, "getMe") == (
        200,
        {
            "ok": True,
            "result": {
                "id": "b0t1d",
                "account_name": "hocvuso_bot",
                "account_type": "BASIC",
                "can_join_groups": False,
            },
        },
    )
    async with session.get(f"{fake.base_url}999:WRONG/getMe") as response:
        assert response.status == 401
        assert await response.json() == {
            "ok": False,
            "error_code": 401,
            "description": "Unauthorized",
        }
    assert await call(session, fake, "getme") == (
        404,
        {"ok": False, "error_code": 404, "description": "Not Found"},
    )
    assert len(fake.calls("getMe")) == 1 and len(fake.calls("getme")) == 1


async def test_send_message_validation(fake: FakeZalo, session: aiohttp.ClientSession) -> None:
    status, body = await call(session, fake, "sendMessage", chat_id=USER, text="hi")
    assert (status, body["description"]) == (400, "Chat not found")
    fake.push_text(USER, "Xin chào")

    status, body = await call(session, fake, "sendMessage", chat_id=USER, text="Chào bạn")
    assert status == 200 and body["ok"] is True
    assert HEX20.fullmatch(body["result"]["message_id"])
    assert abs(body["result"]["date"] - time.time() * 1000) < 5000

    assert await call(session, fake, "sendMessage", chat_id=USER, text="") == (
        400,
        {"ok": False, "error_code": 400, "description": "Text is empty"},
    )
    status, body = await call(session, fake, "sendMessage", chat_id=USER, text="ắ" * 2001)
    assert (status, body["description"]) == (400, "Text is too long")
    status, _ = await call(session, fake, "sendMessage", chat_id=USER, text="ắ" * 2000)
    assert status == 200

    assert fake.texts(USER) == ["Chào bạn", "ắ" * 2000]
    assert [entry["method"] for entry in fake.sent] == ["sendMessage", "sendMessage"]
    assert fake.sent[0]["chat_id"] == USER and fake.sent[0]["text"] == "Chào bạn"
    assert len(fake.calls("sendMessage")) == 5


async def test_parameters_as_query_form_and_multipart(
    fake: FakeZalo, session: aiohttp.ClientSession
) -> None:
    fake.push_text(USER, "hi")
    url = f"{fake.base_url}{fake.token}/sendMessage"
    async with session.get(url, params={"chat_id": USER, "text": "query"}) as response:
        assert response.status == 200
    async with session.post(url, data={"chat_id": USER, "text": "form"}) as response:
        assert response.status == 200
    form = aiohttp.FormData()
    form.add_field("chat_id", USER)
    form.add_field("text", "multipart")
    async with session.post(url, data=form) as response:
        assert response.status == 200
    assert fake.texts(USER) == ["query", "form", "multipart"]


async def test_get_updates_one_event_per_call_then_timeout(
    fake: FakeZalo, session: aiohttp.ClientSession
) -> None:
    first = fake.push_text(USER, "một", display_name="Ted")
    second = fake.push_image(USER, caption="ảnh")

    status, body = await call(session, fake, "getUpdates", timeout=1)
    assert status == 200 and body == {"ok": True, "result": first}
    assert first["event_name"] == "message.text.received"
    message = first["message"]
    assert message["from"] == {"id": USER, "display_name": "Ted", "is_bot": False}
    assert message["chat"] == {"id": USER, "chat_type": "PRIVATE"}
    assert message["text"] == "một" and HEX20.fullmatch(message["message_id"])
    assert (await call(session, fake, "getUpdates", timeout=1))[1]["result"] == second
    assert second["message"]["caption"] == "ảnh" and second["message"]["photo"].startswith("https")

    poll = asyncio.create_task(call(session, fake, "getUpdates", timeout=5))
    await fake.wait_for(lambda: len(fake.calls("getUpdates")) == 3)
    third = fake.push_sticker(USER)
    assert await asyncio.wait_for(poll, 2) == (200, {"ok": True, "result": third})
    assert set(third["message"]) >= {"sticker", "url"}

    started = time.monotonic()
    assert await call(session, fake, "getUpdates", timeout=1) == (
        408,
        {"ok": False, "error_code": 408, "description": "Request timeout"},
    )
    assert 0.9 <= time.monotonic() - started < 3


async def test_webhook_delivery_retry_and_get_updates_conflict(
    fake: FakeZalo, session: aiohttp.ClientSession, receiver: Receiver
) -> None:
    fake.forward_to = receiver.forward_to  # the TLS proxy in front of the bot
    status, body = await call(session, fake, "setWebhook", url=receiver.url, secret_token="short")
    assert status == 400 and "secret_token" in body["description"]
    for plain in ("http://example.com/hook", receiver.forward_to + "/hook"):
        status, _ = await call(session, fake, "setWebhook", url=plain, secret_token=SECRET)
        assert status == 400
    status, body = await call(session, fake, "setWebhook", url=receiver.url, secret_token=SECRET)
    assert status == 200 and body["result"]["url"] == receiver.url
    assert fake.webhook["secret_token"] == SECRET

    receiver.answers = [500]
    first = fake.push_text(USER, "một")
    second = fake.push_unsupported(USER)
    await fake.wait_for(lambda: len(receiver.posts) == 3)
    assert [post[0] for post in receiver.posts] == [
        {"ok": True, "result": first},
        {"ok": True, "result": first},
        {"ok": True, "result": second},
    ]
    assert {post[1] for post in receiver.posts} == {SECRET}
    first_id, second_id = first["message"]["message_id"], second["message"]["message_id"]
    assert fake.webhook_posts == [(first_id, 500), (first_id, 200), (second_id, 200)]
    assert second["event_name"] == "message.unsupported.received"
    assert "text" not in second["message"]

    status, body = await call(session, fake, "getUpdates", timeout=1)
    assert (status, body["description"]) == (400, "Webhook is active, call deleteWebhook first")
    status, body = await call(session, fake, "getWebhookInfo")
    assert body["result"]["url"] == receiver.url and isinstance(body["result"]["updated_at"], int)
    status, body = await call(session, fake, "deleteWebhook")
    assert status == 200 and body["result"]["url"] == "" and fake.webhook["url"] == ""
    third = fake.push_text(USER, "ba")
    assert (await call(session, fake, "getUpdates", timeout=1))[1]["result"] == third


async def test_deliver_with_wrong_secret_is_refused(
    fake: FakeZalo, session: aiohttp.ClientSession, receiver: Receiver
) -> None:
    fake.forward_to = receiver.forward_to
    await call(session, fake, "setWebhook", url=receiver.url, secret_token=SECRET)
    event = fake.push_text(USER, "hi")
    await fake.wait_for(lambda: len(fake.webhook_posts) == 1)
    assert await fake.deliver(event, secret="wrong-secret") == 403
    assert await fake.deliver(event, secret=None) == 403
    assert await fake.deliver(event) == 200
    assert [post[1] for post in receiver.posts] == [SECRET, "wrong-secret", None, SECRET]
    message_id = event["message"]["message_id"]
    assert fake.webhook_posts[1:] == [(message_id, 403), (message_id, 403), (message_id, 200)]


async def test_fail_next_quota_and_server_error(
    fake: FakeZalo, session: aiohttp.ClientSession
) -> None:
    fake.push_text(USER, "hi")
    fake.fail_next("sendMessage", 429)
    fake.fail_next("sendMessage", 502)
    assert await call(session, fake, "sendMessage", chat_id=USER, text="a") == (
        429,
        {"ok": False, "error_code": 429, "description": "Quota exceeded"},
    )
    status, body = await call(session, fake, "sendMessage", chat_id=USER, text="b")
    assert (status, body["description"]) == (502, "Internal Server Error")
    assert (await call(session, fake, "sendMessage", chat_id=USER, text="c"))[0] == 200
    assert fake.texts(USER) == ["c"] and len(fake.calls("sendMessage")) == 3
    with pytest.raises(ValueError, match="case-sensitive"):
        fake.fail_next("sendmessage", 500)


async def test_blocked_chat_is_forbidden(fake: FakeZalo, session: aiohttp.ClientSession) -> None:
    fake.push_text(USER, "hi")
    fake.blocked.add(USER)
    photo = "https://example.org/a.png"
    assert await call(session, fake, "sendMessage", chat_id=USER, text="x") == (
        403,
        {"ok": False, "error_code": 403, "description": "Forbidden: user has blocked the bot"},
    )
    assert (await call(session, fake, "sendPhoto", chat_id=USER, photo=photo))[0] == 403
    assert fake.sent == [] and fake.texts(USER) == []


async def test_photo_sticker_and_chat_action(
    fake: FakeZalo, session: aiohttp.ClientSession
) -> None:
    fake.push_text(USER, "hi")
    photo = "https://example.org/a.png"
    status, _ = await call(session, fake, "sendPhoto", chat_id=USER, photo="a.png")
    assert status == 400
    status, body = await call(
        session, fake, "sendPhoto", chat_id=USER, photo=photo, caption="x" * 2001
    )
    assert (status, body["description"]) == (400, "Caption is too long")
    status, body = await call(session, fake, "sendPhoto", chat_id=USER, photo=photo, caption="Ảnh")
    assert status == 200 and HEX20.fullmatch(body["result"]["message_id"])
    status, _ = await call(session, fake, "sendSticker", chat_id=USER, sticker="abc123")
    assert status == 200
    assert fake.sent[0]["photo"] == photo and fake.sent[1]["sticker"] == "abc123"
    assert fake.texts(USER) == ["Ảnh"]

    assert await call(session, fake, "sendChatAction", chat_id=USER, action="typing") == (
        200,
        {"ok": True},
    )
    status, _ = await call(session, fake, "sendChatAction", chat_id=USER, action="dancing")
    assert status == 400
    assert [(a["chat_id"], a["action"]) for a in fake.chat_actions] == [(USER, "typing")]


async def test_stop_during_long_poll_answers_promptly(session: aiohttp.ClientSession) -> None:
    server = FakeZalo()
    await server.start()
    poll = asyncio.create_task(call(session, server, "getUpdates"))
    await server.wait_for(lambda: len(server.calls("getUpdates")) == 1)
    started = time.monotonic()
    await server.stop()
    status, _ = await asyncio.wait_for(poll, 3)
    assert status == 408 and time.monotonic() - started < 2
