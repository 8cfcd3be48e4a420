"""``Storage``: the database with one typed repository per kind of data."""

from __future__ import annotations

from pathlib import Path

from bot.models import IngestResult, ReplyStructure, Thread
from bot.storage import ingest as _ingest
from bot.storage.comments import CommentRepository
from bot.storage.database import SHIPPED, Database
from bot.storage.edges import EdgeRepository
from bot.storage.guilds import GuildRepository
from bot.storage.meta import MetaRepository
from bot.storage.replays import ReplayRepository
from bot.storage.summaries import SummaryRepository
from bot.storage.threads import ThreadRepository


class Storage:
    """Everything threadbot keeps: ``async with Storage(path) as db:`` (or ``open``/``close``).

    ``db.threads``, ``db.comments`` (with authors and search), ``db.edges``,
    ``db.summaries``, ``db.guilds``, ``db.replays`` and ``db.meta`` share one
    :class:`~bot.storage.database.Database` (one writer, one reader);
    :meth:`ingest` writes a thread across all of them in one transaction.
    """

    def __init__(self, path: str | Path) -> None:
        self.database = Database(path)
        self.threads = ThreadRepository(self.database)
        self.comments = CommentRepository(self.database)
        self.edges = EdgeRepository(self.database)
        self.summaries = SummaryRepository(self.database)
        self.guilds = GuildRepository(self.database)
        self.replays = ReplayRepository(self.database)
        self.meta = MetaRepository(self.database)

    @property
    def path(self) -> Path:
        return self.database.path

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

    async def schema_version(self) -> int:
        return await self.database.schema_version()

    async def integrity_check(self) -> str:
        """``PRAGMA integrity_check``'s answer: ``"ok"`` for a sound file."""
        return await self.database.integrity_check()
