"""What kind of fact a question asks for, and which facts a lesson states.

Naming a topic is not enough for a question that asks for a fact. As in question answering, the
question word says what kind of answer is wanted: "bao giờ", "bao lâu", "mấy giờ" a time; "bao
nhiêu", "mấy lần", "số mấy" an amount, a sum of money when its unit or its subject is money
("bao nhiêu tiền", "phí… bao nhiêu"). Such a question fits a lesson only if the lesson states a
fact of that kind about it: one statement (a sentence of a card, or a quiz question with its
right answer and explanation) that gives a date or a span ("từ 1/7/2024", "3 ngày làm việc"), a
sum ("10 triệu đồng") or a number ("5 lần", "111"), and holds at least a fifth of the
question's words, weighted by rarity. Lessons teach skills and name the things those skills
serve; a question about the thing itself, a life fact, is then left unanswered rather than sent
to the skill: "Khi nào được nhận lương hưu?" names the bank-account lesson (a pension can be
paid into an account), which gives no date of a pension, so nothing is offered, while "từ bao
giờ đi khám không cần thẻ BHYT giấy" finds "Từ 1/6/2025, … thôi cấp thẻ BHYT giấy". Numbers
that say nothing are no answer: a document's number ("69/2024/NĐ-CP"), a step ("Bước 2"), the
story of a quiz question ("Bà Lan 68 tuổi"). "Khi nào" also asks in which case: it asks for a
time when something comes to the asker ("khi nào được…", "từ khi nào"), for a rule with "phải",
"nên" or "cần" (which a lesson on the topic teaches), and otherwise for a time or a case ("khi
nào gọi 111" is answered by "gọi 111 khi…"). "Ở đâu" and "ai" are not typed: places are too
varied to recognise (a counter, an app, a web address) and "ai" is also AI.
"""

from __future__ import annotations

import re

from bot.lessons.model import Lesson
from bot.text import fold

# The kinds of fact a question asks for and a statement gives: a time (a date, a span), a sum
# of money, any amount (a number: a sum, a count, an age, a level) and a case ("khi", "nếu").
WHEN = "when"
MONEY = "money"
AMOUNT = "amount"
CASE = "case"
# Folded question phrases that ask for a time ("bao giờ" too, but not "không bao giờ").
WHEN_PHRASES = frozenset({"bao lau", "ngay nao", "hom nao", "tuan nao", "thang nao", "nam nao"})
NEVER = frozenset({"co", "khong", "chua", "chang"})
# "Khi nào" and "lúc nào" ask for a time when something comes to the asker ("khi nào được
# nhận", "từ khi nào", "khi nào có"); for a rule when something must be done ("khi nào phải
# quét mặt"), which a lesson on the topic teaches; else for a time or a case ("khi nào gọi
# 111", answered by "gọi 111 khi…").
WHEN_OR_CASE = frozenset({"khi nao", "luc nao"})
COMES = frozenset({"được", "duoc", "sẽ", "se"})
SINCE = frozenset({"tu", "den", "toi"})
MUST = frozenset({"phải", "phai", "nên", "nen", "cần", "buộc", "buoc"})
# Units after "bao nhiêu" or "mấy" ("mấy giờ", "bao nhiêu tiền", "mấy lần"), and words "mấy"
# follows ("số mấy", "mức mấy"). "May" typed without diacritics is also "máy" (a phone): it
# asks only beside one of these.
TIME_UNITS = frozenset({"ngay", "tuan", "thang", "nam", "gio", "phut"})
MONEY_UNITS = frozenset({"tien", "dong", "trieu", "nghin", "ngan"})
MEASURES = frozenset({"lan", "so", "tuoi", "chu", "buoc", "muc", "viec"})
UNITS = TIME_UNITS | MONEY_UNITS | MEASURES
COUNTED = frozenset({"so", "muc", "lop"})
# "Bao nhiêu" about one of these asks for a sum of money ("giá", "lương", "lãi" only with
# diacritics: "gia", "luong", "lai" are also "gia đình", "khối lượng", "lại").
MONEY_WORDS = frozenset({"tien", "phi", "giá", "lương", "lãi"})
_TIME = "ngày|tuần|tháng|năm|giờ|phút"
_DATE = re.compile(
    r"(?<![\d/])(\d{1,2})/(\d{1,2})(?:/\d{4})?(?![\d/])|(?<![\d/])(\d{1,2})/\d{4}(?![\d/])"
)
_SPAN = re.compile(
    rf"(?<![\w/])\d+(?:[.,]\d+)?\s*(?:{_TIME})(?!\w)|(?<!\w)(?:năm|tháng)\s+\d{{1,4}}(?![\w/])"
    r"|(?<![\w/])\d{4}\s*[–-]\s*\d{4}(?![\w/])|(?<!\w)hôm sau(?!\w)",
    re.IGNORECASE,
)
# A number of its own: not glued to letters ("4G", "L15") nor part of a document's number
# ("Nghị định 69/2024/NĐ-CP").
_NUMBER = re.compile(r"(?<![\w/.,])\d+(?:[.,]\d+)*(?![\w/])")
_SUM = re.compile(
    r"(?<![\w/.,])\d+(?:[.,]\d+)*(?:\s*(?:đồng|nghìn|ngàn|triệu|tỷ)(?!\w)|%)", re.IGNORECASE
)
_CASE = re.compile(r"(?<!\w)(?:khi|nếu|thì|lúc)(?!\w)", re.IGNORECASE)
# Numbers that only order things: "Bước 2", "Chiêu 1", "1. Mở ứng dụng".
_ORDINAL = re.compile(r"(?im)^\s*\d+[.)]\s|(?<!\w)(?:bước|chiêu|nhóm|phần|bài|câu)\s+\d+(?!\w)")
_STATEMENT = re.compile(r"(?<=[.!?])\s+|\n\s*\n")


def kinds_asked(words: list[str], accented: bool) -> frozenset[str]:
    """Return the kinds of fact that answer a question (empty: it asks for none in particular).

    "Bao giờ", "bao lâu", "ngày nào", "mấy giờ" ask for a time; "khi nào" and "lúc nào" for a
    time, a case or a rule (see WHEN_OR_CASE); "bao nhiêu" and "mấy" for an amount, or a sum
    of money when the unit ("bao nhiêu tiền") or the thing asked about ("phí", "giá") is money.
    """
    folded = [fold(w) for w in words]
    for i, word in enumerate(folded):
        before = folded[i - 1] if i else ""
        after, then = (folded[i + 1 : i + 3] + ["", ""])[:2]
        pair = f"{word} {after}"
        if pair in WHEN_PHRASES or (pair == "bao gio" and before not in NEVER):
            # "Bao giờ phải…" asks for a rule, like "khi nào phải…" (see WHEN_OR_CASE).
            return frozenset() if any(w in MUST for w in words) else frozenset({WHEN})
        if pair in WHEN_OR_CASE:
            if before in SINCE or then == "co" or any(w in COMES for w in words):
                return frozenset({WHEN})
            return frozenset() if any(w in MUST for w in words) else frozenset({WHEN, CASE})
        if pair == "bao nhieu":
            return _amount(words, then)
        how_many = words[i] == "mấy" or (word == "may" and not accented)
        if how_many and (after in UNITS or before in COUNTED):
            return _amount(words, after)
    return frozenset()


def _amount(words: list[str], unit: str) -> frozenset[str]:
    """The kind of amount "bao nhiêu" or "mấy" asks for, given the (folded) word after it."""
    if unit in TIME_UNITS:
        return frozenset({WHEN})
    money = any(w in MONEY_WORDS or fold(w) in MONEY_WORDS for w in words)
    if unit in MONEY_UNITS or (money and unit not in MEASURES):
        return frozenset({MONEY})
    return frozenset({AMOUNT})


def kinds_given(text: str) -> frozenset[str]:
    """The kinds of fact a statement gives (a number of days is a time, not an amount)."""
    kinds = set()
    if any(_is_date(m) for m in _DATE.finditer(text)) or _SPAN.search(text):
        kinds.add(WHEN)
    if _SUM.search(text):
        kinds.add(MONEY)
    if _NUMBER.search(_SPAN.sub(" ", _DATE.sub(" ", text))):
        kinds.add(AMOUNT)
    if _CASE.search(text):
        kinds.add(CASE)
    return frozenset(kinds)


def _is_date(match: re.Match[str]) -> bool:
    """Tell whether "d/m", "d/m/yyyy" or "m/yyyy" is a date and not a document's number."""
    if match.group(3):
        return 1 <= int(match.group(3)) <= 12
    return 1 <= int(match.group(1)) <= 31 and 1 <= int(match.group(2)) <= 12


def statements(lesson: Lesson) -> list[tuple[str, str]]:
    """What a lesson tells, as (what a statement is about, what it tells).

    A card tells each of its sentences. A quiz question tells its right answer and explanation,
    about the question too ("Passcode gồm mấy chữ số?" – "6"); its story alone tells nothing
    ("Bà Lan 68 tuổi…" says no age of anything).
    """
    texts = [_ORDINAL.sub(" ", card.text) for card in lesson.cards]
    out = [(s, s) for text in texts for s in _STATEMENT.split(text) if s.strip()]
    for q in lesson.questions:
        told = _ORDINAL.sub(" ", f"{q.answer_text}\n\n{q.explanation}")
        out.append((f"{q.text}\n\n{told}", told))
    return out
