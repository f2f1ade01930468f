"""The lesson model: frozen dataclasses loaded once at start-up."""

from __future__ import annotations

import datetime
import math
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from bot.lessons.answers import matches_typed

if TYPE_CHECKING:
    from bot.lessons.search import LessonIndex

MATCH = 88  # how closely a question must contain a keyword
WORDS_PER_MINUTE = 150  # reading speed assumed for an older reader on a phone
MAX_READING_SECONDS = 180  # a lesson, cards plus quiz, reads in at most three minutes
# Values that differ per commune, written {name} in a card and filled in when it is shown.
PLACEHOLDERS = {
    "muc_tieu_ho": "the commune plan's household target, in percent (60 when unknown)",
}
DEFAULT_HOUSEHOLD_TARGET = 60
_PLACEHOLDER = re.compile(r"\{([^{}]*)\}")
_WORD = re.compile(r"\w+(?:[.,/:-]\w+)*")  # "1/7/2024", "binhdanhocvuso.gov.vn" count once
# The skill groups of the basic digital-skills framework for residents (Quyết định 757/QĐ-BKHCN,
# 29/4/2025; group 0 as in Công văn 3139/BTTTT-KTS&XHS). Each is a track of the lesson menu, in
# this order; every lesson's `track:` is one of these keys. See content/README.md.
TRACKS = {
    "thiet_bi": "Sử dụng thiết bị và phần mềm trên thiết bị",
    "thong_tin": "Khai thác dữ liệu và thông tin",
    "giao_tiep": "Giao tiếp và hợp tác trong môi trường số",
    "sang_tao": "Sáng tạo nội dung số",
    "an_toan": "An toàn",
    "giai_quyet": "Giải quyết vấn đề",
    "tri_tue_nhan_tao": "Ứng dụng trí tuệ nhân tạo",
}


def coverage(lessons: Iterable[Lesson]) -> dict[str, list[Lesson]]:
    """Group lessons by framework group, every group present (empty when no lesson serves it)."""
    groups: dict[str, list[Lesson]] = {track: [] for track in TRACKS}
    for lesson in lessons:
        groups.setdefault(lesson.track, []).append(lesson)
    return groups


def reading_time(seconds: int) -> str:
    """Write a reading time as minutes and seconds, "2:35"."""
    return f"{seconds // 60}:{seconds % 60:02d}"


def unknown_placeholders(text: str) -> list[str]:
    """Return the {names} in a text that are not known placeholders (and stray braces)."""
    names = [name for name in _PLACEHOLDER.findall(text) if name not in PLACEHOLDERS]
    rest = _PLACEHOLDER.sub("", text)
    if "{" in rest or "}" in rest:
        names.append("…")
    return names


@dataclass(frozen=True, slots=True)
class Card:
    """One screen of a lesson."""

    text: str

    def render(self, values: dict[str, str]) -> str:
        """Return the text with each known placeholder replaced by its value."""
        text = self.text
        for name, value in values.items():
            text = text.replace("{" + name + "}", value)
        return text


@dataclass(frozen=True, slots=True)
class Question:
    """A quiz question: choose among options, or type a short answer."""

    id: str
    text: str
    explanation: str
    options: tuple[str, ...] = ()
    answer: int = 0  # index into options, for choice questions
    accepted: tuple[str, ...] = ()  # for typed questions
    variants: tuple[str, ...] = ()  # natural answers the matcher must accept (checked by CI)

    @property
    def typed(self) -> bool:
        """Tell whether the answer is typed rather than chosen."""
        return not self.options

    def is_correct_typed(self, text: str) -> bool:
        """Match a typed answer against the accepted ones (see bot.lessons.answers)."""
        return matches_typed(text, self.accepted)

    @property
    def answer_text(self) -> str:
        """Return the right answer as the user would read it."""
        return self.options[self.answer] if self.options else self.accepted[0]


@dataclass(frozen=True, slots=True)
class Lesson:
    """A short lesson: cards, then a quiz."""

    id: str
    title: str
    order: int
    track: str
    reviewed: datetime.date
    keywords: tuple[str, ...]
    sources: tuple[str, ...]
    cards: tuple[Card, ...]
    questions: tuple[Question, ...]
    next_id: str | None = None
    pass_mark: float = 2 / 3

    @property
    def framework(self) -> str:
        """Return the name of the framework group this lesson serves (its track)."""
        return TRACKS[self.track]

    @property
    def words(self) -> int:
        """Count the words a resident reads: cards, questions, options and explanations."""
        texts = [card.text for card in self.cards]
        for q in self.questions:
            texts += [q.text, q.explanation, *q.options]
        return sum(len(_WORD.findall(text)) for text in texts)

    @property
    def reading_seconds(self) -> int:
        """Return the reading time in seconds at WORDS_PER_MINUTE."""
        return math.ceil(self.words * 60 / WORDS_PER_MINUTE)

    @property
    def minutes(self) -> int:
        """Return the reading time in whole minutes, rounded up, as shown to the resident."""
        return max(1, math.ceil(self.reading_seconds / 60))

    @property
    def needed(self) -> int:
        """Return how many questions must be right to pass."""
        return math.ceil(self.pass_mark * len(self.questions) - 1e-9)

    def question(self, question_id: str) -> Question | None:
        """Find a question by id."""
        return next((q for q in self.questions if q.id == question_id), None)


@dataclass(frozen=True, slots=True)
class Curriculum:
    """All lessons, in order."""

    lessons: tuple[Lesson, ...]
    index: LessonIndex = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        """Build the question-search index once: the curriculum never changes after loading."""
        from bot.lessons.search import LessonIndex

        object.__setattr__(self, "index", LessonIndex(self.lessons))

    def get(self, lesson_id: str) -> Lesson | None:
        """Find a lesson by id (case-insensitive)."""
        wanted = lesson_id.upper()
        return next((lesson for lesson in self.lessons if lesson.id == wanted), None)

    def search(self, question: str, limit: int = 3) -> list[Lesson]:
        """Find the lessons a typed question is about, best first (empty when none fits)."""
        return [hit.lesson for hit in self.index.find(question, limit)]
