"""The bulk read a summary's worker process does: the same thread as the repositories give."""

from __future__ import annotations

import asyncio

from bot.storage import Storage
from bot.storage.snapshot import read_thread
from bot.workers import run_in_worker, shutdown_workers


async def test_read_thread_gives_what_the_repositories_give(seeded: Storage) -> None:
    thread = await seeded.threads.find("iraq-cease-fire-over", any_guild=True)
    assert thread is not None and seeded.target is not None
    comments = await seeded.comments.all(thread.id)
    edges = await seeded.edges.all(thread.id)
    assert len(comments) == 31 and edges
    assert any(p.quote is not None for c in comments for p in c.paragraphs)
    # Blocking (asyncio.run inside, for PostgreSQL): off this test's event loop.
    assert await asyncio.to_thread(read_thread, seeded.target, thread.id) == (comments, edges)
    # What a worker process reads, opening the database by itself.
    try:
        assert await run_in_worker(read_thread, seeded.target, thread.id) == (comments, edges)
    finally:
        await shutdown_workers()


async def test_an_unknown_thread_reads_as_empty(seeded: Storage) -> None:
    assert seeded.target is not None
    assert await asyncio.to_thread(read_thread, seeded.target, 10**6) == ([], [])


def test_an_in_memory_database_has_no_target_for_other_processes() -> None:
    assert Storage(":memory:").target is None
    assert Storage("some/file.db").target == str(Storage("some/file.db").path.absolute())
