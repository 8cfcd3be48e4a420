"""Threads: resolved by id, slug, file name or title; scoped to the shipped ones plus a guild's."""

from __future__ import annotations

from dataclasses import replace

from bot.sources.capture import parse_thread
from bot.sources.loading import ingest_thread
from bot.storage import Storage


async def test_guild_scoping(seeded: Storage, seed_text: str) -> None:
    mine = replace(parse_thread(seed_text.replace("Iraq", "Guild"), "mine.txt"))
    result = await ingest_thread(seeded, mine, guild_id=111)
    assert result.status == "added"
    assert await seeded.threads.count(111) == 2
    assert await seeded.threads.count(222) == 1
    assert await seeded.threads.count(None) == 1
    assert await seeded.threads.get(result.thread_id, 222) is None
    assert await seeded.threads.get(result.thread_id, None) is None
    assert await seeded.threads.get(result.thread_id, 111) is not None
    assert await seeded.threads.find(result.slug, 222) is None
    assert [c[0] for c in await seeded.threads.choices(222)] == [1]
    # the same content imported in two guilds is two threads
    again = await ingest_thread(seeded, mine, guild_id=222)
    assert again.status == "added" and again.thread_id != result.thread_id
    assert await seeded.threads.delete(result.thread_id)
    assert await seeded.threads.get(result.thread_id, 111) is None
    assert await seeded.threads.count(222) == 2
