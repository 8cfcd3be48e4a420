"""50 users at once while a big thread is re-imported: everyone gets a right answer, nobody waits.

One ``Storage`` (as the bot has) holds the seed thread and an old version of a
big synthetic thread. A new version of the big thread is ingested through the
real path (``ingest_thread``: reply inference, then one write transaction)
while 50 concurrent "users" keep calling the storage functions the commands
use: paging comments, one person's comments with and without a search,
counts, reply edges, participants, autocomplete choices, thread lookup.

Checked: no call raises (in particular no ``database is locked``); answers
about the seed thread are exactly what they were before; every answer about
the big thread is wholly the old version or wholly the new one (a comment's
header and its paragraphs never come from different versions); and calls are
answered during both phases of the ingest, reply inference (the event loop is
not blocked) and the write transaction (WAL readers are not blocked).

Every test runs on SQLite and on PostgreSQL (``make_db``), where readers use the pool
outside the writer's transaction and a second ``Storage`` stands for a second process:
its writes wait on the advisory lock instead of SQLite's file lock.
"""

from __future__ import annotations

import asyncio
import itertools
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import Any

import pytest

from benchmarks.synthetic import generate_thread
from bot.models import IngestResult, ReplyStructure, StoredComment, Thread
from bot.sources.capture import parse_thread
from bot.sources.loading import ingest_files, ingest_thread
from bot.storage import SHIPPED, Storage
from tests.backends import MakeDb
from tests.conftest import SEEDS

pytestmark = pytest.mark.slow  # concurrency under load

USERS = 50
OLD_COMMENTS = 600
NEW_COMMENTS = 2000
SOURCE = "big.txt"

Shape = tuple[int, str, tuple[str, ...]]


def shape(comment: StoredComment) -> Shape:
    return comment.number, comment.author, tuple(p.text for p in comment.paragraphs)


class PhasedStorage(Storage):
    """Storage that notes when the write transaction of an ingest starts and ends."""

    def __init__(self, target: Path | str) -> None:
        super().__init__(target)
        self.phase = "inference"

    async def ingest(
        self,
        thread: Thread,
        replies: ReplyStructure,
        *,
        guild_id: int = SHIPPED,
        inference_version: int = 0,
    ) -> IngestResult:
        self.phase = "writing"
        try:
            return await super().ingest(
                thread, replies, guild_id=guild_id, inference_version=inference_version
            )
        finally:
            self.phase = "done"


@dataclass
class Answers:
    """Completed calls per ingest phase, and any failure."""

    phases: dict[str, int] = field(default_factory=dict)
    errors: list[BaseException] = field(default_factory=list)


async def test_fifty_users_during_a_big_ingest(make_db: MakeDb) -> None:
    old = generate_thread(OLD_COMMENTS, 11)
    new_thread = parse_thread(generate_thread(NEW_COMMENTS, 12).text, SOURCE)
    async with PhasedStorage(await make_db("threadbot.db")) as db:
        assert (await ingest_files(db, [SEEDS])).ok
        big_id = (await db.ingest(parse_thread(old.text, SOURCE), old.expected)).thread_id
        seed = await db.threads.find("iraq-cease-fire-over")
        assert seed is not None
        old_big = await db.threads.get(big_id)
        assert old_big is not None
        old_shapes = {c.seq: shape(c) for c in await db.comments.all(big_id)}
        old_authors = [a.name for a in await db.comments.authors(big_id)]

        # What the seed-thread calls answer before any ingest: they must not change.
        seed_calls: list[Callable[[], Awaitable[Any]]] = [
            *(partial(db.comments.page, seed.id, start=k, limit=1) for k in (1, 5, 12, 31)),
            lambda: db.comments.by_author(seed.id, "Bithead"),
            lambda: db.comments.by_author(seed.id, "Michael", query="israel"),
            lambda: db.comments.by_author(seed.id, "dc loser", query="iran", offset=1, limit=2),
            lambda: db.comments.count_by_author(seed.id, "Bithead"),
            lambda: db.comments.count_by_author(seed.id, "Michael", query="isra"),
            lambda: db.edges.of_comment(seed.id, 12),
            lambda: db.comments.authors(seed.id),
            lambda: db.threads.find("iraq-cease-fire-over", 123),
            lambda: db.comments.get(seed.id, 11),
        ]
        expected_seed = [await call() for call in seed_calls]

        answers = Answers()
        big_results: list[list[StoredComment]] = []
        lookups: list[tuple[str, int, str]] = []

        def record() -> None:
            answers.phases[db.phase] = answers.phases.get(db.phase, 0) + 1

        async def seed_user(n: int) -> None:
            call, expected = seed_calls[n % len(seed_calls)], expected_seed[n % len(seed_calls)]
            while True:
                phase = db.phase
                assert await call() == expected, (n, phase)
                record()
                if phase == "done":
                    return

        async def big_user(n: int) -> None:
            author = old_authors[n % len(old_authors)]
            for round_ in itertools.count():
                phase = db.phase
                kind = (n + round_) % 5
                if kind == 0:
                    big_results.append(await db.comments.page(big_id, start=1 + n * 7, limit=5))
                elif kind == 1:
                    big_results.append(await db.comments.by_author(big_id, author, limit=10))
                elif kind == 2:
                    comment = await db.comments.get(big_id, 1 + n * 11)
                    assert comment is not None
                    big_results.append([comment])
                elif kind == 3:
                    found = await db.threads.find(SOURCE)
                    assert found is not None and found.id == big_id
                    lookups.append((found.content_hash, found.comment_count, found.title))
                else:
                    choices = await db.threads.choices(123)
                    assert {c[0] for c in choices} == {seed.id, big_id}
                    assert {c[1] for c in choices} == {seed.slug, old_big.slug}
                record()
                if phase == "done":
                    return

        async def user(n: int) -> None:
            try:
                await (seed_user(n) if n % 2 else big_user(n))
            except BaseException as exc:
                answers.errors.append(exc)
                raise

        db.phase = "inference"  # the old version's ingest above went through the phases too
        ingest = asyncio.create_task(ingest_thread(db, new_thread))
        await asyncio.sleep(0)  # the ingest starts first: inference is under way
        results = await asyncio.gather(
            *(user(n) for n in range(USERS)), ingest, return_exceptions=True
        )
        failures = [r for r in results if isinstance(r, BaseException)]
        assert not failures, failures[:3]
        result = results[-1]
        assert isinstance(result, IngestResult) and result.status == "replaced"

        new_shapes = {c.seq: shape(c) for c in await db.comments.all(big_id)}
        assert len(new_shapes) == NEW_COMMENTS
        for comments in big_results:
            shapes = [(c.seq, shape(c)) for c in comments]
            in_old = all(old_shapes.get(seq) == s for seq, s in shapes)
            in_new = all(new_shapes.get(seq) == s for seq, s in shapes)
            assert in_old or in_new, f"a mix of versions: {shapes[:2]}"
        versions = {
            (old_big.content_hash, OLD_COMMENTS, old_big.title),
            (new_thread.content_hash, NEW_COMMENTS, new_thread.title),
        }
        assert set(lookups) <= versions
        # Calls were answered while inference ran and while the write transaction was open.
        assert answers.phases.get("inference", 0) > 0, answers.phases
        assert answers.phases.get("writing", 0) > 0, answers.phases
        assert await db.integrity_check() == "ok"


async def test_reads_never_mix_two_versions_of_a_replaced_thread(make_db: MakeDb) -> None:
    """A thread replaced back and forth under 20 paging readers: no answer is half of each.

    Replacing a thread reuses its comment ids, so a page read as two statements (heads,
    then paragraphs) with a commit in between would pair one version's authors with the
    other's text.
    """
    made = [generate_thread(300, 21), generate_thread(300, 22)]
    threads = [parse_thread(m.text, SOURCE) for m in made]
    async with Storage(await make_db("threadbot.db")) as db:
        shapes: list[dict[int, Shape]] = []
        for thread, m in zip(threads, made, strict=True):
            thread_id = (await db.ingest(thread, m.expected)).thread_id
            shapes.append({c.seq: shape(c) for c in await db.comments.all(thread_id)})
        assert shapes[0] != shapes[1]
        pages: list[list[StoredComment]] = []
        writing = True

        async def reader(n: int) -> None:
            while writing:
                pages.append(await db.comments.page(thread_id, start=1 + n * 13 % 290, limit=10))

        readers = [asyncio.create_task(reader(n)) for n in range(20)]
        try:
            for i in range(8):
                await db.ingest(threads[i % 2], made[i % 2].expected)
        finally:
            writing = False
            await asyncio.gather(*readers)
        assert len(pages) > 20
        for page in pages:
            assert len(page) == 10
            got = {c.seq: shape(c) for c in page}
            assert any(all(v[seq] == s for seq, s in got.items()) for v in shapes), page[0]


async def test_bot_writes_wait_for_another_process_ingesting(make_db: MakeDb) -> None:
    """``python -m bot ingest`` on the bot's database while the bot runs: no "database is locked".

    The CLI's ``Storage`` is a second set of connections, so the bot's writes meet
    SQLite's own lock (not the in-process write lock) and must wait it out. Each
    writer reads its value straight back while others page comments on the same
    reader connection: it must see its own write (it did not while aiosqlite ran a
    statement's ``execute`` and ``fetch`` as separate jobs, others' reads in between).
    """
    made = generate_thread(NEW_COMMENTS, 31)
    thread = parse_thread(made.text, SOURCE)
    target = await make_db("db")
    async with Storage(target) as bot, PhasedStorage(target) as cli:
        assert (await ingest_files(bot, [SEEDS])).ok
        seed = await bot.threads.find("iraq-cease-fire-over")
        assert seed is not None
        started_while_locked = 0

        async def bot_user(n: int) -> int:
            nonlocal started_while_locked
            for round_ in itertools.count():
                phase = cli.phase
                started_while_locked += phase == "writing"
                if n % 3 == 0:
                    await bot.meta.set(f"user-{n}", str(round_))
                    assert await bot.meta.get(f"user-{n}") == str(round_)
                else:
                    page = await bot.comments.page(seed.id, start=1 + n % 31, limit=1)
                    assert page[0].seq == 1 + n % 31
                if phase == "done":
                    return round_
            raise AssertionError("unreachable")

        cli.phase = "inference"
        users = [asyncio.create_task(bot_user(n)) for n in range(USERS)]
        result = await cli.ingest(thread, made.expected)
        rounds = await asyncio.gather(*users)
        assert result.status == "added" and result.comment_count == NEW_COMMENTS
        assert all(r >= 0 for r in rounds)
        assert started_while_locked > 0
        found = await bot.threads.find(SOURCE)
        assert found is not None and found.comment_count == NEW_COMMENTS
