"""Fitting typed names into their columns after normalisation, so they never grow past them."""

from __future__ import annotations

import unicodedata

from bot.text import clean, fold

NAME_LENGTH = 120  # households.head_name, head_name_folded, users.display_name


def person_name(typed: str, limit: int = NAME_LENGTH) -> str:
    """Normalise a typed person's name (NFKC, capitalised words), then cut it to the column.

    NFKC and title() can both lengthen text ("ﬃ" becomes "Ffi", "ß" becomes "Ss"), so the
    limit is applied to the final form, never to what was typed.
    """
    text = unicodedata.normalize("NFKC", clean(typed))
    text = unicodedata.normalize("NFKC", " ".join(text.split()).title())
    return text[:limit].rstrip()


def folded_name(name: str, limit: int = NAME_LENGTH) -> str:
    """Fold a name for matching, cut to its column (folding can lengthen it too)."""
    return fold(name)[:limit].rstrip()
