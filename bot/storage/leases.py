"""Named jobs that one process at a time may do (housekeeping), across every process on
the database: whoever holds the lease row until its time runs out."""

from __future__ import annotations

import os
import secrets
import socket

from bot.storage.repository import Repository


def process_name() -> str:
    """This process among all that share the database: host, pid and a random part."""
    return f"{socket.gethostname()}:{os.getpid()}:{secrets.token_hex(4)}"


class LeaseRepository(Repository):
    async def acquire(self, name: str, owner: str, until: float, now: float) -> bool:
        """Take (or keep) the lease ``name`` until ``until`` (epoch seconds); ``False`` while
        another owner holds it past ``now``. One statement: two processes never both win."""
        taken = await self._db.execute_write(
            "INSERT INTO leases (name, owner, until) VALUES (?, ?, ?) "
            "ON CONFLICT (name) DO UPDATE SET owner = excluded.owner, until = excluded.until "
            "WHERE leases.owner = excluded.owner OR leases.until < ?",
            (name, owner, until, now),
        )
        return taken > 0

    async def release(self, name: str, owner: str) -> None:
        """Give the lease up early (only its owner can)."""
        await self._db.execute_write(
            "DELETE FROM leases WHERE name = ? AND owner = ?", (name, owner)
        )
