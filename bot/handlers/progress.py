"""A resident's own results (/ketqua)."""

from __future__ import annotations

from sqlalchemy import select

from bot.core.context import Context
from bot.core.routes import Routes
from bot.handlers import texts as t
from bot.handlers.menu import show_menu
from bot.stats.coverage import commune_coverage
from bot.stats.standing import standing_of, standing_text
from bot.storage.models import Household, LessonProgress, Village

routes = Routes()


@routes.command("ketqua", "ket qua")
async def results(ctx: Context) -> None:
    """Show lessons done, whether the household counts, and where the village stands."""
    rows = list(
        await ctx.session.scalars(
            select(LessonProgress).where(LessonProgress.user_id == ctx.user.id)
        )
    )
    by_lesson = {row.lesson_id: row for row in rows}
    lines = []
    done = 0
    for lesson in ctx.curriculum.lessons:
        row = by_lesson.get(lesson.id)
        if row is None:
            continue
        if row.completed_at:
            done += 1
            score = round((row.score or 0) * len(lesson.questions))
            lines.append(
                t.RESULTS_LINE_DONE.format(
                    title=lesson.title, score=score, total=len(lesson.questions)
                )
            )
        else:
            lines.append(t.RESULTS_LINE_STARTED.format(title=lesson.title))
    household = (
        await ctx.session.get(Household, ctx.user.household_id) if ctx.user.household_id else None
    )
    parts = [t.RESULTS.format(done=done, total=len(ctx.curriculum.lessons))]
    parts.append("\n".join(lines) if lines else t.RESULTS_NONE)
    if household and household.participating_since:
        parts.append(t.RESULTS_COUNTED.format(head=household.head_name))
    else:
        parts.append(t.RESULTS_NOT_COUNTED)
    village = await ctx.session.get(Village, ctx.user.village_id) if ctx.user.village_id else None
    if village is not None:
        [coverage] = await commune_coverage(ctx.session, [village.commune_id])
        standing = standing_of(coverage, village.id)
        if standing is not None:
            parts.append(standing_text(standing))
    ctx.say("\n\n".join(parts))
    await show_menu(ctx)
