"""One thread's comments and reply edges read in bulk, for a worker process.

A summary needs the whole thread. Read in the bot's process, 20,000 comments cost over a
second of per-row work on its event loop (aiosqlite hops to its thread per statement,
then a ``StoredComment`` per row), and every other command waited behind it. So the worker
that computes the summary reads the thread itself, given only where the database is
(:attr:`bot.storage.Storage.target`): a plain read-only ``sqlite3`` connection, or one
asyncpg connection, one statement per table inside one read-only transaction (so one
committed version of the thread), rows as tuples.
"""

from __future__ import annotations

import asyncio
import sqlite3
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

from bot.models import QuoteRef, StoredComment, StoredEdge, StoredParagraph
from bot.storage.database import StorageError
from bot.storage.edges import EDGE_COLUMNS, edge_from_row
from bot.storage.store import POSTGRES_SCHEMES

_HEADS = (
    "SELECT c.id, c.seq, c.number, a.name, c.posted FROM comments c "
    "JOIN authors a ON a.id = c.author_id WHERE c.thread_id = ? ORDER BY c.seq"
)
_PARAGRAPHS = (
    "SELECT p.comment_id, p.text, p.quote_seq, p.quote_idx FROM paragraph_texts p "
    "JOIN comments c ON c.id = p.comment_id WHERE c.thread_id = ? ORDER BY c.seq, p.idx"
)
_EDGES = EDGE_COLUMNS + "WHERE e.thread_id = ? ORDER BY e.src_seq, e.dst_seq"

Rows = Sequence[Any]
"""Result rows (tuples, or asyncpg records), read by position."""


def read_thread(target: str, thread_id: int) -> tuple[list[StoredComment], list[StoredEdge]]:
    """Every comment (in order) and reply edge of thread ``thread_id`` at ``target`` (an
    SQLite file path or a ``postgresql://`` URL), as ``comments.all`` and ``edges.all``
    give them.

    Blocking (it runs in a worker process); opens no pool and runs no migration."""
    if target.startswith(POSTGRES_SCHEMES):
        heads, paragraphs, edges = asyncio.run(_read_postgres(target, thread_id))
    else:
        heads, paragraphs, edges = _read_sqlite(Path(target), thread_id)
    return _comments(thread_id, heads, paragraphs), [edge_from_row(row) for row in edges]


def _read_sqlite(path: Path, thread_id: int) -> tuple[Rows, Rows, Rows]:
    if not path.is_file():
        raise StorageError(f"{path}: no such database file")
    conn = sqlite3.connect(f"{path.absolute().as_uri()}?mode=ro", uri=True, isolation_level=None)
    try:
        conn.execute("PRAGMA busy_timeout = 10000")
        conn.execute("BEGIN")  # one snapshot for all three statements (WAL)
        heads = conn.execute(_HEADS, (thread_id,)).fetchall()
        paragraphs = conn.execute(_PARAGRAPHS, (thread_id,)).fetchall()
        edges = conn.execute(_EDGES, (thread_id,)).fetchall()
        conn.execute("COMMIT")
    finally:
        conn.close()
    return heads, paragraphs, edges


async def _read_postgres(url: str, thread_id: int) -> tuple[Rows, Rows, Rows]:
    import asyncpg  # only where PostgreSQL is used

    from bot.storage.postgresql import to_postgres

    conn = await asyncpg.connect(url)
    try:
        async with conn.transaction(isolation="repeatable_read", readonly=True):
            heads = await conn.fetch(to_postgres(_HEADS), thread_id)
            paragraphs = await conn.fetch(to_postgres(_PARAGRAPHS), thread_id)
            edges = await conn.fetch(to_postgres(_EDGES), thread_id)
    finally:
        await conn.close()
    return heads, paragraphs, edges


def _comments(thread_id: int, heads: Rows, paragraphs: Rows) -> list[StoredComment]:
    """``StoredComment``s from comment heads and their paragraphs (by comment id, in order)."""
    by_comment: dict[int, list[StoredParagraph]] = {}
    for comment_id, text, quote_seq, quote_idx in paragraphs:
        quote = None if quote_seq is None else QuoteRef(quote_seq, quote_idx)
        found = by_comment.get(comment_id)
        if found is None:
            by_comment[comment_id] = [StoredParagraph(text, quote)]
        else:
            found.append(StoredParagraph(text, quote))
    empty: Iterable[StoredParagraph] = ()
    return [
        StoredComment(thread_id, seq, number, author, tuple(by_comment.get(cid, empty)), posted)
        for cid, seq, number, author, posted in heads
    ]
