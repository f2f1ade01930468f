"""Load and validate the Markdown lessons in content/lessons (problems carry file and line)."""

from __future__ import annotations

import datetime
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from bot.lessons.model import (
    MAX_READING_SECONDS,
    PLACEHOLDERS,
    TRACKS,
    WORDS_PER_MINUTE,
    Card,
    Curriculum,
    Lesson,
    Question,
    reading_time,
    unknown_placeholders,
)

MAX_CARD = 600
MAX_QUESTION = 300
MAX_LABEL = 60
REQUIRED = ("id", "title", "order", "track", "reviewed", "keywords", "sources")
COMPUTED = {
    "minutes": "minutes is computed from the reading time; remove it",
    "framework": "framework is the group named by track; remove it",
}
_HEADING = re.compile(r"^##\s+(card|question)\b\s*(.*)$")
_OPTION = re.compile(r"^-\s*\[( |x|X)\]\s*(.+)$")
_ID = re.compile(r"^L\d{2}$")


@dataclass(frozen=True, slots=True)
class Problem:
    """One thing wrong in a lesson file."""

    path: Path
    line: int
    message: str

    def __str__(self) -> str:
        return f"{self.path}:{self.line}: {self.message}"


class ContentError(Exception):
    """Raised when the lesson folder has problems; carries every one of them."""

    def __init__(self, problems: list[Problem]) -> None:
        super().__init__("\n".join(str(p) for p in problems))
        self.problems = problems


class _File:
    """Parse one lesson file, collecting problems instead of stopping at the first."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.problems: list[Problem] = []
        self.key_lines: dict[str, int] = {}
        self.card_lines: list[int] = []
        self.question_lines: dict[str, int] = {}

    def at(self, key: str) -> int:
        """Return the line of a front matter key (1 when it is missing)."""
        return self.key_lines.get(key, 1)

    def problem(self, line: int, message: str) -> None:
        self.problems.append(Problem(self.path, line, message))

    def parse(self) -> Lesson | None:
        try:
            lines = self.path.read_text(encoding="utf-8").splitlines()
        except (OSError, UnicodeDecodeError) as exc:
            self.problem(1, f"cannot read the file: {exc}")
            return None
        if not lines or lines[0].strip() != "---":
            self.problem(1, "the file must start with '---' and YAML front matter")
            return None
        try:
            end = next(i for i in range(1, len(lines)) if lines[i].strip() == "---")
        except StopIteration:
            self.problem(1, "the front matter is not closed with '---'")
            return None
        try:
            meta = yaml.safe_load("\n".join(lines[1:end])) or {}
        except yaml.YAMLError as exc:
            mark = getattr(exc, "problem_mark", None)
            self.problem(2 + (mark.line if mark else 0), f"front matter is not valid YAML: {exc}")
            return None
        if not isinstance(meta, dict):
            self.problem(2, "front matter must be a mapping of keys to values")
            return None
        self.key_lines = {
            match.group(1): number
            for number, raw in enumerate(lines[1:end], start=2)
            if (match := re.match(r"^(\w+)\s*:", raw))
        }
        cards, questions = self._body(lines, end + 1)
        return self._lesson(meta, cards, questions)

    def _body(self, lines: list[str], start: int) -> tuple[list[Card], list[Question]]:
        sections: list[tuple[int, str, str, list[str]]] = []
        for number, raw in enumerate(lines[start:], start=start + 1):
            heading = _HEADING.match(raw.strip())
            if heading:
                sections.append((number, heading.group(1), heading.group(2).strip(), []))
            elif sections:
                sections[-1][3].append(raw)
            elif raw.strip() and not raw.startswith("# "):
                self.problem(number, "text before the first '## card' is ignored; move it")
        cards: list[Card] = []
        questions: list[Question] = []
        for number, kind, arg, body in sections:
            if kind == "card":
                text = "\n".join(body).strip()
                if not text:
                    self.problem(number, "empty card")
                elif len(text) > MAX_CARD:
                    self.problem(number, f"card has {len(text)} characters (at most {MAX_CARD})")
                cards.append(Card(text))
                self.card_lines.append(number)
            else:
                question = self._question(number, arg, body)
                if question:
                    questions.append(question)
                    self.question_lines.setdefault(question.id, number)
        return cards, questions

    def _question(self, number: int, arg: str, body: list[str]) -> Question | None:
        words = arg.split()
        if not words:
            self.problem(number, "a question needs an id: '## question q1'")
            return None
        qid, typed = words[0], words[1:] == ["typed"]
        if len(words) > 1 and not typed:
            self.problem(number, f"unknown question kind {' '.join(words[1:])!r}")
        text_lines: list[str] = []
        options: list[str] = []
        answers: list[int] = []
        accepted: list[str] = []
        variants: list[str] = []
        explanation = ""
        for offset, raw in enumerate(body, start=1):
            line = raw.strip()
            option = _OPTION.match(line)
            if option:
                label = option.group(2).strip()
                if len(label) > MAX_LABEL:
                    self.problem(
                        number + offset,
                        f"option has {len(label)} characters (at most {MAX_LABEL})",
                    )
                if option.group(1).lower() == "x":
                    answers.append(len(options))
                options.append(label)
            elif line.startswith("="):
                accepted.append(line[1:].strip())
            elif line.startswith("~"):
                variants.append(line[1:].strip())
            elif line.startswith(">"):
                explanation = (explanation + " " + line[1:].strip()).strip()
            elif line:
                text_lines.append(line)
        text = " ".join(text_lines)
        where = f"question {qid}"
        if not text:
            self.problem(number, f"{where} has no text")
        elif len(text) > MAX_QUESTION:
            self.problem(number, f"{where} has {len(text)} characters (at most {MAX_QUESTION})")
        if not explanation:
            self.problem(number, f"{where} has no explanation ('> …' line)")
        if typed:
            if options:
                self.problem(number, f"{where} is typed but lists options")
            if not accepted:
                self.problem(number, f"{where} is typed but has no accepted answer ('= …')")
            return Question(
                qid, text, explanation, accepted=tuple(accepted), variants=tuple(variants)
            )
        if accepted or variants:
            self.problem(number, f"{where} has '=' or '~' answers but is not marked typed")
        if not 2 <= len(options) <= 4:
            self.problem(number, f"{where} has {len(options)} options (2 to 4)")
        if len(answers) != 1:
            self.problem(number, f"{where} must mark exactly one right option with [x]")
            return None
        return Question(qid, text, explanation, options=tuple(options), answer=answers[0])

    def _lesson(
        self, meta: dict[str, Any], cards: list[Card], questions: list[Question]
    ) -> Lesson | None:
        missing = [key for key in REQUIRED if meta.get(key) in (None, "", [])]
        for key in missing:
            self.problem(1, f"front matter lacks '{key}'")
        lesson_id = str(meta.get("id", ""))
        if lesson_id and not _ID.match(lesson_id):
            self.problem(self.at("id"), f"id {lesson_id!r} must look like L01")
        if meta.get("track") and meta["track"] not in TRACKS:
            self.problem(
                self.at("track"), f"track {meta['track']!r} is not one of {', '.join(TRACKS)}"
            )
        sources = meta.get("sources") or []
        if not isinstance(sources, list) or not all(
            isinstance(s, str) and s.startswith(("http://", "https://")) for s in sources
        ):
            self.problem(self.at("sources"), "sources must be a list of http(s) addresses")
        keywords = meta.get("keywords") or []
        if not isinstance(keywords, list):
            self.problem(self.at("keywords"), "keywords must be a list")
            keywords = []
        if not 3 <= len(cards) <= 6:
            self.problem(1, f"the lesson has {len(cards)} cards (3 to 6)")
        if not 3 <= len(questions) <= 5:
            self.problem(1, f"the lesson has {len(questions)} questions (3 to 5)")
        ids = [q.id for q in questions]
        for qid in {q for q in ids if ids.count(q) > 1}:
            self.problem(1, f"question id {qid!r} is used twice")
        pass_mark = meta.get("pass_mark", 2 / 3)
        if not isinstance(pass_mark, int | float) or not 0 < pass_mark <= 1:
            self.problem(self.at("pass_mark"), "pass_mark must be a number between 0 and 1")
            pass_mark = 2 / 3
        if "order" in meta and not isinstance(meta["order"], int):
            self.problem(self.at("order"), "order must be a whole number")
        for key, message in COMPUTED.items():
            if key in meta:
                self.problem(self.at(key), message)
        reviewed = meta.get("reviewed")
        if reviewed is not None and (
            not isinstance(reviewed, datetime.date) or isinstance(reviewed, datetime.datetime)
        ):
            self.problem(self.at("reviewed"), "reviewed must be a date written YYYY-MM-DD")
        if self.problems or missing:
            return None
        lesson = Lesson(
            id=lesson_id,
            title=str(meta["title"]),
            order=int(meta["order"]),
            track=str(meta["track"]),
            reviewed=meta["reviewed"],
            keywords=tuple(str(k) for k in keywords),
            sources=tuple(sources),
            cards=tuple(cards),
            questions=tuple(questions),
            next_id=str(meta["next"]) if meta.get("next") else None,
            pass_mark=float(pass_mark),
        )
        self._content_rules(lesson)
        return None if self.problems else lesson

    def _content_rules(self, lesson: Lesson) -> None:
        """Check reading time, placeholders and the variants of typed questions."""
        if lesson.reading_seconds > MAX_READING_SECONDS:
            self.problem(
                1,
                f"reading time {reading_time(lesson.reading_seconds)} is over "
                f"{reading_time(MAX_READING_SECONDS)} ({lesson.words} words at "
                f"{WORDS_PER_MINUTE} a minute); shorten the cards or the quiz",
            )
        for number, card in enumerate(lesson.cards, start=1):
            for name in unknown_placeholders(card.text):
                self.problem(
                    self.card_lines[number - 1],
                    f"card {number}: unknown placeholder {{{name}}} "
                    f"(known: {', '.join('{' + p + '}' for p in PLACEHOLDERS)})",
                )
        for question in lesson.questions:
            line = self.question_lines.get(question.id, 1)
            texts = (question.text, question.explanation, *question.options, *question.accepted)
            if any("{" in text or "}" in text for text in texts):
                self.problem(line, f"question {question.id}: placeholders work only in cards")
            for variant in question.variants:
                if not question.is_correct_typed(variant):
                    self.problem(
                        line,
                        f"question {question.id}: the variant {variant!r} is not accepted by "
                        "the answer matcher; add an '=' answer or change the variant",
                    )


def check_folder(folder: Path) -> tuple[list[Lesson], list[Problem]]:
    """Parse every lesson in a folder and return the lessons and all problems found."""
    if not folder.is_dir():
        return [], [Problem(folder, 0, "lesson folder not found")]
    found: list[tuple[Path, Lesson]] = []
    problems: list[Problem] = []
    paths = sorted(folder.glob("*.md"))
    if not paths:
        problems.append(Problem(folder, 0, "no lesson files (*.md) in the folder"))
    for path in paths:
        parsed = _File(path)
        lesson = parsed.parse()
        problems.extend(parsed.problems)
        if lesson:
            found.append((path, lesson))
    first_with_id: dict[str, Path] = {}
    first_with_order: dict[int, Path] = {}
    for path, lesson in found:
        if lesson.id in first_with_id:
            problems.append(
                Problem(path, 2, f"id {lesson.id} is already used by {first_with_id[lesson.id]}")
            )
        if lesson.order in first_with_order:
            problems.append(
                Problem(
                    path,
                    2,
                    f"order {lesson.order} is already used by {first_with_order[lesson.order]}",
                )
            )
        first_with_id.setdefault(lesson.id, path)
        first_with_order.setdefault(lesson.order, path)
    for path, lesson in found:
        if lesson.next_id and lesson.next_id not in first_with_id:
            problems.append(Problem(path, 2, f"next lesson {lesson.next_id} does not exist"))
    return sorted((lesson for _, lesson in found), key=lambda x: x.order), problems


def load_curriculum(folder: Path) -> Curriculum:
    """Load the lessons, raising ContentError with every problem if any is invalid."""
    lessons, problems = check_folder(folder)
    if problems:
        raise ContentError(problems)
    return Curriculum(tuple(lessons))
