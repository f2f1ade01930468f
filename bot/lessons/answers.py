"""The typed-answer matcher: natural answers count, guesses and "don't know" never do.

A resident answers "6 chữ số", "sáu", "sau" or "là số 6 nhé" to "how many digits?"; all of them
mean the accepted answer "6". The matcher folds diacritics, reads Vietnamese number words as
numbers, allows a few words around the answer and small typos in words, and insists on exactly
the accepted numbers. It refuses "don't know" and negations, and answers that only contain the
right words among many others.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass

from rapidfuzz import fuzz

from bot.text import PARTICLES, fold

MAX_EXTRA_WORDS = 4  # words around the answer: "là số 156 nhé", "tôi nghĩ là 6"
MAX_WORDS = 12  # a longer reply is a sentence, not an answer
WORD_TYPO = 80  # how alike two words of four letters or more must be
WHOLE_TYPO = 85  # how alike a whole answer must be to an accepted one
# Replies that say "I don't know", "skip" or "not ...": never a right answer unless accepted
# answers use the same words.
REFUSALS = (
    "khong biet",
    "ko biet",
    "k biet",
    "hok biet",
    "hong biet",
    "chua biet",
    "khong hieu",
    "ko hieu",
    "khong ro",
    "ko ro",
    "khong nho",
    "ko nho",
    "bo qua",
    "chiu",
    "pass",
    "skip",
    "quen roi",
    "khong",
    "ko",
    "chang",
)
# Questions tags that end an answer: "…phải không", "…đúng không ạ" (asked, not denied).
QUESTION_TAGS = tuple(
    tuple(tag.split())
    for tag in ("co phai khong", "phai khong", "phai ko", "dung khong", "dung ko", "khong nhi")
)
_DIGITS = {
    "mot": 1,
    "hai": 2,
    "ba": 3,
    "bon": 4,
    "nam": 5,
    "sau": 6,
    "bay": 7,
    "tam": 8,
    "chin": 9,
}
_AFTER_TENS = {"mot": 1, "tu": 4, "lam": 5, "nham": 5}  # "hai mươi mốt", "mười lăm"
_CONNECTORS = {"linh", "le"}  # "một trăm linh năm"
_MULTIPLIERS = {"muoi": 10, "chuc": 10, "tram": 100, "nghin": 1000, "ngan": 1000}
_ADDRESS = re.compile(r"\w[./]\w")  # "binhdanhocvuso.gov.vn", "1.000.000"
_SCHEME = re.compile(r"^(?:https?://)?(?:www\.)?")
_MARK = "@"  # prefixes an address token; fold() never leaves one


@dataclass(frozen=True, slots=True)
class _Reading:
    """A folded answer: its numbers in order and its other words."""

    numbers: tuple[str, ...]
    words: tuple[str, ...]
    addresses: tuple[str, ...] = ()

    @property
    def size(self) -> int:
        """Count the tokens of the answer."""
        return len(self.numbers) + len(self.words)


def matches_typed(answer: str, accepted: Sequence[str]) -> bool:
    """Tell whether a typed answer means one of the accepted answers."""
    folded = fold(answer)
    if not folded:
        return False
    tokens = _tokens(answer)
    if len(tokens) > MAX_WORDS:
        return False
    reading = _read(tokens)
    return any(_matches(folded, reading, ok) for ok in accepted if fold(ok))


_THOUSANDS = re.compile(r"(?<=\d)[.,](?=\d{3}(?!\d))")  # "1.200", "1,200"


def read_count(text: str) -> int | None:
    """Read one whole number typed in digits or Vietnamese words, with a few words around it.

    "120", "1.200", "một trăm hai mươi", "khoảng 120 người" → 120…; None when the text holds
    no number or several. The sign is not read: callers refuse "-5" themselves.
    """
    tokens = _tokens(_THOUSANDS.sub("", text))
    if not tokens or len(tokens) > MAX_WORDS:
        return None
    reading = _read(tokens)
    if len(reading.numbers) != 1 or reading.addresses or len(reading.words) > MAX_EXTRA_WORDS:
        return None
    return int(reading.numbers[0])


def _tokens(text: str) -> list[str]:
    """Fold a reply into tokens; a web address or a dotted number stays one exact token."""
    tokens: list[str] = []
    for raw in text.split():
        bare = _SCHEME.sub("", raw.lower().strip(".,;:!?()\"'")).rstrip("/")
        if _ADDRESS.search(bare):
            tokens.append(_MARK + _address(bare))
        else:
            tokens.extend(fold(raw).split())
    return tokens


def _matches(folded: str, reading: _Reading, accepted: str) -> bool:
    """Compare one answer with one accepted answer."""
    ok_folded = fold(accepted)
    if _refuses(folded, ok_folded):
        return False
    ok = _read(_tokens(accepted))
    if reading.numbers != ok.numbers or reading.addresses != ok.addresses:
        return False  # a number or a web address must be exactly the accepted one
    if not ok.numbers and fuzz.ratio(folded, ok_folded) >= WHOLE_TYPO:
        return True
    extra = _unmatched(reading.words, ok.words)
    if extra is None:
        # The accepted words are missing: still right when the answer gives the accepted
        # numbers ("6" for "6 chữ số") and adds nothing of its own.
        if not ok.numbers:
            return False
        extra = [w for w in reading.words if not any(_alike(w, o) for o in ok.words)]
    return len(extra) <= MAX_EXTRA_WORDS


def _address(text: str) -> str:
    """Fold a web address or a dotted number, keeping its dots, slashes and dashes."""
    decomposed = unicodedata.normalize("NFKD", text.replace("đ", "d").replace("Đ", "d"))
    bare = "".join(ch for ch in decomposed if not unicodedata.combining(ch)).lower()
    return re.sub(r"[^a-z0-9./-]", "", bare)


def _refuses(folded: str, accepted: str) -> bool:
    """Tell whether the answer says "don't know" or "not" in words the accepted one lacks.

    A question tag at the end ("156 phải không ạ?", "is it 156?") is no "not".
    """
    words = folded.split()
    while words and words[-1] in PARTICLES:
        words.pop()
    for tag in QUESTION_TAGS:
        if len(words) > len(tag) and tuple(words[-len(tag) :]) == tag:
            words = words[: -len(tag)]
            break
    padded, padded_ok = f" {' '.join(words)} ", f" {accepted} "
    return any(f" {p} " in padded and f" {p} " not in padded_ok for p in REFUSALS)


def _unmatched(words: tuple[str, ...], wanted: tuple[str, ...]) -> list[str] | None:
    """Return the answer's words left over once the wanted words are found, in order."""
    left = list(words)
    position = 0
    for want in wanted:
        for index in range(position, len(left)):
            if _alike(left[index], want):
                del left[index]
                position = index
                break
        else:
            return None
    return left


def _alike(word: str, other: str) -> bool:
    """Tell whether two folded words are the same, a typo allowed in longer ones."""
    if word == other:
        return True
    return min(len(word), len(other)) >= 4 and fuzz.ratio(word, other) >= WORD_TYPO


def _read(tokens: list[str]) -> _Reading:
    """Split folded tokens into numbers (digits or number words) and other words.

    Number words count only when the answer has no digits: "sau 3 ngay" is "after 3 days".
    Single digits in a row ("1 5 6") are one number, as a phone number is read.
    """
    use_words = not any(t.isdigit() for t in tokens)
    numbers: list[str] = []
    words: list[str] = []
    addresses: list[str] = []
    index = 0
    while index < len(tokens):
        token = tokens[index]
        if token.startswith(_MARK):
            joined = token[len(_MARK) :]
            digits = joined.replace(".", "")
            if digits.isdigit():  # "1.000.000"
                numbers.append(str(int(digits)))
            else:
                addresses.append(joined)
            index += 1
            continue
        if token.isdigit():
            run = [token]
            while (
                len(token) == 1
                and index + len(run) < len(tokens)
                and len(tokens[index + len(run)]) == 1
                and tokens[index + len(run)].isdigit()
            ):
                run.append(tokens[index + len(run)])
            value = int("".join(run))
            index += len(run)
            # Digits then a spoken multiplier: "2 trăm", "1 nghìn", "3 chục".
            while index < len(tokens) and tokens[index] in _MULTIPLIERS:
                value *= _MULTIPLIERS[tokens[index]]
                index += 1
            numbers.append(str(value))
            continue
        if use_words and (token in _DIGITS or token in _MULTIPLIERS):
            end = index
            while end < len(tokens) and _number_word(tokens, end, index):
                end += 1
            numbers.append(_spoken(tokens[index:end]))
            index = end
            continue
        words.append(token)
        index += 1
    return _Reading(tuple(numbers), tuple(words), tuple(addresses))


def _number_word(tokens: list[str], at: int, start: int) -> bool:
    """Tell whether tokens[at] continues the spoken number that began at start."""
    token = tokens[at]
    if token in _DIGITS or token in _MULTIPLIERS:
        return True
    after_multiplier = at > start and tokens[at - 1] in _MULTIPLIERS
    return after_multiplier and (token in _AFTER_TENS or token in _CONNECTORS)


def _spoken(run: list[str]) -> str:
    """Read a run of Vietnamese number words as a number, written in digits."""
    if not any(w in _MULTIPLIERS for w in run):
        return str(int("".join(str(_DIGITS[w]) for w in run)))  # digit by digit: "một năm sáu"
    total, group, pending = 0, 0, 0
    for word in run:
        if word in _CONNECTORS:
            continue
        if word in ("muoi", "chuc"):
            group += (pending or 1) * 10
            pending = 0
        elif word == "tram":
            group += (pending or 1) * 100
            pending = 0
        elif word in ("nghin", "ngan"):
            total += (group + pending or 1) * 1000
            group = pending = 0
        else:
            pending = _DIGITS.get(word) or _AFTER_TENS.get(word, 0)
    return str(total + group + pending)
