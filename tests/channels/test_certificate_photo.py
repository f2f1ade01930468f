"""/dahoc with a certificate picture, through the real adapters against the fake platforms."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import aiohttp
import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.channels.telegram.adapter import TelegramChannel
from bot.channels.zalo.adapter import ZaloChannel
from bot.core.engine import Engine
from bot.core.router import MEDIA
from bot.delivery.pipeline import Pipeline
from bot.handlers import texts as t
from bot.media import MediaDir, MediaStore
from bot.storage.models import OfflineLearning
from bot.web import WebServer, build_web_app
from tests.channels.test_telegram import TgUser
from tests.channels.test_zalo import ZaloUser
from tests.factories import Chat, grant
from tests.fakes.silent import silent_server
from tests.fakes.telegram_api import FakeTelegram
from tests.fakes.zalo_api import FakeZalo

# A picture as phones send it: the JPEG signature, then anything.
CERTIFICATE = b"\xff\xd8\xff\xe0" + b"chung-nhan-hoan-thanh" * 200
HEAD_TG, HEAD_ZALO = 777, "truong-thon-zalo"


async def _declared(sessions: async_sessionmaker[AsyncSession]) -> list[OfflineLearning]:
    async with sessions() as session:
        return list(await session.scalars(select(OfflineLearning)))


@pytest.fixture
async def telegram(
    engine: Engine, sessions: async_sessionmaker[AsyncSession], commune: int
) -> AsyncIterator[tuple[FakeTelegram, TelegramChannel, Pipeline]]:
    fake = FakeTelegram()
    await fake.start()
    pipeline = Pipeline(engine)
    channel = TelegramChannel(pipeline, fake.token, fake.base_url, rate=1000, chat_interval=0)
    await channel.start()
    yield fake, channel, pipeline
    await channel.stop()
    await fake.stop()


async def test_a_telegram_photo_is_kept_and_the_head_sees_it_with_the_confirm_button(
    telegram: tuple[FakeTelegram, TelegramChannel, Pipeline],
    engine: Engine,
    sessions: async_sessionmaker[AsyncSession],
    media_dir: MediaDir,
) -> None:
    fake, _, pipeline = telegram
    head = Chat(engine, user=str(HEAD_TG), channel="telegram")
    await grant(engine, head, "village_head", "Thôn Đồng Tâm")
    fake.register_chat(HEAD_TG, "Trưởng thôn")
    user = TgUser(fake, 4242)
    await user.register()
    await user.say("/dahoc", "binhdanhocvuso.gov.vn")
    await user.say("Kỹ năng số cơ bản", "ảnh chụp giấy chứng nhận")

    before = user.sent_count()
    fake.push_message(user.id, kind="photo", image=CERTIFICATE)
    await user._await(before, "Đã lưu ảnh giấy chứng nhận")
    assert fake.downloads  # fetched through getFile and /file/bot<token>/<path>
    [record] = await _declared(sessions)
    assert record.photo is not None and record.photo not in str(fake.calls("getFile"))
    assert media_dir.read(record.photo) == CERTIFICATE

    await pipeline.dispatcher.drain()
    [notice] = [s for s in fake.sent if s["method"] == "sendPhoto" and s["chat_id"] == HEAD_TG]
    assert notice["photo_bytes"] == CERTIFICATE
    assert "Kỹ năng số cơ bản" in notice["text"]
    head_tg = TgUser(fake, HEAD_TG)
    await head_tg.press("Xác nhận hộ này đã học", "Đã xác nhận hộ Nguyễn Văn An")
    [record] = await _declared(sessions)
    assert record.confirmed_at is not None


async def test_on_telegram_a_sticker_voice_or_pdf_is_not_a_picture_and_too_big_is_refused(
    telegram: tuple[FakeTelegram, TelegramChannel, Pipeline],
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    fake, _, _ = telegram
    user = TgUser(fake, 4343)
    await user.register()
    await user.say("/dahoc Kỹ năng số cơ bản", "ảnh chụp giấy chứng nhận")
    for kind in ("sticker", "voice", "document"):
        before = user.sent_count()
        fake.push_message(user.id, kind=kind)
        await user._await(before, "Mình chỉ nhận ảnh chụp giấy chứng nhận")
    before = user.sent_count()
    fake.push_message(user.id, kind="photo", image=CERTIFICATE, file_size=6 * 1024 * 1024)
    await user._await(before, "Ảnh này lớn quá (trên 5 MB)")
    assert fake.downloads == []  # refused on the size Telegram gave, nothing fetched
    assert await _declared(sessions) == []
    # An image sent as a file is a picture too.
    before = user.sent_count()
    fake.push_message(user.id, kind="image_document", image=CERTIFICATE)
    await user._await(before, "Đã lưu ảnh giấy chứng nhận")
    [record] = await _declared(sessions)
    assert record.photo is not None


async def test_a_photo_outside_any_step_gets_the_usual_answer_and_is_not_fetched(
    telegram: tuple[FakeTelegram, TelegramChannel, Pipeline],
) -> None:
    fake, _, _ = telegram
    user = TgUser(fake, 4444)
    await user.register()
    before = user.sent_count()
    fake.push_message(user.id, kind="photo", image=CERTIFICATE)
    await user._await(before, MEDIA)
    assert fake.downloads == [] and fake.calls("getFile") == []


async def test_the_fake_refuses_unknown_file_ids(
    telegram: tuple[FakeTelegram, TelegramChannel, Pipeline],
) -> None:
    fake, _, _ = telegram
    async with aiohttp.ClientSession() as http:
        async with http.get(f"{fake.base_url}{fake.token}/getFile?file_id=nope") as response:
            assert response.status == 400
            assert (await response.json())["description"] == "Bad Request: invalid file_id"
        base = fake.base_url.removesuffix("/bot")
        async with http.get(f"{base}/file/bot{fake.token}/photos/file_9.jpg") as response:
            assert response.status == 404


@pytest.fixture
async def zalo(
    engine: Engine, sessions: async_sessionmaker[AsyncSession], commune: int
) -> AsyncIterator[tuple[FakeZalo, ZaloChannel, Pipeline]]:
    fake = FakeZalo()
    await fake.start()
    media = MediaStore(pictures=engine.media)  # as `hocvuso run` builds it
    server = WebServer(build_web_app(sessions.kw["bind"], media=media), "127.0.0.1", 0)
    await server.start()
    pipeline = Pipeline(engine)
    options: dict[str, Any] = {"media": media, "public_url": f"http://127.0.0.1:{server.port}"}
    channel = ZaloChannel(
        pipeline, fake.token, fake.base_url, rate=1000, chat_interval=0, **options
    )
    await channel.start()
    yield fake, channel, pipeline
    await channel.stop()
    await server.stop()
    await fake.stop()


async def _certificate_sent(fake: FakeZalo, engine: Engine, user_id: str) -> ZaloUser:
    """A Zalo resident of Thôn Đồng Tâm, whose head is on Zalo, declares a course with its
    certificate photo (/dahoc), and the photo is saved."""
    head = Chat(engine, user=HEAD_ZALO, channel="zalo")
    await grant(engine, head, "village_head", "Thôn Đồng Tâm")
    fake.register_chat(HEAD_ZALO, "Trưởng thôn")
    user = ZaloUser(fake, user_id)
    await user.register()
    await user.say("/dahoc", "binhdanhocvuso.gov.vn")
    await user.say("ky nang so co ban", "ảnh chụp giấy chứng nhận")
    before = len(fake.texts(user.id))
    fake.push_image(user.id, image=CERTIFICATE)
    await fake.wait_for(
        lambda: any("Đã lưu ảnh giấy chứng nhận" in x for x in fake.texts(user.id)[before:])
    )
    return user


async def test_a_zalo_photo_is_kept_and_the_zalo_head_gets_it_by_link(
    zalo: tuple[FakeZalo, ZaloChannel, Pipeline],
    engine: Engine,
    sessions: async_sessionmaker[AsyncSession],
    media_dir: MediaDir,
) -> None:
    fake, _, pipeline = zalo
    await _certificate_sent(fake, engine, "dan-zalo")
    [record] = await _declared(sessions)
    assert record.photo is not None and media_dir.read(record.photo) == CERTIFICATE

    await pipeline.dispatcher.drain()
    [notice] = [s for s in fake.sent if s["method"] == "sendPhoto" and s["chat_id"] == HEAD_ZALO]
    assert "ky nang so co ban" in notice["text"]
    assert "1. ✅ Xác nhận hộ này đã học" in notice["text"]  # Zalo has no buttons: typed
    async with aiohttp.ClientSession() as http, http.get(notice["photo"]) as response:
        assert await response.read() == CERTIFICATE
    before = len(fake.texts(HEAD_ZALO))
    fake.push_text(HEAD_ZALO, "1")
    await fake.wait_for(
        lambda: any("Đã xác nhận hộ Nguyễn Văn An" in x for x in fake.texts(HEAD_ZALO)[before:])
    )


async def test_after_deleting_my_data_the_zalo_link_to_my_picture_is_dead(
    zalo: tuple[FakeZalo, ZaloChannel, Pipeline],
    engine: Engine,
    media_dir: MediaDir,
) -> None:
    """Zalo fetches pictures by link, so the bot serves them for a day; a person's own picture
    is served from where it is kept, and goes with it."""
    fake, _, pipeline = zalo
    user = await _certificate_sent(fake, engine, "dan-zalo-xoa")
    await pipeline.dispatcher.drain()
    [notice] = [s for s in fake.sent if s["method"] == "sendPhoto" and s["chat_id"] == HEAD_ZALO]
    async with aiohttp.ClientSession() as http:
        async with http.get(notice["photo"]) as response:
            assert response.status == 200 and await response.read() == CERTIFICATE
        await user.say("/xoadulieu", "không hoàn tác được")
        await user.say(t.DELETE_YES, "Đã xoá thông tin của bạn")
        async with http.get(notice["photo"]) as response:
            assert response.status == 404
            assert CERTIFICATE not in await response.read()


async def test_on_zalo_a_sticker_is_not_a_picture_and_skip_records_without_one(
    zalo: tuple[FakeZalo, ZaloChannel, Pipeline], sessions: async_sessionmaker[AsyncSession]
) -> None:
    fake, _, _ = zalo
    user = ZaloUser(fake, "dan-zalo-2")
    await user.register()
    await user.say("/dahoc Kỹ năng số cơ bản", "ảnh chụp giấy chứng nhận")
    before = len(fake.texts(user.id))
    fake.push_sticker(user.id)
    await fake.wait_for(
        lambda: any(t.DECLARE_NOT_IMAGE in x for x in fake.texts(user.id)[before:])
    )
    too_big = CERTIFICATE + b"x" * (5 * 1024 * 1024)
    before = len(fake.texts(user.id))
    fake.push_image(user.id, image=too_big)
    await fake.wait_for(lambda: any("Ảnh này lớn quá" in x for x in fake.texts(user.id)[before:]))
    assert await _declared(sessions) == []
    await user.say("bo qua", "Trưởng thôn sẽ xác nhận")
    [record] = await _declared(sessions)
    assert record.photo is None


async def test_a_picture_server_that_hangs_does_not_hold_the_person(
    engine: Engine, commune: int, stalled_cdn: str
) -> None:
    """Zalo gives a picture as a link; if nothing comes from it, the person hears so within
    the fetch time and can go on, instead of their messages waiting behind it."""
    fake = FakeZalo()
    await fake.start()
    pipeline = Pipeline(engine)
    channel = ZaloChannel(
        pipeline,
        fake.token,
        fake.base_url,
        rate=1000,
        chat_interval=0,
        fetch_timeout=aiohttp.ClientTimeout(total=1),
    )
    await channel.start()
    try:
        user = ZaloUser(fake, "dan-zalo-cho")
        await user.register()
        await user.say("/dahoc Kỹ năng số cơ bản", "ảnh chụp giấy chứng nhận")
        before = len(fake.texts(user.id))
        fake.push_image(user.id, url=f"{stalled_cdn}/jpg/anh.jpg")
        await fake.wait_for(
            lambda: any("chưa lưu được ảnh" in x for x in fake.texts(user.id)[before:]), 10
        )
        await user.say("bo qua", "Trưởng thôn sẽ xác nhận")
    finally:
        await channel.stop()
        await fake.stop()


@pytest.fixture
async def stalled_cdn() -> AsyncIterator[str]:
    """A picture address that accepts the request and never answers."""
    async with silent_server() as url:
        yield url
