"""Per-server rows: ``/threadbot config`` values, when the bot left, and the purge after.

One row per server: its settings (JSON, read through ``bot.guilds.config``) and,
once the bot has left it, when (``left_at``), so that housekeeping purges the
server's imports and settings after the grace period.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

from bot.storage.database import SHIPPED
from bot.storage.ingest import delete_rows
from bot.storage.repository import Repository


class GuildRepository(Repository):
    async def settings(self, guild_id: int) -> dict[str, Any]:
        """The stored settings of one server (``{}`` when it never changed any)."""
        raw = await self._db.read.scalar(
            "SELECT settings FROM guild_settings WHERE guild_id = ?", (guild_id,)
        )
        if raw is None:
            return {}
        try:
            data = json.loads(raw)
        except ValueError:
            return {}
        return data if isinstance(data, dict) else {}

    async def put_settings(self, guild_id: int, settings: dict[str, Any]) -> None:
        """Replace one server's settings (its ``left_at`` is kept)."""
        await self._db.execute_write(
            "INSERT INTO guild_settings (guild_id, settings) VALUES (?, ?) "
            "ON CONFLICT (guild_id) DO UPDATE SET settings = excluded.settings",
            (guild_id, json.dumps(settings, ensure_ascii=False, sort_keys=True)),
        )

    async def mark_left(self, guild_id: int, when: datetime) -> None:
        """Record that the bot left ``guild_id`` at ``when`` (an earlier record is kept)."""
        await self._db.execute_write(
            "INSERT INTO guild_settings (guild_id, settings, left_at) VALUES (?, '{}', ?) "
            "ON CONFLICT (guild_id) DO UPDATE SET "
            "left_at = coalesce(guild_settings.left_at, excluded.left_at)",
            (guild_id, when.astimezone(UTC).isoformat(timespec="seconds")),
        )

    async def mark_returned(self, guild_id: int) -> bool:
        """Forget that the bot had left ``guild_id``; ``True`` if it was marked."""
        changed = await self._db.execute_write(
            "UPDATE guild_settings SET left_at = NULL WHERE guild_id = ? AND left_at IS NOT NULL",
            (guild_id,),
        )
        return changed > 0

    async def left(self) -> dict[int, datetime]:
        """Servers the bot has left and when, for housekeeping."""
        rows = await self._db.read.all(
            "SELECT guild_id, left_at FROM guild_settings WHERE left_at IS NOT NULL"
        )
        out: dict[int, datetime] = {}
        for row in rows:
            when = datetime.fromisoformat(str(row[1]))
            out[int(row[0])] = when if when.tzinfo else when.replace(tzinfo=UTC)
        return out

    async def with_data(self) -> set[int]:
        """Servers that own imported threads or stored settings."""
        rows = await self._db.read.all(
            "SELECT guild_id FROM threads WHERE guild_id != ? "
            "UNION SELECT guild_id FROM guild_settings",
            (SHIPPED,),
        )
        return {int(r[0]) for r in rows}

    async def purge(self, guild_id: int) -> int:
        """Remove a server's imports (and all derived rows), replays and settings in one
        transaction; returns how many threads went. Shipped threads are never touched."""
        if guild_id == SHIPPED:
            raise ValueError("the shipped threads belong to no server and are never purged")
        async with self._db.write() as tx:
            rows = await tx.all("SELECT id FROM threads WHERE guild_id = ?", (guild_id,))
            thread_ids = [int(r[0]) for r in rows]
            for thread_id in thread_ids:
                await delete_rows(self._db, tx, thread_id)
            await tx.execute("DELETE FROM replays WHERE guild_id = ?", (guild_id,))
            await tx.execute("DELETE FROM threads WHERE guild_id = ?", (guild_id,))
            await tx.execute("DELETE FROM guild_settings WHERE guild_id = ?", (guild_id,))
        return len(thread_ids)
