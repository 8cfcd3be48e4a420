"""Reply inference: which paragraphs are quotes, and which earlier comments each comment answers.

One pass over the thread in order, so that everything a comment can point at
is already known when it is read:

* each paragraph is looked up in a :class:`~bot.inference.quotes.QuoteIndex` of the
  article's and earlier commenters' own paragraphs; a paragraph with no words
  at all (a stray ``.`` line) right after a quote belongs to that quote;
* own paragraphs are scanned for people addressed by name or short form, or
  referred to with a cue (:class:`~bot.inference.mentions.NameBook`); the reply
  goes to that person's most recent earlier comment, or to the comment of
  theirs that this comment quotes, or to the article for the post author;
* a ``parent_number`` recorded by the source links to that earlier comment;
* a comment with none of these may still answer the comment right before it
  (``implicit``, see :func:`_implicit`);
* otherwise it replies to the article.

Paragraphs that quote nothing in the thread but are not the commenter's words either (a
``<blockquote>``, a pasted news story: :mod:`~bot.inference.outside`) are quotes of
:data:`~bot.models.OUTSIDE`: left out of the index, of mentions and of the edges.

Edges are one per (source, target), the strongest evidence winning:
``quote`` over ``parent`` over ``mention`` over ``implicit``. Each carries a
confidence, so that readers of the links can tell a pasted quote from a guess.
"""

from __future__ import annotations

from dataclasses import dataclass

from bot.inference.mentions import STOPWORDS, Mention, NameBook, person_key
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

INFERENCE_VERSION = 4
"""Bump when inference gives different answers: a stored thread inferred by an older
version is re-inferred the next time its file is ingested (seeds: on every start),
even though its text did not change."""

SNIPPET = 80
"""Longest snippet, in characters, ``…`` included."""

SHORT_ANSWER_WORDS = 40
"""A comment of at most this many words is a short answer."""
QUESTION_WORDS = 80
"""A comment that asks something counts as a short answer up to this many words."""

ECHO_WORDS = 5
"""Words a comment must share in a row with the one before to be taken for answering it."""

CONFIDENCE: dict[str, float] = {
    "parent": 1.0,
    "name": 0.9,
    "short": 0.8,
    "reference": 0.75,
    "exchange": 0.6,
    "continuation": 0.55,
    "echo": 0.45,
    "article": 0.5,
}
"""How sure each kind of evidence makes us (quotes use their similarity instead)."""

_RANK: dict[Via, int] = {"quote": 0, "parent": 1, "mention": 2, "implicit": 3, "article": 4}


@dataclass(frozen=True, slots=True)
class _Said:
    """What the implicit rules need to know about the comment before the current one."""

    seq: int
    speaker: str
    edges: tuple[ReplyEdge, ...]
    grams: frozenset[tuple[str, ...]]


def infer_replies(thread: Thread) -> ReplyStructure:
    """Quotes and reply edges of every comment in ``thread``."""
    return infer_replies_using(thread, QuoteIndex())


def infer_replies_using(thread: Thread, index: QuoteIndex) -> ReplyStructure:
    """:func:`infer_replies` with a given (empty) index, whose counters the caller can read."""
    article_grams: set[tuple[str, ...]] = set()
    for i, paragraph in enumerate(thread.article_paragraphs):
        norm = Normalised.of(paragraph)
        index.add(ARTICLE, i, person_key(thread.author), norm)
        article_grams.update(_grams(norm.words))
    names = NameBook(thread.author)
    quotes: dict[tuple[int, int], QuoteRef] = {}
    edges: list[ReplyEdge] = []
    authors: dict[int, str] = {}
    latest_number: dict[int, int] = {}
    previous: _Said | None = None
    for comment in thread.comments:
        speaker = person_key(comment.author)
        index.forget_short_before(comment.seq - index.recent)
        paragraphs = [Normalised.of(text) for text in comment.paragraphs]
        found, scores = _find_quotes(comment.seq, paragraphs, speaker, index)
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
        mine_idx = [i for i in range(len(paragraphs)) if i not in found and i not in outside]
        own = [w for i in mine_idx for w in paragraphs[i].words]
        grams = frozenset(g for g in _grams(own) if g not in article_grams and _distinctive(g))
        mine = _edges(comment, found, scores, mentions, parent, names, authors)
        if mine[0].via == "article" and previous is not None:
            asks = any("?" in comment.paragraphs[i] for i in mine_idx)
            guess = _implicit(speaker, len(own), asks, grams, previous, authors)
            if guess is not None:
                target, kind = guess
                mine = [ReplyEdge(comment.seq, target, "implicit", "", CONFIDENCE[kind])]
        edges.extend(mine)
        for idx, para in enumerate(paragraphs):
            if idx not in found and idx not in outside:
                index.add(comment.seq, idx, speaker, para)
        names.add_comment(comment.author, comment.seq)
        authors[comment.seq] = speaker
        latest_number[comment.number] = comment.seq
        previous = _Said(comment.seq, speaker, tuple(mine), grams)
    edges.sort(key=lambda e: (e.source, e.target))
    return ReplyStructure(quotes=quotes, edges=tuple(edges))


def _grams(ws: list[str]) -> list[tuple[str, ...]]:
    """Runs of ``ECHO_WORDS`` words."""
    return list(zip(*(ws[i:] for i in range(ECHO_WORDS)), strict=False))


def _distinctive(gram: tuple[str, ...]) -> bool:
    """A run of words that says something: at least one of them is not a stopword."""
    return any(w not in STOPWORDS for w in gram)


def _implicit(
    speaker: str,
    words: int,
    asks: bool,
    grams: frozenset[tuple[str, ...]],
    previous: _Said,
    authors: dict[int, str],
) -> tuple[int, str] | None:
    """The comment a comment with no quote, name or threaded parent answers, if any.

    Only the comment right before counts, and only when it was itself part of an
    exchange (it answered someone):

    * ``exchange``: a short answer or a question from the person it answered goes
      back to it (B answers A's #5 in #6; A's "How exactly?" in #7 answers #6);
    * ``continuation``: a short answer or a question right after one's own reply
      continues that reply, so it answers what that reply answered;
    * ``echo``: anyone's comment that picks up a run of ``ECHO_WORDS`` words of it (not
      all stopwords, and not a run the article has) answers it.
    """
    answered = [e for e in previous.edges if e.via != "article"]
    if not answered:
        return None
    short = words <= SHORT_ANSWER_WORDS or (asks and words <= QUESTION_WORDS)
    if previous.speaker != speaker:
        if short and any(authors.get(e.target) == speaker for e in answered):
            return previous.seq, "exchange"
        if grams & previous.grams:
            return previous.seq, "echo"
        return None
    if short:
        main = min(answered, key=lambda e: (_RANK[e.via], -e.confidence, -e.target))
        return main.target, "continuation"
    return None


def _find_quotes(
    seq: int, paragraphs: list[Normalised], speaker: str, index: QuoteIndex
) -> tuple[dict[int, QuoteRef], dict[int, float]]:
    """Quoted paragraphs of one comment, by paragraph index, and their similarity (0-100)."""
    found: dict[int, QuoteRef] = {}
    scores: dict[int, float] = {}
    last = len(paragraphs) - 1
    for idx, para in enumerate(paragraphs):
        if not para.words:
            if idx - 1 in found:
                found[idx] = found[idx - 1]
                scores[idx] = scores[idx - 1]
            continue
        ref = index.find(seq, speaker, para, answered=idx < last)
        if ref is not None:
            found[idx] = ref
            scores[idx] = index.last_score
    return found, scores


def _edges(
    comment: Comment,
    found: dict[int, QuoteRef],
    scores: dict[int, float],
    mentions: list[Mention],
    parent: int | None,
    names: NameBook,
    authors: dict[int, str],
) -> list[ReplyEdge]:
    """The edges of one comment, one per target, strongest evidence first."""
    best: dict[int, ReplyEdge] = {}

    def offer(target: int, via: Via, snippet: str, confidence: float) -> None:
        known = best.get(target)
        if known is None or _RANK[via] < _RANK[known.via]:
            best[target] = ReplyEdge(comment.seq, target, via, snippet, round(confidence, 2))

    for idx in sorted(found):
        ref = found[idx]
        if ref.seq not in best:
            offer(ref.seq, "quote", shorten(comment.paragraphs[idx]), scores[idx] / 100)
    if parent is not None:
        offer(parent, "parent", "", CONFIDENCE["parent"])
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
        offer(target, "mention", mention.words, CONFIDENCE[mention.how])
    if not best:
        offer(ARTICLE, "article", "", CONFIDENCE["article"])
    return sorted(best.values(), key=lambda e: (_RANK[e.via], e.target))


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
