"""The lesson model: frozen dataclasses loaded once at start-up."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from bot.core.text import similar

if TYPE_CHECKING:
    from bot.lessons.search import LessonIndex

TRACKS = {
    "co_ban": "Cơ bản",
    "an_toan": "An toàn trên mạng",
    "dich_vu_cong": "Dịch vụ công",
    "kinh_te_so": "Kinh tế số",
}


@dataclass(frozen=True, slots=True)
class Card:
    """One screen of a lesson."""

    text: str


@dataclass(frozen=True, slots=True)
class Question:
    """A quiz question: choose among options, or type a short answer."""

    id: str
    text: str
    explanation: str
    options: tuple[str, ...] = ()
    answer: int = 0  # index into options, for choice questions
    accepted: tuple[str, ...] = ()  # for typed questions

    @property
    def typed(self) -> bool:
        """Tell whether the answer is typed rather than chosen."""
        return not self.options

    def is_correct_typed(self, text: str) -> bool:
        """Match a typed answer against the accepted ones, ignoring diacritics and typos."""
        return any(similar(text, ok) for ok in self.accepted)

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
    minutes: int
    track: str
    framework: str
    keywords: tuple[str, ...]
    sources: tuple[str, ...]
    cards: tuple[Card, ...]
    questions: tuple[Question, ...]
    next_id: str | None = None
    pass_mark: float = 2 / 3

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
