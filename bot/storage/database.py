"""All of threadbot's SQL, behind a small typed API over aiosqlite.

Two connections: one writer (guarded by a lock, every write one transaction)
and one reader, so that commands keep answering from the last committed
snapshot while a long ingest runs (WAL mode). Nothing outside this module
speaks SQL.
"""

from __future__ import annotations

import asyncio
import json
import re
import sqlite3
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Literal

import aiosqlite

from bot.models import (
    ARTICLE,
    AuthorStats,
    IngestResult,
    PairCount,
    QuoteRef,
    ReplyStructure,
    StoredComment,
    StoredEdge,
    StoredParagraph,
    StoredThread,
    Thread,
    Via,
)

SHIPPED = 0
"""``guild_id`` of threads shipped in ``seeds/``: visible in every guild and in DMs."""

MIGRATIONS: tuple[tuple[int, str], ...] = (
    (
        1,
        """
        CREATE TABLE threads (
            id INTEGER PRIMARY KEY,
            guild_id INTEGER NOT NULL DEFAULT 0,
            source TEXT NOT NULL,
            slug TEXT NOT NULL,
            content_hash TEXT NOT NULL,
            title TEXT NOT NULL,
            lede TEXT NOT NULL,
            body TEXT NOT NULL,
            tags TEXT NOT NULL,
            author TEXT NOT NULL,
            author_bio TEXT NOT NULL,
            url TEXT,
            published TEXT,
            comment_count INTEGER NOT NULL,
            ingested_at TEXT NOT NULL,
            UNIQUE (guild_id, source),
            UNIQUE (guild_id, slug)
        );
        CREATE INDEX threads_hash ON threads (guild_id, content_hash);
        CREATE TABLE authors (
            id INTEGER PRIMARY KEY,
            thread_id INTEGER NOT NULL REFERENCES threads (id) ON DELETE CASCADE,
            name TEXT NOT NULL,
            folded TEXT NOT NULL,
            comment_count INTEGER NOT NULL,
            word_count INTEGER NOT NULL,
            first_seq INTEGER NOT NULL,
            last_seq INTEGER NOT NULL,
            UNIQUE (thread_id, name)
        );
        CREATE TABLE comments (
            id INTEGER PRIMARY KEY,
            thread_id INTEGER NOT NULL REFERENCES threads (id) ON DELETE CASCADE,
            seq INTEGER NOT NULL,
            number INTEGER NOT NULL,
            author_id INTEGER NOT NULL REFERENCES authors (id) ON DELETE CASCADE,
            posted TEXT,
            line INTEGER NOT NULL,
            UNIQUE (thread_id, seq)
        );
        CREATE INDEX comments_author ON comments (author_id, seq);
        CREATE TABLE paragraphs (
            comment_id INTEGER NOT NULL REFERENCES comments (id) ON DELETE CASCADE,
            idx INTEGER NOT NULL,
            text TEXT NOT NULL,
            quote_seq INTEGER,
            quote_idx INTEGER,
            PRIMARY KEY (comment_id, idx)
        ) WITHOUT ROWID;
        CREATE TABLE edges (
            thread_id INTEGER NOT NULL REFERENCES threads (id) ON DELETE CASCADE,
            src_seq INTEGER NOT NULL,
            dst_seq INTEGER NOT NULL,
            via TEXT NOT NULL CHECK (via IN ('quote', 'mention', 'article', 'parent')),
            snippet TEXT NOT NULL DEFAULT '',
            PRIMARY KEY (thread_id, src_seq, dst_seq, via)
        ) WITHOUT ROWID;
        CREATE INDEX edges_dst ON edges (thread_id, dst_seq);
        CREATE VIRTUAL TABLE comment_fts USING fts5 (
            text, scope, tokenize = 'unicode61 remove_diacritics 2'
        );
        """,
    ),
    (
        2,
        """
        CREATE TABLE summaries (
            thread_id INTEGER NOT NULL REFERENCES threads (id) ON DELETE CASCADE,
            subject TEXT NOT NULL,
            engine TEXT NOT NULL,
            content_hash TEXT NOT NULL,
            payload TEXT NOT NULL,
            created_at TEXT NOT NULL,
            PRIMARY KEY (thread_id, subject, engine)
        );
        CREATE TABLE guild_settings (
            guild_id INTEGER PRIMARY KEY,
            settings TEXT NOT NULL,
            left_at TEXT
        );
        CREATE TABLE meta (
            key TEXT PRIMARY KEY,
            value TEXT NOT NULL
        );
        """,
    ),
    (
        3,
        """
        CREATE TABLE replays (
            id INTEGER PRIMARY KEY,
            guild_id INTEGER NOT NULL,
            channel_id INTEGER NOT NULL,
            target_id INTEGER,
            thread_id INTEGER NOT NULL REFERENCES threads (id) ON DELETE CASCADE,
            first_seq INTEGER NOT NULL,
            last_seq INTEGER NOT NULL,
            next_seq INTEGER NOT NULL DEFAULT 0,
            next_part INTEGER NOT NULL DEFAULT 0,
            speed REAL NOT NULL,
            mode TEXT NOT NULL CHECK (mode IN ('webhook', 'embed')),
            status TEXT NOT NULL CHECK (status IN ('running', 'stopped', 'finished', 'failed')),
            posted INTEGER NOT NULL DEFAULT 0,
            started_by INTEGER NOT NULL,
            started_at TEXT NOT NULL,
            updated_at TEXT NOT NULL,
            error TEXT
        );
        CREATE UNIQUE INDEX replays_one_per_channel ON replays (channel_id)
            WHERE status = 'running';
        CREATE INDEX replays_target ON replays (target_id, status);
        """,
    ),
    (
        4,
        """
        ALTER TABLE threads ADD COLUMN inference_version INTEGER NOT NULL DEFAULT 0;
        """,
    ),
)

_TOKEN = re.compile(r"\w+", re.UNICODE)


class StorageError(RuntimeError):
    """A database that cannot be used (newer schema, corrupt file)."""


class _FetchedRows:
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

    async def __aenter__(self) -> _FetchedRows:
        return _FetchedRows(await self._conn.execute_fetchall(self._sql, self._params))

    async def __aexit__(self, *exc: object) -> None:
        return None


class _Reader:
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


def fold(name: str) -> str:
    """Case- and accent-insensitive key for names and slugs."""
    decomposed = unicodedata.normalize("NFKD", name.casefold())
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch)).strip()


def slugify(title: str) -> str:
    """A short ASCII slug for a title: ``Iraq Cease-Fire Over`` → ``iraq-cease-fire-over``."""
    ascii_title = fold(title).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_title).strip("-")[:60].rstrip("-")
    return slug or "thread"


def fts_query(text: str) -> str | None:
    """Turn free user input into a safe FTS5 query: every word quoted, AND-ed, last one a prefix.

    Returns ``None`` when the input has no searchable word at all.
    """
    words = _TOKEN.findall(text)
    if not words:
        return None
    quoted = [f'"{w}"' for w in words[:32]]
    quoted[-1] += "*"
    return " ".join(quoted)


def own_word_count(paragraphs: Iterable[str]) -> int:
    return sum(len(p.split()) for p in paragraphs)


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def _visible(guild_id: int | None) -> tuple[int, ...]:
    """Guilds whose threads a caller may see: shipped ones, plus its own guild's."""
    return (SHIPPED,) if guild_id is None else (SHIPPED, guild_id)


class Storage:
    """The database. Use ``async with Storage(path) as db:`` or ``open()``/``close()``."""

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        self._writer: aiosqlite.Connection | None = None
        self._reader: aiosqlite.Connection | None = None
        self._write_lock = asyncio.Lock()

    # ---- lifecycle -------------------------------------------------------------------

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

    async def __aenter__(self) -> Storage:
        await self.open()
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.close()

    @property
    def _r(self) -> _Reader:
        if self._reader is None:
            raise StorageError("storage is not open")
        return _Reader(self._reader)

    @property
    def _w(self) -> aiosqlite.Connection:
        if self._writer is None:
            raise StorageError("storage is not open")
        return self._writer

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
            statements = [s.strip() for s in script.split(";") if s.strip()]
            await conn.execute("BEGIN IMMEDIATE")
            try:
                for statement in statements:
                    await conn.execute(statement)
                await conn.execute(f"PRAGMA user_version = {version}")
                await conn.execute("COMMIT")
            except BaseException:
                await conn.execute("ROLLBACK")
                raise

    async def schema_version(self) -> int:
        async with self._r.execute("PRAGMA user_version") as cur:
            row = await cur.fetchone()
        return int(row[0]) if row else 0

    async def integrity_check(self) -> str:
        async with self._r.execute("PRAGMA integrity_check") as cur:
            row = await cur.fetchone()
        return str(row[0]) if row else "no answer"

    # ---- writes ----------------------------------------------------------------------

    async def ingest(
        self,
        thread: Thread,
        replies: ReplyStructure,
        *,
        guild_id: int = SHIPPED,
        inference_version: int = 0,
    ) -> IngestResult:
        """Store a parsed thread with its reply structure in one transaction.

        The same content (by hash) in the same guild, inferred by the same
        ``inference_version``, is left alone; a changed file with the same source
        name, or the same file inferred by another version, replaces the old
        version, keeping its id. Any failure rolls everything back.
        """
        async with self._write_lock:
            conn = self._w
            await conn.execute("BEGIN IMMEDIATE")
            try:
                result = await self._ingest_locked(
                    conn, thread, replies, guild_id, inference_version
                )
                await conn.execute("COMMIT")
            except BaseException:
                await conn.execute("ROLLBACK")
                raise
            return result

    async def _ingest_locked(
        self,
        conn: aiosqlite.Connection,
        thread: Thread,
        replies: ReplyStructure,
        guild_id: int,
        inference_version: int,
    ) -> IngestResult:
        async with conn.execute(
            "SELECT id, slug, title, comment_count, inference_version FROM threads "
            "WHERE guild_id = ? AND content_hash = ?",
            (guild_id, thread.content_hash),
        ) as cur:
            same = await cur.fetchone()
        if same is not None and same["inference_version"] == inference_version:
            async with conn.execute(
                "SELECT count(*) FROM authors WHERE thread_id = ?", (same["id"],)
            ) as cur:
                row = await cur.fetchone()
            return IngestResult(
                int(same["id"]),
                str(same["slug"]),
                str(same["title"]),
                "unchanged",
                same["comment_count"],
                int(row[0]) if row else 0,
                thread.warnings,
            )
        # Same text inferred by an older version is re-derived in place, like a changed file.
        old = same
        if old is None:
            async with conn.execute(
                "SELECT id, slug FROM threads WHERE guild_id = ? AND source = ?",
                (guild_id, thread.source),
            ) as cur:
                old = await cur.fetchone()
        values = (
            thread.content_hash,
            thread.title,
            thread.lede,
            json.dumps(list(thread.body), ensure_ascii=False),
            json.dumps(list(thread.tags), ensure_ascii=False),
            thread.author,
            thread.author_bio,
            thread.url,
            thread.published,
            len(thread.comments),
            _now(),
        )
        if old is not None:
            thread_id = int(old["id"])
            slug = str(old["slug"])
            await self._delete_children(conn, thread_id)
            await conn.execute(
                "UPDATE threads SET content_hash = ?, title = ?, lede = ?, body = ?, tags = ?, "
                "author = ?, author_bio = ?, url = ?, published = ?, comment_count = ?, "
                "ingested_at = ?, inference_version = ? WHERE id = ?",
                (*values, inference_version, thread_id),
            )
            status: Literal["added", "replaced", "unchanged"] = "replaced"
        else:
            slug = await self._free_slug(conn, slugify(thread.title), guild_id)
            cur = await conn.execute(
                "INSERT INTO threads (guild_id, source, slug, content_hash, title, lede, body, "
                "tags, author, author_bio, url, published, comment_count, ingested_at, "
                "inference_version) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (guild_id, thread.source, slug, *values, inference_version),
            )
            thread_id = int(cur.lastrowid or 0)
            await cur.close()
            status = "added"
        authors = await self._insert_comments(conn, thread_id, thread, replies)
        return IngestResult(
            thread_id, slug, thread.title, status, len(thread.comments), authors, thread.warnings
        )

    async def _free_slug(self, conn: aiosqlite.Connection, base: str, guild_id: int) -> str:
        """A slug no thread visible next to this one uses yet (``base``, ``base-2``, …)."""
        scope = (SHIPPED,) if guild_id == SHIPPED else (SHIPPED, guild_id)
        placeholders = ",".join("?" * len(scope))
        async with conn.execute(
            f"SELECT slug FROM threads WHERE guild_id IN ({placeholders}) "
            "AND (slug = ? OR slug LIKE ?)",
            (*scope, base, f"{base}-%"),
        ) as cur:
            taken = {str(r[0]) for r in await cur.fetchall()}
        if base not in taken:
            return base
        n = 2
        while f"{base}-{n}" in taken:
            n += 1
        return f"{base}-{n}"

    async def _insert_comments(
        self, conn: aiosqlite.Connection, thread_id: int, thread: Thread, replies: ReplyStructure
    ) -> int:
        async with conn.execute("SELECT coalesce(max(id), 0) FROM authors") as cur:
            row = await cur.fetchone()
        next_author = int(row[0]) + 1 if row else 1
        async with conn.execute("SELECT coalesce(max(id), 0) FROM comments") as cur:
            row = await cur.fetchone()
        next_comment = int(row[0]) + 1 if row else 1

        author_ids: dict[str, int] = {}
        author_rows: dict[str, list[Any]] = {}
        comment_rows: list[tuple[Any, ...]] = []
        paragraph_rows: list[tuple[Any, ...]] = []
        fts_rows: list[tuple[Any, ...]] = []
        quotes = replies.quotes
        for comment in thread.comments:
            own = [
                text
                for idx, text in enumerate(comment.paragraphs)
                if (comment.seq, idx) not in quotes
            ]
            words = own_word_count(own)
            if comment.author not in author_ids:
                author_ids[comment.author] = next_author + len(author_ids)
                author_rows[comment.author] = [
                    author_ids[comment.author],
                    thread_id,
                    comment.author,
                    fold(comment.author),
                    0,
                    0,
                    comment.seq,
                    comment.seq,
                ]
            stats = author_rows[comment.author]
            stats[4] += 1
            stats[5] += words
            stats[7] = comment.seq
            comment_id = next_comment + len(comment_rows)
            author_id = author_ids[comment.author]
            comment_rows.append(
                (
                    comment_id,
                    thread_id,
                    comment.seq,
                    comment.number,
                    author_id,
                    comment.posted,
                    comment.line,
                )
            )
            for idx, text in enumerate(comment.paragraphs):
                ref = quotes.get((comment.seq, idx))
                paragraph_rows.append(
                    (
                        comment_id,
                        idx,
                        text,
                        ref.seq if ref else None,
                        ref.paragraph if ref else None,
                    )
                )
            fts_rows.append((comment_id, "\n\n".join(own), f"t{thread_id} a{author_id}"))
        await conn.executemany(
            "INSERT INTO authors (id, thread_id, name, folded, comment_count, word_count, "
            "first_seq, last_seq) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            [tuple(r) for r in author_rows.values()],
        )
        await conn.executemany(
            "INSERT INTO comments (id, thread_id, seq, number, author_id, posted, line) "
            "VALUES (?, ?, ?, ?, ?, ?, ?)",
            comment_rows,
        )
        await conn.executemany(
            "INSERT INTO paragraphs (comment_id, idx, text, quote_seq, quote_idx) "
            "VALUES (?, ?, ?, ?, ?)",
            paragraph_rows,
        )
        unique_edges = {(e.source, e.target, e.via): e for e in replies.edges}
        await conn.executemany(
            "INSERT INTO edges (thread_id, src_seq, dst_seq, via, snippet) VALUES (?, ?, ?, ?, ?)",
            [(thread_id, e.source, e.target, e.via, e.snippet) for e in unique_edges.values()],
        )
        await conn.executemany(
            "INSERT INTO comment_fts (rowid, text, scope) VALUES (?, ?, ?)", fts_rows
        )
        return len(author_rows)

    async def _delete_children(self, conn: aiosqlite.Connection, thread_id: int) -> None:
        await conn.execute(
            "DELETE FROM comment_fts WHERE rowid IN (SELECT id FROM comments WHERE thread_id = ?)",
            (thread_id,),
        )
        for table in ("edges", "summaries", "paragraphs", "comments", "authors"):
            if table == "paragraphs":
                await conn.execute(
                    "DELETE FROM paragraphs WHERE comment_id IN "
                    "(SELECT id FROM comments WHERE thread_id = ?)",
                    (thread_id,),
                )
            else:
                await conn.execute(f"DELETE FROM {table} WHERE thread_id = ?", (thread_id,))

    async def delete_thread(self, thread_id: int) -> bool:
        """Remove a thread and everything derived from it, in one transaction."""
        async with self._write_lock:
            conn = self._w
            await conn.execute("BEGIN IMMEDIATE")
            try:
                await self._delete_children(conn, thread_id)
                cur = await conn.execute("DELETE FROM threads WHERE id = ?", (thread_id,))
                deleted = cur.rowcount > 0
                await cur.close()
                await conn.execute("COMMIT")
            except BaseException:
                await conn.execute("ROLLBACK")
                raise
            return deleted

    async def execute_write(self, sql: str, params: Sequence[Any] = ()) -> int:
        """Run one write statement in its own transaction; returns the affected row count."""
        async with self._write_lock:
            cur = await self._w.execute(sql, params)
            count = cur.rowcount
            await cur.close()
            return count

    # ---- threads ---------------------------------------------------------------------

    @staticmethod
    def _thread(row: sqlite3.Row) -> StoredThread:
        return StoredThread(
            id=row["id"],
            guild_id=row["guild_id"],
            source=row["source"],
            slug=row["slug"],
            content_hash=row["content_hash"],
            title=row["title"],
            lede=row["lede"],
            body=tuple(json.loads(row["body"])),
            tags=tuple(json.loads(row["tags"])),
            author=row["author"],
            author_bio=row["author_bio"],
            url=row["url"],
            published=row["published"],
            comment_count=row["comment_count"],
            ingested_at=row["ingested_at"],
        )

    async def _threads(
        self, where: str, params: Sequence[Any], tail: str = ""
    ) -> list[StoredThread]:
        async with self._r.execute(f"SELECT * FROM threads WHERE {where} {tail}", params) as cur:
            return [self._thread(r) for r in await cur.fetchall()]

    async def list_threads(
        self, guild_id: int | None = None, *, offset: int = 0, limit: int = -1
    ) -> list[StoredThread]:
        """Threads visible from ``guild_id`` (``None``: a DM), newest guild imports last."""
        scope = _visible(guild_id)
        return await self._threads(
            f"guild_id IN ({','.join('?' * len(scope))})",
            (*scope, limit, offset),
            "ORDER BY guild_id, id LIMIT ? OFFSET ?",
        )

    async def count_threads(self, guild_id: int | None = None) -> int:
        scope = _visible(guild_id)
        async with self._r.execute(
            f"SELECT count(*) FROM threads WHERE guild_id IN ({','.join('?' * len(scope))})",
            scope,
        ) as cur:
            row = await cur.fetchone()
        return int(row[0]) if row else 0

    async def all_threads(self) -> list[StoredThread]:
        """Every thread of every guild: for the CLI and housekeeping only."""
        return await self._threads("1", (), "ORDER BY guild_id, id")

    async def get_thread(self, thread_id: int, guild_id: int | None = None) -> StoredThread | None:
        """A thread by id, or ``None`` when it does not exist or is not visible there."""
        scope = _visible(guild_id)
        rows = await self._threads(
            f"id = ? AND guild_id IN ({','.join('?' * len(scope))})", (thread_id, *scope)
        )
        return rows[0] if rows else None

    async def find_thread(
        self, query: str, guild_id: int | None = None, *, any_guild: bool = False
    ) -> StoredThread | None:
        """Resolve a thread by id, slug, source file name or exact title (case-insensitive)."""
        query = query.strip()
        scope: tuple[int, ...] = ()
        if any_guild:
            where = "1"
        else:
            scope = _visible(guild_id)
            where = f"guild_id IN ({','.join('?' * len(scope))})"
        if query.isdigit():
            rows = await self._threads(f"{where} AND id = ?", (*scope, int(query)))
            if rows:
                return rows[0]
        rows = await self._threads(
            f"{where} AND (slug = ? OR source = ? OR lower(title) = lower(?))",
            (*scope, query.lower(), query, query),
            "ORDER BY guild_id DESC, id LIMIT 1",
        )
        return rows[0] if rows else None

    async def thread_choices(
        self, guild_id: int | None, limit: int = 500
    ) -> list[tuple[int, str, str]]:
        """``(id, slug, title)`` of visible threads, for autocomplete to rank."""
        scope = _visible(guild_id)
        async with self._r.execute(
            f"SELECT id, slug, title FROM threads WHERE guild_id IN "
            f"({','.join('?' * len(scope))}) ORDER BY guild_id DESC, id DESC LIMIT ?",
            (*scope, limit),
        ) as cur:
            return [(int(r[0]), str(r[1]), str(r[2])) for r in await cur.fetchall()]

    # ---- comments --------------------------------------------------------------------

    async def _comments(self, sql: str, params: Sequence[Any]) -> list[StoredComment]:
        """Run a query built on ``_COMMENT_COLUMNS`` (heads plus paragraphs as JSON).

        One statement, so one committed state: read as two statements, an ingest
        committing in between (a replaced thread reuses comment ids) paired one
        version's comment heads with the other version's paragraphs.
        """
        async with self._r.execute(sql, params) as cur:
            rows = await cur.fetchall()
        return [
            StoredComment(
                thread_id=int(r[1]),
                seq=int(r[2]),
                number=int(r[3]),
                author=str(r[4]),
                paragraphs=tuple(
                    StoredParagraph(p[1], None if p[2] is None else QuoteRef(int(p[2]), int(p[3])))
                    for p in sorted(json.loads(r[6]), key=lambda p: int(p[0]))
                ),
                posted=r[5],
            )
            for r in rows
        ]

    _COMMENT_COLUMNS = (
        "SELECT c.id, c.thread_id, c.seq, c.number, a.name, c.posted, "
        "(SELECT json_group_array(json_array(p.idx, p.text, p.quote_seq, p.quote_idx)) "
        "FROM paragraphs p WHERE p.comment_id = c.id) "
        "FROM comments c JOIN authors a ON a.id = c.author_id "
    )

    async def get_comment(self, thread_id: int, seq: int) -> StoredComment | None:
        rows = await self._comments(
            self._COMMENT_COLUMNS + "WHERE c.thread_id = ? AND c.seq = ?", (thread_id, seq)
        )
        return rows[0] if rows else None

    async def page_comments(
        self, thread_id: int, *, start: int = 1, limit: int = 1
    ) -> list[StoredComment]:
        """``limit`` comments from position ``start`` (1-based seq) on, in thread order."""
        return await self._comments(
            self._COMMENT_COLUMNS + "WHERE c.thread_id = ? AND c.seq >= ? ORDER BY c.seq LIMIT ?",
            (thread_id, start, limit),
        )

    async def comments_by_seq(self, thread_id: int, seqs: Sequence[int]) -> list[StoredComment]:
        if not seqs:
            return []
        return await self._comments(
            self._COMMENT_COLUMNS
            + f"WHERE c.thread_id = ? AND c.seq IN ({','.join('?' * len(seqs))}) ORDER BY c.seq",
            (thread_id, *seqs),
        )

    async def seq_for_number(self, thread_id: int, number: int) -> int | None:
        """The position of the first comment printed with ``number``."""
        async with self._r.execute(
            "SELECT seq FROM comments WHERE thread_id = ? AND number = ? ORDER BY seq LIMIT 1",
            (thread_id, number),
        ) as cur:
            row = await cur.fetchone()
        return int(row[0]) if row else None

    async def all_comments(self, thread_id: int) -> list[StoredComment]:
        """Every comment of one thread, in order (export, summaries, replay)."""
        return await self._comments(
            self._COMMENT_COLUMNS + "WHERE c.thread_id = ? ORDER BY c.seq", (thread_id,)
        )

    async def _author_id(self, thread_id: int, name: str) -> int | None:
        async with self._r.execute(
            "SELECT id FROM authors WHERE thread_id = ? AND (name = ? OR folded = ?) "
            "ORDER BY name = ? DESC LIMIT 1",
            (thread_id, name, fold(name), name),
        ) as cur:
            row = await cur.fetchone()
        return int(row[0]) if row else None

    async def comments_by_author(
        self,
        thread_id: int,
        author: str,
        *,
        query: str | None = None,
        offset: int = 0,
        limit: int = 25,
    ) -> list[StoredComment]:
        """One person's comments in order; with ``query``, only those whose own words match it."""
        author_id = await self._author_id(thread_id, author)
        if author_id is None:
            return []
        if query is None or not query.strip():
            return await self._comments(
                self._COMMENT_COLUMNS + "WHERE c.author_id = ? ORDER BY c.seq LIMIT ? OFFSET ?",
                (author_id, limit, offset),
            )
        match = fts_query(query)
        if match is None:
            return []
        return await self._comments(
            self._COMMENT_COLUMNS
            + "WHERE c.id IN (SELECT rowid FROM comment_fts WHERE comment_fts MATCH ?) "
            "ORDER BY c.seq LIMIT ? OFFSET ?",
            (f'scope : "a{author_id}" AND text : ({match})', limit, offset),
        )

    async def count_comments_by_author(
        self, thread_id: int, author: str, *, query: str | None = None
    ) -> int:
        author_id = await self._author_id(thread_id, author)
        if author_id is None:
            return 0
        if query is None or not query.strip():
            sql, params = "SELECT count(*) FROM comments WHERE author_id = ?", (author_id,)
        else:
            match = fts_query(query)
            if match is None:
                return 0
            sql = "SELECT count(*) FROM comment_fts WHERE comment_fts MATCH ?"
            params = (f'scope : "a{author_id}" AND text : ({match})',)  # type: ignore[assignment]
        async with self._r.execute(sql, params) as cur:
            row = await cur.fetchone()
        return int(row[0]) if row else 0

    # ---- authors and edges -----------------------------------------------------------

    async def authors(self, thread_id: int) -> list[AuthorStats]:
        """Participants of a thread, by first appearance."""
        async with self._r.execute(
            "SELECT name, comment_count, word_count, first_seq, last_seq FROM authors "
            "WHERE thread_id = ? ORDER BY first_seq",
            (thread_id,),
        ) as cur:
            return [AuthorStats(r[0], r[1], r[2], r[3], r[4]) for r in await cur.fetchall()]

    async def find_author(self, thread_id: int, name: str) -> str | None:
        """The stored spelling of a participant's name, matched case- and accent-insensitively."""
        async with self._r.execute(
            "SELECT name FROM authors WHERE thread_id = ? AND (name = ? OR folded = ?) "
            "ORDER BY name = ? DESC LIMIT 1",
            (thread_id, name, fold(name), name),
        ) as cur:
            row = await cur.fetchone()
        return str(row[0]) if row else None

    _EDGE_COLUMNS = (
        "SELECT e.src_seq, sa.name, e.dst_seq, coalesce(da.name, t.author), e.via, e.snippet "
        "FROM edges e JOIN threads t ON t.id = e.thread_id "
        "JOIN comments sc ON sc.thread_id = e.thread_id AND sc.seq = e.src_seq "
        "JOIN authors sa ON sa.id = sc.author_id "
        "LEFT JOIN comments dc ON dc.thread_id = e.thread_id AND dc.seq = e.dst_seq "
        "LEFT JOIN authors da ON da.id = dc.author_id "
    )

    @staticmethod
    def _edge(row: sqlite3.Row) -> StoredEdge:
        via: Via = row[4]
        return StoredEdge(int(row[0]), str(row[1]), int(row[2]), str(row[3]), via, str(row[5]))

    async def edges(self, thread_id: int) -> list[StoredEdge]:
        """Every reply edge of a thread, by replying comment."""
        async with self._r.execute(
            self._EDGE_COLUMNS + "WHERE e.thread_id = ? ORDER BY e.src_seq, e.dst_seq",
            (thread_id,),
        ) as cur:
            return [self._edge(r) for r in await cur.fetchall()]

    async def pair_counts(self, thread_id: int) -> list[PairCount]:
        """``bot.ui.graph.pair_counts(edges(thread_id))`` counted by SQLite, in the same order.

        The person-to-person table of a big thread has thousands of edges; reading them all
        into Python to count them took most of ``/thread replies``. A comment counts once
        per person it answers (``count(DISTINCT src_seq)`` per source person, target name
        and article-or-not, as ``pair_counts`` dedupes); rows come in order of each pair's
        first edge, so the stable sort by ``PairCount.rank`` breaks ties as it does.
        """
        async with self._r.execute(
            "SELECT sa.name, coalesce(da.name, t.author), e.dst_seq = ?2, "
            "count(DISTINCT e.src_seq), min(e.src_seq * 4294967296 + e.dst_seq) AS first "
            "FROM edges e JOIN threads t ON t.id = e.thread_id "
            "JOIN comments sc ON sc.thread_id = e.thread_id AND sc.seq = e.src_seq "
            "JOIN authors sa ON sa.id = sc.author_id "
            "LEFT JOIN comments dc ON dc.thread_id = e.thread_id AND dc.seq = e.dst_seq "
            "LEFT JOIN authors da ON da.id = dc.author_id "
            "WHERE e.thread_id = ?1 GROUP BY sc.author_id, 2, 3 ORDER BY first",
            (thread_id, ARTICLE),
        ) as cur:
            rows = await cur.fetchall()
        pairs = [PairCount(str(r[0]), str(r[1]), int(r[3]), bool(r[2])) for r in rows]
        pairs.sort(key=PairCount.rank)
        return pairs

    async def edges_of(self, thread_id: int, seq: int) -> tuple[list[StoredEdge], list[StoredEdge]]:
        """``(what comment seq replies to, what replies to it)``, in one statement so that
        both halves come from the same version of the thread."""
        async with self._r.execute(
            self._EDGE_COLUMNS + "WHERE e.thread_id = ? AND (e.src_seq = ? OR e.dst_seq = ?) "
            "ORDER BY e.src_seq, e.dst_seq",
            (thread_id, seq, seq),
        ) as cur:
            edges = [self._edge(r) for r in await cur.fetchall()]
        return [e for e in edges if e.source == seq], [e for e in edges if e.target == seq]

    # ---- cached summaries ------------------------------------------------------------

    async def get_summary(
        self, thread_id: int, subject: str, engine: str, content_hash: str
    ) -> str | None:
        """A cached summary payload for this exact thread version, if any."""
        async with self._r.execute(
            "SELECT payload FROM summaries WHERE thread_id = ? AND subject = ? AND engine = ? "
            "AND content_hash = ?",
            (thread_id, subject, engine, content_hash),
        ) as cur:
            row = await cur.fetchone()
        return str(row[0]) if row else None

    async def put_summary(
        self, thread_id: int, subject: str, engine: str, content_hash: str, payload: str
    ) -> None:
        await self.execute_write(
            "INSERT OR REPLACE INTO summaries (thread_id, subject, engine, content_hash, "
            "payload, created_at) VALUES (?, ?, ?, ?, ?, ?)",
            (thread_id, subject, engine, content_hash, payload, _now()),
        )

    # ---- small key/value facts (e.g. the hash of the last synced command set) -------

    async def get_meta(self, key: str) -> str | None:
        async with self._r.execute("SELECT value FROM meta WHERE key = ?", (key,)) as cur:
            row = await cur.fetchone()
        return str(row[0]) if row else None

    async def set_meta(self, key: str, value: str) -> None:
        await self.execute_write(
            "INSERT INTO meta (key, value) VALUES (?, ?) "
            "ON CONFLICT (key) DO UPDATE SET value = excluded.value",
            (key, value),
        )

    # ---- guild settings ---------------------------------------------------------------
    # One row per server: its ``/threadbot config`` values (JSON, read through
    # ``bot.guilds.config``) and, once the bot has left it, when (``left_at``), so that
    # housekeeping purges the server's imports and settings after the grace period.

    async def guild_settings(self, guild_id: int) -> dict[str, Any]:
        """The stored settings of one server (``{}`` when it never changed any)."""
        async with self._r.execute(
            "SELECT settings FROM guild_settings WHERE guild_id = ?", (guild_id,)
        ) as cur:
            row = await cur.fetchone()
        if row is None:
            return {}
        try:
            data = json.loads(row[0])
        except ValueError:
            return {}
        return data if isinstance(data, dict) else {}

    async def put_guild_settings(self, guild_id: int, settings: dict[str, Any]) -> None:
        """Replace one server's settings (its ``left_at`` is kept)."""
        await self.execute_write(
            "INSERT INTO guild_settings (guild_id, settings) VALUES (?, ?) "
            "ON CONFLICT (guild_id) DO UPDATE SET settings = excluded.settings",
            (guild_id, json.dumps(settings, ensure_ascii=False, sort_keys=True)),
        )

    async def mark_guild_left(self, guild_id: int, when: datetime) -> None:
        """Record that the bot left ``guild_id`` at ``when`` (an earlier record is kept)."""
        await self.execute_write(
            "INSERT INTO guild_settings (guild_id, settings, left_at) VALUES (?, '{}', ?) "
            "ON CONFLICT (guild_id) DO UPDATE SET "
            "left_at = coalesce(guild_settings.left_at, excluded.left_at)",
            (guild_id, when.astimezone(UTC).isoformat(timespec="seconds")),
        )

    async def mark_guild_returned(self, guild_id: int) -> bool:
        """Forget that the bot had left ``guild_id``; ``True`` if it was marked."""
        changed = await self.execute_write(
            "UPDATE guild_settings SET left_at = NULL WHERE guild_id = ? AND left_at IS NOT NULL",
            (guild_id,),
        )
        return changed > 0

    async def guilds_left(self) -> dict[int, datetime]:
        """Servers the bot has left and when, for housekeeping."""
        async with self._r.execute(
            "SELECT guild_id, left_at FROM guild_settings WHERE left_at IS NOT NULL"
        ) as cur:
            rows = await cur.fetchall()
        out: dict[int, datetime] = {}
        for row in rows:
            when = datetime.fromisoformat(str(row[1]))
            out[int(row[0])] = when if when.tzinfo else when.replace(tzinfo=UTC)
        return out

    async def guilds_with_data(self) -> set[int]:
        """Servers that own imported threads or stored settings."""
        async with self._r.execute(
            "SELECT guild_id FROM threads WHERE guild_id != ? "
            "UNION SELECT guild_id FROM guild_settings",
            (SHIPPED,),
        ) as cur:
            return {int(r[0]) for r in await cur.fetchall()}

    async def purge_guild(self, guild_id: int) -> int:
        """Remove a server's imports (and all derived rows), replays and settings in one
        transaction; returns how many threads went. Shipped threads are never touched."""
        if guild_id == SHIPPED:
            raise ValueError("the shipped threads belong to no server and are never purged")
        async with self._write_lock:
            conn = self._w
            await conn.execute("BEGIN IMMEDIATE")
            try:
                async with conn.execute(
                    "SELECT id FROM threads WHERE guild_id = ?", (guild_id,)
                ) as cur:
                    thread_ids = [int(r[0]) for r in await cur.fetchall()]
                for thread_id in thread_ids:
                    await self._delete_children(conn, thread_id)
                await conn.execute("DELETE FROM replays WHERE guild_id = ?", (guild_id,))
                await conn.execute("DELETE FROM threads WHERE guild_id = ?", (guild_id,))
                await conn.execute("DELETE FROM guild_settings WHERE guild_id = ?", (guild_id,))
                await conn.execute("COMMIT")
            except BaseException:
                await conn.execute("ROLLBACK")
                raise
        return len(thread_ids)

    async def count_running_replays(
        self, guild_id: int | None = None, *, thread_id: int | None = None
    ) -> int:
        """Replays running in one server, or of one thread (per-server limit, deletes)."""
        where, params = ["status = 'running'"], []
        if guild_id is not None:
            where.append("guild_id = ?")
            params.append(guild_id)
        if thread_id is not None:
            where.append("thread_id = ?")
            params.append(thread_id)
        async with self._r.execute(
            f"SELECT count(*) FROM replays WHERE {' AND '.join(where)}", params
        ) as cur:
            row = await cur.fetchone()
        return int(row[0]) if row else 0

    # ---- replays ---------------------------------------------------------------------
    # Progress of ``/replay`` runs, written after every posted message so that a
    # restart resumes where it stopped. At most one running replay per channel:
    # the partial unique index makes that atomic.

    _REPLAY_STATUSES = ("running", "stopped", "finished", "failed")

    @staticmethod
    def _replay(row: sqlite3.Row) -> ReplayRecord:
        mode: ReplayMode = "embed" if row["mode"] == "embed" else "webhook"
        status: ReplayStatus = row["status"]
        return ReplayRecord(
            id=int(row["id"]),
            guild_id=int(row["guild_id"]),
            channel_id=int(row["channel_id"]),
            target_id=None if row["target_id"] is None else int(row["target_id"]),
            thread_id=int(row["thread_id"]),
            first_seq=int(row["first_seq"]),
            last_seq=int(row["last_seq"]),
            next_seq=int(row["next_seq"]),
            next_part=int(row["next_part"]),
            speed=float(row["speed"]),
            mode=mode,
            status=status,
            posted=int(row["posted"]),
            started_by=int(row["started_by"]),
            started_at=str(row["started_at"]),
            updated_at=str(row["updated_at"]),
            error=row["error"],
        )

    async def start_replay(
        self,
        *,
        guild_id: int,
        channel_id: int,
        thread_id: int,
        first_seq: int,
        last_seq: int,
        speed: float,
        mode: ReplayMode,
        started_by: int,
        target_id: int | None = None,
        guild_limit: int | None = None,
    ) -> ReplayRecord | None:
        """Record a new running replay; ``None`` when one already runs in or into that channel,
        or ``guild_limit`` replays already run in the guild (tell them apart with
        :meth:`running_replay`). Checked and inserted in one transaction: no race."""
        async with self._write_lock:
            conn = self._w
            await conn.execute("BEGIN IMMEDIATE")
            try:
                places = (channel_id,) if target_id is None else (channel_id, target_id)
                marks = ",".join("?" * len(places))
                async with conn.execute(
                    "SELECT 1 FROM replays WHERE status = 'running' AND "
                    f"(channel_id IN ({marks}) OR target_id IN ({marks})) LIMIT 1",
                    (*places, *places),
                ) as cur:
                    busy = await cur.fetchone() is not None
                if not busy and guild_limit is not None:
                    async with conn.execute(
                        "SELECT count(*) FROM replays WHERE status = 'running' AND guild_id = ?",
                        (guild_id,),
                    ) as cur:
                        row = await cur.fetchone()
                    busy = row is not None and int(row[0]) >= guild_limit
                replay_id = None
                if not busy:
                    now = _now()
                    cur = await conn.execute(
                        "INSERT INTO replays (guild_id, channel_id, target_id, thread_id, "
                        "first_seq, last_seq, speed, mode, status, started_by, started_at, "
                        "updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, 'running', ?, ?, ?)",
                        (
                            guild_id,
                            channel_id,
                            target_id,
                            thread_id,
                            first_seq,
                            last_seq,
                            speed,
                            mode,
                            started_by,
                            now,
                            now,
                        ),
                    )
                    replay_id = cur.lastrowid
                    await cur.close()
                await conn.execute("COMMIT")
            except BaseException:
                await conn.execute("ROLLBACK")
                raise
        return None if replay_id is None else await self.get_replay(replay_id)

    async def get_replay(self, replay_id: int) -> ReplayRecord | None:
        async with self._r.execute("SELECT * FROM replays WHERE id = ?", (replay_id,)) as cur:
            row = await cur.fetchone()
        return None if row is None else self._replay(row)

    async def running_replay(self, channel_id: int) -> ReplayRecord | None:
        """The running replay started in ``channel_id`` or posting into it, if any."""
        async with self._r.execute(
            "SELECT * FROM replays WHERE status = 'running' AND (channel_id = ? OR target_id = ?) "
            "ORDER BY id LIMIT 1",
            (channel_id, channel_id),
        ) as cur:
            row = await cur.fetchone()
        return None if row is None else self._replay(row)

    async def latest_replay(self, channel_id: int) -> ReplayRecord | None:
        """The most recent replay started in or posting into ``channel_id``, whatever its state."""
        async with self._r.execute(
            "SELECT * FROM replays WHERE channel_id = ? OR target_id = ? ORDER BY id DESC LIMIT 1",
            (channel_id, channel_id),
        ) as cur:
            row = await cur.fetchone()
        return None if row is None else self._replay(row)

    async def running_replays(self) -> list[ReplayRecord]:
        """Every replay still marked running (to resume after a restart), oldest first."""
        async with self._r.execute(
            "SELECT * FROM replays WHERE status = 'running' ORDER BY id"
        ) as cur:
            return [self._replay(r) for r in await cur.fetchall()]

    async def set_replay_target(self, replay_id: int, target_id: int) -> None:
        await self.execute_write(
            "UPDATE replays SET target_id = ?, updated_at = ? WHERE id = ?",
            (target_id, _now(), replay_id),
        )

    async def set_replay_mode(self, replay_id: int, mode: ReplayMode) -> None:
        await self.execute_write(
            "UPDATE replays SET mode = ?, updated_at = ? WHERE id = ?", (mode, _now(), replay_id)
        )

    async def record_replay_progress(
        self, replay_id: int, next_seq: int, next_part: int, *, posted: int = 1
    ) -> None:
        """Where to continue after the message just posted (``posted`` messages more)."""
        await self.execute_write(
            "UPDATE replays SET next_seq = ?, next_part = ?, posted = posted + ?, updated_at = ? "
            "WHERE id = ?",
            (next_seq, next_part, posted, _now(), replay_id),
        )

    async def end_replay(
        self, replay_id: int, status: ReplayStatus, error: str | None = None
    ) -> bool:
        """Mark a running replay stopped, finished or failed; ``False`` if it was not running."""
        if status not in self._REPLAY_STATUSES or status == "running":
            raise ValueError(f"not an end state: {status!r}")
        changed = await self.execute_write(
            "UPDATE replays SET status = ?, error = ?, updated_at = ? "
            "WHERE id = ? AND status = 'running'",
            (status, error, _now(), replay_id),
        )
        return changed > 0

    async def comment_heads(self, thread_id: int) -> dict[int, tuple[int, str]]:
        """``seq -> (number, author)`` of every comment: what quote headers need, no text."""
        async with self._r.execute(
            "SELECT c.seq, c.number, a.name FROM comments c JOIN authors a ON a.id = c.author_id "
            "WHERE c.thread_id = ?",
            (thread_id,),
        ) as cur:
            return {int(r[0]): (int(r[1]), str(r[2])) for r in await cur.fetchall()}


__all__ = ["ARTICLE", "SHIPPED", "Storage", "StorageError", "fold", "fts_query", "slugify"]


# ---- replays -------------------------------------------------------------------------

ReplayMode = Literal["webhook", "embed"]
"""How a replay posts: as each author through a channel webhook, or as embeds by the bot."""

ReplayStatus = Literal["running", "stopped", "finished", "failed"]


@dataclass(frozen=True, slots=True)
class ReplayRecord:
    """One replay's row. ``(next_seq, next_part)`` is the next message to post (seq 0 = article)."""

    id: int
    guild_id: int
    channel_id: int
    """Where ``/replay start`` ran: the key for "one replay per channel"."""
    target_id: int | None
    """The channel or Discord thread the messages go to, once known."""
    thread_id: int
    first_seq: int
    last_seq: int
    next_seq: int
    next_part: int
    speed: float
    mode: ReplayMode
    status: ReplayStatus
    posted: int
    started_by: int
    started_at: str
    updated_at: str
    error: str | None
