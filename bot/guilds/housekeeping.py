"""What happens to a server's data when the bot leaves it.

Leaving starts a grace period (:data:`bot.guilds.config.GRACE_PERIOD`): a server that
re-adds the bot within it finds its imports and settings as they were; after it,
they are purged. Time is always passed in, so tests drive it with a fake clock.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Collection
from datetime import datetime

from bot.guilds.config import GRACE_PERIOD, purge_due
from bot.storage import Storage

log = logging.getLogger(__name__)


async def purge_expired(storage: Storage, now: datetime) -> dict[int, int]:
    """Purge every server left at least :data:`GRACE_PERIOD` before ``now``.

    Returns ``{guild_id: threads removed}`` for the servers purged.
    """
    purged: dict[int, int] = {}
    for guild_id, left_at in sorted((await storage.guilds.left()).items()):
        if purge_due(left_at, now, GRACE_PERIOD):
            purged[guild_id] = await storage.guilds.purge(guild_id)
            log.info(
                "purged server %s (left %s): %d imported thread(s) and its settings",
                guild_id,
                left_at.isoformat(),
                purged[guild_id],
            )
    return purged


def shard_of(guild_id: int, shard_count: int) -> int:
    """The shard Discord sends a server's events to."""
    return (guild_id >> 22) % shard_count


def serves(guild_id: int, shard_count: int | None, shard_ids: Collection[int] | None) -> bool:
    """Whether a process with these shard settings serves ``guild_id`` (no settings: all)."""
    if shard_count is None or shard_ids is None:
        return True
    return shard_of(guild_id, shard_count) in shard_ids


async def reconcile(
    storage: Storage,
    present: Collection[int],
    now: datetime,
    mine: Callable[[int], bool] = lambda guild_id: True,
) -> tuple[frozenset[int], frozenset[int]]:
    """Match the records to the servers the bot is in after connecting.

    A server with data that the bot is no longer in was left while the bot was
    offline (no ``on_guild_remove`` arrived): its grace period starts ``now``. A
    server marked as left that the bot is in again is unmarked. Only servers
    ``mine`` accepts are looked at: a process serving some shards sees only their
    servers, and the others' are not gone. Returns ``(newly marked as left, unmarked)``.
    """
    present_set = set(present)
    left = await storage.guilds.left()
    gone = {g for g in await storage.guilds.with_data() if mine(g)} - present_set - set(left)
    back = set(left) & present_set
    for guild_id in sorted(gone):
        await storage.guilds.mark_left(guild_id, now)
    for guild_id in sorted(back):
        await storage.guilds.mark_returned(guild_id)
    return frozenset(gone), frozenset(back)
