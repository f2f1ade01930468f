"""Conversation handlers, wired into one Router by `build_router()`."""

from __future__ import annotations

from bot.core.router import Command, Router
from bot.handlers import help, learning, linking, onboarding, privacy, progress


def build_router() -> Router:
    """Register every command, button payload and conversation step."""
    router = Router(fallback=help.fallback, gate=onboarding.gate)
    for command in (
        Command("start", onboarding.start, ("batdau", "bat dau", "xin chao"), open=True),
        Command("menu", help.menu, open=True),
        Command("hoc", learning.lesson_list, ("bai hoc", "hoc bai")),
        Command("tiep", learning.resume, ("hoc tiep",)),
        Command("ketqua", progress.results, ("ket qua",)),
        Command("hoi", help.ask, takes_args=True),
        Command("nhacnho", privacy.reminders, ("nhac nho",)),
        Command("lienket", linking.link, ("lien ket",), open=True, takes_args=True),
        Command("xoadulieu", privacy.ask_delete, ("xoa du lieu",), open=True),
        Command("trogiup", help.help_, ("tro giup", "help", "huong dan"), open=True),
    ):
        router.command(command)
    for prefix, handler in {
        "consent": onboarding.on_consent,
        "cohort": onboarding.on_cohort,
        "commune": onboarding.on_commune,
        "village": onboarding.on_village,
        "hh": onboarding.on_household,
        "menu": help.on_menu,
        "lesson": learning.open_lesson,
        "next": learning.next_card,
        "quiz": learning.start_quiz,
        "review": learning.review,
        "ans": learning.choice_answer,
        "del": privacy.on_delete,
        "remind": privacy.on_reminders,
    }.items():
        router.payload(prefix, handler)
    for step, handler in {
        "commune": onboarding.on_commune_text,
        "village": onboarding.on_village_text,
        "household": onboarding.on_household_text,
        "typed_answer": learning.typed_answer,
        "question": help.find_lessons,
    }.items():
        router.step(step, handler)
    return router
