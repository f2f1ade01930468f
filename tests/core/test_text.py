"""Folding and fuzzy matching of what residents type."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from bot.text import VILLAGE_PREFIXES, clean, fold, rank, similar


def test_fold_removes_diacritics_case_and_punctuation() -> None:
    assert fold("Thôn Đồng Tâm!") == "thon dong tam"
    assert fold("  NGUYỄN   văn  AN ") == "nguyen van an"
    assert fold("😀") == ""


def test_typed_village_names_find_the_village() -> None:
    villages = [(1, "Thôn Đồng Tâm"), (2, "Thôn Tân Tiến"), (3, "Tổ dân phố Hòa Bình")]
    assert rank("dong tam", villages, prefixes=VILLAGE_PREFIXES)[0] == (1, 100.0)
    assert rank("hoa binh", villages, prefixes=VILLAGE_PREFIXES)[0][0] == 3
    assert rank("tan tienn", villages, prefixes=VILLAGE_PREFIXES)[0][0] == 2
    assert rank("xyz", villages, prefixes=VILLAGE_PREFIXES) == []


def test_similar_allows_small_typos_only() -> None:
    assert similar("sau", "Sáu")
    assert similar("6 so", "6 số")
    assert not similar("bay", "sáu")
    assert not similar("", "")


@given(st.text())
def test_fold_and_clean_never_fail_and_leave_no_control_characters(text: str) -> None:
    folded = fold(text)
    assert folded == folded.strip()
    assert all(ch.isalnum() or ch == " " for ch in folded)
    assert "\x00" not in clean(text)
