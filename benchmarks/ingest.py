"""Ingest throughput: the real parse → store path against bare ``sqlite3.executemany``.

Real path (what ``bot.sources.loading.ingest_thread`` does, stage by stage, each timed):
``parse_thread(text)`` → ``infer_replies(thread)`` → ``Storage.ingest(thread, replies)``.
The counted figure is the whole path a user waits for, parse + infer + store; parse +
store alone is reported beside it for information.

Real and bare runs alternate (real, bare, real, bare, …) ``Sizes.ingest_repeats`` times
(at least 5); each pair gives one ratio (bare seconds ÷ real seconds: the same rows, so
the ratio of rates), and the figure is the median ratio, with the lowest and highest.
Times are CPU seconds of the benchmark process (all its threads, so aiosqlite's worker
thread counts): the machine is shared, and other processes stretch wall time but not
CPU time; SQLite in WAL mode with ``synchronous = NORMAL`` does not wait on the disk at
each commit, so CPU time is the time here. Wall-clock ratios are in the JSON.

Baseline: the very rows the real path stored (read back from its database, thread by
thread) inserted with plain ``executemany`` into a fresh database made from
``bot.storage.MIGRATIONS``, with the same pragmas and one transaction per thread as the
real path. It is the floor: the cost of SQLite storing those rows and nothing else.
"""

from __future__ import annotations

import asyncio
import re
import sqlite3
import statistics
import tempfile
import time
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from itertools import chain
from pathlib import Path
from typing import Any

from benchmarks.common import Figure, Sizes, console, verdict
from bot.inference.replies import infer_replies
from bot.models import Thread
from bot.sources.capture import parse_thread
from bot.storage import MIGRATIONS, Storage
from bot.storage.sqlite import MIGRATION_FUNCTIONS

TARGET = 0.5

TABLES: tuple[tuple[str, str], ...] = (
    ("threads", "SELECT * FROM threads WHERE id = ?"),
    ("authors", "SELECT * FROM authors WHERE thread_id = ? ORDER BY id"),
    ("comments", "SELECT * FROM comments WHERE thread_id = ? ORDER BY id"),
    (
        "paragraphs",
        "SELECT p.* FROM paragraphs p JOIN comments c ON c.id = p.comment_id "
        "WHERE c.thread_id = ? ORDER BY p.comment_id, p.idx",
    ),
    ("edges", "SELECT * FROM edges WHERE thread_id = ?"),
    (
        "comment_fts",
        "SELECT rowid, text, scope FROM comment_fts WHERE rowid IN "
        "(SELECT id FROM comments WHERE thread_id = ?) ORDER BY rowid",
    ),
)
"""Every table the real ingest writes, and how to read one thread's rows back from it."""


@dataclass(slots=True)
class RealTimes:
    """Seconds per stage on the clock ``real_ingest`` was given (by default CPU seconds of
    this process, every thread: aiosqlite's too), and the wall seconds of the whole."""

    parse: float = 0.0
    infer: float = 0.0
    store: float = 0.0
    wall: float = 0.0
    comments: int = 0
    floor: float = 0.0
    """Seconds of :func:`shingle_floor` on the same threads (not part of the real path)."""


WORD = re.compile(r"\w+")


def shingle_floor(thread: Thread) -> int:
    """The least any quote detector of this kind must do, written as tightly as CPython
    allows: fold and split every paragraph into words, and count its word 3-grams across
    the thread (``Counter`` counts in C). No matching, no names, no storing. Its time
    bounds what inference written in Python can cost, so the ratio computed with it in
    place of inference is the best this design can reach (issue 17, item 2)."""
    grams: Counter[tuple[str, ...]] = Counter()
    comments = (p for comment in thread.comments for p in comment.paragraphs)
    for paragraph in chain(thread.article_paragraphs, comments):
        words = WORD.findall(paragraph.casefold())
        grams.update(set(zip(words, words[1:], words[2:], strict=False)))
    return sum(1 for n in grams.values() if n > 1)


Batch = list[tuple[str, list[tuple[Any, ...]]]]
"""One thread's rows: ``(INSERT statement, rows)`` per table, in foreign-key order."""


def create_schema(conn: sqlite3.Connection) -> None:
    """The real schema, from the real migrations, with the real connection pragmas."""
    conn.execute("PRAGMA journal_mode = WAL")
    conn.execute("PRAGMA foreign_keys = ON")
    conn.execute("PRAGMA synchronous = NORMAL")
    for name, (arity, function) in MIGRATION_FUNCTIONS.items():
        conn.create_function(name, arity, function, deterministic=True)
    for version, script in MIGRATIONS:
        conn.executescript(script)
        conn.execute(f"PRAGMA user_version = {version}")


async def real_ingest(
    db: Path | str,
    items: Sequence[tuple[str, str]],
    clock: Callable[[], float] = time.process_time,
) -> RealTimes:
    """Ingest ``(source, text)`` items through the real path into a fresh database at ``db``
    (a file, or a ``postgresql://`` URL)."""
    times = RealTimes()
    wall = time.perf_counter()
    async with Storage(db) as storage:
        for source, text in items:
            t0 = clock()
            thread = parse_thread(text, source)
            t1 = clock()
            replies = infer_replies(thread)
            t2 = clock()
            await storage.ingest(thread, replies)
            t3 = clock()
            shingle_floor(thread)
            times.floor += clock() - t3
            times.parse += t1 - t0
            times.infer += t2 - t1
            times.store += t3 - t2
            times.comments += len(thread.comments)
    times.wall = time.perf_counter() - wall
    return times


def read_batches(db: Path) -> list[Batch]:
    """Every row the real path stored, grouped by thread, as ``executemany`` batches."""
    conn = sqlite3.connect(db)
    try:
        batches: list[Batch] = []
        for (thread_id,) in conn.execute("SELECT id FROM threads ORDER BY id").fetchall():
            batch: Batch = []
            for table, select in TABLES:
                cur = conn.execute(select, (thread_id,))
                columns = [d[0] for d in cur.description]
                rows = cur.fetchall()
                marks = ", ".join("?" * len(columns))
                insert = f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({marks})"
                batch.append((insert, rows))
            batches.append(batch)
        return batches
    finally:
        conn.close()


def bare_insert(db: Path, batches: Sequence[Batch]) -> tuple[float, float]:
    """CPU and wall seconds to ``executemany`` the batches into a fresh database, one
    transaction each."""
    conn = sqlite3.connect(db, isolation_level=None)
    try:
        create_schema(conn)
        cpu, wall = time.process_time(), time.perf_counter()
        for batch in batches:
            conn.execute("BEGIN IMMEDIATE")
            for insert, rows in batch:
                conn.executemany(insert, rows)
            conn.execute("COMMIT")
        return time.process_time() - cpu, time.perf_counter() - wall
    finally:
        conn.close()


def row_counts(db: Path) -> dict[str, int]:
    conn = sqlite3.connect(db)
    try:
        return {
            table: int(conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0])
            for table, _ in TABLES
        }
    finally:
        conn.close()


def measure(items: Sequence[tuple[str, str]], sizes: Sizes) -> list[Figure]:
    """Interleave real and bare runs ``sizes.ingest_repeats`` times; the median ratio."""
    reals: list[RealTimes] = []
    bares: list[float] = []
    bare_walls: list[float] = []
    batches: list[Batch] = []
    counts: dict[str, int] = {}
    with tempfile.TemporaryDirectory(prefix="threadbot-bench-ingest-") as tmp:
        for rep in range(sizes.ingest_repeats):
            real_db = Path(tmp) / f"real{rep}.db"
            reals.append(asyncio.run(real_ingest(real_db, items)))
            if not batches:
                batches = read_batches(real_db)
                counts = row_counts(real_db)
            bare_db = Path(tmp) / f"bare{rep}.db"
            bare_cpu, bare_wall = bare_insert(bare_db, batches)
            bares.append(bare_cpu)
            bare_walls.append(bare_wall)
            if row_counts(bare_db) != counts:
                raise RuntimeError("the bare baseline did not store the same rows as the real path")
            real_db.unlink()
            bare_db.unlink()
            console.print(
                f"  ingest rep {rep + 1}: parse {reals[-1].parse:.2f}s infer "
                f"{reals[-1].infer:.2f}s store {reals[-1].store:.2f}s | bare {bares[-1]:.2f}s"
            )
    comments = reals[0].comments
    pairs = list(zip(reals, bares, strict=True))
    full = [bare / (r.parse + r.infer + r.store) for r, bare in pairs]
    walls = [bare / r.wall for r, bare in zip(reals, bare_walls, strict=True)]
    counted = [bare / (r.parse + r.store) for r, bare in pairs]
    floored = [bare / (r.parse + r.floor + r.store) for r, bare in pairs]
    floor = statistics.median(r.floor for r in reals)
    ratio = statistics.median(full)
    bare = statistics.median(bares)
    parse = statistics.median(r.parse for r in reals)
    infer = statistics.median(r.infer for r in reals)
    store = statistics.median(r.store for r in reals)
    whole = parse + infer + store
    us = 1e6 / comments
    details: dict[str, Any] = {
        "comments": comments,
        "threads": len(items),
        "repeats": sizes.ingest_repeats,
        "rows": counts,
        "ratios_parse_infer_store": full,
        "ratios_parse_store": counted,
        "ratios_wall_clock": walls,
        "wall_seconds_real": [r.wall for r in reals],
        "wall_seconds_bare": bare_walls,
        "median_seconds": {
            "parse": parse,
            "infer": infer,
            "store": store,
            "bare_executemany": bare,
        },
        "median_us_per_comment": {
            "parse": parse * us,
            "infer": infer * us,
            "store": store * us,
            "bare_executemany": bare * us,
        },
        "counted_path": "parse_thread + infer_replies + Storage.ingest",
    }
    spread = f"{min(full):.3f}–{max(full):.3f}"
    return [
        Figure(
            key="ingest",
            title=f"ingest {comments:,} comments: parse+infer+store vs bare executemany",
            ratio=ratio,
            ratio_of="bare seconds ÷ real seconds, same rows (median of interleaved pairs)",
            target=f"≥ {TARGET}",
            status=verdict(ratio >= TARGET),
            value=comments / whole,
            unit="comments/s",
            note=(
                f"CPU seconds, median of {len(full)} pairs, spread {spread} (wall clock: "
                f"{statistics.median(walls):.3f}); per comment: parse "
                f"{parse * us:.0f} µs + infer {infer * us:.0f} µs + store {store * us:.0f} µs "
                f"vs bare {bare * us:.0f} µs (inference {infer / whole:.0%} of the real path)"
            ),
            details=details,
        ),
        Figure(
            key="ingest_without_inference",
            title=f"ingest {comments:,} comments: parse+store only vs bare (info)",
            ratio=statistics.median(counted),
            ratio_of="bare seconds ÷ (parse + store) seconds, median",
            target="—",
            status="info",
            value=comments / (parse + store),
            unit="comments/s",
            note=f"spread {min(counted):.3f}–{max(counted):.3f}: the path without inference",
        ),
        Figure(
            key="ingest_python_floor",
            title=f"ingest {comments:,} comments: the best a Python quote detector can do (info)",
            ratio=statistics.median(floored),
            ratio_of="bare seconds ÷ (parse + 3-gram counting only + store) seconds, median",
            target="—",
            status="info",
            value=floor * us,
            unit="µs/comment",
            note=(
                f"spread {min(floored):.3f}–{max(floored):.3f}: inference replaced by folding, "
                f"splitting and counting word 3-grams ({floor * us:.0f} µs a comment, "
                f"inference {infer * us:.0f} µs)"
                + (
                    f"; below {TARGET}: no inference written in Python meets the target"
                    if statistics.median(floored) < TARGET
                    else ""
                )
            ),
        ),
    ]
