"""Spreadsheet cells that stay data: text a spreadsheet would run as a formula is neutralised."""

from __future__ import annotations

from typing import Any

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def as_data(value: Any) -> Any:
    """Neutralise text a spreadsheet would run as a formula (= + - @, tab or CR first).

    OWASP's advice for CSV injection: a leading apostrophe makes Excel and LibreOffice show
    the text as it is. Numbers, booleans and empty cells stay as they are.
    """
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value
