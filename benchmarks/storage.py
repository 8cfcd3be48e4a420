"""``python -m benchmarks.storage``: where the bytes of the SQLite file go, per comment.

Builds one database from seeded synthetic threads (mixed sizes, through the real
``parse_thread`` → ``infer_replies`` → ``Storage.ingest`` path) and reports the file's
bytes per stored comment as written (every ingest committed and checkpointed, nothing
vacuumed: what a running bot's file looks like) and compacted (after ``VACUUM``),
with each table's and index's share from SQLite's ``dbstat`` table. The issue 17.5
target is the as-written figure. The threads are the same in every run (seeded), so
runs of two versions of the code compare.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import multiprocessing
import shutil
import sqlite3
import tempfile
from collections.abc import Iterator
from pathlib import Path

from benchmarks.corpus import STORAGE_TARGET, thread_sizes
from benchmarks.synthetic import generate_thread
from bot.inference.replies import infer_replies
from bot.models import ReplyStructure, Thread
from bot.sources.capture import parse_thread
from bot.storage import Storage

SEED = 3_000_000
THREAD_COMMENTS = (50, 4_000)


def _prepare(job: tuple[int, int]) -> tuple[Thread, ReplyStructure]:
    """Worker: one thread file generated, parsed and inferred (pure functions)."""
    comments, seed = job
    made = generate_thread(comments, seed)
    parsed = parse_thread(made.text, made.source)
    return parsed, infer_replies(parsed)


def prepared_threads(total: int) -> Iterator[tuple[Thread, ReplyStructure]]:
    """Threads adding up to ``total`` comments, sizes log-uniform in :data:`THREAD_COMMENTS`."""
    low, high = THREAD_COMMENTS
    high = min(high, max(low, total // 4))
    jobs = [(n, SEED + i) for i, n in enumerate(thread_sizes(total, low, high, SEED))]
    with multiprocessing.get_context("fork").Pool(2) as pool:
        yield from pool.imap(_prepare, jobs)


async def _store(db: Path, threads: list[tuple[Thread, ReplyStructure]]) -> None:
    async with Storage(db) as storage:
        for parsed, replies in threads:
            await storage.ingest(parsed, replies)


def build(db: Path, threads: list[tuple[Thread, ReplyStructure]]) -> None:
    """Ingest ``threads`` into a new file at ``db``, then fold the write-ahead log into
    the file."""
    asyncio.run(_store(db, threads))
    checkpoint(db)


def checkpoint(db: Path) -> None:
    conn = sqlite3.connect(db)
    try:
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    finally:
        conn.close()


def measure(db: Path) -> dict[str, object]:
    """Bytes per comment of the file and of each table or index (``dbstat``), with the
    number of comments and the schema version."""
    conn = sqlite3.connect(db)
    try:
        comments = int(conn.execute("SELECT count(*) FROM comments").fetchone()[0])
        version = int(conn.execute("PRAGMA user_version").fetchone()[0])
        parts = conn.execute(
            "SELECT name, sum(pgsize) FROM dbstat GROUP BY name ORDER BY 2 DESC"
        ).fetchall()
        free = int(conn.execute("PRAGMA freelist_count").fetchone()[0])
        page = int(conn.execute("PRAGMA page_size").fetchone()[0])
    finally:
        conn.close()
    size = db.stat().st_size
    n = max(comments, 1)
    return {
        "schema": version,
        "comments": comments,
        "file_bytes": size,
        "bytes_per_comment": round(size / n, 1),
        "free_pages_per_comment": round(free * page / n, 1),
        "parts_per_comment": {str(name): round(int(b) / n, 1) for name, b in parts},
    }


def compacted(db: Path) -> dict[str, object]:
    """:func:`measure` of a vacuumed copy of ``db``."""
    copy = db.with_name(db.name + ".vacuumed")
    shutil.copyfile(db, copy)
    conn = sqlite3.connect(copy)
    try:
        conn.execute("VACUUM")
    finally:
        conn.close()
    return measure(copy)


def _show(label: str, figures: dict[str, object]) -> None:
    per = figures["bytes_per_comment"]
    print(f"{label}: schema {figures['schema']}, {figures['comments']:,} comments, {per} B/comment")
    parts = figures["parts_per_comment"]
    assert isinstance(parts, dict)
    for name, value in parts.items():
        if value >= 1:
            print(f"    {name:<32} {value:>8.1f}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.storage", description=__doc__)
    parser.add_argument("--comments", type=int, default=30_000)
    parser.add_argument("--keep", type=Path, help="keep the database at this path")
    parser.add_argument("--json", type=Path, help="write the figures here")
    args = parser.parse_args(argv)
    threads = list(prepared_threads(args.comments))
    with tempfile.TemporaryDirectory() as tmp:
        db = args.keep or Path(tmp) / "storage.db"
        if db.exists():
            db.unlink()
        build(db, threads)
        results = {"as_written": measure(db), "compacted": compacted(db)}
    for label, figures in results.items():
        _show(label, figures)
    written = results["as_written"]["bytes_per_comment"]
    assert isinstance(written, float)
    verdict = "pass" if written <= STORAGE_TARGET else "fail"
    print(f"as written: {written} B/comment, target ≤ {STORAGE_TARGET:,}: {verdict}")
    if args.json:
        args.json.write_text(json.dumps(results, indent=2), encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
