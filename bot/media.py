"""Files outside the database: generated files served to Zalo for a while (in memory), and the
pictures people send (certificates), kept on disk under names nobody can guess."""

from __future__ import annotations

import os
import re
import secrets
import time
from dataclasses import dataclass
from pathlib import Path

_NAME = re.compile(r"[A-Za-z0-9_-]{32,64}\.(jpg|png|gif|webp)")


@dataclass(frozen=True, slots=True)
class StoredFile:
    """Bytes waiting to be fetched by the platform or the user."""

    data: bytes
    content_type: str
    filename: str
    expires: float
    # A person's picture is not copied: it is read from the media directory at each fetch, so
    # deleting it there (the person deleted their data) ends the link at once.
    picture: str | None = None


class MediaStore:
    """Keep generated files in memory for a while; each gets a random 32-byte token.

    `pictures` is the media directory that `share_picture` links to.
    """

    def __init__(
        self,
        ttl_seconds: float = 24 * 3600,
        max_files: int = 500,
        pictures: MediaDir | None = None,
    ) -> None:
        self.ttl = ttl_seconds
        self.max_files = max_files
        self.pictures = pictures
        self._files: dict[str, StoredFile] = {}

    def put(self, data: bytes, content_type: str, filename: str) -> str:
        """Store a file and return its token."""
        return self._keep(StoredFile(data, content_type, filename, time.monotonic() + self.ttl))

    def share_picture(self, name: str, content_type: str, filename: str) -> str | None:
        """Give a picture of the media directory a token, without copying it; None when this
        store has no media directory."""
        if self.pictures is None:
            return None
        expires = time.monotonic() + self.ttl
        return self._keep(StoredFile(b"", content_type, filename, expires, picture=name))

    def get(self, token: str) -> StoredFile | None:
        """Return a file that has not expired (and, for a picture, still exists)."""
        self._expire()
        stored = self._files.get(token)
        if stored is None or stored.picture is None:
            return stored
        data = self.pictures.read(stored.picture) if self.pictures is not None else None
        if data is None:
            del self._files[token]
            return None
        return StoredFile(data, stored.content_type, stored.filename, stored.expires)

    def _keep(self, stored: StoredFile) -> str:
        self._expire()
        while len(self._files) >= self.max_files:
            self._files.pop(next(iter(self._files)))
        token = secrets.token_urlsafe(32)
        self._files[token] = stored
        return token

    def _expire(self) -> None:
        now = time.monotonic()
        for token in [t for t, f in self._files.items() if f.expires <= now]:
            del self._files[token]


class MediaDir:
    """Pictures people sent, one file each under a random name, readable by the bot only."""

    def __init__(self, root: Path) -> None:
        self.root = root

    def save(self, data: bytes, suffix: str) -> str:
        """Write a picture and return its name (what the database keeps)."""
        self.root.mkdir(parents=True, exist_ok=True, mode=0o700)
        name = f"{secrets.token_urlsafe(32)}{suffix}"
        path = self.root / name
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
        return name

    def read(self, name: str) -> bytes | None:
        """Return a picture's bytes; None when the name is not one of ours or the file is gone."""
        path = self._path(name)
        try:
            return path.read_bytes() if path is not None else None
        except OSError:
            return None

    def delete(self, name: str) -> None:
        """Remove a picture (nothing happens if it is already gone)."""
        path = self._path(name)
        if path is not None:
            path.unlink(missing_ok=True)

    def _path(self, name: str) -> Path | None:
        return self.root / name if _NAME.fullmatch(name) else None
