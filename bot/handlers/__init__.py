"""Conversation handlers, wired into one Router by `build_router()`."""

from __future__ import annotations

from bot.core.auth import ADMIN, STAFF, VILLAGE_HEAD
from bot.core.router import Command, Router
from bot.handlers import (
    broadcast,
    help,
    learning,
    linking,
    onboarding,
    privacy,
    progress,
    roles,
    staff,
    village_head,
    web_board,
)

HEAD = (VILLAGE_HEAD,)
STAFF_ONLY = (STAFF, ADMIN)


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
        Command("nhanma", roles.redeem, ("nhan ma",), open=True, takes_args=True),
        Command("moi", roles.invite, ("tao ma moi",), roles=STAFF_ONLY),
        Command("thon", village_head.village, ("so lieu thon",), roles=HEAD),
        Command("chuahoc", village_head.not_learning, ("chua hoc",), roles=HEAD),
        Command("sohodan", village_head.set_total, ("so ho dan",), takes_args=True, roles=HEAD),
        Command("hoctructiep", village_head.community_class, ("hoc truc tiep",), roles=HEAD),
        Command("nopbaocao", village_head.report, ("nop bao cao",), roles=HEAD),
        Command("hanbaocao", village_head.deadlines, ("han bao cao",), roles=(*HEAD, *STAFF_ONLY)),
        Command("thongke", staff.statistics, ("thong ke",), takes_args=True, roles=STAFF_ONLY),
        Command("bieudo", staff.chart, ("bieu do",), roles=STAFF_ONLY),
        Command("xuatbaocao", staff.export, ("xuat bao cao",), roles=STAFF_ONLY),
        Command("chuanop", staff.submissions, ("chua nop",), roles=STAFF_ONLY),
        Command("web", web_board.web_link, ("bang theo doi",), roles=(*HEAD, *STAFF_ONLY)),
        Command("guitin", broadcast.notice, ("gui tin", "thong bao"), roles=STAFF_ONLY),
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
        "track": learning.track_lessons,
        "next": learning.next_card,
        "quiz": learning.start_quiz,
        "review": learning.review,
        "ans": learning.choice_answer,
        "del": privacy.on_delete,
        "remind": privacy.on_reminders,
        "moi": roles.on_invite,
        "chuahoc": village_head.not_learning,
        "lop": village_head.on_class,
        "nop": village_head.on_report,
        "xuat": staff.on_export,
        "gt": broadcast.on_notice,
    }.items():
        router.payload(prefix, handler)
    for step, handler in {
        "commune": onboarding.on_commune_text,
        "village": onboarding.on_village_text,
        "household": onboarding.on_household_text,
        "typed_answer": learning.typed_answer,
        "question": help.find_lessons,
        "invite_code": roles.on_code_text,
        "village_total": village_head.set_total,
        "class": village_head.on_class_text,
        "notice_text": broadcast.on_notice_text,
    }.items():
        router.step(step, handler)
    return router
