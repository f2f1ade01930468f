"""One Vietnamese format for every figure a person reads: numbers, percentages, dates, name order.

Chat, the chart, the Word and Excel reports and the CLI table all go through these helpers, so
"1.795", "54,7%" and "05/12/2026" look the same everywhere. JSON and CSV keep machine formats.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Iterable
from datetime import date, datetime
from typing import TypeVar

T = TypeVar("T")

# The Vietnamese alphabet: a ă â b c d đ e ê … o ô ơ … u ư …; letters outside it (f, j, w, z)
# keep their Latin place. Each letter is a base letter plus, possibly, one shape mark.
_BREVE, _CIRCUMFLEX, _HORN = "\u0306", "\u0302", "\u031b"
_ALPHABET = [
    "a", "a" + _BREVE, "a" + _CIRCUMFLEX, "b", "c", "d", "đ", "e", "e" + _CIRCUMFLEX, "f", "g",
    "h", "i", "j", "k", "l", "m", "n", "o", "o" + _CIRCUMFLEX, "o" + _HORN, "p", "q", "r", "s",
    "t", "u", "u" + _HORN, "v", "w", "x", "y", "z",
]  # fmt: skip
_RANK = {letter: i for i, letter in enumerate(_ALPHABET)}
# Tones after the base letter, in the order of Vietnamese dictionaries (and CLDR "vi"):
# none, huyền, hỏi, ngã, sắc, nặng.
_TONES = {"\u0300": 1, "\u0309": 2, "\u0303": 3, "\u0301": 4, "\u0323": 5}
_SHAPES = {_BREVE, _CIRCUMFLEX, _HORN}
_PIECE = re.compile(r"\d+|.", re.DOTALL)

Key = tuple[tuple[tuple[tuple[tuple[int, int], ...], tuple[int, ...]], ...], tuple[int, ...]]


def _letters(text: str) -> tuple[list[str], list[int], list[int]]:
    """Split text into letters with their shape mark, and the tone and case of each."""
    letters: list[str] = []
    tones: list[int] = []
    cases: list[int] = []
    for ch in unicodedata.normalize("NFD", text):
        if ch in _SHAPES and letters and letters[-1] in ("a", "e", "o", "u"):
            letters[-1] += ch
        elif ch in _TONES:
            if tones:
                tones[-1] = _TONES[ch]
        elif unicodedata.combining(ch):
            continue
        else:
            letters.append(ch.lower())
            tones.append(0)
            cases.append(0 if ch.islower() or not ch.isalpha() else 1)
    return letters, tones, cases


def _word_key(word: str) -> tuple[tuple[tuple[int, int], ...], tuple[int, ...]]:
    """Return a word's letters (numbers by value) and then its tones."""
    letters, tones, _ = _letters(word)
    primary: list[tuple[int, int]] = []
    joined = "".join(ch if len(ch) == 1 else "\x00" for ch in letters)
    i = 0
    for match in _PIECE.finditer(joined):
        piece = match.group()
        if piece.isdigit() and piece.isascii():
            primary.append((1, int(piece)))
            i += len(piece)
            continue
        letter = letters[i]
        if letter in _RANK:
            primary.append((2, _RANK[letter]))
        elif len(letter) > 1:  # a shape mark Vietnamese does not use ("û"): after the Latin
            primary.append((2, 100_000 + ord(letter[0]) * 1000 + ord(letter[1]) % 1000))
        elif letter.isalpha():
            primary.append((2, 100 + ord(letter)))
        else:
            primary.append((0, ord(letter)))
        i += 1
    return tuple(primary), tuple(tones)


def sort_key(text: str) -> Key:
    """Return a key that orders names the way a Vietnamese dictionary does.

    Word by word: letters first, with ă, â, đ, ê, ô, ơ, ư as letters of their own ("Đoàn Kết"
    after "Dương"), then the word's tones (a, à, ả, ã, á, ạ), so "Đông Xá" comes before
    "Đồng Tâm"; case decides last. Numbers compare by value ("Thôn 2" before "Thôn 10").
    """
    words = text.split()
    return tuple(_word_key(w) for w in words), tuple(_letters(" ".join(words))[2])


def sorted_vi(items: Iterable[T], key: Callable[[T], str] = str) -> list[T]:
    """Return items sorted by Vietnamese collation of key(item)."""
    return sorted(items, key=lambda item: sort_key(key(item)))


def number(value: int | float | None) -> str:
    """Format a count with "." between thousands: 1795 → "1.795"; None → "—"."""
    if value is None:
        return "—"
    return f"{round(value):,}".replace(",", ".")


def decimal(value: float, places: int = 1) -> str:
    """Format a decimal with "," before the decimals and "." between thousands: 1234,5."""
    text = f"{value:,.{places}f}"
    return text.replace(",", "\x00").replace(".", ",").replace("\x00", ".")


def percent(value: float | None, places: int = 1) -> str:
    """Format a percentage: 54.7 → "54,7%"; None → "—"."""
    return "—" if value is None else f"{decimal(value, places)}%"


def day(value: date | datetime) -> str:
    """Format a date as dd/mm/yyyy."""
    return value.strftime("%d/%m/%Y")


def day_time(value: datetime) -> str:
    """Format a moment as "HH:MM dd/mm/yyyy"."""
    return value.strftime("%H:%M %d/%m/%Y")


# Excel display formats. Excel and LibreOffice draw "," and "." in a format code with the reader's
# own separators, so on the commune's Vietnamese-locale computers these show "1.795" and "54,7";
# the cells stay numbers so staff can compute with them.
XLSX_INTEGER = "#,##0"
XLSX_PERCENT = "0.0"
