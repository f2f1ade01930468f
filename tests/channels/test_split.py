"""Long replies are split into messages a platform accepts."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from bot.channels.split import split_text


def test_short_text_is_one_part() -> None:
    assert split_text("Xin chào", 4096) == ["Xin chào"]
    assert split_text("   ", 4096) == []


def test_paragraphs_are_kept_whole_when_they_fit() -> None:
    paragraphs = [(f"đoạn {i} " * 60).strip() for i in range(10)]  # 419 characters each
    parts = split_text("\n\n".join(paragraphs), 2000)
    assert [len(part.split("\n\n")) for part in parts] == [4, 4, 2]
    assert [p for part in parts for p in part.split("\n\n")] == paragraphs


def test_a_2500_character_reply_becomes_two_valid_messages() -> None:
    text = "\n\n".join(["Một đoạn văn dài vừa phải. " * 20] * 5)
    assert len(text) > 2500
    parts = split_text(text[:2500], 2000)
    assert len(parts) == 2
    assert all(1 <= len(p) <= 2000 for p in parts)


@given(st.text(min_size=1, max_size=12000), st.integers(min_value=20, max_value=4096))
def test_parts_never_exceed_the_limit_and_lose_no_words(text: str, limit: int) -> None:
    parts = split_text(text, limit)
    assert all(0 < len(p) <= limit for p in parts)
    assert "".join("".join(p.split()) for p in parts) == "".join(text.split())
