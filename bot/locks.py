"""Per-key asyncio locks: one person's (or one chat's) work at a time, others side by side."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Hashable
from contextlib import asynccontextmanager


class KeyedLocks:
    """One asyncio lock per key (a user, a chat), dropped when nobody holds or waits for it.

    Waiters are served first come, first served, so messages keep their order.
    """

    def __init__(self) -> None:
        self._locks: dict[Hashable, asyncio.Lock] = {}
        self._users: dict[Hashable, int] = {}  # tasks holding or waiting, per key

    def _enter(self, key: Hashable) -> asyncio.Lock:
        lock = self._locks.get(key)
        if lock is None:
            lock = self._locks[key] = asyncio.Lock()
        self._users[key] = self._users.get(key, 0) + 1
        return lock

    def _leave(self, key: Hashable) -> None:
        left = self._users[key] - 1
        if left:
            self._users[key] = left
        else:
            del self._users[key], self._locks[key]

    @asynccontextmanager
    async def hold(self, key: Hashable) -> AsyncIterator[None]:
        """Serialise the work of one key; other keys run concurrently."""
        lock = self._enter(key)
        try:
            async with lock:
                yield
        finally:
            self._leave(key)

    @asynccontextmanager
    async def hold_if_free(self, key: Hashable) -> AsyncIterator[bool]:
        """Hold the key's lock if nobody holds or waits for it (yield True), else yield False.

        Never waits: acquiring a lock that nobody holds or waits for returns at once.
        """
        if key in self._users:
            yield False
            return
        lock = self._enter(key)
        try:
            async with lock:
                yield True
        finally:
            self._leave(key)
