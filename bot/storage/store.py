"""``Storage``: the database with one typed repository per kind of data."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from bot.models import IngestResult, ParseWarning, ReplyStructure, Thread
from bot.storage import ingest as _ingest
from bot.storage.comments import CommentRepository
from bot.storage.database import SHIPPED, Backend, Database
from bot.storage.edges import EdgeRepository
from bot.storage.guilds import GuildRepository
from bot.storage.leases import LeaseRepository
from bot.storage.meta import MetaRepository
from bot.storage.replays import ReplayRepository
from bot.storage.sqlite import SqliteDatabase
from bot.storage.summaries import SummaryRepository
from bot.storage.threads import ThreadRepository

if TYPE_CHECKING:
    from bot.settings import Settings

POSTGRES_SCHEMES = ("postgresql://", "postgres://")


def database_for(target: str | Path | Database) -> Database:
    """The backend for a ``postgresql://`` URL (PostgreSQL) or a file path (SQLite)."""
    if isinstance(target, Database):
        return target
    if isinstance(target, str) and target.startswith(POSTGRES_SCHEMES):
        from bot.storage.postgresql import PostgresDatabase  # asyncpg only when used

        return PostgresDatabase(target)
    return SqliteDatabase(target)


def storage_for(settings: Settings) -> Storage:
    """The one place the backend is chosen: ``DATABASE_URL`` when set, else the SQLite
    file at ``DATABASE_PATH``."""
    return Storage(settings.database_url or settings.database_path)


class Storage:
    """Everything threadbot keeps: ``async with Storage(path_or_url) as db:`` (or
    ``open``/``close``).

    A file path is an SQLite database, a ``postgresql://`` URL a PostgreSQL one; both
    behave the same. ``db.threads``, ``db.comments`` (with authors and search),
    ``db.edges``, ``db.summaries``, ``db.guilds``, ``db.replays`` and ``db.meta`` share
    one :class:`~bot.storage.database.Database`; :meth:`ingest` writes a thread across
    all of them in one transaction.
    """

    def __init__(self, target: str | Path | Database) -> None:
        self.database = database_for(target)
        self.threads = ThreadRepository(self.database)
        self.comments = CommentRepository(self.database)
        self.edges = EdgeRepository(self.database)
        self.summaries = SummaryRepository(self.database)
        self.guilds = GuildRepository(self.database)
        self.replays = ReplayRepository(self.database)
        self.meta = MetaRepository(self.database)
        self.leases = LeaseRepository(self.database)

    @property
    def path(self) -> Path:
        """The SQLite file (an error for a PostgreSQL database, which has none)."""
        if not isinstance(self.database, SqliteDatabase):
            raise TypeError(f"{self.database.name} is not an SQLite file")
        return self.database.path

    @property
    def target(self) -> str | None:
        """Where another process can open this database (:mod:`bot.storage.snapshot`): the
        SQLite file or the PostgreSQL URL, password included (never show it); ``None`` for
        an in-memory SQLite database, which no other process can see."""
        return self.database.target

    @property
    def backend(self) -> Backend:
        return self.database.backend

    @property
    def name(self) -> str:
        """The file path or the URL (without its password), for messages."""
        return self.database.name

    async def open(self) -> None:
        await self.database.open()

    async def close(self) -> None:
        await self.database.close()

    async def __aenter__(self) -> Storage:
        await self.open()
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.close()

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
        return await _ingest.ingest(
            self.database, thread, replies, guild_id=guild_id, inference_version=inference_version
        )

    async def unchanged(
        self,
        content_hash: str,
        *,
        guild_id: int = SHIPPED,
        inference_version: int = 0,
        warnings: tuple[ParseWarning, ...] = (),
    ) -> IngestResult | None:
        """The ``unchanged`` result :meth:`ingest` would give (with ``warnings``), read
        without writing: ``None`` when a thread of this content, inferred by this version,
        is not stored in ``guild_id`` yet."""
        return await _ingest.unchanged(
            self.database,
            content_hash,
            guild_id=guild_id,
            inference_version=inference_version,
            warnings=warnings,
        )

    async def schema_version(self) -> int:
        return await self.database.schema_version()

    async def integrity_check(self) -> str:
        """``"ok"`` for a sound database (SQLite: ``PRAGMA integrity_check``)."""
        return await self.database.integrity_check()
