"""/dahoc: the certificate picture is kept, shown to the head, skipped, resent, and deleted."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.core.engine import Engine
from bot.core.files import FileUnavailable
from bot.core.messages import FileRef
from bot.delivery.outbox import reply_of
from bot.media import MediaDir
from bot.storage.models import OfflineLearning, OutboxMessage
from tests.factories import Chat, grant

CERTIFICATE = b"\x89PNG\r\n\x1a\n" + b"giay-chung-nhan" * 100


class Platform:
    """The platform's file server: hands out the picture, or fails while `down`."""

    def __init__(self) -> None:
        self.down = False
        self.fetched: list[str] = []

    async def fetch(self, ref: FileRef, limit: int) -> bytes:
        if self.down:
            raise FileUnavailable("time-out")
        self.fetched.append(ref.ref)
        return CERTIFICATE


async def _photo(chat: Chat) -> None:
    await chat.send(chat.inbound(kind="media", file=FileRef(chat.channel, "file-1", 2048)))


async def _records(sessions: async_sessionmaker[AsyncSession]) -> list[OfflineLearning]:
    async with sessions() as session:
        return list(await session.scalars(select(OfflineLearning)))


async def _notices(sessions: async_sessionmaker[AsyncSession]) -> list[OutboxMessage]:
    async with sessions() as session:
        return list(
            await session.scalars(
                select(OutboxMessage)
                .where(OutboxMessage.kind == "declared")
                .order_by(OutboxMessage.id)
            )
        )


async def _declaring(engine: Engine) -> Chat:
    resident = Chat(engine, user="an")
    await resident.register()
    await resident.say("/dahoc Kỹ năng số cơ bản")
    assert "ảnh chụp giấy chứng nhận" in resident.text
    return resident


async def test_the_picture_is_kept_and_the_head_confirms_in_one_tap(
    engine: Engine, commune: int, sessions: async_sessionmaker[AsyncSession], media_dir: MediaDir
) -> None:
    engine.files = Platform()
    head = Chat(engine, user="head")
    await grant(engine, head, "village_head", "Thôn Đồng Tâm")
    resident = await _declaring(engine)
    await _photo(resident)
    assert "Đã lưu ảnh giấy chứng nhận" in resident.text
    [record] = await _records(sessions)
    assert record.photo and media_dir.read(record.photo) == CERTIFICATE
    assert len(record.photo) > 40  # a random name, not the person or the course
    [notice] = await _notices(sessions)
    assert "photo" not in notice.payload  # the row names the kept file, it holds no bytes
    sent = reply_of(notice.payload, media_dir)
    assert sent.photo == CERTIFICATE and "Ảnh giấy chứng nhận" in sent.text
    await head.say("1")  # the notice's button is the head's current question
    assert "Đã xác nhận hộ Nguyễn Văn An học trên nền tảng khác" in head.text
    await head.say("/chuahoc")
    assert not any("Kỹ năng số cơ bản" in label for label in head.labels)


async def test_skip_stickers_and_typing_at_the_picture_step(
    engine: Engine, commune: int, sessions: async_sessionmaker[AsyncSession]
) -> None:
    engine.files = platform = Platform()
    resident = await _declaring(engine)
    await resident.send(resident.inbound(kind="media"))  # a sticker or a voice message
    assert "Mình chỉ nhận ảnh chụp giấy chứng nhận" in resident.text
    await resident.say("anh de o nha")
    assert "Mình đang chờ ảnh giấy chứng nhận" in resident.text
    assert await _records(sessions) == []
    await resident.say("bỏ qua")
    assert 'bạn học xong "Kỹ năng số cơ bản"' in resident.text
    [record] = await _records(sessions)
    assert record.photo is None and platform.fetched == []


async def test_a_failed_download_keeps_the_declaration_and_the_picture_can_be_sent_again(
    engine: Engine, commune: int, sessions: async_sessionmaker[AsyncSession], media_dir: MediaDir
) -> None:
    engine.files = platform = Platform()
    head = Chat(engine, user="head")
    await grant(engine, head, "village_head", "Thôn Đồng Tâm")
    resident = await _declaring(engine)
    platform.down = True
    await _photo(resident)
    assert "Mình chưa lưu được ảnh chứng nhận" in resident.text
    assert "vẫn đã được ghi" in resident.text
    [record] = await _records(sessions)
    assert record.photo is None
    platform.down = False
    await _photo(resident)
    assert "Đã lưu ảnh chứng nhận" in resident.text
    [record] = await _records(sessions)
    assert record.photo and media_dir.read(record.photo) == CERTIFICATE
    told = [reply_of(n.payload, media_dir) for n in await _notices(sessions)]
    assert [r.photo is not None for r in told] == [False, True]


async def test_deleting_my_data_deletes_the_picture_and_the_heads_copy(
    engine: Engine, commune: int, sessions: async_sessionmaker[AsyncSession], media_dir: MediaDir
) -> None:
    engine.files = Platform()
    head = Chat(engine, user="head")
    await grant(engine, head, "village_head", "Thôn Đồng Tâm")
    resident = await _declaring(engine)
    await _photo(resident)
    [record] = await _records(sessions)
    assert record.photo is not None
    name = record.photo
    await resident.say("/xoadulieu")
    await resident.press("Xoá dữ liệu của tôi")
    assert "Đã xoá thông tin của bạn" in resident.text
    assert media_dir.read(name) is None and not (media_dir.root / name).exists()
    [record] = await _records(sessions)
    assert record.photo is None
    for notice in await _notices(sessions):
        assert "photo" not in notice.payload and "photo_ref" not in notice.payload
        assert notice.status == "cancelled"
        assert reply_of(notice.payload, media_dir).photo is None
