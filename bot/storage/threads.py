"""Stored threads: finding, listing and deleting them (storing one is ``Storage.ingest``).

A caller sees the shipped threads plus its own guild's imports (``guild_id=None``
is a DM: shipped threads only).
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from bot.models import StoredThread
from bot.storage.database import NO_LIMIT, Row, marks, visible
from bot.storage.ingest import delete_thread
from bot.storage.repository import Repository


def _thread(row: Row) -> StoredThread:
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
        quoted=tuple(json.loads(row["quoted"])),
    )


class ThreadRepository(Repository):
    async def _select(
        self, where: str, params: Sequence[Any], tail: str = ""
    ) -> list[StoredThread]:
        rows = await self._db.read.all(f"SELECT * FROM threads WHERE {where} {tail}", params)
        return [_thread(r) for r in rows]

    async def visible(
        self, guild_id: int | None = None, *, offset: int = 0, limit: int = -1
    ) -> list[StoredThread]:
        """Threads visible from ``guild_id`` (``None``: a DM), newest guild imports last."""
        scope = visible(guild_id)
        return await self._select(
            f"guild_id IN ({marks(scope)})",
            (*scope, limit if limit >= 0 else NO_LIMIT, offset),
            "ORDER BY guild_id, id LIMIT ? OFFSET ?",
        )

    async def count(self, guild_id: int | None = None) -> int:
        """How many threads :meth:`visible` lists."""
        scope = visible(guild_id)
        n = await self._db.read.scalar(
            f"SELECT count(*) FROM threads WHERE guild_id IN ({marks(scope)})", scope
        )
        return int(n or 0)

    async def all(self) -> list[StoredThread]:
        """Every thread of every guild: for the CLI and housekeeping only."""
        return await self._select("TRUE", (), "ORDER BY guild_id, id")

    async def get(self, thread_id: int, guild_id: int | None = None) -> StoredThread | None:
        """A thread by id, or ``None`` when it does not exist or is not visible there."""
        scope = visible(guild_id)
        rows = await self._select(f"id = ? AND guild_id IN ({marks(scope)})", (thread_id, *scope))
        return rows[0] if rows else None

    async def find(
        self, query: str, guild_id: int | None = None, *, any_guild: bool = False
    ) -> StoredThread | None:
        """Resolve a thread by id, slug, source file name or exact title (case-insensitive)."""
        query = query.strip()
        scope: tuple[int, ...] = ()
        if any_guild:
            where = "TRUE"
        else:
            scope = visible(guild_id)
            where = f"guild_id IN ({marks(scope)})"
        if query.isdigit():
            rows = await self._select(f"{where} AND id = ?", (*scope, int(query)))
            if rows:
                return rows[0]
        rows = await self._select(
            f"{where} AND (slug = ? OR source = ? OR lower(title) = lower(?))",
            (*scope, query.lower(), query, query),
            "ORDER BY guild_id DESC, id LIMIT 1",
        )
        return rows[0] if rows else None

    async def choices(self, guild_id: int | None, limit: int = 500) -> list[tuple[int, str, str]]:
        """``(id, slug, title)`` of visible threads, for autocomplete to rank."""
        scope = visible(guild_id)
        rows = await self._db.read.all(
            f"SELECT id, slug, title FROM threads WHERE guild_id IN ({marks(scope)}) "
            "ORDER BY guild_id DESC, id DESC LIMIT ?",
            (*scope, limit),
        )
        return [(int(r[0]), str(r[1]), str(r[2])) for r in rows]

    async def delete(self, thread_id: int) -> bool:
        """Remove a thread and everything derived from it, in one transaction."""
        return await delete_thread(self._db, thread_id)
