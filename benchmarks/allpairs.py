"""The baseline for reply inference: compare every paragraph with every earlier one (difflib).

Simple and honest: no index, no hashing, but none of the obvious waste either. Each
paragraph of each comment is compared, word by word, with every paragraph that came
before it (the article's and every earlier comment's), with ``difflib.SequenceMatcher``
and difflib's own ``quick_ratio`` upper bound as the cheap filter; it counts as a quote
of the earlier paragraph that covers the largest share of its words, when that share is
at least ``THRESHOLD`` (a quote of a quote is followed back to the words' author).
Mentions: an earlier commenter's name in a comment's own words
makes an edge to that person's latest earlier comment. A comment with no other edge
replies to the article.

The work is one *row* per paragraph (that paragraph against every earlier one). Rows
are independent, so a uniform random sample of rows, timed, times the number of rows,
is an unbiased estimate of the whole run: that is how ``estimate_seconds`` extrapolates
when the full run would take too long.
"""

from __future__ import annotations

import random
import re
import time
from dataclasses import dataclass
from difflib import SequenceMatcher

from bot.models import ARTICLE, QuoteRef, ReplyEdge, ReplyStructure, Thread

THRESHOLD = 0.8
"""Share of a paragraph's words that must appear, in order, in an earlier paragraph."""
MIN_WORDS = 3
"""Shorter paragraphs (``Exactly.``, ``I agree.``) are never taken for quotes."""

_WORD = re.compile(r"\w+")


@dataclass(frozen=True, slots=True)
class Row:
    """One paragraph to classify: it is compared with the ``earlier`` paragraphs before it."""

    seq: int
    idx: int
    words: list[str]
    earlier: int


def _words(text: str) -> list[str]:
    return _WORD.findall(text.casefold())


def _sources(thread: Thread) -> list[tuple[int, int, list[str]]]:
    """Every paragraph in thread order: ``(seq, paragraph index, words)``, the article first."""
    out = [(ARTICLE, i, _words(p)) for i, p in enumerate(thread.article_paragraphs)]
    for comment in thread.comments:
        out.extend((comment.seq, i, _words(p)) for i, p in enumerate(comment.paragraphs))
    return out


def _rows(sources: list[tuple[int, int, list[str]]]) -> list[Row]:
    rows: list[Row] = []
    first_of: dict[int, int] = {}
    for pos, (seq, idx, words) in enumerate(sources):
        first_of.setdefault(seq, pos)
        if seq != ARTICLE:
            rows.append(Row(seq, idx, words, first_of[seq]))
    return rows


def best_source(
    row: Row, sources: list[tuple[int, int, list[str]]], matcher: SequenceMatcher[str]
) -> tuple[int, int] | None:
    """The earlier paragraph covering the largest share (≥ THRESHOLD) of the row's words."""
    if len(row.words) < MIN_WORDS:
        return None
    size = len(row.words)
    matcher.set_seq2(row.words)
    best: tuple[int, int] | None = None
    best_share = THRESHOLD
    for seq, idx, words in sources[: row.earlier]:
        if not words:
            continue
        matcher.set_seq1(words)
        half_total = (len(words) + size) / 2
        if matcher.quick_ratio() * half_total / size < best_share:
            continue
        matched = sum(block.size for block in matcher.get_matching_blocks())
        share = matched / size
        if share >= best_share:
            best, best_share = (seq, idx), share
    return best


def match_quotes(thread: Thread) -> dict[tuple[int, int], QuoteRef]:
    """Every quoted paragraph and its source, by comparing all pairs."""
    sources = _sources(thread)
    matcher: SequenceMatcher[str] = SequenceMatcher(None, autojunk=False)
    quotes: dict[tuple[int, int], QuoteRef] = {}
    for row in _rows(sources):
        found = best_source(row, sources, matcher)
        if found is not None:
            # A quote of a quote lands on the words' author (rows run in thread order,
            # so the earlier quote is already resolved: one hop is enough).
            quotes[(row.seq, row.idx)] = quotes.get(found) or QuoteRef(*found)
    return quotes


def edges_from(thread: Thread, quotes: dict[tuple[int, int], QuoteRef]) -> tuple[ReplyEdge, ...]:
    """Quote edges, then mention edges, else an edge to the article, per comment."""
    edges: list[ReplyEdge] = []
    latest: dict[str, int] = {}
    patterns: dict[str, re.Pattern[str]] = {}
    for comment in thread.comments:
        targets: dict[int, ReplyEdge] = {}
        own: list[str] = []
        for idx, text in enumerate(comment.paragraphs):
            ref = quotes.get((comment.seq, idx))
            if ref is None:
                own.append(text)
            elif ref.seq not in targets:
                targets[ref.seq] = ReplyEdge(comment.seq, ref.seq, "quote", text[:80])
        own_text = "\n".join(own)
        for name, seq in latest.items():
            if name == comment.author or seq in targets:
                continue
            pattern = patterns.get(name)
            if pattern is None:
                pattern = patterns[name] = re.compile(rf"(?<!\w){re.escape(name)}(?!\w)")
            if pattern.search(own_text):
                targets[seq] = ReplyEdge(comment.seq, seq, "mention", name)
        if not targets:
            targets[ARTICLE] = ReplyEdge(comment.seq, ARTICLE, "article")
        edges.extend(targets.values())
        latest[comment.author] = comment.seq
    return tuple(edges)


def infer_replies_allpairs(thread: Thread) -> ReplyStructure:
    """Quotes and reply edges of a thread by brute force (see the module docstring)."""
    quotes = match_quotes(thread)
    return ReplyStructure(quotes=quotes, edges=edges_from(thread, quotes))


@dataclass(frozen=True, slots=True)
class Estimate:
    seconds: float
    rows_total: int
    rows_timed: int
    pairs_total: int
    pairs_timed: int


def pair_count(thread: Thread) -> int:
    return sum(row.earlier for row in _rows(_sources(thread)))


def estimate_seconds(
    thread: Thread,
    quotes: dict[tuple[int, int], QuoteRef],
    budget_s: float,
    seed: int = 0,
) -> Estimate:
    """Time a uniform random sample of rows for about ``budget_s`` and extrapolate to all.

    Times are CPU seconds of this process, as for the index-based method it is compared with.

    Only the quote matching is sampled: it is all but the whole cost. The edge pass
    (mentions: comments × earlier authors) is timed in full, once, on ``quotes`` (the
    ones the fast method found, standing in for the ones the full run would find), and
    added.
    """
    sources = _sources(thread)
    rows = _rows(sources)
    order = list(range(len(rows)))
    random.Random(seed).shuffle(order)
    matcher: SequenceMatcher[str] = SequenceMatcher(None, autojunk=False)
    spent = 0.0
    timed_rows = 0
    timed_pairs = 0
    for i in order:
        row = rows[i]
        start = time.process_time()
        best_source(row, sources, matcher)
        spent += time.process_time() - start
        timed_rows += 1
        timed_pairs += row.earlier
        if spent >= budget_s and timed_rows >= 20:
            break
    quote_seconds = spent * len(rows) / timed_rows
    start = time.process_time()
    edges_from(thread, quotes)
    rest = time.process_time() - start
    return Estimate(
        seconds=quote_seconds + rest,
        rows_total=len(rows),
        rows_timed=timed_rows,
        pairs_total=sum(r.earlier for r in rows),
        pairs_timed=timed_pairs,
    )
