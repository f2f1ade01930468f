"""Text folding and fuzzy matching: typing without diacritics or with typos still works."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Sequence
from typing import TypeVar

from rapidfuzz import fuzz, process

K = TypeVar("K")

_NOT_WORD = re.compile(r"[^a-z0-9]+")
# Words that prefix a village's name and that residents often leave out.
VILLAGE_PREFIXES = (
    "to dan pho",
    "khu pho",
    "thon",
    "xom",
    "ap",
    "ban",
    "lang",
    "buon",
    "khu",
    "to",
    "phum",
    "soc",
)
PERSON_PREFIXES = ("ong", "ba", "anh", "chi", "co", "chu", "bac", "ho")


def clean(text: str) -> str:
    """Drop control characters (NUL, bell…) and lone surrogates; keep newlines and tabs."""
    return "".join(
        ch for ch in text if ch in "\n\t" or unicodedata.category(ch) not in ("Cc", "Cs")
    )


def fold(text: str) -> str:
    """Lower-case, drop diacritics (đ → d) and punctuation, collapse spaces."""
    text = text.replace("đ", "d").replace("Đ", "d")
    decomposed = unicodedata.normalize("NFKD", text)
    bare = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return _NOT_WORD.sub(" ", bare.lower()).strip()


def strip_prefix(folded: str, prefixes: Sequence[str]) -> str:
    """Remove one leading word such as "thon" or "ong" from a folded name."""
    for prefix in prefixes:
        if folded.startswith(prefix + " "):
            return folded[len(prefix) + 1 :]
    return folded


def rank(
    query: str,
    choices: Iterable[tuple[K, str]],
    *,
    prefixes: Sequence[str] = (),
    limit: int = 5,
    cutoff: float = 60,
) -> list[tuple[K, float]]:
    """Rank (key, name) choices against a typed query, best first, by folded similarity."""
    q = strip_prefix(fold(query), prefixes)
    if not q:
        return []
    keyed = {key: strip_prefix(fold(name), prefixes) for key, name in choices}
    found = process.extract(
        q, keyed, scorer=fuzz.token_sort_ratio, limit=limit, score_cutoff=cutoff
    )
    return [(key, score) for _name, score, key in found]


def similar(a: str, b: str, threshold: float = 85) -> bool:
    """Tell whether two texts match after folding, allowing small typos."""
    fa, fb = fold(a), fold(b)
    return bool(fa) and fuzz.ratio(fa, fb) >= threshold


def progress_bar(done: int, total: int, width: int | None = None) -> str:
    """Draw "▓▓░░░" with one block per step (or scaled to `width`)."""
    width = width or total
    filled = round(width * done / total) if total else 0
    return "▓" * filled + "░" * (width - filled)


# Little words people end an answer with ("1 ạ", "cảm ơn nhé", "156 phải không nhỉ"), folded.
PARTICLES = frozenset(
    {"a", "ah", "nhe", "nha", "nhi", "oi", "vay", "ha", "di", "voi", "dau", "chu"}
)

LABEL_MAX = 60  # characters of a button label (or a numbered choice on Zalo)


def fit(text: str, limit: int = LABEL_MAX) -> str:
    """Shorten a label to `limit` characters at a word, with "…"; a closing "(…)" such as a
    deadline's "(hạn 05/12/2026)" or a household's code is kept whole."""
    if len(text) <= limit:
        return text
    head, tail = text, ""
    end = re.search(r"\s*\([^()]*\)$", text)
    if end is not None and len(end.group()) <= limit // 2:
        head, tail = text[: end.start()], end.group()
    cut = head[: limit - len(tail) - 1]
    if " " in cut.strip():
        cut = cut[: cut.rstrip().rfind(" ")]
    return cut.rstrip(" ,.;:-–") + "…" + tail
