"""Reply inference: which paragraphs are quotes, and which earlier comments each comment answers.

One pass over the thread in order, so that everything a comment can point at
is already known when it is read:

* each paragraph is looked up in a :class:`~bot.inference.quotes.QuoteIndex` of the
  article's and earlier commenters' own paragraphs; a paragraph with no words
  at all (a stray ``.`` line) right after a quote belongs to that quote;
* own paragraphs are scanned for people addressed by name
  (:class:`~bot.inference.mentions.NameBook`); the reply goes to that person's most
  recent earlier comment, or to the comment of theirs that this comment
  quotes, or to the article for the post author;
* a ``parent_number`` recorded by the source links to that earlier comment;
* a comment with none of these replies to the article.

Paragraphs that quote nothing in the thread but are not the commenter's words either (a
``<blockquote>``, a pasted news story: :mod:`~bot.inference.outside`) are quotes of
:data:`~bot.models.OUTSIDE`: left out of the index, of mentions and of the edges.

Edges are one per (source, target), the strongest evidence winning:
``quote`` over ``parent`` over ``mention``.
"""

from __future__ import annotations

from bot.inference.mentions import Mention, NameBook, person_key
from bot.inference.outside import comment_outside
from bot.inference.quotes import Normalised, QuoteIndex
from bot.models import (
    ARTICLE,
    QUOTED_FROM_OUTSIDE,
    Comment,
    QuoteRef,
    ReplyEdge,
    ReplyStructure,
    Thread,
    Via,
)

INFERENCE_VERSION = 3
"""Bump when inference gives different answers: a stored thread inferred by an older
version is re-inferred the next time its file is ingested (seeds: on every start),
even though its text did not change."""

SNIPPET = 80
"""Longest snippet, in characters, ``…`` included."""

_RANK: dict[Via, int] = {"quote": 0, "parent": 1, "mention": 2, "article": 3}


def infer_replies(thread: Thread) -> ReplyStructure:
    """Quotes and reply edges of every comment in ``thread``."""
    return infer_replies_using(thread, QuoteIndex())


def infer_replies_using(thread: Thread, index: QuoteIndex) -> ReplyStructure:
    """:func:`infer_replies` with a given (empty) index, whose counters the caller can read."""
    for i, paragraph in enumerate(thread.article_paragraphs):
        index.add(ARTICLE, i, person_key(thread.author), Normalised.of(paragraph))
    names = NameBook(thread.author)
    quotes: dict[tuple[int, int], QuoteRef] = {}
    edges: list[ReplyEdge] = []
    authors: dict[int, str] = {}
    latest_number: dict[int, int] = {}
    for comment in thread.comments:
        speaker = person_key(comment.author)
        index.forget_short_before(comment.seq - index.recent)
        paragraphs = [Normalised.of(text) for text in comment.paragraphs]
        found = _find_quotes(comment.seq, paragraphs, speaker, index)
        for idx, ref in found.items():
            quotes[(comment.seq, idx)] = ref
        outside = comment_outside(comment.paragraphs, found.keys()) | (
            comment.quoted - found.keys()
        )
        for idx in outside:
            quotes[(comment.seq, idx)] = QUOTED_FROM_OUTSIDE
        mentions = [
            m
            for idx, text in enumerate(comment.paragraphs)
            if idx not in found and idx not in outside
            for m in names.addressed(text, speaker)
        ]
        parent = None
        if comment.parent_number is not None:
            parent = latest_number.get(comment.parent_number)
        edges.extend(_edges(comment, found, mentions, parent, names, authors))
        for idx, para in enumerate(paragraphs):
            if idx not in found and idx not in outside:
                index.add(comment.seq, idx, speaker, para)
        names.add_comment(comment.author, comment.seq)
        authors[comment.seq] = speaker
        latest_number[comment.number] = comment.seq
    edges.sort(key=lambda e: (e.source, e.target))
    return ReplyStructure(quotes=quotes, edges=tuple(edges))


def _find_quotes(
    seq: int, paragraphs: list[Normalised], speaker: str, index: QuoteIndex
) -> dict[int, QuoteRef]:
    """Quoted paragraphs of one comment, by paragraph index."""
    found: dict[int, QuoteRef] = {}
    last = len(paragraphs) - 1
    for idx, para in enumerate(paragraphs):
        if not para.words:
            if idx - 1 in found:
                found[idx] = found[idx - 1]
            continue
        ref = index.find(seq, speaker, para, answered=idx < last)
        if ref is not None:
            found[idx] = ref
    return found


def _edges(
    comment: Comment,
    found: dict[int, QuoteRef],
    mentions: list[Mention],
    parent: int | None,
    names: NameBook,
    authors: dict[int, str],
) -> list[ReplyEdge]:
    """The edges of one comment, one per target, strongest evidence first."""
    best: dict[int, ReplyEdge] = {}

    def offer(target: int, via: Via, snippet: str) -> None:
        known = best.get(target)
        if known is None or _RANK[via] < _RANK[known.via]:
            best[target] = ReplyEdge(comment.seq, target, via, snippet)

    for idx in sorted(found):
        ref = found[idx]
        if ref.seq not in best:
            offer(ref.seq, "quote", shorten(comment.paragraphs[idx]))
    if parent is not None:
        offer(parent, "parent", "")
    quoted_by_person: dict[str, int] = {}
    for ref in found.values():
        person = authors.get(ref.seq)
        if person is not None:
            quoted_by_person[person] = max(ref.seq, quoted_by_person.get(person, 0))
    for mention in mentions:
        target = quoted_by_person.get(mention.person)
        if target is None:
            target = names.latest(mention.person)
        if target is None:
            if mention.person != names.post_author:
                continue
            target = ARTICLE
        offer(target, "mention", mention.words)
    if not best:
        offer(ARTICLE, "article", "")
    return list(best.values())


def shorten(text: str, limit: int = SNIPPET) -> str:
    """One line of at most ``limit`` characters, cut at a word with ``…`` if it is longer."""
    flat = " ".join(text.split())
    if len(flat) <= limit:
        return flat
    cut = flat[: limit - 1]
    space = cut.rfind(" ")
    if flat[limit - 1] != " " and space > limit // 2:
        cut = cut[:space]
    return cut.rstrip(" ,;:.–—-") + "…"
