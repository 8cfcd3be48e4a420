"""Cached summaries, keyed by the thread version (content hash) they were made from."""

from __future__ import annotations

from bot.storage.database import now
from bot.storage.repository import Repository


class SummaryRepository(Repository):
    async def get(self, thread_id: int, subject: str, engine: str, content_hash: str) -> str | None:
        """A cached summary payload for this exact thread version, if any."""
        payload = await self._db.read.scalar(
            "SELECT payload FROM summaries WHERE thread_id = ? AND subject = ? AND engine = ? "
            "AND content_hash = ?",
            (thread_id, subject, engine, content_hash),
        )
        return None if payload is None else str(payload)

    async def put(
        self, thread_id: int, subject: str, engine: str, content_hash: str, payload: str
    ) -> None:
        await self._db.execute_write(
            "INSERT INTO summaries (thread_id, subject, engine, content_hash, payload, "
            "created_at) VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (thread_id, subject, engine) "
            "DO UPDATE SET content_hash = excluded.content_hash, payload = excluded.payload, "
            "created_at = excluded.created_at",
            (thread_id, subject, engine, content_hash, payload, now()),
        )
