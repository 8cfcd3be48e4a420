"""Leases: work one process of several does, on both backends (the race is one statement)."""

from __future__ import annotations

import asyncio

from bot.storage import Storage
from tests.bot.replay.conftest import new_replay, seed_thread


async def test_a_named_lease_has_one_holder_until_it_lapses(storage: Storage) -> None:
    assert await storage.leases.acquire("housekeeping", "a", until=100.0, now=10.0)
    assert await storage.leases.acquire("housekeeping", "a", until=150.0, now=20.0)  # renew
    assert not await storage.leases.acquire("housekeeping", "b", until=200.0, now=149.0)
    assert await storage.leases.acquire("housekeeping", "b", until=300.0, now=151.0)
    assert not await storage.leases.acquire("housekeeping", "a", until=400.0, now=160.0)
    await storage.leases.release("housekeeping", "a")  # not a's any more: nothing happens
    assert not await storage.leases.acquire("housekeeping", "a", until=400.0, now=160.0)
    await storage.leases.release("housekeeping", "b")
    assert await storage.leases.acquire("housekeeping", "a", until=400.0, now=160.0)


async def test_racing_claims_have_one_winner(seeded: Storage) -> None:
    thread = await seed_thread(seeded)
    replay = await new_replay(seeded, thread)
    await seeded.replays.release(replay.id, "nobody")  # a replay no process holds
    wins = await asyncio.gather(
        *(seeded.replays.claim(replay.id, f"p{i}", until=100.0, now=1.0) for i in range(8))
    )
    assert sum(wins) == 1


async def test_a_replay_lease_is_renewed_lost_released_and_forced(seeded: Storage) -> None:
    thread = await seed_thread(seeded)
    replay = await new_replay(seeded, thread)
    assert await seeded.replays.claim(replay.id, "a", until=100.0, now=1.0)
    assert await seeded.replays.renew(replay.id, "a", until=200.0)
    assert not await seeded.replays.claim(replay.id, "b", until=300.0, now=199.0)
    assert await seeded.replays.claim(replay.id, "b", until=300.0, now=201.0)  # lapsed
    assert not await seeded.replays.renew(replay.id, "a", until=400.0)  # a lost it
    assert await seeded.replays.claim(replay.id, "c", until=500.0, now=202.0, force=True)
    await seeded.replays.release(replay.id, "b")  # not b's any more
    assert not await seeded.replays.claim(replay.id, "d", until=500.0, now=203.0)
    await seeded.replays.release(replay.id, "c")
    assert await seeded.replays.claim(replay.id, "d", until=500.0, now=203.0)
    assert await seeded.replays.end(replay.id, "stopped")
    # A replay that no longer runs is nobody's to renew or claim (stopped elsewhere).
    assert not await seeded.replays.renew(replay.id, "d", until=600.0)
    assert not await seeded.replays.claim(replay.id, "d", until=600.0, now=204.0, force=True)
