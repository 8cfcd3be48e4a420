"""Synthetic data for the benchmarks, from ``benchmarks.synthetic.generate_thread`` (seeded).

* ``ingest_items``: thread files (text) adding up to the ingest size;
* ``cached_corpus``: the large database for the latency and memory measurements,
  built once through the real ingest path and kept under the cache folder.

The corpus is built by the real path, ``parse_thread`` → ``infer_replies`` →
``Storage.ingest``, with generation, parsing and inference done in worker processes
(they are pure functions of the text) while the main process stores each thread as
soon as it is ready, in generation order: the database is exactly what ingesting
those files one by one would store.

Its file name carries a hash of the sizes and the seeds only, not of the code: while
several people change ``bot/`` every few minutes, a 1,000,000-comment build (many
minutes) would otherwise never be reused. A newer schema is applied by ``Storage``'s
migrations when the run opens it, as it would be for a deployed bot. The hash of every
``bot`` module on the ingest path at build time is kept in the database's ``meta``
table, and the run's ``corpus`` row says whether today's code still matches it; delete
the cache folder to rebuild with today's generator, parser, inference and storage.
"""

from __future__ import annotations

import asyncio
import hashlib
import math
import multiprocessing
import os
import random
import sqlite3
import sys
import time
from collections.abc import Iterator
from pathlib import Path

from benchmarks.common import Figure, Sizes, console
from benchmarks.synthetic import SyntheticThread, generate_thread
from bot.inference.replies import infer_replies
from bot.models import ReplyStructure, Thread
from bot.sources.capture import parse_thread
from bot.storage import Storage

INGEST_SEED = 100_000
CORPUS_SEED = 1_000_000
INGEST_THREAD_COMMENTS = (200, 2_000)


def thread(comments: int, seed: int) -> SyntheticThread:
    return generate_thread(comments, seed)


def thread_sizes(total: int, low: int, high: int, seed: int) -> list[int]:
    """Log-uniform thread sizes in ``[low, high]`` adding up to exactly ``total``."""
    rng = random.Random(seed)
    sizes: list[int] = []
    left = total
    while left > 0:
        n = min(left, round(math.exp(rng.uniform(math.log(low), math.log(high)))))
        sizes.append(n)
        left -= n
    return sizes


def ingest_items(sizes: Sizes) -> list[tuple[str, str]]:
    """``(source, text)`` thread files adding up to ``sizes.ingest_comments`` comments."""
    low, high = INGEST_THREAD_COMMENTS
    if sizes.ingest_comments < 10 * high:
        low, high = max(50, sizes.ingest_comments // 20), max(100, sizes.ingest_comments // 5)
    counts = thread_sizes(sizes.ingest_comments, low, high, INGEST_SEED)
    start = time.perf_counter()
    out = []
    for i, n in enumerate(counts):
        t = thread(n, INGEST_SEED + i)
        out.append((t.source, t.text))
    console.print(
        f"  generated {len(counts)} threads, {sizes.ingest_comments:,} comments "
        f"({time.perf_counter() - start:.1f} s)"
    )
    return out


# ---- the large corpus -------------------------------------------------------------------


def _ingest_path_sources() -> list[Path]:
    """Source files of every ``bot`` module loaded for generating and ingesting."""
    import bot.sources.loading  # noqa: F401  (the real path's imports, for the list below)

    files = []
    for name, module in sorted(sys.modules.items()):
        path = getattr(module, "__file__", None)
        if (name == "bot" or name.startswith("bot.")) and path:
            files.append(Path(path))
    return files


META_CODE = "bench_corpus_code"
"""``meta`` key holding :func:`code_hash` of the code that built the corpus."""


def code_hash() -> str:
    """Hash of the source of the ``bot`` modules on the ingest path."""
    digest = hashlib.sha256()
    for path in _ingest_path_sources():
        digest.update(path.name.encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()[:12]


def corpus_key(sizes: Sizes) -> str:
    digest = hashlib.sha256()
    digest.update(
        repr((sizes.corpus_comments, sizes.corpus_thread_comments, CORPUS_SEED, "v3")).encode()
    )
    return digest.hexdigest()[:12]


def built_by(db: Path) -> str | None:
    """:func:`code_hash` recorded when ``db`` was built (``None`` for an older cache)."""
    conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    try:
        row = conn.execute("SELECT value FROM meta WHERE key = ?", (META_CODE,)).fetchone()
    except sqlite3.OperationalError:
        row = None
    finally:
        conn.close()
    return str(row[0]) if row else None


def _prepare(job: tuple[int, int]) -> tuple[Thread, ReplyStructure]:
    """Worker: generate one thread file, parse it and infer its replies (pure functions)."""
    comments, seed = job
    made = generate_thread(comments, seed)
    parsed = parse_thread(made.text, made.source)
    return parsed, infer_replies(parsed)


def _workers() -> int:
    """Worker processes for the build: ``THREADBOT_BENCH_WORKERS``, else up to two."""
    wanted = os.environ.get("THREADBOT_BENCH_WORKERS", "")
    if wanted.isdigit() and int(wanted) > 0:
        return int(wanted)
    return max(1, min(2, (os.cpu_count() or 1)))


async def _store(db: Path, prepared: Iterator[tuple[Thread, ReplyStructure]], total: int) -> None:
    done = 0
    step = max(1, total // 20)
    mark = step
    start = time.perf_counter()
    async with Storage(db) as storage:
        for parsed, replies in prepared:
            await storage.ingest(parsed, replies)
            done += len(parsed.comments)
            if done >= mark:
                rate = done / (time.perf_counter() - start)
                console.print(
                    f"  corpus: {done:,}/{total:,} comments stored ({rate:,.0f}/s, "
                    f"about {(total - done) / rate:.0f} s left)"
                )
                mark += step
        await storage.meta.set(META_CODE, code_hash())


def build_corpus(db: Path, sizes: Sizes) -> None:
    low, high = sizes.corpus_thread_comments
    counts = thread_sizes(sizes.corpus_comments, low, high, CORPUS_SEED)
    jobs = [(n, CORPUS_SEED + i) for i, n in enumerate(counts)]
    console.print(
        f"  building the corpus: {len(jobs)} threads, {sizes.corpus_comments:,} comments, "
        f"{_workers()} worker processes (parse + infer), stored by Storage.ingest"
    )
    # Fork the workers before asyncio and aiosqlite start any thread.
    with multiprocessing.get_context("fork").Pool(_workers()) as pool:
        asyncio.run(_store(db, pool.imap(_prepare, jobs), sizes.corpus_comments))


def cached_corpus(cache: Path, sizes: Sizes) -> Path:
    """The corpus database for these sizes and this code, built now if it is not cached."""
    cache.mkdir(parents=True, exist_ok=True)
    name = f"corpus-{sizes.name}-{corpus_key(sizes)}.db"
    db = cache / name
    if db.exists():
        console.print(f"  corpus: using cached {db}")
        return db
    for stale in cache.glob(f"corpus-{sizes.name}-*.db*"):
        console.print(f"  corpus: removing stale {stale.name}")
        stale.unlink()
    building = cache / (name + ".building")
    for leftover in cache.glob(name + ".building*"):
        leftover.unlink()
    start = time.perf_counter()
    build_corpus(building, sizes)
    conn = sqlite3.connect(building)
    try:  # fold the write-ahead log into the file before it gets its final name
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        conn.execute("PRAGMA journal_mode = DELETE")
    finally:
        conn.close()
    building.replace(db)
    console.print(f"  corpus built in {time.perf_counter() - start:.0f} s: {db}")
    return db


def describe(db: Path) -> Figure:
    """An info row: what the corpus holds and whether today's code built it."""
    conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    try:
        counts = {
            table: int(conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0])
            for table in ("threads", "comments", "paragraphs", "edges", "authors")
        }
    finally:
        conn.close()
    built, now = built_by(db), code_hash()
    same = built == now
    mb = db.stat().st_size / 1024 / 1024
    return Figure(
        key="corpus",
        title=f"corpus for latency and memory: {counts['comments']:,} comments",
        ratio=None,
        ratio_of="",
        target="—",
        status="info",
        value=mb,
        unit="MB",
        note=(
            f"{counts['threads']:,} threads, {counts['paragraphs']:,} paragraphs, "
            f"{counts['edges']:,} edges; built by "
            + ("this code" if same else f"code {built} (now {now}: bot/ changed since)")
        ),
        details={"rows": counts, "file_mb": mb, "built_by": built, "code_now": now},
    )


STORAGE_TARGET = 1000
"""Bytes of database file per stored comment, at most (issue 17.5)."""


def storage_size(db: Path) -> Figure:
    """Bytes of file per comment in the corpus database, everything included (indexes,
    search, free pages), against :data:`STORAGE_TARGET`."""
    conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    try:
        comments = int(conn.execute("SELECT count(*) FROM comments").fetchone()[0])
    finally:
        conn.close()
    size = db.stat().st_size
    per = size / max(comments, 1)
    return Figure(
        key="storage",
        title="database file per stored comment",
        ratio=None,
        ratio_of="",
        target=f"≤ {STORAGE_TARGET:,} B",
        status="pass" if per <= STORAGE_TARGET else "fail",
        value=per,
        unit="B",
        note=f"{size / 1024 / 1024:,.1f} MB for {comments:,} comments, all tables and indexes",
        details={"file_bytes": size, "comments": comments},
    )
