"""Synthetic thread files for the ingest benchmark, from ``benchmarks.synthetic`` (seeded).

(The latency benchmark builds its own database, through the real ingest path, for each
run, see :mod:`benchmarks.latency`; ``storage_size`` measures that database on disk.)
"""

from __future__ import annotations

import math
import random
import sqlite3
import time
from pathlib import Path

from benchmarks.common import Figure, Sizes, console
from benchmarks.synthetic import SyntheticThread, generate_thread

INGEST_SEED = 100_000
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
