"""The emulation cycle's files: the yearly emulation report, the award proposal and the period
report (years side by side), each as a Word draft to sign and an Excel workbook.

The Word drafts are built in `emulation_docx`, the workbooks in `emulation_xlsx`, from the
wording and rows they share in `emulation_rows`.
"""

from __future__ import annotations

from bot.stats.emulation_docx import awards_docx, emulation_docx, period_docx
from bot.stats.emulation_rows import split_proposals
from bot.stats.emulation_xlsx import awards_xlsx, emulation_xlsx, period_xlsx

__all__ = [
    "awards_docx",
    "awards_xlsx",
    "emulation_docx",
    "emulation_xlsx",
    "period_docx",
    "period_xlsx",
    "split_proposals",
]
