"""The typed-answer matcher: natural answers count; "don't know", guesses, long replies never."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.lessons.answers import MAX_EXTRA_WORDS, REFUSALS, matches_typed, read_count

# Words a resident might put around an answer; none is a number word.
FILLERS = ["la", "so", "goi", "nhe", "a", "toi", "nghi", "chu", "ngay", "muc", "dung", "roi", "di"]
WORDS = st.sampled_from(FILLERS + ["vneid", "tong", "dai", "cong", "an", "xa", "mang", "dien"])


@pytest.mark.parametrize(
    ("answer", "accepted"),
    [
        ("6", ["6"]),
        ("sáu", ["6"]),
        ("sau", ["6"]),
        ("6 chữ số", ["6"]),
        ("Sáu chữ số", ["6"]),
        ("3 ngày làm việc", ["3"]),
        ("ba ngay", ["3"]),
        ("3", ["3 ngày"]),
        ("gọi 156", ["156"]),
        ("là số 156 nhé", ["156"]),
        ("Tổng đài 156 ạ", ["156"]),
        ("một trăm năm mươi sáu", ["156"]),
        ("một năm sáu", ["156"]),
        ("1 5 6", ["156"]),
        ("mười lăm", ["15"]),
        ("hai mươi mốt", ["21"]),
        ("mức hai", ["2"]),
        ("2", ["mức 2"]),
        ("muc 2", ["mức 2"]),
        ("tôi nghĩ là 6", ["6"]),
        ("Cong an xa", ["công an xã"]),
        ("cong an xa nha", ["công an xã"]),
        ("vnied", ["VNeID"]),
        ("sau 3 ngay", ["3"]),
        ("binhdanhocvuso.gov.vn", ["binhdanhocvuso.gov.vn"]),
        ("Vào https://www.binhdanhocvuso.gov.vn/", ["binhdanhocvuso.gov.vn"]),
        ("1.000.000 đồng", ["1000000"]),
        ("so 156 phai khong a", ["156"]),  # "is it…?": a question tag, not a "no"
        ("156 đúng không ạ", ["156"]),
        ("Công an xã phải không", ["công an xã"]),
    ],
)
def test_natural_answers_are_accepted(answer: str, accepted: list[str]) -> None:
    assert matches_typed(answer, accepted)


@pytest.mark.parametrize(
    ("answer", "accepted"),
    [
        ("khong biet", ["6"]),
        ("Không biết", ["6"]),
        ("khong hieu", ["6"]),
        ("toi khong ro", ["6"]),
        ("bo qua", ["156"]),
        ("không phải 6", ["6"]),
        ("không phải 156 đúng không", ["156"]),
        ("6 không phải không", ["6"]),
        ("6 hay 7", ["6"]),
        ("5 6 7 8", ["6"]),
        ("165", ["156"]),
        ("7", ["6"]),
        ("bảy", ["6"]),
        ("", ["6"]),
        ("???", ["6"]),
        ("tôi nghĩ là có lẽ là 6 chữ số đó mà", ["6"]),
        ("công an xã hay ngân hàng hay bưu điện hay ai đó", ["công an xã"]),
        ("ngân hàng", ["công an xã"]),
        ("binhdanhocvuso.com", ["binhdanhocvuso.gov.vn"]),
        ("binhdanhocvuso.gov.vn.info", ["binhdanhocvuso.gov.vn"]),
        ("dichvucong-gov.vn", ["dichvucong.gov.vn"]),
        ("dichvucong.gov.com", ["dichvucong.gov.vn", "dich vu cong"]),
    ],
)
def test_wrong_or_evasive_answers_are_refused(answer: str, accepted: list[str]) -> None:
    assert not matches_typed(answer, accepted)


@given(st.lists(WORDS, min_size=1, max_size=4), st.integers(0, 2000))
def test_an_accepted_answer_always_matches_itself(words: list[str], number: int) -> None:
    accepted = " ".join([*words, str(number)])
    assert matches_typed(accepted, [accepted])
    assert matches_typed(accepted.upper(), [accepted])


@given(st.integers(0, 999), st.lists(st.sampled_from(FILLERS), max_size=MAX_EXTRA_WORDS))
def test_a_few_words_around_the_right_number_still_count(number: int, around: list[str]) -> None:
    half = len(around) // 2
    answer = " ".join([*around[:half], str(number), *around[half:]])
    assert matches_typed(answer, [str(number)])


@given(st.integers(0, 999), st.integers(0, 999))
def test_another_number_never_counts(number: int, other: int) -> None:
    if other != number:
        assert not matches_typed(str(other), [str(number)])
        assert not matches_typed(f"{number} hoặc {other}", [str(number)])


@given(
    st.integers(0, 999),
    st.lists(st.sampled_from(FILLERS), min_size=MAX_EXTRA_WORDS + 1, max_size=10),
)
def test_a_long_sentence_around_the_answer_does_not_count(number: int, around: list[str]) -> None:
    assert not matches_typed(" ".join([*around, str(number)]), [str(number)])


@given(st.sampled_from(REFUSALS), st.lists(st.sampled_from(FILLERS), max_size=2))
def test_dont_know_never_counts(refusal: str, around: list[str]) -> None:
    assert not matches_typed(" ".join([refusal, *around]), ["6", "sau", "sau chu so"])
    assert not matches_typed(" ".join([*around, refusal, "6"]), ["6"])


@pytest.mark.parametrize(
    ("typed", "count"),
    [
        ("45", 45),
        ("1.200", 1200),
        ("bốn mươi lăm", 45),
        ("bon muoi lam", 45),
        ("một trăm hai mươi", 120),
        ("khoảng 30 người", 30),
        ("ba chục", 30),
        ("2 trăm", 200),
        ("1 nghìn", 1000),
        ("một nghìn hai trăm", 1200),
        ("hai mươi mốt", 21),
        ("chưa biết", None),
        ("30 hay 40", None),
    ],
)
def test_counts_typed_in_digits_words_or_both(typed: str, count: int | None) -> None:
    assert read_count(typed) == count
