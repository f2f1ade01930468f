"""One Vietnamese format: numbers, percentages, dates and the order of names."""

from __future__ import annotations

from datetime import UTC, date, datetime

from hypothesis import given
from hypothesis import strategies as st

from bot import formats as f


def test_numbers_percentages_and_dates_read_the_vietnamese_way() -> None:
    assert f.number(1795) == "1.795"
    assert f.number(1_234_567) == "1.234.567"
    assert f.number(4) == "4"
    assert f.number(None) == "—"
    assert f.percent(54.7) == "54,7%"
    assert f.percent(0.0) == "0,0%"
    assert f.percent(100) == "100,0%"
    assert f.percent(None) == "—"
    assert f.decimal(1234.56, 2) == "1.234,56"
    assert f.day(date(2026, 12, 5)) == "05/12/2026"
    assert f.day_time(datetime(2026, 12, 5, 7, 3, tzinfo=UTC)) == "07:03 05/12/2026"


def test_village_names_sort_in_vietnamese_alphabetical_order() -> None:
    # Real village names of Hải Phòng and Hải Dương communes, shuffled.
    names = [
        "Thôn Tân Tiến",
        "Thôn Đồng Tâm",
        "Thôn Dương Xá",
        "Thôn Đoàn Kết",
        "Thôn Hòa Bình",
        "Thôn Ấp Bắc",
        "Thôn An Lạc",
        "Thôn Ân Thi",
        "Thôn Ăn Cư",
        "Thôn Quyết Thắng",
        "Thôn Mới",
        "Thôn 10",
        "Thôn 2",
        "Thôn Ô Mễ",
        "Thôn Ơn Hòa",
        "Thôn Ông Đình",
        "Thôn Đông",
        "Thôn Đồng",
        "Thôn Đống",
        "Thôn Đông Xá",
        "Thôn Úc Kỳ",
        "Thôn Ưng Hòa",
        "Thôn Uy Nỗ",
    ]
    assert f.sorted_vi(names) == [
        "Thôn 2",
        "Thôn 10",
        "Thôn An Lạc",
        "Thôn Ăn Cư",
        "Thôn Ân Thi",
        "Thôn Ấp Bắc",
        "Thôn Dương Xá",
        "Thôn Đoàn Kết",
        "Thôn Đông",  # word by word; the same letters: none before huyền before sắc
        "Thôn Đông Xá",
        "Thôn Đồng",
        "Thôn Đồng Tâm",
        "Thôn Đống",
        "Thôn Hòa Bình",
        "Thôn Mới",
        "Thôn Ô Mễ",
        "Thôn Ông Đình",
        "Thôn Ơn Hòa",
        "Thôn Quyết Thắng",
        "Thôn Tân Tiến",
        "Thôn Úc Kỳ",
        "Thôn Uy Nỗ",
        "Thôn Ưng Hòa",
    ]


def test_tones_follow_the_dictionary_order() -> None:
    shuffled = ["má", "mạ", "mà", "mã", "ma", "mả"]
    assert f.sorted_vi(shuffled) == ["ma", "mà", "mả", "mã", "má", "mạ"]


@given(st.lists(st.text(max_size=12), max_size=8))
def test_the_order_is_total_and_does_not_depend_on_the_input_order(names: list[str]) -> None:
    once = f.sorted_vi(names)
    keys = [f.sort_key(name) for name in once]
    assert keys == sorted(keys)
    assert [f.sort_key(n) for n in f.sorted_vi(list(reversed(names)))] == keys
    assert sorted(once) == sorted(names)
