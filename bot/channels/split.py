"""Split long text into messages a platform accepts, at paragraph boundaries when possible."""

from __future__ import annotations

import textwrap


def split_text(text: str, limit: int) -> list[str]:
    """Cut text into parts of at most `limit` characters: by paragraph, else by word."""
    text = text.strip()
    if len(text) <= limit:
        return [text] if text else []
    parts: list[str] = []
    current = ""
    for paragraph in text.split("\n\n"):
        candidate = f"{current}\n\n{paragraph}" if current else paragraph
        if len(candidate) <= limit:
            current = candidate
            continue
        if current:
            parts.append(current)
        if len(paragraph) <= limit:
            current = paragraph
        else:
            *full, current = textwrap.wrap(
                paragraph, limit, replace_whitespace=False, break_on_hyphens=False
            )
            parts.extend(full)
    if current:
        parts.append(current)
    return parts
