"""Small key/value facts (e.g. the hash of the last synced command set)."""

from __future__ import annotations

from bot.storage.repository import Repository


class MetaRepository(Repository):
    async def get(self, key: str) -> str | None:
        value = await self._db.read.scalar("SELECT value FROM meta WHERE key = ?", (key,))
        return None if value is None else str(value)

    async def set(self, key: str, value: str) -> None:
        await self._db.execute_write(
            "INSERT INTO meta (key, value) VALUES (?, ?) "
            "ON CONFLICT (key) DO UPDATE SET value = excluded.value",
            (key, value),
        )
