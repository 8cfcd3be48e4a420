"""What every backend's database offers the repositories, and what they share.

The repositories speak one SQL, written with ``?`` placeholders (``?1``, ``?2`` where a
value is used twice), upserts as ``INSERT … ON CONFLICT … DO UPDATE`` and new ids
through ``RETURNING id``: the part of SQL that SQLite and PostgreSQL both understand.
A :class:`Database` runs it: ``sqlite.SqliteDatabase`` (one file, the default) or
``postgresql.PostgresDatabase`` (a shared server, for several bot processes). Where
the two differ — full-text search, bulk inserts, a paragraph list as JSON, migrations,
what "integrity check" means — each backend has its own implementation behind the same
method. Every write that reads before it writes runs in :meth:`Database.write`, which
serialises such writers (SQLite's single writer; a PostgreSQL advisory lock across
processes), so "check, then insert" never races.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Iterable, Iterator, Sequence
from contextlib import AbstractAsyncContextManager
from datetime import UTC, datetime
from importlib import resources
from typing import Any, Literal, NamedTuple, Protocol

SHIPPED = 0
"""``guild_id`` of threads shipped in ``seeds/``: visible in every guild and in DMs."""

Backend = Literal["sqlite", "postgresql"]


COLUMNS: dict[str, tuple[str, ...]] = {
    "threads": (
        "id",
        "guild_id",
        "source",
        "slug",
        "content_hash",
        "title",
        "lede",
        "body",
        "tags",
        "author",
        "author_bio",
        "url",
        "published",
        "comment_count",
        "ingested_at",
        "inference_version",
        "quoted",
    ),
    "authors": (
        "id",
        "thread_id",
        "name",
        "folded",
        "comment_count",
        "word_count",
        "first_seq",
        "last_seq",
    ),
    "comments": ("id", "thread_id", "seq", "number", "author_id", "posted", "line"),
    "paragraphs": (
        "comment_id",
        "idx",
        "text",
        "quote_seq",
        "quote_idx",
        "quote_at",
        "quote_len",
    ),
    "edges": ("thread_id", "src_seq", "dst_seq", "via", "snippet", "confidence"),
    "summaries": ("thread_id", "subject", "engine", "content_hash", "payload", "created_at"),
    "guild_settings": ("guild_id", "settings", "left_at"),
    "meta": ("key", "value"),
    "replays": (
        "id",
        "guild_id",
        "channel_id",
        "target_id",
        "thread_id",
        "first_seq",
        "last_seq",
        "next_seq",
        "next_part",
        "speed",
        "mode",
        "status",
        "posted",
        "started_by",
        "started_at",
        "updated_at",
        "error",
        "owner",
        "lease_until",
    ),
}
"""Every table that holds data, parents first, with its columns in the order rows are
written: what ingest inserts and ``migrate-db`` copies (``leases`` only says who runs a
job right now: nothing to keep)."""


class StorageError(RuntimeError):
    """A database that cannot be used (newer schema, corrupt file, not open, unreachable)."""


class Row(Protocol):
    """A result row: by position or by column name (``sqlite3.Row``, ``asyncpg.Record``)."""

    def __getitem__(self, key: Any, /) -> Any: ...

    def __iter__(self) -> Iterator[Any]: ...


def load_migrations(folder: str) -> tuple[tuple[int, str], ...]:
    """``(version, script)`` of every ``NNN_name.sql`` file in ``folder`` (a package data
    folder under ``bot/storage``), in version order, numbered 1..n without gaps."""
    root = resources.files("bot.storage")
    for part in folder.split("/"):
        root = root / part
    found: list[tuple[int, str]] = []
    for entry in root.iterdir():
        if entry.name.endswith(".sql"):
            found.append((int(entry.name.split("_", 1)[0]), entry.read_text(encoding="utf-8")))
    found.sort()
    versions = [v for v, _ in found]
    if versions != list(range(1, len(found) + 1)):
        raise StorageError(f"migrations in {folder} are not numbered 1..n: {versions}")
    return tuple(found)


def now() -> str:
    """The current UTC time as stored (ISO 8601, whole seconds)."""
    return datetime.now(UTC).isoformat(timespec="seconds")


def visible(guild_id: int | None) -> tuple[int, ...]:
    """Guilds whose threads a caller may see: shipped ones, plus its own guild's."""
    return (SHIPPED,) if guild_id is None else (SHIPPED, guild_id)


def marks(values: Sequence[object]) -> str:
    """``?,?,?``: one placeholder per value, for ``IN (...)``."""
    return ",".join("?" * len(values))


NO_LIMIT = 2**63 - 1
"""``LIMIT`` for "all rows": both backends accept it (SQLite's ``-1`` is an error in
PostgreSQL, PostgreSQL's ``NULL`` one in SQLite)."""


class Reader(Protocol):
    """Read statements, each run to its end against the last committed state."""

    async def one(self, sql: str, params: Iterable[Any] = ()) -> Row | None: ...

    async def all(self, sql: str, params: Iterable[Any] = ()) -> list[Row]: ...

    async def scalar(self, sql: str, params: Iterable[Any] = ()) -> Any:
        """The first column of the first row (``None`` for no row)."""


class Transaction(Reader, Protocol):
    """Statements inside one write transaction (see :meth:`Database.write`)."""

    async def execute(self, sql: str, params: Iterable[Any] = ()) -> int:
        """Run one statement; returns the number of rows it changed."""

    async def insert_many(self, table: str, columns: Sequence[str], rows: list[Any]) -> None:
        """Insert many rows into ``table`` the fastest way the backend has."""


class SearchRow(NamedTuple):
    """One comment's entry in the full-text index: its own words (quotes of others left out).

    A named tuple: ingest makes one per comment, and a tuple costs a fraction of a
    dataclass to make."""

    comment_id: int
    thread_id: int
    author_id: int
    text: str


class Database(ABC):
    """A backend: connections, migrations, one serialised writer, and the backend's own
    versions of what the two SQL dialects don't share."""

    backend: Backend
    paragraphs_json: str
    """A SQL expression: the paragraphs of comment ``c`` as a JSON array of
    ``[idx, text, quote_seq, quote_idx]`` (``[]`` when it has none)."""

    @property
    @abstractmethod
    def name(self) -> str:
        """What the database is, for messages (a path, or a URL without its password)."""

    @property
    @abstractmethod
    def target(self) -> str | None:
        """What another process opens to read this database (a file path, a URL with its
        password), or ``None`` when no other process can (an in-memory database)."""

    @abstractmethod
    async def open(self) -> None:
        """Connect and bring the schema up to date (refusing a newer one)."""

    @abstractmethod
    async def close(self) -> None: ...

    @property
    @abstractmethod
    def read(self) -> Reader:
        """Reads: every statement sees the last committed state."""

    @abstractmethod
    def write(self) -> AbstractAsyncContextManager[Transaction]:
        """One write transaction, serialised with every other ``write()`` on the same
        database (across processes too): committed when the block ends, rolled back when
        it raises."""

    @abstractmethod
    async def execute_write(self, sql: str, params: Sequence[Any] = ()) -> int:
        """Run one write statement in its own transaction; returns the affected row count."""

    @abstractmethod
    async def schema_version(self) -> int: ...

    @abstractmethod
    async def integrity_check(self) -> str:
        """``"ok"`` when the database is sound, else what is wrong."""

    @abstractmethod
    async def ids_follow_rows(self, tx: Transaction) -> None:
        """After rows were inserted with their ids (a copy), make new ids follow them."""

    # ---- full-text search: one implementation per backend ---------------------------

    @abstractmethod
    async def search_rows(self, statements: Reader) -> int:
        """How many comments the search index holds."""

    @abstractmethod
    async def index_comments(self, tx: Transaction, rows: list[SearchRow]) -> None:
        """Add comments' own words to the search index (inside an ingest)."""

    @abstractmethod
    async def unindex_thread(self, tx: Transaction, thread_id: int) -> None:
        """Remove a thread's comments from the search index (before its comments go)."""

    @abstractmethod
    def search_condition(self, author_id: int, query: str) -> tuple[str, tuple[Any, ...]] | None:
        """A condition on comment ``c`` that holds when ``query`` matches that person's own
        words, with its parameters; ``None`` when the query has no searchable word.

        Same semantics on every backend, for any input: each word of the query must occur
        (case and accents ignored), the last one as a prefix; no query syntax gets through.
        """

    @abstractmethod
    def search_count(self, author_id: int, query: str) -> tuple[str, tuple[Any, ...]] | None:
        """A statement counting the comments :meth:`search_condition` matches."""
