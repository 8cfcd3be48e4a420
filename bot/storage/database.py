"""The SQLite connections behind every repository, and the migrations that shape the file.

Two connections: one writer (guarded by a lock, every write one transaction)
and one reader, so that commands keep answering from the last committed
snapshot while a long ingest runs (WAL mode). The schema comes from the numbered
``migrations/NNN_*.sql`` files, applied in order; ``PRAGMA user_version`` records
the last one applied, so a database made by any earlier version is recognised
and brought up to date when it opens.
"""

from __future__ import annotations

import asyncio
import sqlite3
from collections.abc import AsyncIterator, Iterable, Sequence
from contextlib import asynccontextmanager
from datetime import UTC, datetime
from importlib import resources
from pathlib import Path
from typing import Any

import aiosqlite

SHIPPED = 0
"""``guild_id`` of threads shipped in ``seeds/``: visible in every guild and in DMs."""


class StorageError(RuntimeError):
    """A database that cannot be used (newer schema, corrupt file, not open)."""


def _load_migrations() -> tuple[tuple[int, str], ...]:
    """``(version, script)`` of every ``migrations/NNN_name.sql`` file, in version order."""
    folder = resources.files("bot.storage") / "migrations"
    found: list[tuple[int, str]] = []
    for entry in folder.iterdir():
        if entry.name.endswith(".sql"):
            found.append((int(entry.name.split("_", 1)[0]), entry.read_text(encoding="utf-8")))
    found.sort()
    versions = [v for v, _ in found]
    if versions != list(range(1, len(found) + 1)):
        raise StorageError(f"migrations are not numbered 1..n without gaps: {versions}")
    return tuple(found)


MIGRATIONS = _load_migrations()
"""The schema's history: ``(version, SQL script)``, oldest first."""


def statements(script: str) -> list[str]:
    """The complete SQL statements of a script (a trigger body's ``;`` does not end one)."""
    out: list[str] = []
    pending = ""
    for line in script.splitlines(keepends=True):
        pending += line
        if sqlite3.complete_statement(pending):
            out.append(pending.strip())
            pending = ""
    if pending.strip() and not all(
        ln.strip().startswith("--") or not ln.strip() for ln in pending.splitlines()
    ):
        raise StorageError(f"migration ends inside a statement: {pending.strip()[:80]!r}")
    return out


def now() -> str:
    """The current UTC time as stored (ISO 8601, whole seconds)."""
    return datetime.now(UTC).isoformat(timespec="seconds")


def visible(guild_id: int | None) -> tuple[int, ...]:
    """Guilds whose threads a caller may see: shipped ones, plus its own guild's."""
    return (SHIPPED,) if guild_id is None else (SHIPPED, guild_id)


def marks(values: Sequence[object]) -> str:
    """``?,?,?``: one placeholder per value, for ``IN (...)``."""
    return ",".join("?" * len(values))


class Rows:
    """A result already read to its end, with the two cursor methods the reads use."""

    def __init__(self, rows: Iterable[sqlite3.Row]) -> None:
        self._rows = list(rows)

    async def fetchall(self) -> list[sqlite3.Row]:
        return self._rows

    async def fetchone(self) -> sqlite3.Row | None:
        return self._rows[0] if self._rows else None


class _Query:
    def __init__(self, conn: aiosqlite.Connection, sql: str, params: Iterable[Any]) -> None:
        self._conn, self._sql, self._params = conn, sql, params

    async def __aenter__(self) -> Rows:
        return Rows(await self._conn.execute_fetchall(self._sql, self._params))

    async def __aexit__(self, *exc: object) -> None:
        return None


class Reader:
    """The read connection, one whole statement at a time.

    aiosqlite runs ``execute`` and each ``fetch`` as separate jobs on the connection's
    thread. In between, other coroutines' statements run on the same connection inside
    the first statement's still-open implicit read transaction, so they miss writes that
    already returned (a replay just started, a thread just imported, a value just set).
    Reading each result to its end in one job gives every statement its own snapshot.
    """

    def __init__(self, conn: aiosqlite.Connection) -> None:
        self._conn = conn

    def execute(self, sql: str, params: Iterable[Any] = ()) -> _Query:
        return _Query(self._conn, sql, params)

    async def one(self, sql: str, params: Iterable[Any] = ()) -> sqlite3.Row | None:
        """The first row of a statement's result, if any."""
        async with self.execute(sql, params) as rows:
            return await rows.fetchone()

    async def all(self, sql: str, params: Iterable[Any] = ()) -> list[sqlite3.Row]:
        async with self.execute(sql, params) as rows:
            return await rows.fetchall()

    async def scalar(self, sql: str, params: Iterable[Any] = ()) -> Any:
        """The first column of the first row (``None`` for no row)."""
        row = await self.one(sql, params)
        return None if row is None else row[0]


class Database:
    """The file, its two connections and its schema. Repositories share one of these."""

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        self._writer: aiosqlite.Connection | None = None
        self._reader: aiosqlite.Connection | None = None
        self._write_lock = asyncio.Lock()

    async def open(self) -> None:
        if str(self.path) != ":memory:":
            self.path.parent.mkdir(parents=True, exist_ok=True)
        self._writer = await self._connect()
        try:
            await self._migrate(self._writer)
            self._reader = await self._connect()
        except BaseException:
            await self.close()  # else the connection's thread outlives the refused open
            raise

    async def _connect(self) -> aiosqlite.Connection:
        conn = await aiosqlite.connect(self.path, isolation_level=None)
        conn.row_factory = sqlite3.Row
        await conn.execute("PRAGMA journal_mode = WAL")
        await conn.execute("PRAGMA foreign_keys = ON")
        await conn.execute("PRAGMA synchronous = NORMAL")
        await conn.execute("PRAGMA busy_timeout = 10000")
        return conn

    async def close(self) -> None:
        for conn in (self._reader, self._writer):
            if conn is not None:
                await conn.close()
        self._reader = self._writer = None

    @property
    def read(self) -> Reader:
        """The read connection: every statement sees the last committed state."""
        if self._reader is None:
            raise StorageError("storage is not open")
        return Reader(self._reader)

    @asynccontextmanager
    async def write(self) -> AsyncIterator[aiosqlite.Connection]:
        """The write connection inside one ``BEGIN IMMEDIATE`` transaction, under the lock:
        committed when the block ends, rolled back when it raises."""
        async with self._write_lock:
            if self._writer is None:
                raise StorageError("storage is not open")
            conn = self._writer
            await conn.execute("BEGIN IMMEDIATE")
            try:
                yield conn
            except BaseException:
                await conn.execute("ROLLBACK")
                raise
            await conn.execute("COMMIT")

    async def execute_write(self, sql: str, params: Sequence[Any] = ()) -> int:
        """Run one write statement in its own transaction; returns the affected row count."""
        async with self._write_lock:
            if self._writer is None:
                raise StorageError("storage is not open")
            cur = await self._writer.execute(sql, params)
            count = cur.rowcount
            await cur.close()
            return count

    async def _migrate(self, conn: aiosqlite.Connection) -> None:
        async with conn.execute("PRAGMA user_version") as cur:
            row = await cur.fetchone()
        current = int(row[0]) if row else 0
        latest = MIGRATIONS[-1][0]
        if current > latest:
            raise StorageError(
                f"{self.path}: schema version {current} is newer than this bot knows ({latest})"
            )
        for version, script in MIGRATIONS:
            if version <= current:
                continue
            await conn.execute("BEGIN IMMEDIATE")
            try:
                for statement in statements(script):
                    await conn.execute(statement)
                await conn.execute(f"PRAGMA user_version = {version}")
                await conn.execute("COMMIT")
            except BaseException:
                await conn.execute("ROLLBACK")
                raise

    async def schema_version(self) -> int:
        return int(await self.read.scalar("PRAGMA user_version") or 0)

    async def integrity_check(self) -> str:
        answer = await self.read.scalar("PRAGMA integrity_check")
        return "no answer" if answer is None else str(answer)
