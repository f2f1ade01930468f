"""The lesson and quiz conversation: list, cards one at a time, quiz, score, retry, resume."""

from __future__ import annotations

import random
from dataclasses import dataclass

from sqlalchemy import select

from bot.core.context import Context
from bot.core.messages import Option
from bot.core.routes import Payload, Routes
from bot.handlers import texts as t
from bot.handlers.menu import BACK, MenuItem, show_menu
from bot.lessons.model import DEFAULT_HOUSEHOLD_TARGET, TRACKS, Card, Lesson, Question
from bot.storage.models import Commune, LessonProgress, QuizAnswer
from bot.storage.participation import mark_participating, recount_lessons
from bot.text import fit, progress_bar

routes = Routes()
SKIP = 99  # the option index of "skip this question"
SKIPPED = "(bỏ qua)"  # what is recorded as the answer of a skipped question


@dataclass(frozen=True)
class OpenLesson(Payload, prefix="lesson"):
    """Open (or resume, or review) a lesson."""

    lesson: str


@dataclass(frozen=True)
class OpenTrack(Payload, prefix="track"):
    """List the lessons of one track."""

    track: str


@dataclass(frozen=True)
class NextCard(Payload, prefix="next"):
    """Move on to a card of the lesson."""

    lesson: str
    card: int


@dataclass(frozen=True)
class StartQuiz(Payload, prefix="quiz"):
    """Begin a new attempt at the lesson's quiz."""

    lesson: str


@dataclass(frozen=True)
class Review(Payload, prefix="review"):
    """Read the lesson again from its first card."""

    lesson: str


@dataclass(frozen=True)
class Answer(Payload, prefix="ans"):
    """One option chosen as the answer to a question of one attempt."""

    lesson: str
    question: str
    attempt: int
    index: int


@routes.command("hoc", "bai hoc", "hoc bai")
async def lesson_list(ctx: Context) -> None:
    """Show the tracks of lessons with how many of each are done (/hoc)."""
    lessons = ctx.curriculum.lessons
    if not lessons:
        await show_menu(ctx, t.LESSON_LIST_EMPTY)
        return
    progress = await _all_progress(ctx)
    options = []
    for track, name in TRACKS.items():
        members = [x for x in lessons if x.track == track]
        if not members:
            continue
        done = sum(1 for x in members if (row := progress.get(x.id)) and row.completed_at)
        icon = t.TRACK_ICONS.get(track, "📚")
        options.append(Option(f"{icon} {name} ({done}/{len(members)})", OpenTrack(track).pack()))
    options.append(BACK)
    ctx.ask(t.TRACK_LIST, options)


@routes.button(OpenTrack)
async def track_lessons(ctx: Context) -> None:
    """List the lessons of one track with done and in-progress marks."""
    track = ctx.args if ctx.args in TRACKS else None
    members = [x for x in ctx.curriculum.lessons if x.track == track]
    if not members:
        await lesson_list(ctx)
        return
    progress = await _all_progress(ctx)
    options = []
    for lesson in members:
        row = progress.get(lesson.id)
        mark = "✅" if row and row.completed_at else "⏳" if row else "📘"
        options.append(Option(fit(f"{mark} {lesson.title}"), OpenLesson(lesson.id).pack()))
    options += [Option(t.OTHER_TRACKS, MenuItem("learn").pack()), BACK]
    ctx.ask(t.LESSON_LIST.format(track=TRACKS[track or ""]), options)


@routes.button(OpenLesson)
async def open_lesson(ctx: Context) -> None:
    """Start a lesson, resume it where it stopped, or review a finished one from the start."""
    lesson = ctx.curriculum.get(ctx.args)
    if lesson is None:
        ctx.say(t.LESSON_GONE)
        await lesson_list(ctx)
        return
    row = await _progress(ctx, lesson.id)
    if row is None:
        row = LessonProgress(user_id=ctx.user.id, lesson_id=lesson.id, started_at=ctx.now)
        ctx.session.add(row)
        await recount_lessons(ctx.session, ctx.user)
    elif row.completed_at is not None:
        row.card, row.question, row.correct = 0, 0, 0
    if row.card == 0 and row.question == 0:
        ctx.say(
            t.LESSON_INTRO.format(
                title=lesson.title,
                minutes=lesson.minutes,
                cards=len(lesson.cards),
                questions=len(lesson.questions),
            )
        )
    ctx.put("lesson", lesson.id)
    await _show_position(ctx, lesson, row)


@routes.command("tiep", "hoc tiep")
async def resume(ctx: Context) -> None:
    """Continue the lesson in progress at the exact card or question (/tiep)."""
    lesson_id = ctx.get("lesson")
    row = await _progress(ctx, lesson_id) if lesson_id else None
    if row is None or row.completed_at is not None and row.card == 0 and row.question == 0:
        row = await ctx.session.scalar(
            select(LessonProgress)
            .where(LessonProgress.user_id == ctx.user.id, LessonProgress.completed_at.is_(None))
            .order_by(LessonProgress.started_at.desc())
            .limit(1)
        )
    lesson = ctx.curriculum.get(row.lesson_id) if row else None
    if row is None or lesson is None:
        ctx.say(t.NOTHING_TO_RESUME)
        await lesson_list(ctx)
        return
    ctx.put("lesson", lesson.id)
    ctx.say(t.RESUME_LESSON.format(title=lesson.title))
    await _show_position(ctx, lesson, row)


@routes.button(NextCard)
async def next_card(ctx: Context) -> None:
    """Move to the card named by the button (payload "next:L01:2")."""
    lesson, row, target = await _from_payload(ctx)
    if lesson is None or row is None:
        return
    if target == row.card + 1 and target < len(lesson.cards):
        row.card = target
    await _show_position(ctx, lesson, row)


@routes.button(StartQuiz)
async def start_quiz(ctx: Context) -> None:
    """Begin a new attempt at the lesson's quiz."""
    lesson, row, _ = await _from_payload(ctx)
    if lesson is None or row is None:
        return
    row.card, row.question, row.correct = len(lesson.cards), 0, 0
    row.attempts += 1
    ctx.put("lesson", lesson.id)
    ctx.say(t.QUIZ_INTRO.format(count=len(lesson.questions), needed=lesson.needed))
    await _show_position(ctx, lesson, row)


@routes.button(Review)
async def review(ctx: Context) -> None:
    """Go back to the first card of the lesson."""
    lesson, row, _ = await _from_payload(ctx)
    if lesson is None or row is None:
        return
    row.card, row.question, row.correct = 0, 0, 0
    await _show_position(ctx, lesson, row)


@routes.button(Answer)
async def choice_answer(ctx: Context) -> None:
    """Take a chosen option (payload "ans:L01:q1:ATTEMPT:INDEX") as the answer."""
    parts = ctx.args.split(":")
    if len(parts) != 4 or not parts[3].isdigit():
        ctx.repeat_prompt()
        return
    lesson_id, question_id, attempt, index = parts[0], parts[1], parts[2], int(parts[3])
    lesson, row, question = await _current_question(ctx, lesson_id, question_id, attempt)
    if lesson is None or row is None or question is None:
        ctx.repeat_prompt()
        return
    if index == SKIP:
        await _answer(ctx, lesson, row, question, SKIPPED, False)
        return
    if index >= len(question.options):
        ctx.repeat_prompt()
        return
    await _answer(ctx, lesson, row, question, question.options[index], index == question.answer)


@routes.step("typed_answer")
async def typed_answer(ctx: Context) -> None:
    """Take typed text as the answer to a typed quiz question."""
    data = ctx.data
    lesson, row, question = await _current_question(
        ctx, str(data.get("lesson")), str(data.get("question")), str(data.get("attempt"))
    )
    if lesson is None or row is None or question is None:
        ctx.end_step()
        await resume(ctx)
        return
    if ctx.intent == "skip":
        await _answer(ctx, lesson, row, question, SKIPPED, False)
        return
    answer = " ".join(ctx.args.split())[:200]
    await _answer(ctx, lesson, row, question, answer, question.is_correct_typed(answer))


async def _answer(
    ctx: Context,
    lesson: Lesson,
    row: LessonProgress,
    question: Question,
    answer: str,
    correct: bool,
) -> None:
    ctx.session.add(
        QuizAnswer(
            user_id=ctx.user.id,
            lesson_id=lesson.id,
            question_id=question.id,
            attempt=row.attempts,
            answer=answer[:200],
            correct=correct,
            at=ctx.now,
        )
    )
    if correct:
        row.correct += 1
        ctx.say(t.RIGHT.format(explanation=question.explanation))
    elif answer == SKIPPED:
        ctx.say(t.SKIPPED.format(answer=question.answer_text, explanation=question.explanation))
    else:
        ctx.say(t.WRONG.format(answer=question.answer_text, explanation=question.explanation))
    row.question += 1
    if row.question < len(lesson.questions):
        await _show_position(ctx, lesson, row)
        return
    await _finish(ctx, lesson, row)


async def _finish(ctx: Context, lesson: Lesson, row: LessonProgress) -> None:
    total = len(lesson.questions)
    score = row.correct / total
    options: list[Option] = []
    if row.correct >= lesson.needed:
        row.score = max(row.score or 0.0, score)
        if row.completed_at is None:
            row.completed_at = ctx.now
            await recount_lessons(ctx.session, ctx.user)
        ctx.say(t.PASSED.format(score=row.correct, total=total, title=lesson.title))
        household_id = ctx.user.household_id
        if household_id and await mark_participating(ctx.session, household_id, ctx.now):
            ctx.say(t.HOUSEHOLD_COUNTED)
        suggestion = await _suggest_next(ctx, lesson)
        if suggestion:
            options.append(
                Option(
                    fit(t.NEXT_LESSON.format(title=suggestion.title)),
                    OpenLesson(suggestion.id).pack(),
                )
            )
        else:
            ctx.say(t.ALL_DONE)
        options.append(Option(t.MENU_LEARN, MenuItem("learn").pack()))
    else:
        ctx.say(t.FAILED.format(score=row.correct, total=total, needed=lesson.needed))
        options.append(Option(t.RETRY_QUIZ, StartQuiz(lesson.id).pack()))
        options.append(Option(t.REVIEW_LESSON, Review(lesson.id).pack()))
    row.card, row.question, row.correct = 0, 0, 0
    ctx.put("lesson", None)
    options.append(BACK)
    ctx.ask(t.WHAT_NEXT, options)


async def _suggest_next(ctx: Context, lesson: Lesson) -> Lesson | None:
    done = {lid for lid, row in (await _all_progress(ctx)).items() if row.completed_at}
    candidates = [ctx.curriculum.get(lesson.next_id)] if lesson.next_id else []
    candidates += list(ctx.curriculum.lessons)
    return next((c for c in candidates if c and c.id not in done and c.id != lesson.id), None)


async def _show_position(ctx: Context, lesson: Lesson, row: LessonProgress) -> None:
    total = len(lesson.cards)
    if row.card < total:
        index = row.card
        text = t.CARD.format(
            title=lesson.title,
            index=index + 1,
            total=total,
            bar=progress_bar(index + 1, total),
            text=await _card_text(ctx, lesson.cards[index]),
        )
        if index + 1 < total:
            button = Option(t.NEXT_CARD, NextCard(lesson.id, index + 1).pack(), intent="next")
        else:
            button = Option(t.START_QUIZ, StartQuiz(lesson.id).pack(), intent="next")
        ctx.ask(text, [button, BACK], resume=t.LESSON_KEPT)
        return
    question = lesson.questions[row.question]
    text = t.QUESTION.format(
        index=row.question + 1, total=len(lesson.questions), text=question.text
    )
    if question.typed:
        ctx.ask(
            f"{text}\n{t.QUESTION_TYPED_HINT}",
            step="typed_answer",
            back=False,
            resume=t.LESSON_KEPT,
            lesson=lesson.id,
            question=question.id,
            attempt=row.attempts,
        )
        return
    # The options in an order of this person's attempt: the same each time the question is
    # shown again, another at the next attempt. In the lessons' own order the right answer is
    # mostly first or second, and typing "2" every time passed many quizzes unread.
    order = list(range(len(question.options)))
    random.Random(f"{ctx.user.id}:{lesson.id}:{question.id}:{row.attempts}").shuffle(order)
    options = [
        Option(question.options[i], Answer(lesson.id, question.id, row.attempts, i).pack())
        for i in order
    ]
    skip = Answer(lesson.id, question.id, row.attempts, SKIP).pack()
    ctx.ask(
        text,
        [*options, Option(t.SKIP_QUESTION, skip, intent="skip")],
        back=False,
        resume=t.LESSON_KEPT,
    )


async def _card_text(ctx: Context, card: Card) -> str:
    """Return a card's text with the resident's commune figures in its placeholders."""
    if "{" not in card.text:
        return card.text
    commune = await ctx.session.get(Commune, ctx.user.commune_id) if ctx.user.commune_id else None
    target = commune.target_household_pct if commune and commune.target_household_pct else None
    return card.render({"muc_tieu_ho": str(target or DEFAULT_HOUSEHOLD_TARGET)})


async def _from_payload(ctx: Context) -> tuple[Lesson | None, LessonProgress | None, int]:
    lesson_id, _, rest = ctx.args.partition(":")
    lesson = ctx.curriculum.get(lesson_id)
    row = await _progress(ctx, lesson.id) if lesson else None
    if lesson is None or row is None:
        ctx.say(t.LESSON_GONE)
        await lesson_list(ctx)
        return None, None, 0
    return lesson, row, int(rest) if rest.isdigit() else 0


async def _current_question(
    ctx: Context, lesson_id: str, question_id: str, attempt: str
) -> tuple[Lesson | None, LessonProgress | None, Question | None]:
    lesson = ctx.curriculum.get(lesson_id)
    row = await _progress(ctx, lesson.id) if lesson else None
    if lesson is None or row is None or str(row.attempts) != attempt:
        return None, None, None
    if row.card < len(lesson.cards) or row.question >= len(lesson.questions):
        return None, None, None
    question = lesson.questions[row.question]
    if question.id != question_id:
        return None, None, None
    return lesson, row, question


async def _progress(ctx: Context, lesson_id: str) -> LessonProgress | None:
    return await ctx.session.scalar(
        select(LessonProgress).where(
            LessonProgress.user_id == ctx.user.id, LessonProgress.lesson_id == lesson_id
        )
    )


async def _all_progress(ctx: Context) -> dict[str, LessonProgress]:
    rows = await ctx.session.scalars(
        select(LessonProgress).where(LessonProgress.user_id == ctx.user.id)
    )
    return {row.lesson_id: row for row in rows}
