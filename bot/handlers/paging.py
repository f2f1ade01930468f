"""One pager for every list a person chooses from: phone-sized pages, previous and next.

Items become the page's options, numbered 1…12; "◀️ Trang trước" and "Trang sau ▶️" come after
them, so on Zalo and in the terminal a navigation number never repeats an item's number.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Generic, TypeVar

from bot.core.messages import Option

T = TypeVar("T")

PAGE_SIZE = 12  # a page of twelve options and two arrows fits a phone screen
PREVIOUS = "◀️ Trang trước"
NEXT = "Trang sau ▶️"
PAGE_LABEL = "trang {page}/{pages}"


@dataclass(frozen=True)
class Page(Generic[T]):
    """One page of a list: its items, its number (from 0) and how many pages there are."""

    items: list[T]
    number: int
    pages: int
    total: int

    @property
    def label(self) -> str:
        """Return "trang 2/5", or "" when everything fits on one page."""
        return PAGE_LABEL.format(page=self.number + 1, pages=self.pages) if self.pages > 1 else ""

    def options(self, option: Callable[[T], Option], goto: Callable[[int], str]) -> list[Option]:
        """Return the items as options, then previous and next (payloads from `goto(page)`)."""
        options = [option(item) for item in self.items]
        if self.number > 0:
            options.append(Option(PREVIOUS, goto(self.number - 1)))
        if self.number + 1 < self.pages:
            options.append(Option(NEXT, goto(self.number + 1)))
        return options


def page_of(items: Sequence[T], number: int, size: int = PAGE_SIZE) -> Page[T]:
    """Cut one page out of a list; a number past either end shows the nearest page."""
    pages = max(1, -(-len(items) // size))
    number = min(max(number, 0), pages - 1)
    return Page(list(items[number * size : (number + 1) * size]), number, pages, len(items))


def page_number(text: str) -> int:
    """Read a page number from a payload argument ("3" → 3), 0 when there is none."""
    return int(text) if text.isdecimal() and len(text) <= 6 else 0
