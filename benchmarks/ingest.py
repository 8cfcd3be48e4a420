"""Ingest throughput: the real parse → store path against bare ``sqlite3.executemany``.

Real path (what ``bot.sources.loading.ingest_thread`` does, stage by stage, each timed):
``parse_thread(text)`` → ``infer_replies(thread)`` → ``Storage.ingest(thread, replies)``.
The counted figure is parse + store; inference is timed and reported on its own (it
is part of a real ingest too, so the parse + infer + store figure is reported beside it).

Baseline: the very rows the real path stored (read back from its database, thread by
thread) inserted with plain ``executemany`` into a fresh database made from
``bot.storage.MIGRATIONS``, with the same pragmas and one transaction per thread as the
real path. It is the floor: the cost of SQLite storing those rows and nothing else.
"""

from __future__ import annotations

import asyncio
import sqlite3
import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from benchmarks.common import Figure, Sizes, console, verdict
from bot.inference.replies import infer_replies
from bot.sources.capture import parse_thread
from bot.storage import MIGRATIONS, Storage

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
    parse: float = 0.0
    infer: float = 0.0
    store: float = 0.0
    comments: int = 0


Batch = list[tuple[str, list[tuple[Any, ...]]]]
"""One thread's rows: ``(INSERT statement, rows)`` per table, in foreign-key order."""


def create_schema(conn: sqlite3.Connection) -> None:
    """The real schema, from the real migrations, with the real connection pragmas."""
    conn.execute("PRAGMA journal_mode = WAL")
    conn.execute("PRAGMA foreign_keys = ON")
    conn.execute("PRAGMA synchronous = NORMAL")
    for version, script in MIGRATIONS:
        conn.executescript(script)
        conn.execute(f"PRAGMA user_version = {version}")


async def real_ingest(db: Path | str, items: Sequence[tuple[str, str]]) -> RealTimes:
    """Ingest ``(source, text)`` items through the real path into a fresh database at ``db``
    (a file, or a ``postgresql://`` URL)."""
    times = RealTimes()
    clock = time.perf_counter
    async with Storage(db) as storage:
        for source, text in items:
            t0 = clock()
            thread = parse_thread(text, source)
            t1 = clock()
            replies = infer_replies(thread)
            t2 = clock()
            await storage.ingest(thread, replies)
            t3 = clock()
            times.parse += t1 - t0
            times.infer += t2 - t1
            times.store += t3 - t2
            times.comments += len(thread.comments)
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


def bare_insert(db: Path, batches: Sequence[Batch]) -> float:
    """Seconds to ``executemany`` the batches into a fresh database, one transaction each."""
    conn = sqlite3.connect(db, isolation_level=None)
    try:
        create_schema(conn)
        start = time.perf_counter()
        for batch in batches:
            conn.execute("BEGIN IMMEDIATE")
            for insert, rows in batch:
                conn.executemany(insert, rows)
            conn.execute("COMMIT")
        return time.perf_counter() - start
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
    """Interleave real and bare runs ``sizes.ingest_repeats`` times; keep each one's best."""
    reals: list[RealTimes] = []
    bares: list[float] = []
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
            bares.append(bare_insert(bare_db, batches))
            if row_counts(bare_db) != counts:
                raise RuntimeError("the bare baseline did not store the same rows as the real path")
            real_db.unlink()
            bare_db.unlink()
            console.print(
                f"  ingest rep {rep + 1}: parse {reals[-1].parse:.2f}s infer "
                f"{reals[-1].infer:.2f}s store {reals[-1].store:.2f}s | bare {bares[-1]:.2f}s"
            )
    comments = reals[0].comments
    parse = min(r.parse for r in reals)
    infer = min(r.infer for r in reals)
    store = min(r.store for r in reals)
    bare = min(bares)
    counted = min(r.parse + r.store for r in reals)
    full = min(r.parse + r.infer + r.store for r in reals)
    bare_rate = comments / bare
    counted_rate = comments / counted
    full_rate = comments / full
    ratio = counted_rate / bare_rate
    details: dict[str, Any] = {
        "comments": comments,
        "threads": len(items),
        "repeats": sizes.ingest_repeats,
        "rows": counts,
        "seconds": {"parse": parse, "infer": infer, "store": store, "bare_executemany": bare},
        "comments_per_s": {
            "parse_store": counted_rate,
            "parse_infer_store": full_rate,
            "store_only": comments / store,
            "bare_executemany": bare_rate,
        },
        "counted_path": "parse_thread + Storage.ingest (inference timed separately)",
    }
    return [
        Figure(
            key="ingest",
            title=f"ingest {comments:,} comments: parse+store vs bare executemany",
            ratio=ratio,
            ratio_of="real comments/s ÷ bare comments/s",
            target=f"≥ {TARGET}",
            status=verdict(ratio >= TARGET),
            value=counted_rate,
            unit="comments/s",
            note=(
                f"parse {parse:.2f}s + store {store:.2f}s vs bare {bare:.2f}s; "
                f"best of {sizes.ingest_repeats}"
            ),
            details=details,
        ),
        Figure(
            key="ingest_with_inference",
            title=f"ingest {comments:,} comments: parse+infer+store vs bare (info)",
            ratio=full_rate / bare_rate,
            ratio_of="real comments/s ÷ bare comments/s",
            target="—",
            status="info",
            value=full_rate,
            unit="comments/s",
            note=f"inference {infer:.2f}s of {full:.2f}s",
            details={"seconds_infer": infer},
        ),
    ]
