"""Typed questions: at the menu they reach the search; when no lesson fits there is a way on."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest
from sqlalchemy import inspect, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.core.engine import Engine
from bot.handlers import texts as t
from bot.handlers import texts_helpdesk as th
from bot.storage.models import SearchGap
from tests.factories import Chat

QUESTIONS = Path(__file__).parents[1] / "lessons" / "questions.tsv"
SEARCHED = (t.ANSWER_FOUND, t.ANSWER_NOT_FOUND)


async def test_a_question_no_lesson_answers_gets_a_way_forward_and_is_kept_anonymously(
    engine: Engine, commune: int, sessions: async_sessionmaker[AsyncSession]
) -> None:
    chat = Chat(engine)
    await chat.register()
    await chat.say("thoi tiet ngay mai the nao")
    assert "chưa tìm được bài nào" in chat.text
    assert chat.labels == [th.SEND_THIS, th.SEE_LESSONS, t.BACK_TO_MENU]
    assert "An toàn" not in " ".join(chat.labels)  # no dump of every lesson
    await chat.press("Xem danh sách bài")
    assert "An toàn" in " ".join(chat.labels)

    await chat.say("menu")
    await chat.say("So 0912 345 678 cua toi bi khoa sim, goi +84 912.345.678 the nao")
    assert "chưa tìm được bài nào" in chat.text
    async with sessions() as session:
        kept = list(await session.scalars(select(SearchGap.text).order_by(SearchGap.id)))
        columns = await session.run_sync(
            lambda s: {c["name"] for c in inspect(s.connection()).get_columns("search_gaps")}
        )
    assert kept == [
        "thoi tiet ngay mai the nao",
        "So cua toi bi khoa sim, goi the nao",
    ]
    assert columns == {"id", "text", "at"}  # no link to who asked


async def test_the_question_that_opened_my_results_now_finds_the_lesson(
    engine: Engine, commune: int
) -> None:
    chat = Chat(engine)
    await chat.register()
    await chat.say("dong tien dien qua dien thoai the nao")
    assert t.ANSWER_FOUND in chat.text
    assert chat.labels[0] == "📘 Trả tiền điện, nước và tiền trường qua điện thoại"
    await chat.say("menu")
    await chat.say("ket qua cua toi")  # the whole label, typed, still works
    assert "Kết quả của bạn" in chat.text


async def test_questions_typed_at_the_menu_reach_the_search(
    engine: Engine, commune: int, backend: str
) -> None:
    if backend != "sqlite":
        pytest.skip("routing is database-independent; one backend is enough")
    with QUESTIONS.open(encoding="utf-8", newline="") as file:
        rows = [r for r in csv.DictReader(file, delimiter="\t") if r["expected"]]
    chat = Chat(engine)
    await chat.register()
    reached, elsewhere = 0, []
    for row in rows:
        await chat.say("menu")
        await chat.say(row["question"])
        if any(marker in chat.text for marker in SEARCHED):
            reached += 1
        else:
            elsewhere.append(f"{row['question']!r} → {chat.text[:60]!r}")
    print("\n".join(elsewhere))
    assert reached >= 0.95 * len(rows), "\n".join(elsewhere)
