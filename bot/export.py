"""Export a stored thread as JSON (a stable contract read by outside checks) or Markdown."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from bot.models import ARTICLE, StoredComment, StoredEdge, StoredThread, replying_to

_VIA_ORDER = {"quote": 0, "parent": 1, "mention": 2, "implicit": 3, "article": 4}


def replies_to(
    comment: StoredComment, edges: Sequence[StoredEdge], numbers: dict[int, int]
) -> list[dict[str, Any]]:
    """``[{"number": n, "via": v}]`` for one comment, one entry per target, strongest via first."""
    best: dict[int, StoredEdge] = {}
    for edge in edges:
        if edge.source != comment.seq:
            continue
        known = best.get(edge.target)
        if known is None or _VIA_ORDER[edge.via] < _VIA_ORDER[known.via]:
            best[edge.target] = edge
    return [
        {"number": numbers.get(target, target) if target != ARTICLE else 0, "via": edge.via}
        for target, edge in sorted(best.items())
    ]


def thread_to_json(
    thread: StoredThread, comments: Sequence[StoredComment], edges: Sequence[StoredEdge]
) -> dict[str, Any]:
    """The JSON export. Keys are a contract: keep them exactly."""
    numbers = {c.seq: c.number for c in comments}
    by_source: dict[int, list[StoredEdge]] = {}
    for edge in edges:
        by_source.setdefault(edge.source, []).append(edge)
    return {
        "title": thread.title,
        "lede": thread.lede,
        "author": thread.author,
        "author_bio": thread.author_bio,
        "tags": list(thread.tags),
        "body": list(thread.body),
        "comments": [
            {
                "number": c.number,
                "author": c.author,
                "paragraphs": [p.text for p in c.paragraphs],
                "replies_to": replies_to(c, by_source.get(c.seq, []), numbers),
            }
            for c in comments
        ],
    }


def _quote_block(text: str) -> str:
    return "\n".join(f"> {line}" if line else ">" for line in text.split("\n"))


def thread_to_markdown(
    thread: StoredThread, comments: Sequence[StoredComment], edges: Sequence[StoredEdge]
) -> str:
    """A readable Markdown document: article, then comments with quotes as block quotes."""
    authors = {c.seq: c.author for c in comments}
    numbers = {c.seq: c.number for c in comments}
    lines = [f"# {thread.title}", ""]
    if thread.lede:
        lines += [f"*{thread.lede}*", ""]
    for body_paragraph in thread.body:
        lines += [body_paragraph, ""]
    if thread.tags:
        lines += ["**Filed under:** " + ", ".join(thread.tags), ""]
    if thread.author:
        lines += [f"— {thread.author}", ""]
    if thread.author_bio:
        lines += [f"*{thread.author_bio}*", ""]
    lines += [f"## Comments ({len(comments)})", ""]
    for comment in comments:
        heading = f"### {comment.number}. {comment.author}"
        if comment.posted:
            heading += f" — {comment.posted}"
        lines += [heading, ""]
        targets = replies_to(comment, [e for e in edges if e.source == comment.seq], numbers)
        named = [
            replying_to(
                t["number"] and _seq_of(t["number"], numbers),
                t["number"],
                authors.get(_seq_of(t["number"], numbers), "?") if t["number"] else thread.author,
                t["via"],
            )
            for t in targets
            if t["via"] != "article"
        ]
        lines += [f"*{line}*" for line in named] + ([""] if named else [])
        for paragraph in comment.paragraphs:
            lines += [_quote_block(paragraph.text) if paragraph.quote else paragraph.text, ""]
    return "\n".join(lines).rstrip() + "\n"


def _seq_of(number: int, numbers: dict[int, int]) -> int:
    for seq, printed in numbers.items():
        if printed == number:
            return seq
    return number
