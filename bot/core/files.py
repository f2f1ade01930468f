"""Pictures people send: fetching them through their channel, within a size and a time limit."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from bot.core.messages import FileRef

MAX_PHOTO_BYTES = 5 * 1024 * 1024
FETCH_SECONDS = 8.0  # the reply waits for the download: keep it short

# The first bytes of the picture formats people's phones send.
_SIGNATURES = (b"\xff\xd8\xff", b"\x89PNG\r\n\x1a\n", b"GIF87a", b"GIF89a")


class FileTooBig(Exception):
    """The file is larger than the limit (said by the platform, or found while reading)."""


class FileUnavailable(Exception):
    """The file could not be fetched (unknown id, network error, time-out)."""


class FileSource(Protocol):
    """Fetches a file a person sent through the channel it came from."""

    async def fetch(self, ref: FileRef, limit: int) -> bytes:
        """Return the file's bytes; raise FileTooBig or FileUnavailable."""


@dataclass(frozen=True, slots=True)
class Download:
    """A picture fetched for the step that waits for it: its bytes, or why there are none.

    `problem` is "too_big", "not_image" or "failed".
    """

    data: bytes | None = None
    problem: str | None = None


def image_suffix(data: bytes) -> str | None:
    """Return the file suffix of a JPEG, PNG, GIF or WebP picture; None for anything else."""
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return ".webp"
    for signature, suffix in zip(_SIGNATURES, (".jpg", ".png", ".gif", ".gif"), strict=True):
        if data.startswith(signature):
            return suffix
    return None
