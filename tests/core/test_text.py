"""Folding and fuzzy matching of what residents type."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from bot.text import VILLAGE_PREFIXES, clean, fit, fold, rank, similar


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


def test_a_long_label_is_shortened_at_a_word_and_keeps_its_date() -> None:
    """Buttons were cut mid-word ("…qua điện tho") and a deadline lost its year ("05/12/202")."""
    label = fit("➡️ Bài tiếp: Trả tiền điện, nước và tiền trường qua điện thoại thông minh")
    assert label == "➡️ Bài tiếp: Trả tiền điện, nước và tiền trường qua điện…"
    due = fit("Báo cáo kết quả phong trào Bình dân học vụ số năm 2026 của thôn (hạn 05/12/2026)")
    assert due.endswith("… (hạn 05/12/2026)") and len(due) <= 60
    assert fit("Nguyễn Văn An (DT-001)") == "Nguyễn Văn An (DT-001)"


@given(st.lists(st.text(alphabet="abcđêơ", min_size=1, max_size=12), min_size=1, max_size=20))
def test_a_shortened_label_is_whole_words_within_the_limit(words: list[str]) -> None:
    text = " ".join(words)
    label = fit(text)
    assert len(label) <= 60
    if label != text:
        kept = label.removesuffix("…").split()
        assert kept and kept == words[: len(kept)]
