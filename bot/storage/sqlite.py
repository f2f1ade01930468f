"""aiosqlite connections that run each statement in one trip to the connection's thread.

aiosqlite runs every sqlite3 call on the connection's own thread. SQLAlchemy's adapter makes up
to four of those calls per statement (open a cursor, execute, fetch the rows, close), and each
is a round trip between the event loop and that thread: on a small indexed query the trips cost
several times more CPU than SQLite itself. The cursor here executes, fetches every row and
closes in a single trip; the transaction's BEGIN rides with its first statement, and a commit or
rollback with no transaction open makes no trip. A message's transaction makes one trip per
statement plus its COMMIT.

Rows are fetched eagerly. That suits every query of ours (nothing streams results from SQLite);
a result too big to hold in memory should be read in pages.
"""

from __future__ import annotations

import asyncio
import sqlite3
from collections.abc import Iterable, Sequence
from typing import Any

import aiosqlite

# For a process serving chats from SQLite (`bot.app.serve` sets it). When a statement finishes,
# the connection's thread needs the GIL to hand the result back, and a busy event loop keeps the
# GIL for up to the interpreter's switch interval (5 ms by default). With one connection and a few
# statements per message, those waits capped the messages per second; at 0.5 ms they stay short.
SWITCH_INTERVAL = 0.0005

Description = tuple[tuple[Any, ...], ...] | None
Outcome = tuple[Description, int, int | None, list[Any]]


class OneTripCursor:
    """The part of aiosqlite's cursor that SQLAlchemy uses, one thread trip per statement."""

    arraysize = 1

    def __init__(self, connection: OneTripConnection) -> None:
        self._connection = connection
        self.description: Description = None
        self.rowcount = -1
        self.lastrowid: int | None = None
        self._rows: list[Any] = []

    async def __aenter__(self) -> OneTripCursor:
        return self

    async def __aexit__(self, *_exc_info: object) -> None:
        self._rows = []

    async def execute(self, sql: str, parameters: Sequence[Any] | None = None) -> OneTripCursor:
        """Run one statement and keep its rows."""
        self._keep(await self._connection.run(_statement, False, sql, parameters or ()))
        return self

    async def executemany(self, sql: str, parameters: Iterable[Sequence[Any]]) -> OneTripCursor:
        """Run one statement for each set of parameters."""
        self._keep(await self._connection.run(_statement, True, sql, parameters))
        return self

    def _keep(self, outcome: Outcome) -> None:
        self.description, self.rowcount, self.lastrowid, self._rows = outcome

    async def fetchall(self) -> list[Any]:
        """The rows not yet read."""
        rows, self._rows = self._rows, []
        return rows

    async def fetchone(self) -> Any:
        """The next row, or None."""
        return self._rows.pop(0) if self._rows else None

    async def fetchmany(self, size: int | None = None) -> list[Any]:
        """Up to `size` of the next rows."""
        size = size or self.arraysize
        rows, self._rows = self._rows[:size], self._rows[size:]
        return rows

    async def close(self) -> None:
        """Drop the rows not read (the sqlite3 cursor was closed in its trip)."""
        self._rows = []


class OneTripConnection(aiosqlite.Connection):
    """An aiosqlite connection whose cursors make one thread trip per statement.

    Work reaches the thread through aiosqlite's own queue (`_execute`), as SQLAlchemy's adapter
    does for what aiosqlite has no public call for.
    """

    _begin: str | None = None  # a BEGIN to run just before the next statement
    _stop_sent = False

    def stop(self) -> asyncio.Future[Any] | None:
        """Stop the connection's thread, once.

        aiosqlite 0.22 queues a new "stop" on every call, but its thread ends at the first: a
        later caller would wait for ever. That happens when SQLAlchemy terminates a connection
        whose task was cancelled (its forced close stops the thread, then its graceful close,
        still running, stops it again) and hangs the event loop's shutdown.
        """
        if self._stop_sent:
            return None
        self._stop_sent = True
        return super().stop()

    def cursor(self) -> OneTripCursor:  # type: ignore[override]
        """A cursor that needs no trip of its own."""
        return OneTripCursor(self)

    async def commit(self) -> None:
        """Commit, with no trip when no transaction is open."""
        self._begin = None
        if self.in_transaction:
            await super().commit()

    async def rollback(self) -> None:
        """Roll back, with no trip when no transaction is open.

        SQLAlchemy rolls back every connection it takes back, mostly just after a commit.
        """
        self._begin = None
        if self.in_transaction:
            await super().rollback()

    def begin_with_next(self, sql: str) -> None:
        """Open the transaction with `sql` (a BEGIN) in the same trip as the next statement.

        While a transaction is open it holds SQLite's single writer lock, and each trip in it
        waits for the event loop's turn: one trip fewer per transaction is shorter holding.
        """
        self._begin = sql

    async def run(self, function: Any, *args: Any) -> Any:
        """Call `function(sqlite3_connection, *args)` on the connection's thread."""
        begin, self._begin = self._begin, None
        if begin is None:
            return await self._execute(function, self._conn, *args)
        return await self._execute(_after_begin, begin, function, self._conn, *args)


def _after_begin(begin: str, function: Any, connection: sqlite3.Connection, *args: Any) -> Any:
    connection.execute(begin)
    return function(connection, *args)


def _statement(connection: sqlite3.Connection, many: bool, sql: str, parameters: Any) -> Outcome:
    cursor = connection.cursor()
    try:
        (cursor.executemany if many else cursor.execute)(sql, parameters)
        rows = cursor.fetchall() if cursor.description else []
        return cursor.description, cursor.rowcount, cursor.lastrowid, rows
    finally:
        cursor.close()


def connect(database: str, **kwargs: Any) -> OneTripConnection:
    """Open a connection like `aiosqlite.connect` (awaiting it starts the thread)."""

    def connector() -> sqlite3.Connection:
        return sqlite3.connect(database, **kwargs)

    connection = OneTripConnection(connector, iter_chunk_size=64)
    connection._thread.daemon = True  # as SQLAlchemy does: never keep the process alive
    return connection
