"""Storing a parsed thread with its reply structure, and removing one: the two writes that
touch every table a thread owns, each in one transaction.

A replaced thread keeps its id and slug: its old rows go and the new ones come in the
same transaction, so readers see either version whole, never a mix.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from itertools import count, repeat
from typing import Any, Literal, NamedTuple

from bot.models import (
    Comment,
    IngestResult,
    ParseWarning,
    QuoteRef,
    ReplyEdge,
    ReplyStructure,
    Thread,
)
from bot.storage.database import (
    COLUMNS,
    SHIPPED,
    Database,
    Row,
    SearchRow,
    Transaction,
    now,
)
from bot.text import fold, shorten, slugify


async def ingest(
    db: Database,
    thread: Thread,
    replies: ReplyStructure,
    *,
    guild_id: int = SHIPPED,
    inference_version: int = 0,
) -> IngestResult:
    """Store ``thread`` with ``replies`` in one transaction (see ``Storage.ingest``)."""
    async with db.write() as tx:
        return await _ingest(db, tx, thread, replies, guild_id, inference_version)


_SAME_CONTENT = (
    "SELECT id, slug, title, comment_count, inference_version, "
    "(SELECT count(*) FROM authors WHERE thread_id = threads.id) AS authors "
    "FROM threads WHERE guild_id = ? AND content_hash = ?"
)
"""The stored thread with this content in this guild, if any, with what an
``unchanged`` result reports."""

_SAME_CONTENT_OR_SOURCE = (
    "SELECT id, slug, title, comment_count, inference_version, content_hash = ?2 AS same, "
    "(SELECT count(*) FROM authors WHERE thread_id = threads.id) AS authors "
    "FROM threads WHERE id = coalesce("
    "(SELECT min(id) FROM threads WHERE guild_id = ?1 AND content_hash = ?2), "
    "(SELECT id FROM threads WHERE guild_id = ?1 AND source = ?3))"
)
""":data:`_SAME_CONTENT`'s thread, else the one stored from the same source (``same``
says which)."""


def _unchanged(
    same: Row | None, inference_version: int, warnings: tuple[ParseWarning, ...]
) -> IngestResult | None:
    """The ``unchanged`` result when ``same`` holds this content inferred by this version."""
    if same is None or same["inference_version"] != inference_version:
        return None
    return IngestResult(
        int(same["id"]),
        str(same["slug"]),
        str(same["title"]),
        "unchanged",
        same["comment_count"],
        int(same["authors"]),
        warnings,
    )


async def unchanged(
    db: Database,
    content_hash: str,
    *,
    guild_id: int = SHIPPED,
    inference_version: int = 0,
    warnings: tuple[ParseWarning, ...] = (),
) -> IngestResult | None:
    """What :func:`ingest` would answer without writing, when it would leave the thread alone.

    Lets a caller skip reply inference (seconds on a big thread), or even parsing, for a
    file stored already; :func:`ingest` checks again inside its transaction, so a race
    only costs time.
    """
    same = await db.read.one(_SAME_CONTENT, (guild_id, content_hash))
    return _unchanged(same, inference_version, warnings)


async def _ingest(
    db: Database,
    tx: Transaction,
    thread: Thread,
    replies: ReplyStructure,
    guild_id: int,
    inference_version: int,
) -> IngestResult:
    # One look-up finds both the stored thread of this content and, failing that, the one
    # of this file: same text inferred by an older version is re-derived in place, like a
    # changed file.
    old = await tx.one(_SAME_CONTENT_OR_SOURCE, (guild_id, thread.content_hash, thread.source))
    if old is not None and old["same"]:
        result = _unchanged(old, inference_version, thread.warnings)
        if result is not None:
            return result
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
        json.dumps(sorted(thread.quoted)),
    )
    if old is not None:
        thread_id = int(old["id"])
        slug = str(old["slug"])
        await delete_rows(db, tx, thread_id)
        await tx.execute(
            "UPDATE threads SET content_hash = ?, title = ?, lede = ?, body = ?, tags = ?, "
            "author = ?, author_bio = ?, url = ?, published = ?, comment_count = ?, "
            "ingested_at = ?, quoted = ?, inference_version = ? WHERE id = ?",
            (*values, inference_version, thread_id),
        )
        status: Literal["added", "replaced", "unchanged"] = "replaced"
    else:
        slug = await _free_slug(tx, slugify(thread.title), guild_id)
        thread_id = int(
            await tx.scalar(
                "INSERT INTO threads (guild_id, source, slug, content_hash, title, lede, body, "
                "tags, author, author_bio, url, published, comment_count, ingested_at, quoted, "
                "inference_version) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) "
                "RETURNING id",
                (guild_id, thread.source, slug, *values, inference_version),
            )
        )
        status = "added"
    author_count = await _insert_comments(db, tx, thread_id, thread, replies)
    return IngestResult(
        thread_id, slug, thread.title, status, len(thread.comments), author_count, thread.warnings
    )


async def _free_slug(tx: Transaction, base: str, guild_id: int) -> str:
    """A slug no thread visible next to this one uses yet (``base``, ``base-2``, …)."""
    scope = (SHIPPED,) if guild_id == SHIPPED else (SHIPPED, guild_id)
    placeholders = ",".join("?" * len(scope))
    rows = await tx.all(
        f"SELECT slug FROM threads WHERE guild_id IN ({placeholders}) "
        "AND (slug = ? OR slug LIKE ?)",
        (*scope, base, f"{base}-%"),
    )
    taken = {str(r[0]) for r in rows}
    if base not in taken:
        return base
    n = 2
    while f"{base}-{n}" in taken:
        n += 1
    return f"{base}-{n}"


_NONE = repeat(None)
"""``None`` for ever: the empty quote columns of own paragraphs, zipped in."""


class Rows(NamedTuple):
    """One thread's rows for each table ingest writes, in insert order."""

    authors: list[tuple[Any, ...]]
    comments: list[tuple[Any, ...]]
    paragraphs: list[tuple[Any, ...]]
    edges: list[tuple[Any, ...]]
    search: list[SearchRow]


def build_rows(
    thread: Thread, replies: ReplyStructure, thread_id: int, last_author: int, last_comment: int
) -> Rows:
    """Every row of ``thread`` with ids after ``last_author`` and ``last_comment``.

    One pass over the comments. It is what storing costs beyond SQLite's own inserts, so
    per-row work is kept small: a comment that quotes nobody (most of them) has its
    paragraph rows zipped together in C.
    """
    author_ids: dict[str, int] = {}
    author_rows: list[list[Any]] = []
    comment_rows: list[tuple[Any, ...]] = []
    paragraph_rows: list[tuple[Any, ...]] = []
    search_rows: list[SearchRow] = []
    quotes = replies.quotes
    quoting = {seq for seq, _ in quotes}
    by_seq = {comment.seq: comment for comment in thread.comments} if quoting else {}
    first_quoting: dict[tuple[int, int], str] = {}
    next_author = last_author + 1
    comment_id = last_comment
    for comment in thread.comments:
        seq = comment.seq
        comment_id += 1
        own: Sequence[str]
        if seq in quoting:
            own = _quoting_rows(comment_id, comment, quotes, by_seq, paragraph_rows, first_quoting)
        else:
            own = comment.paragraphs
            paragraph_rows.extend(
                zip(repeat(comment_id, len(own)), count(), own, _NONE, _NONE, _NONE, _NONE)
            )
        text = "\n\n".join(own)
        name = comment.author
        author_id = author_ids.get(name)
        stats: list[Any]
        if author_id is None:
            author_id = author_ids[name] = next_author + len(author_rows)
            stats = [author_id, thread_id, name, fold(name), 1, len(text.split()), seq, seq]
            author_rows.append(stats)
        else:
            stats = author_rows[author_id - next_author]
            stats[4] += 1
            stats[5] += len(text.split())  # its own words: the blank lines between are none
            stats[7] = seq
        comment_rows.append(
            (comment_id, thread_id, seq, comment.number, author_id, comment.posted, comment.line)
        )
        search_rows.append(SearchRow(comment_id, thread_id, author_id, text))
    unique_edges = {(e.source, e.target, e.via): e for e in replies.edges}
    edge_rows = [
        (
            thread_id,
            e.source,
            e.target,
            e.via,
            e.snippet if e.via != "quote" else _quote_snippet(e, first_quoting),
            e.confidence,
        )
        for e in unique_edges.values()
    ]
    authors = [tuple(r) for r in author_rows]
    return Rows(authors, comment_rows, paragraph_rows, edge_rows, search_rows)


async def _insert_comments(
    db: Database, tx: Transaction, thread_id: int, thread: Thread, replies: ReplyStructure
) -> int:
    """Insert everything below the thread's row, one batch a table; the author count."""
    # Ids are handed out here, under the serialised write: every row goes in as one batch.
    last = await tx.one(
        "SELECT (SELECT coalesce(max(id), 0) FROM authors), "
        "(SELECT coalesce(max(id), 0) FROM comments)"
    )
    assert last is not None
    rows = build_rows(thread, replies, thread_id, int(last[0]), int(last[1]))
    await tx.insert_many("authors", COLUMNS["authors"], rows.authors)
    await tx.insert_many("comments", COLUMNS["comments"], rows.comments)
    await tx.insert_many("paragraphs", COLUMNS["paragraphs"], rows.paragraphs)
    await tx.insert_many("edges", COLUMNS["edges"], rows.edges)
    await db.index_comments(tx, rows.search)
    return len(rows.authors)


def _quoting_rows(
    comment_id: int,
    comment: Comment,
    quotes: dict[tuple[int, int], QuoteRef],
    by_seq: dict[int, Comment],
    paragraph_rows: list[tuple[Any, ...]],
    first_quoting: dict[tuple[int, int], str],
) -> list[str]:
    """Append the paragraph rows of a comment that quotes; note the first paragraph that
    quotes each comment (for :func:`_quote_snippet`); return its own paragraphs."""
    seq = comment.seq
    own: list[str] = []
    for idx, text in enumerate(comment.paragraphs):
        ref = quotes.get((seq, idx))
        if ref is None:
            own.append(text)
            paragraph_rows.append((comment_id, idx, text, None, None, None, None))
            continue
        first_quoting.setdefault((seq, ref.seq), text)
        at = _quoted_at(text, ref, by_seq, quotes)
        paragraph_rows.append(
            (comment_id, idx, text, ref.seq, ref.paragraph, None, None)
            if at is None
            else (comment_id, idx, None, ref.seq, ref.paragraph, at, len(text))
        )
    return own


def _quote_snippet(edge: ReplyEdge, first_quoting: dict[tuple[int, int], str]) -> str | None:
    """``None`` (rebuilt on read, migration 10) when a quote edge's snippet is
    :func:`~bot.text.shorten` of the replying comment's first paragraph quoting its
    target, as inference makes it; any other snippet is stored as it is."""
    text = first_quoting.get((edge.source, edge.target))
    return None if text is not None and shorten(text) == edge.snippet else edge.snippet


def _quoted_at(
    text: str, ref: QuoteRef, by_seq: dict[int, Comment], quotes: dict[tuple[int, int], QuoteRef]
) -> int | None:
    """Where ``text`` occurs in the paragraph ``ref`` points to, when that paragraph's own
    text is stored (it quotes nobody): the quoting paragraph is then stored as that place
    instead of a second copy of the words (migration 9, view ``paragraph_texts``)."""
    quoted = by_seq.get(ref.seq)
    if quoted is None or (ref.seq, ref.paragraph) in quotes:
        return None
    if not 0 <= ref.paragraph < len(quoted.paragraphs):
        return None
    words = quoted.paragraphs[ref.paragraph]
    if "\x00" in words or "\x00" in text:  # SQL's length() stops at a NUL: keep the copy
        return None
    at = words.find(text)
    return None if at < 0 else at


async def delete_rows(db: Database, tx: Transaction, thread_id: int) -> None:
    """Remove everything derived from a thread (not its ``threads`` row), inside the caller's
    transaction: search index, edges, cached summaries, paragraphs, comments, authors."""
    await db.unindex_thread(tx, thread_id)
    for table in ("edges", "summaries", "paragraphs", "comments", "authors"):
        if table == "paragraphs":
            await tx.execute(
                "DELETE FROM paragraphs WHERE comment_id IN "
                "(SELECT id FROM comments WHERE thread_id = ?)",
                (thread_id,),
            )
        else:
            await tx.execute(f"DELETE FROM {table} WHERE thread_id = ?", (thread_id,))


async def delete_thread(db: Database, thread_id: int) -> bool:
    """Remove a thread and everything derived from it, in one transaction."""
    async with db.write() as tx:
        await delete_rows(db, tx, thread_id)
        return await tx.execute("DELETE FROM threads WHERE id = ?", (thread_id,)) > 0
