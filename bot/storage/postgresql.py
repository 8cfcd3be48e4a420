"""The shared backend: a PostgreSQL server (``DATABASE_URL``) that several bot processes
use at once, through asyncpg's connection pool.

Reads run in autocommit, each statement on its own snapshot, like SQLite's reader.
Writes that read before they write (ingest, starting a replay, a purge) take a
transaction-scoped advisory lock first, so they are serialised across every process
on the database as SQLite serialises its writers; single-statement writes need no lock.
Migrations (``migrations/postgresql/NNN_*.sql``, numbered like SQLite's) run under
the same lock, so two processes starting together migrate once. Search is a
``tsvector`` per comment with a GIN index (see :mod:`bot.storage.search` for why the
tokens are made in Python).
"""

from __future__ import annotations

import re
from collections.abc import AsyncIterator, Iterable, Sequence
from contextlib import asynccontextmanager
from functools import lru_cache
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import asyncpg
from asyncpg.pool import PoolConnectionProxy

from bot.storage.database import (
    Database,
    Reader,
    Row,
    SearchRow,
    StorageError,
    Transaction,
    load_migrations,
)
from bot.storage.search import ts_document, ts_query

MIGRATIONS = load_migrations("migrations/postgresql")
"""The PostgreSQL schema's history, version for version the same as SQLite's."""

WRITE_LOCK = 0x7468_7264_0001
"""The advisory lock key of serialised writes (``thrd`` + 1: unlikely to collide)."""

_PLACEHOLDER = re.compile(r"'[^']*'|\?(\d*)")


@lru_cache(maxsize=512)
def to_postgres(sql: str) -> str:
    """``?`` → ``$1``, ``$2``, … in order, and ``?N`` → ``$N``; quoted literals untouched."""
    counter = 0

    def replace(match: re.Match[str]) -> str:
        nonlocal counter
        if match.group(0).startswith("'"):
            return match.group(0)
        if match.group(1):
            return f"${match.group(1)}"
        counter += 1
        return f"${counter}"

    return _PLACEHOLDER.sub(replace, sql)


def _rowcount(status: str) -> int:
    """The row count of a command status such as ``UPDATE 3`` or ``INSERT 0 1``."""
    last = status.rsplit(" ", 1)[-1]
    return int(last) if last.isdigit() else 0


def redact(url: str) -> str:
    """``url`` without its password, for messages and logs."""
    parts = urlsplit(url)
    if parts.password is None:
        return url
    netloc = parts.netloc.replace(f":{parts.password}@", ":***@", 1)
    return urlunsplit(parts._replace(netloc=netloc))


class _Statements:
    """Statements on a pool (each on any free connection, autocommit) or on one connection."""

    def __init__(
        self, conn: asyncpg.Pool | asyncpg.Connection | PoolConnectionProxy[asyncpg.Record]
    ) -> None:
        self._conn = conn

    async def all(self, sql: str, params: Iterable[Any] = ()) -> list[Row]:
        return list(await self._conn.fetch(to_postgres(sql), *params))

    async def one(self, sql: str, params: Iterable[Any] = ()) -> Row | None:
        row: Row | None = await self._conn.fetchrow(to_postgres(sql), *params)
        return row

    async def scalar(self, sql: str, params: Iterable[Any] = ()) -> Any:
        return await self._conn.fetchval(to_postgres(sql), *params)

    async def execute(self, sql: str, params: Iterable[Any] = ()) -> int:
        return _rowcount(await self._conn.execute(to_postgres(sql), *params))

    async def insert_many(self, table: str, columns: Sequence[str], rows: list[Any]) -> None:
        if not rows:
            return
        if isinstance(self._conn, asyncpg.Pool):
            raise StorageError("bulk inserts run inside a write transaction")
        await self._conn.copy_records_to_table(table, records=rows, columns=list(columns))


class PostgresDatabase(Database):
    """A PostgreSQL database: a connection pool and its schema."""

    backend = "postgresql"
    paragraphs_json = (
        "(SELECT coalesce(json_agg(json_build_array(p.idx, p.text, p.quote_seq, p.quote_idx)), "
        "'[]') FROM paragraph_texts p WHERE p.comment_id = c.id)"
    )

    def __init__(self, url: str, *, pool_size: int = 10) -> None:
        self.url = url
        self._pool_size = pool_size
        self._pool: asyncpg.Pool | None = None

    @property
    def name(self) -> str:
        return redact(self.url)

    @property
    def target(self) -> str:
        return self.url

    async def open(self) -> None:
        try:
            self._pool = await asyncpg.create_pool(
                self.url, min_size=1, max_size=self._pool_size, command_timeout=60
            )
        except (OSError, asyncpg.PostgresError) as exc:
            raise StorageError(f"cannot connect to {self.name}: {exc}") from exc
        try:
            await self._migrate()
        except BaseException:
            await self.close()
            raise

    async def close(self) -> None:
        if self._pool is not None:
            pool, self._pool = self._pool, None
            await pool.close()

    @property
    def pool(self) -> asyncpg.Pool:
        if self._pool is None:
            raise StorageError("storage is not open")
        return self._pool

    @property
    def read(self) -> _Statements:
        return _Statements(self.pool)

    @asynccontextmanager
    async def write(self) -> AsyncIterator[Transaction]:
        async with self.pool.acquire() as conn, conn.transaction():
            await conn.execute("SELECT pg_advisory_xact_lock($1)", WRITE_LOCK)
            yield _Statements(conn)

    async def execute_write(self, sql: str, params: Sequence[Any] = ()) -> int:
        return await self.read.execute(sql, params)

    async def _migrate(self) -> None:
        latest = MIGRATIONS[-1][0]
        async with self.pool.acquire() as conn, conn.transaction():
            await conn.execute("SELECT pg_advisory_xact_lock($1)", WRITE_LOCK)
            await conn.execute("CREATE TABLE IF NOT EXISTS schema_version (version INTEGER)")
            current = int(await conn.fetchval("SELECT max(version) FROM schema_version") or 0)
            if current > latest:
                raise StorageError(
                    f"{self.name}: schema version {current} is newer than this bot knows ({latest})"
                )
            for version, script in MIGRATIONS:
                if version > current:
                    await conn.execute(script)
            if latest > current:
                await conn.execute("DELETE FROM schema_version")
                await conn.execute("INSERT INTO schema_version (version) VALUES ($1)", latest)

    async def schema_version(self) -> int:
        return int(await self.read.scalar("SELECT max(version) FROM schema_version") or 0)

    async def integrity_check(self) -> str:
        """``"ok"`` unless an index is invalid or a constraint was never validated (what a
        failed or interrupted schema change leaves; the server checks pages itself)."""
        rows = await self.read.all(
            "SELECT c.relname FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid "
            "JOIN pg_namespace n ON n.oid = c.relnamespace "
            "WHERE n.nspname = current_schema() AND NOT i.indisvalid "
            "UNION ALL SELECT conname FROM pg_constraint "
            "WHERE connamespace = current_schema()::regnamespace AND NOT convalidated"
        )
        return "ok" if not rows else "invalid: " + ", ".join(str(r[0]) for r in rows)

    async def ids_follow_rows(self, tx: Transaction) -> None:
        """Identity columns count on from the largest id copied in."""
        for table in ("threads", "replays"):
            await tx.scalar(
                f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                f"coalesce((SELECT max(id) FROM {table}), 0) + 1, false)"
            )

    # ---- search: a tsvector per comment -----------------------------------------------

    async def search_rows(self, statements: Reader) -> int:
        return int(await statements.scalar("SELECT count(*) FROM comment_search") or 0)

    async def index_comments(self, tx: Transaction, rows: list[SearchRow]) -> None:
        if rows:
            await tx.execute(
                "INSERT INTO comment_search (comment_id, author_id, document) "
                "SELECT id, author, document::tsvector "
                "FROM unnest(?::bigint[], ?::bigint[], ?::text[]) AS u(id, author, document)",
                (
                    [r.comment_id for r in rows],
                    [r.author_id for r in rows],
                    [ts_document(r.text) for r in rows],
                ),
            )

    async def unindex_thread(self, tx: Transaction, thread_id: int) -> None:
        await tx.execute(
            "DELETE FROM comment_search WHERE comment_id IN "
            "(SELECT id FROM comments WHERE thread_id = ?)",
            (thread_id,),
        )

    def search_condition(self, author_id: int, query: str) -> tuple[str, tuple[Any, ...]] | None:
        match = ts_query(query)
        if match is None:
            return None
        return (
            "c.id IN (SELECT comment_id FROM comment_search "
            "WHERE author_id = ? AND document @@ ?::tsquery)",
            (author_id, match),
        )

    def search_count(self, author_id: int, query: str) -> tuple[str, tuple[Any, ...]] | None:
        match = ts_query(query)
        if match is None:
            return None
        return (
            "SELECT count(*) FROM comment_search WHERE author_id = ? AND document @@ ?::tsquery",
            (author_id, match),
        )
