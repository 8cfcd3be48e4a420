"""Sharded processes: which servers a process serves, and reconciling only those."""

from __future__ import annotations

from datetime import UTC, datetime

from bot.guilds.housekeeping import reconcile, serves, shard_of
from bot.storage import Storage

NOW = datetime(2026, 11, 27, 12, tzinfo=UTC)


def test_a_server_belongs_to_one_shard() -> None:
    guild = 81384788765712384
    assert shard_of(guild, 1) == 0
    assert shard_of(guild, 2) == (guild >> 22) % 2
    owners = [ids for ids in ([0], [1]) if serves(guild, 2, ids)]
    assert len(owners) == 1
    assert serves(guild, None, None) and serves(guild, 2, None)
    assert {shard_of(g << 22, 4) for g in range(8)} == {0, 1, 2, 3}


async def test_reconcile_leaves_other_processes_servers_alone(storage: Storage) -> None:
    even, odd = 2 << 22, 3 << 22  # shards 0 and 1 of 2
    for guild in (even, odd):
        await storage.guilds.put_settings(guild, {"replay_max_running": 1})

    def shard0(guild_id: int) -> bool:
        return serves(guild_id, 2, [0])

    # The shard-0 process sees none of its servers: only `even` is gone; `odd` is not its.
    gone, back = await reconcile(storage, set(), NOW, shard0)
    assert (gone, back) == (frozenset({even}), frozenset())
    assert set(await storage.guilds.left()) == {even}
