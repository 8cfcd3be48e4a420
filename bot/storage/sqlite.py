"""The embedded backend: one SQLite file (the default, nothing to install).

Connections: one writer (guarded by a lock, every write one transaction) and
:data:`READERS` readers, so that commands keep answering from the last committed snapshot
while a long ingest runs (WAL mode), and one slow read (a search of a big thread) does
not hold up the others queued behind it on the same connection's thread. The schema
comes from the numbered ``migrations/NNN_*.sql`` files, applied in order; ``PRAGMA
user_version`` records the last one applied, so a database made by any earlier version
is recognised and brought up to date when it opens. Search is an FTS5 index of each
comment's own words.
"""

from __future__ import annotations

import asyncio
import logging
import sqlite3
from collections.abc import AsyncIterator, Callable, Iterable, Sequence
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import aiosqlite

from bot.storage.database import (
    Database,
    Reader,
    Row,
    SearchRow,
    StorageError,
    Transaction,
    load_migrations,
)
from bot.storage.search import fts_query
from bot.text import shorten

log = logging.getLogger(__name__)

MIGRATIONS = load_migrations("migrations")
"""The SQLite schema's history: ``(version, SQL script)``, oldest first."""

RECLAIMING = frozenset({5, 9, 10})
"""Migrations that free much of an existing file (5 drops the search index's copy of the
text, 9 rewrites the paragraphs without the quoted words, 10 the edges without the
snippets they can make again): the file is vacuumed after them, so the space goes back
to the disk."""


def _shorten(text: str | None) -> str | None:
    """``bot.text.shorten`` as the SQL function migration 10 calls."""
    return None if text is None else shorten(text)


MIGRATION_FUNCTIONS: dict[str, tuple[int, Callable[..., Any]]] = {"shorten": (1, _shorten)}
"""Python functions the migrations call (name → arity, function): whatever runs the
migrations on a connection registers them first."""


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


class _Statements:
    """Statements on one connection, each read to its end in one job.

    aiosqlite runs ``execute`` and each ``fetch`` as separate jobs on the connection's
    thread. In between, other coroutines' statements run on the same connection inside
    the first statement's still-open implicit read transaction, so they miss writes that
    already returned (a replay just started, a thread just imported, a value just set).
    Reading each result to its end in one job gives every statement its own snapshot.
    """

    def __init__(self, conn: aiosqlite.Connection) -> None:
        self._conn = conn

    async def all(self, sql: str, params: Iterable[Any] = ()) -> list[Row]:
        return list(await self._conn.execute_fetchall(sql, params))

    async def one(self, sql: str, params: Iterable[Any] = ()) -> Row | None:
        rows = await self.all(sql, params)
        return rows[0] if rows else None

    async def scalar(self, sql: str, params: Iterable[Any] = ()) -> Any:
        row = await self.one(sql, params)
        return None if row is None else row[0]

    async def execute(self, sql: str, params: Iterable[Any] = ()) -> int:
        cur = await self._conn.execute(sql, params)
        count = cur.rowcount
        await cur.close()
        return count

    async def insert_many(self, table: str, columns: Sequence[str], rows: list[Any]) -> None:
        if rows:
            await self._conn.executemany(
                f"INSERT INTO {table} ({', '.join(columns)}) VALUES "
                f"({', '.join('?' * len(columns))})",
                rows,
            )


READERS = 3
"""Read connections, taken in turn. Each is a thread of its own in aiosqlite, and SQLite
releases the GIL while it works, so reads overlap one another and the writer's inserts."""


class SqliteDatabase(Database):
    """The file, its connections and its schema."""

    backend = "sqlite"
    paragraphs_json = (
        "(SELECT json_group_array(json_array(p.idx, p.text, p.quote_seq, p.quote_idx)) "
        "FROM paragraph_texts p WHERE p.comment_id = c.id)"
    )

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        self._writer: aiosqlite.Connection | None = None
        self._readers: list[aiosqlite.Connection] = []
        self._turn = 0
        self._write_lock = asyncio.Lock()

    @property
    def name(self) -> str:
        return str(self.path)

    @property
    def target(self) -> str | None:
        return None if str(self.path) == ":memory:" else str(self.path.absolute())

    async def open(self) -> None:
        if str(self.path) != ":memory:":
            self.path.parent.mkdir(parents=True, exist_ok=True)
        self._writer = await self._connect()
        try:
            await self._migrate(self._writer)
            for _ in range(1 if str(self.path) == ":memory:" else READERS):
                self._readers.append(await self._connect())
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
        for conn in (*self._readers, self._writer):
            if conn is not None:
                await conn.close()
        self._readers = []
        self._writer = None

    @property
    def read(self) -> _Statements:
        if not self._readers:
            raise StorageError("storage is not open")
        self._turn = (self._turn + 1) % len(self._readers)
        return _Statements(self._readers[self._turn])

    @asynccontextmanager
    async def write(self) -> AsyncIterator[Transaction]:
        """The write connection inside one ``BEGIN IMMEDIATE`` transaction, under the lock."""
        async with self._write_lock:
            if self._writer is None:
                raise StorageError("storage is not open")
            conn = self._writer
            await conn.execute("BEGIN IMMEDIATE")
            try:
                yield _Statements(conn)
            except BaseException:
                await conn.execute("ROLLBACK")
                raise
            await conn.execute("COMMIT")

    async def execute_write(self, sql: str, params: Sequence[Any] = ()) -> int:
        async with self._write_lock:
            if self._writer is None:
                raise StorageError("storage is not open")
            return await _Statements(self._writer).execute(sql, params)

    async def _migrate(self, conn: aiosqlite.Connection) -> None:
        async with conn.execute("PRAGMA user_version") as cur:
            row = await cur.fetchone()
        current = int(row[0]) if row else 0
        latest = MIGRATIONS[-1][0]
        if current > latest:
            raise StorageError(
                f"{self.path}: schema version {current} is newer than this bot knows ({latest})"
            )
        for name, (arity, function) in MIGRATION_FUNCTIONS.items():
            await conn.create_function(name, arity, function, deterministic=True)
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
        if current > 0 and any(current < version <= latest for version in RECLAIMING):
            log.info("%s: upgraded to schema %d; compacting the file (once)", self.path, latest)
            await conn.execute("VACUUM")

    async def schema_version(self) -> int:
        return int(await self.read.scalar("PRAGMA user_version") or 0)

    async def integrity_check(self) -> str:
        """``"ok"`` for a sound file whose search index matches the stored text, else what
        ``PRAGMA integrity_check`` or FTS5's own check found."""
        answer = await self.read.scalar("PRAGMA integrity_check")
        if answer != "ok":
            return "no answer" if answer is None else str(answer)
        try:
            # rank 1: compare the index with the text the comment_own_text view gives
            await self.execute_write(
                "INSERT INTO comment_fts (comment_fts, rank) VALUES ('integrity-check', 1)"
            )
        except sqlite3.DatabaseError as exc:
            return f"search index: {exc}"
        return "ok"

    async def ids_follow_rows(self, tx: Transaction) -> None:
        """Nothing to do: a new ``INTEGER PRIMARY KEY`` is always above the largest."""

    # ---- search: an FTS5 table whose rowid is the comment id -------------------------
    # It keeps no copy of the text (migration 5): FTS5 reads the comment_own_text view
    # when it needs the text, so what is indexed must be exactly what that view gives.

    async def search_rows(self, statements: Reader) -> int:
        return int(await statements.scalar("SELECT count(*) FROM comment_fts") or 0)

    async def index_comments(self, tx: Transaction, rows: list[SearchRow]) -> None:
        """Index rows whose paragraphs are stored already: ``r.text`` is their own
        paragraphs joined by a blank line, as the view joins them."""
        await tx.insert_many(
            "comment_fts",
            ("rowid", "text", "scope"),
            [(r.comment_id, r.text, f"t{r.thread_id} a{r.author_id}") for r in rows],
        )

    async def unindex_thread(self, tx: Transaction, thread_id: int) -> None:
        """Must run while the thread's paragraphs are still there: FTS5 reads the text it
        indexed back from the view to take it out."""
        await tx.execute(
            "DELETE FROM comment_fts WHERE rowid IN (SELECT id FROM comments WHERE thread_id = ?)",
            (thread_id,),
        )

    @staticmethod
    def _match(author_id: int, query: str) -> str | None:
        match = fts_query(query)
        return None if match is None else f'scope : "a{author_id}" AND text : ({match})'

    def search_condition(self, author_id: int, query: str) -> tuple[str, tuple[Any, ...]] | None:
        match = self._match(author_id, query)
        if match is None:
            return None
        return "c.id IN (SELECT rowid FROM comment_fts WHERE comment_fts MATCH ?)", (match,)

    def search_count(self, author_id: int, query: str) -> tuple[str, tuple[Any, ...]] | None:
        match = self._match(author_id, query)
        if match is None:
            return None
        return "SELECT count(*) FROM comment_fts WHERE comment_fts MATCH ?", (match,)
