"""FAQ matching by shared topic words, with and without diacritics."""

from __future__ import annotations

from hypothesis import assume, given
from hypothesis import strategies as st

from bot.storage.tickets import faq_score, topic_words
from bot.text import fold

WORDS = [
    "điện",
    "thoại",
    "bộ",
    "nhớ",
    "đầy",
    "xoá",
    "ảnh",
    "zalo",
    "mạng",
    "wifi",
    "mật",
    "khẩu",
    "con",
    "chơi",
    "game",
    "đêm",
]


@given(st.lists(st.sampled_from(WORDS), min_size=2, max_size=8, unique=True))
def test_an_faq_question_typed_without_diacritics_finds_itself(words: list[str]) -> None:
    question = " ".join(words)
    assume(len(topic_words(question)) >= 2)  # "ảnh" folds to "anh", a common word
    assert faq_score(fold(question), question) == 1.0
    assert faq_score(question.upper(), question) == 1.0


def test_faq_matching_needs_shared_topic_words() -> None:
    entry = "Điện thoại báo đầy bộ nhớ phải làm gì?"
    assert faq_score("dien thoai bao day bo nho thi lam sao", entry) == 1.0
    assert faq_score("làm sao để làm gì thì được", entry) == 0.0
    assert faq_score("cài VNeID trên điện thoại", entry) < 0.5
