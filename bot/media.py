"""Generated files (charts, reports) served under unguessable, expiring paths for Zalo."""

from __future__ import annotations

import secrets
import time
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class StoredFile:
    """Bytes waiting to be fetched by the platform or the user."""

    data: bytes
    content_type: str
    filename: str
    expires: float


class MediaStore:
    """Keep generated files in memory for a while; each gets a random 32-byte token."""

    def __init__(self, ttl_seconds: float = 24 * 3600, max_files: int = 500) -> None:
        self.ttl = ttl_seconds
        self.max_files = max_files
        self._files: dict[str, StoredFile] = {}

    def put(self, data: bytes, content_type: str, filename: str) -> str:
        """Store a file and return its token."""
        self._expire()
        while len(self._files) >= self.max_files:
            self._files.pop(next(iter(self._files)))
        token = secrets.token_urlsafe(32)
        self._files[token] = StoredFile(data, content_type, filename, time.monotonic() + self.ttl)
        return token

    def get(self, token: str) -> StoredFile | None:
        """Return a file that has not expired."""
        self._expire()
        return self._files.get(token)

    def _expire(self) -> None:
        now = time.monotonic()
        for token in [t for t, f in self._files.items() if f.expires <= now]:
            del self._files[token]
