"""The one answer resolver: what a person typed or pressed becomes an option, an intent, or
"not understood" — the same rules at every step.

- A number ("2", "so 2", "chon 2") or a whole label, folded, wins.
- "Yes"/"no" words pick the one yes or no option.
- Intents work everywhere: menu, back, repeat, help, stop, thanks, next, skip, don't know;
  but words that begin exactly one option shown ("dừng lại" of "Dừng lại, nhờ con cháu…")
  pick that option.
  "Don't know" phrases ("khong biet", "toi khong ro") are never taken for an option; one that
  goes on about something else ("khong biet cach cai VNeID") is a question, not the intent.
- Otherwise words are matched against labels: everyday words are ignored, every remaining word
  typed must be in the label (small typos allowed), and exactly one option may fit; two or more
  that fit are offered back ("Ý bạn là 1 hay 2?").
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

from rapidfuzz import fuzz

from bot.core.messages import Option
from bot.text import PARTICLES, fold

NUMBER = re.compile(r"^(?:so |cau |chon |dap an )?(\d{1,4})$")
YES = {
    "co",
    "dong y",
    "ok",
    "oke",
    "okay",
    "u",
    "uh",
    "um",
    "vang",
    "da",
    "dung",
    "dung roi",
    "yes",
}
NO = {"khong", "ko", "k", "kg", "khong dong y", "sai", "no"}
SPEAKERS = {"toi", "em", "chau", "minh", "con", "thoi", "vay"}
INTENTS: dict[str, set[str]] = {
    "menu": {"0", "menu", "ve menu", "menu chinh", "trang chu", "ve trang chu"},
    "back": {"quay lai", "tro lai", "lui lai", "quay ve", "back", "cau truoc", "the truoc"},
    "repeat": {"lap lai", "nhac lai", "noi lai", "xem lai cau hoi", "hoi lai"},
    "help": {"tro giup", "giup", "giup toi", "giup voi", "huong dan", "help", "cuu"},
    "stop": {"thoi", "dung lai", "huy", "thoat", "khong hoc nua", "nghi", "thoi khong"},
    "thanks": {"cam on", "cam on ban", "cam on nhieu", "camon", "thank", "thanks", "tks", "cm on"},
    "next": {"tiep", "tiep tuc", "tiep di", "xong", "doc xong", "roi", "ok", "oke", "duoc"},
    "skip": {"bo qua", "bo qua cau nay", "skip", "qua cau khac", "cau khac"},
    "dont_know": {
        "khong biet",
        "ko biet",
        "k biet",
        "hong biet",
        "khong hieu",
        "ko hieu",
        "k hieu",
        "khong ro",
        "toi khong biet",
        "toi khong hieu",
        "toi khong ro",
        "chiu",
        "chua biet",
        "khong nho",
        "khong biet tra loi",
        "khong hieu gi",
        "khong hieu cau nay",
        "khong biet cau nay",
    },
}
DONT_KNOW_PREFIXES = ("toi khong biet ", "toi khong hieu ", "khong biet ", "khong hieu ")
# Words after "không biết" that are about the answer asked for, not a question of one's own.
ABOUT_ANSWER = {"cau", "hoi", "tra", "loi", "het", "lam", "nua", "ca", "y", "bai", "luon", "ro"}
# Everyday words that say nothing about which option is meant.
EVERYDAY = {
    "toi", "minh", "em", "anh", "chi", "ban", "bac", "co", "chu", "cua", "qua", "dan", "la",
    "va", "voi", "thi", "ma", "de", "cho", "nay", "kia", "do", "the", "nao", "gi", "sao",
    "nhu", "duoc", "muon", "can", "hay", "hoac", "nghi", "chon", "dap", "an", "cai",
    "mot", "nhung", "cac", "o", "tai", "vao", "ra", "len", "xuong", "roi", "da", "se", "dang",
    "a", "nhe", "nha", "oi", "vay", "ha", "di", "khi", "neu", "ve",
}  # fmt: skip
FUZZY = 85  # how close a typed word must be to a label's word (a typo or a missing accent)


@dataclass(frozen=True, slots=True)
class Resolved:
    """What an answer means: an option, an intent, several close options, or nothing."""

    kind: Literal["option", "intent", "ambiguous", "out_of_range", "none"]
    option: Option | None = None
    intent: str | None = None
    candidates: tuple[Option, ...] = ()


NONE = Resolved("none")


def normalise(text: str) -> str:
    """Fold the text and drop the little words people add around an answer."""
    words = fold(text).split()
    while len(words) > 1 and words[-1] in PARTICLES:
        words.pop()
    while len(words) > 1 and words[0] in {"da", "thi"} and " ".join(words) not in YES:
        words.pop(0)
    # "tôi đồng ý", "cháu đồng ý ạ", "thôi đồng ý": the speaker's word before a yes or no.
    if len(words) > 1 and words[0] in SPEAKERS and " ".join(words[1:]) in YES | NO:
        words.pop(0)
    return " ".join(words)


def intent_of(folded: str) -> str | None:
    """The intent a whole message expresses, if it is one of the known phrases."""
    for intent, phrases in INTENTS.items():
        if folded in phrases:
            return intent
    for prefix in DONT_KNOW_PREFIXES:
        if folded.startswith(prefix):
            # "không biết câu này" is; "không biết cách cài VNeID" is a question.
            rest = folded[len(prefix) :].split()
            return "dont_know" if all(w in EVERYDAY or w in ABOUT_ANSWER for w in rest) else None
    return None


def _words(label: str) -> list[str]:
    return [w for w in fold(label).split() if w not in EVERYDAY]


def _has(words: list[str], word: str) -> bool:
    if word in words:
        return True
    if len(word) < 4:
        return False
    return any(len(w) >= 4 and fuzz.ratio(word, w) >= FUZZY for w in words)


def choose(text: str, offered: list[Option] | tuple[Option, ...]) -> Resolved:
    """Resolve a typed answer against the options offered (see the module docstring)."""
    folded = normalise(text)
    if not folded:
        return NONE
    number = NUMBER.match(folded)
    if number and int(number.group(1)) == 0:
        return Resolved("intent", intent="menu")
    if number:
        index = int(number.group(1))
        if 1 <= index <= len(offered):
            return Resolved("option", offered[index - 1])
        return Resolved("out_of_range") if offered else NONE
    labels = [fold(o.label) for o in offered]
    for option, label in zip(offered, labels, strict=True):
        if label and folded == label:
            return Resolved("option", option)
    for words in (YES, NO):
        if folded in words:
            hits = [o for o, label in zip(offered, labels, strict=True) if label in words]
            if len(hits) == 1:
                return Resolved("option", hits[0])
    intent = intent_of(folded)
    if intent is not None and intent != "dont_know":
        # The first words of one option shown ("dừng lại" of "Dừng lại, nhờ con cháu…") pick
        # it: what is on the screen comes before the words that work everywhere.
        typed_words = folded.split()
        leading = [
            o
            for o, label in zip(offered, labels, strict=True)
            if re.findall(r"\w+", label)[: len(typed_words)] == typed_words
        ]
        if len(leading) == 1:
            return Resolved("option", leading[0])
    if intent is not None:
        tagged = [o for o in offered if o.intent == intent]
        if len(tagged) == 1:
            return Resolved("option", tagged[0])
        return Resolved("intent", intent=intent)
    typed = [w for w in folded.split() if w not in EVERYDAY]
    if not typed or len(typed) > 6:
        return NONE  # a sentence is a question, not an answer to pick
    fits = [o for o in offered if all(_has(_words(o.label), w) for w in typed)]
    if len(fits) == 1:
        return Resolved("option", fits[0])
    # "đồng ý" fits "Đồng ý" and "Không đồng ý": the one whose words were all typed is meant.
    whole = [o for o in fits if all(_has(typed, w) for w in _words(o.label))]
    if len(whole) == 1:
        return Resolved("option", whole[0])
    if len(fits) > 1:
        return Resolved("ambiguous", candidates=tuple(fits))
    return NONE
