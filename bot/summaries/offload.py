"""Summaries computed in a worker process, so the bot's interpreter never runs them.

A summary of a 20,000-comment thread is about a second of pure-Python work: in a thread
of the bot's process it would hold the GIL and stall every other command. Reading those
comments is as much again. So the service tells a child (:mod:`bot.workers`) only where the
database is and which thread: the child reads it (:mod:`bot.storage.snapshot`), summarises
it and sends back the summary's JSON, the form the cache stores anyway. The bot's event
loop does no per-comment work. A database no other process can open (in-memory SQLite)
is read by the bot and sent in a compact form instead (plain tuples pickle several times
faster than the dataclasses).
"""

from __future__ import annotations

from collections.abc import Sequence

from bot.models import QuoteRef, StoredComment, StoredEdge, StoredParagraph, StoredThread, Via
from bot.storage.snapshot import read_thread
from bot.summaries.results import to_json

_Paragraph = tuple[str, int | None, int | None]
CommentRow = tuple[int, int, int, str, str | None, tuple[_Paragraph, ...]]
EdgeRow = tuple[int, str, int, str, Via, str, float]
Packed = tuple[list[CommentRow], list[EdgeRow]]


def _paragraph(p: StoredParagraph) -> _Paragraph:
    return (p.text, p.quote.seq, p.quote.paragraph) if p.quote else (p.text, None, None)


def pack(comments: Sequence[StoredComment], edges: Sequence[StoredEdge]) -> Packed:
    rows: list[CommentRow] = [
        (
            c.thread_id,
            c.seq,
            c.number,
            c.author,
            c.posted,
            tuple(_paragraph(p) for p in c.paragraphs),
        )
        for c in comments
    ]
    return rows, [
        (e.source, e.source_author, e.target, e.target_author, e.via, e.snippet, e.confidence)
        for e in edges
    ]


def unpack(packed: Packed) -> tuple[list[StoredComment], list[StoredEdge]]:
    rows, edge_rows = packed
    comments = [
        StoredComment(
            thread_id,
            seq,
            number,
            author,
            tuple(
                StoredParagraph(text, None if q is None or k is None else QuoteRef(q, k))
                for text, q, k in paragraphs
            ),
            posted,
        )
        for thread_id, seq, number, author, posted, paragraphs in rows
    ]
    return comments, [StoredEdge(*row) for row in edge_rows]


def stored_summary_json(thread: StoredThread, target: str, name: str | None) -> str:
    """:func:`summary_json` of the thread as stored at ``target`` (a file path or a URL),
    read by the child itself."""
    comments, edges = read_thread(target, thread.id)
    return _summary(thread, comments, edges, name)


def summary_json(thread: StoredThread, packed: Packed, name: str | None) -> str:
    """The JSON of the thread's summary (``name`` None) or of one person's: runs in a child."""
    comments, edges = unpack(packed)
    return _summary(thread, comments, edges, name)


def _summary(
    thread: StoredThread, comments: list[StoredComment], edges: list[StoredEdge], name: str | None
) -> str:
    """The engine is imported here (the forkserver preloads it, see ``bot.workers.PRELOAD``):
    the bot process only sends work, and the engine's imports would cost it 30 MB."""
    from bot.summaries.engine import summarise_author, summarise_thread

    if name is None:
        return to_json(summarise_thread(thread, comments, edges))
    return to_json(summarise_author(thread, comments, edges, name))
