"""Storing a parsed thread with its reply structure, and removing one: the two writes that
touch every table a thread owns, each in one transaction.

A replaced thread keeps its id and slug: its old rows go and the new ones come in the
same transaction, so readers see either version whole, never a mix.
"""

from __future__ import annotations

import json
from typing import Any, Literal

import aiosqlite

from bot.models import IngestResult, ReplyStructure, Thread
from bot.storage.database import SHIPPED, Database, now
from bot.text import fold, slugify, word_count


async def ingest(
    db: Database,
    thread: Thread,
    replies: ReplyStructure,
    *,
    guild_id: int = SHIPPED,
    inference_version: int = 0,
) -> IngestResult:
    """Store ``thread`` with ``replies`` in one transaction (see ``Storage.ingest``)."""
    async with db.write() as conn:
        return await _ingest(conn, thread, replies, guild_id, inference_version)


async def _ingest(
    conn: aiosqlite.Connection,
    thread: Thread,
    replies: ReplyStructure,
    guild_id: int,
    inference_version: int,
) -> IngestResult:
    async with conn.execute(
        "SELECT id, slug, title, comment_count, inference_version FROM threads "
        "WHERE guild_id = ? AND content_hash = ?",
        (guild_id, thread.content_hash),
    ) as cur:
        same = await cur.fetchone()
    if same is not None and same["inference_version"] == inference_version:
        async with conn.execute(
            "SELECT count(*) FROM authors WHERE thread_id = ?", (same["id"],)
        ) as cur:
            row = await cur.fetchone()
        return IngestResult(
            int(same["id"]),
            str(same["slug"]),
            str(same["title"]),
            "unchanged",
            same["comment_count"],
            int(row[0]) if row else 0,
            thread.warnings,
        )
    # Same text inferred by an older version is re-derived in place, like a changed file.
    old = same
    if old is None:
        async with conn.execute(
            "SELECT id, slug FROM threads WHERE guild_id = ? AND source = ?",
            (guild_id, thread.source),
        ) as cur:
            old = await cur.fetchone()
    values = (
        thread.content_hash,
        thread.title,
        thread.lede,
        json.dumps(list(thread.body), ensure_ascii=False),
        json.dumps(list(thread.tags), ensure_ascii=False),
        thread.author,
        thread.author_bio,
        thread.url,
        thread.published,
        len(thread.comments),
        now(),
    )
    if old is not None:
        thread_id = int(old["id"])
        slug = str(old["slug"])
        await delete_rows(conn, thread_id)
        await conn.execute(
            "UPDATE threads SET content_hash = ?, title = ?, lede = ?, body = ?, tags = ?, "
            "author = ?, author_bio = ?, url = ?, published = ?, comment_count = ?, "
            "ingested_at = ?, inference_version = ? WHERE id = ?",
            (*values, inference_version, thread_id),
        )
        status: Literal["added", "replaced", "unchanged"] = "replaced"
    else:
        slug = await _free_slug(conn, slugify(thread.title), guild_id)
        cur = await conn.execute(
            "INSERT INTO threads (guild_id, source, slug, content_hash, title, lede, body, "
            "tags, author, author_bio, url, published, comment_count, ingested_at, "
            "inference_version) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (guild_id, thread.source, slug, *values, inference_version),
        )
        thread_id = int(cur.lastrowid or 0)
        await cur.close()
        status = "added"
    authors = await _insert_comments(conn, thread_id, thread, replies)
    return IngestResult(
        thread_id, slug, thread.title, status, len(thread.comments), authors, thread.warnings
    )


async def _free_slug(conn: aiosqlite.Connection, base: str, guild_id: int) -> str:
    """A slug no thread visible next to this one uses yet (``base``, ``base-2``, …)."""
    scope = (SHIPPED,) if guild_id == SHIPPED else (SHIPPED, guild_id)
    placeholders = ",".join("?" * len(scope))
    async with conn.execute(
        f"SELECT slug FROM threads WHERE guild_id IN ({placeholders}) "
        "AND (slug = ? OR slug LIKE ?)",
        (*scope, base, f"{base}-%"),
    ) as cur:
        taken = {str(r[0]) for r in await cur.fetchall()}
    if base not in taken:
        return base
    n = 2
    while f"{base}-{n}" in taken:
        n += 1
    return f"{base}-{n}"


async def _insert_comments(
    conn: aiosqlite.Connection, thread_id: int, thread: Thread, replies: ReplyStructure
) -> int:
    async with conn.execute("SELECT coalesce(max(id), 0) FROM authors") as cur:
        row = await cur.fetchone()
    next_author = int(row[0]) + 1 if row else 1
    async with conn.execute("SELECT coalesce(max(id), 0) FROM comments") as cur:
        row = await cur.fetchone()
    next_comment = int(row[0]) + 1 if row else 1

    author_ids: dict[str, int] = {}
    author_rows: dict[str, list[Any]] = {}
    comment_rows: list[tuple[Any, ...]] = []
    paragraph_rows: list[tuple[Any, ...]] = []
    fts_rows: list[tuple[Any, ...]] = []
    quotes = replies.quotes
    for comment in thread.comments:
        own = [
            text for idx, text in enumerate(comment.paragraphs) if (comment.seq, idx) not in quotes
        ]
        words = word_count(own)
        if comment.author not in author_ids:
            author_ids[comment.author] = next_author + len(author_ids)
            author_rows[comment.author] = [
                author_ids[comment.author],
                thread_id,
                comment.author,
                fold(comment.author),
                0,
                0,
                comment.seq,
                comment.seq,
            ]
        stats = author_rows[comment.author]
        stats[4] += 1
        stats[5] += words
        stats[7] = comment.seq
        comment_id = next_comment + len(comment_rows)
        author_id = author_ids[comment.author]
        comment_rows.append(
            (
                comment_id,
                thread_id,
                comment.seq,
                comment.number,
                author_id,
                comment.posted,
                comment.line,
            )
        )
        for idx, text in enumerate(comment.paragraphs):
            ref = quotes.get((comment.seq, idx))
            paragraph_rows.append(
                (comment_id, idx, text, ref.seq if ref else None, ref.paragraph if ref else None)
            )
        fts_rows.append((comment_id, "\n\n".join(own), f"t{thread_id} a{author_id}"))
    await conn.executemany(
        "INSERT INTO authors (id, thread_id, name, folded, comment_count, word_count, "
        "first_seq, last_seq) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        [tuple(r) for r in author_rows.values()],
    )
    await conn.executemany(
        "INSERT INTO comments (id, thread_id, seq, number, author_id, posted, line) "
        "VALUES (?, ?, ?, ?, ?, ?, ?)",
        comment_rows,
    )
    await conn.executemany(
        "INSERT INTO paragraphs (comment_id, idx, text, quote_seq, quote_idx) "
        "VALUES (?, ?, ?, ?, ?)",
        paragraph_rows,
    )
    unique_edges = {(e.source, e.target, e.via): e for e in replies.edges}
    await conn.executemany(
        "INSERT INTO edges (thread_id, src_seq, dst_seq, via, snippet) VALUES (?, ?, ?, ?, ?)",
        [(thread_id, e.source, e.target, e.via, e.snippet) for e in unique_edges.values()],
    )
    await conn.executemany(
        "INSERT INTO comment_fts (rowid, text, scope) VALUES (?, ?, ?)", fts_rows
    )
    return len(author_rows)


async def delete_rows(conn: aiosqlite.Connection, thread_id: int) -> None:
    """Remove everything derived from a thread (not its ``threads`` row), inside the caller's
    transaction: search index, edges, cached summaries, paragraphs, comments, authors."""
    await conn.execute(
        "DELETE FROM comment_fts WHERE rowid IN (SELECT id FROM comments WHERE thread_id = ?)",
        (thread_id,),
    )
    for table in ("edges", "summaries", "paragraphs", "comments", "authors"):
        if table == "paragraphs":
            await conn.execute(
                "DELETE FROM paragraphs WHERE comment_id IN "
                "(SELECT id FROM comments WHERE thread_id = ?)",
                (thread_id,),
            )
        else:
            await conn.execute(f"DELETE FROM {table} WHERE thread_id = ?", (thread_id,))


async def delete_thread(db: Database, thread_id: int) -> bool:
    """Remove a thread and everything derived from it, in one transaction."""
    async with db.write() as conn:
        await delete_rows(conn, thread_id)
        cur = await conn.execute("DELETE FROM threads WHERE id = ?", (thread_id,))
        deleted = cur.rowcount > 0
        await cur.close()
    return deleted
