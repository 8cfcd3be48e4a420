"""The rows an ingest stores are exactly the rows of their plain definition.

``bot.storage.ingest.build_rows`` is written for speed (it is the store's own cost over
SQLite's inserts). :func:`reference_rows` below says the same thing the plain way, one
paragraph and one edge at a time, as ingest did before it was made fast; every table
must come out identical, on the seed and on generated threads, with inference's reply
structure and with the one the generator built the thread with. The database a real
ingest writes is compared byte for byte, search index included, with one made by
inserting the reference rows with bare ``executemany``.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from benchmarks.ingest import create_schema
from benchmarks.synthetic import generate_thread
from bot.inference.replies import infer_replies
from bot.models import ReplyStructure, Thread
from bot.sources.capture import parse_thread
from bot.storage import Storage
from bot.storage.database import COLUMNS
from bot.storage.ingest import build_rows
from bot.text import fold, shorten, word_count
from tests.conftest import SEED_FILE

Rows = dict[str, list[tuple[Any, ...]]]


def reference_rows(
    thread: Thread, replies: ReplyStructure, thread_id: int, last_author: int, last_comment: int
) -> Rows:
    """Every row of ``thread``, built the plain way (see the module docstring)."""
    quotes = replies.quotes
    by_seq = {c.seq: c for c in thread.comments}
    authors: dict[str, list[Any]] = {}
    out: Rows = {"authors": [], "comments": [], "paragraphs": [], "edges": [], "search": []}
    for n, comment in enumerate(thread.comments):
        comment_id = last_comment + 1 + n
        own = [p for i, p in enumerate(comment.paragraphs) if (comment.seq, i) not in quotes]
        if comment.author not in authors:
            author_id = last_author + 1 + len(authors)
            name = comment.author
            authors[name] = [author_id, thread_id, name, fold(name), 0, 0, comment.seq, 0]
        stats = authors[comment.author]
        stats[4] += 1
        stats[5] += word_count(own)
        stats[7] = comment.seq
        out["comments"].append(
            (
                comment_id,
                thread_id,
                comment.seq,
                comment.number,
                stats[0],
                comment.posted,
                comment.line,
            )
        )
        for idx, text in enumerate(comment.paragraphs):
            ref = quotes.get((comment.seq, idx))
            row: tuple[Any, ...] = (comment_id, idx, text, None, None, None, None)
            if ref is not None:
                row = (comment_id, idx, text, ref.seq, ref.paragraph, None, None)
                quoted = by_seq.get(ref.seq)
                if (
                    quoted is not None
                    and (ref.seq, ref.paragraph) not in quotes
                    and 0 <= ref.paragraph < len(quoted.paragraphs)
                    and "\x00" not in quoted.paragraphs[ref.paragraph] + text
                    and text in quoted.paragraphs[ref.paragraph]
                ):
                    at = quoted.paragraphs[ref.paragraph].find(text)
                    row = (comment_id, idx, None, ref.seq, ref.paragraph, at, len(text))
            out["paragraphs"].append(row)
        out["search"].append((comment_id, "\n\n".join(own), f"t{thread_id} a{stats[0]}"))
    out["authors"] = [tuple(a) for a in authors.values()]
    edges = {(e.source, e.target, e.via): e for e in replies.edges}
    for edge in edges.values():
        snippet: str | None = edge.snippet
        if edge.via == "quote":
            first = [
                by_seq[seq].paragraphs[idx]
                for (seq, idx), ref in sorted(quotes.items())
                if seq == edge.source and ref.seq == edge.target and seq in by_seq
                if 0 <= idx < len(by_seq[seq].paragraphs)
            ]
            if first and shorten(first[0]) == edge.snippet:
                snippet = None
        out["edges"].append(
            (thread_id, edge.source, edge.target, edge.via, snippet, edge.confidence)
        )
    return out


def fast_rows(
    thread: Thread, replies: ReplyStructure, thread_id: int, last_author: int, last_comment: int
) -> Rows:
    rows = build_rows(thread, replies, thread_id, last_author, last_comment)
    return {
        "authors": rows.authors,
        "comments": rows.comments,
        "paragraphs": rows.paragraphs,
        "edges": rows.edges,
        "search": [(r.comment_id, r.text, f"t{r.thread_id} a{r.author_id}") for r in rows.search],
    }


def cases() -> Iterator[tuple[str, Thread, ReplyStructure]]:
    seed = parse_thread(SEED_FILE.read_text(encoding="utf-8"), SEED_FILE.name)
    yield "seed", seed, infer_replies(seed)
    for n, seed_no in ((40, 1), (150, 2), (300, 3)):
        made = generate_thread(n, seed_no)
        thread = parse_thread(made.text, made.source)
        yield f"synthetic-{n}-inferred", thread, infer_replies(thread)
        yield f"synthetic-{n}-as-built", thread, made.expected


CASES = list(cases())


@pytest.mark.parametrize(("thread", "replies"), [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_rows_are_the_plain_definition(thread: Thread, replies: ReplyStructure) -> None:
    assert fast_rows(thread, replies, 7, 100, 1000) == reference_rows(thread, replies, 7, 100, 1000)


def test_the_cases_cover_every_kind_of_row() -> None:
    """Quoted paragraphs stored as places and as copies, quote snippets kept and dropped,
    authors with several comments: else the comparison above proves little."""
    kinds: set[str] = set()
    for _, thread, replies in CASES:
        rows = reference_rows(thread, replies, 1, 0, 0)
        kinds |= {"place" for p in rows["paragraphs"] if p[2] is None}
        kinds |= {"copy" for p in rows["paragraphs"] if p[2] is not None and p[3] is not None}
        kinds |= {"dropped" for e in rows["edges"] if e[4] is None}
        kinds |= {"kept" for e in rows["edges"] if e[3] == "quote" and e[4] is not None}
        kinds |= {"several" for a in rows["authors"] if a[4] > 1}
    assert kinds == {"place", "copy", "dropped", "kept", "several"}


def dump(path: Path) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of every table, search index internals included, in storage order (the
    time of the ingest left out)."""
    conn = sqlite3.connect(path)
    try:
        names = [
            r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")
        ]
        out = {}
        for name in sorted(names):
            columns = [r[1] for r in conn.execute(f"PRAGMA table_info({name})")]
            select = ", ".join("NULL" if c == "ingested_at" else c for c in columns)
            out[name] = conn.execute(f"SELECT {select} FROM {name}").fetchall()
        return out
    finally:
        conn.close()


async def test_database_is_byte_identical_to_bare_inserts_of_the_reference(
    tmp_path: Path,
) -> None:
    """A real ingest of every case leaves the same bytes in every table, the search
    index's own included, as inserting the reference rows with bare ``executemany``."""
    async with Storage(tmp_path / "real.db") as storage:
        for guild_id, (_, thread, replies) in enumerate(CASES, start=1):
            await storage.ingest(thread, replies, guild_id=guild_id)  # the same text twice
    real = sqlite3.connect(tmp_path / "real.db")
    bare = sqlite3.connect(tmp_path / "bare.db", isolation_level=None)
    try:
        create_schema(bare)
        last_author = last_comment = 0
        for thread_id, (_, thread, replies) in enumerate(CASES, start=1):
            (row,) = real.execute("SELECT * FROM threads WHERE id = ?", (thread_id,))
            bare.execute("BEGIN IMMEDIATE")
            bare.execute(f"INSERT INTO threads VALUES ({', '.join('?' * len(row))})", row)
            rows = reference_rows(thread, replies, thread_id, last_author, last_comment)
            for table in ("authors", "comments", "paragraphs", "edges"):
                columns = COLUMNS[table]
                bare.executemany(
                    f"INSERT INTO {table} ({', '.join(columns)}) "
                    f"VALUES ({', '.join('?' * len(columns))})",
                    rows[table],
                )
            bare.executemany(
                "INSERT INTO comment_fts (rowid, text, scope) VALUES (?, ?, ?)", rows["search"]
            )
            bare.execute("COMMIT")
            last_author += len(rows["authors"])
            last_comment += len(rows["comments"])
    finally:
        real.close()
        bare.close()
    stored, expected = dump(tmp_path / "real.db"), dump(tmp_path / "bare.db")
    assert stored.keys() == expected.keys()
    assert "comment_fts_data" in stored
    for table in stored:
        assert stored[table] == expected[table], table
