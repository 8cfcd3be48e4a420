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

import re
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial

from bot.inference.mentions import STOPWORDS, Mention, NameBook, person_key
from bot.inference.outside import comment_outside
from bot.inference.quotes import SHORT_WORDS, QuoteIndex
from bot.inference.words import Normalised
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
from bot.text import shorten

INFERENCE_VERSION = 6
"""Bump when inference gives different answers: a stored thread inferred by an older
version is re-inferred the next time its file is ingested (seeds: on every start),
even though its text did not change."""

SHORT_ANSWER_WORDS = 40
"""A comment of at most this many words is a short answer."""
QUESTION_WORDS = 80
"""A comment that asks something counts as a short answer up to this many words."""

MAX_INLINE_QUOTES = 8
"""Quoted sentences looked up per paragraph, at most."""
_INLINE = re.compile(r"[“\"«]([^“”\"«»]{20,1000})[”\"»]")
"""A run of words in quotation marks inside a paragraph (bounded, so matching is linear)."""

PHRASE_WORDS = 4
"""Words in a row that make a phrase a comment may pick up from the one before."""
PHRASE_MEMORY = 200
"""Comments whose phrases are remembered."""
FOLLOW_UP_WORDS = 80
"""A bare comment of one paragraph up to this long, right after a reply, follows it up."""

CONFIDENCE: dict[str, float] = {
    "parent": 1.0,
    "name": 0.9,
    "short": 0.8,
    "reference": 0.75,
    "exchange": 0.6,
    "continuation": 0.55,
    "follow-up": 0.4,
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


@dataclass(frozen=True, slots=True)
class _Bare:
    """The shape of a comment with no quote, name or parent: its own words only."""

    words: int
    paragraphs: int
    asks: bool
    picks_up: Callable[[], bool]
    """Whether it repeats a phrase that the comment before brought into the thread (asked
    only when everything else says it may be a follow-up: it is the costly question)."""


Run = tuple[str, ...]


class _Phrases:
    """The article's runs of ``PHRASE_WORDS`` words and the own words of the last
    ``PHRASE_MEMORY`` comments, so that a phrase picked up from the comment before can be
    told from the thread's common phrasing. A comment's runs are only worked out when a
    comment after it might be a follow-up; memory stays bounded whatever the thread's size.

    A run made of stopwords only is no phrase; such runs are left out of the shared ones
    only (taking them out of every set would change no answer, at a cost per word).
    """

    def __init__(self) -> None:
        self._article: set[Run] = set()
        self._recent: deque[tuple[list[str], list[frozenset[Run]]]] = deque()
        self._asked: tuple[list[str], frozenset[Run]] | None = None
        """The words last asked about and their runs: they are usually added next."""

    @staticmethod
    def of(words: list[str]) -> frozenset[Run]:
        return frozenset(zip(*(words[i:] for i in range(PHRASE_WORDS)), strict=False))

    def add_article(self, words: list[str]) -> None:
        self._article |= self.of(words)

    def add(self, words: list[str]) -> None:
        """Remember one comment's own words (the next comment may pick up a phrase of them)."""
        asked = self._asked
        self._asked = None
        self._recent.append((words, [asked[1]] if asked is not None and asked[0] is words else []))
        if len(self._recent) > PHRASE_MEMORY:
            self._recent.popleft()

    def _runs(self, entry: tuple[list[str], list[frozenset[Run]]]) -> frozenset[Run]:
        words, cached = entry
        if not cached:
            cached.append(self.of(words))
        return cached[0]

    def picked_up(self, words: list[str]) -> bool:
        """Whether ``words`` repeat a phrase of the last comment added that neither the
        article nor any other remembered comment has."""
        if not self._recent:
            return False
        runs = self.of(words)
        self._asked = (words, runs)
        candidates = (runs & self._runs(self._recent[-1])) - self._article
        shared = {run for run in candidates if not STOPWORDS.issuperset(run)}
        for i in range(len(self._recent) - 1):
            if not shared:
                break
            shared = shared - self._runs(self._recent[i])
        return bool(shared)


def infer_replies(thread: Thread) -> ReplyStructure:
    """Quotes and reply edges of every comment in ``thread``."""
    return infer_replies_using(thread, QuoteIndex())


def infer_replies_using(thread: Thread, index: QuoteIndex) -> ReplyStructure:
    """:func:`infer_replies` with a given (empty) index, whose counters the caller can read."""
    phrases = _Phrases()
    for i, paragraph in enumerate(thread.article_paragraphs):
        norm = Normalised.of(paragraph)
        index.add(ARTICLE, i, person_key(thread.author), norm)
        phrases.add_article(norm.words)
    names = NameBook(thread.author)
    quotes: dict[tuple[int, int], QuoteRef] = {}
    edges: list[ReplyEdge] = []
    authors: dict[int, str] = {}
    latest_number: dict[int, int] = {}
    previous: _Said | None = None
    for comment in thread.comments:
        speaker = names.key_of(comment.author)
        index.forget_short_before(comment.seq - index.recent)
        paragraphs = [Normalised.of(text) for text in comment.paragraphs]
        found, scores = _find_quotes(comment.seq, paragraphs, speaker, index)
        for idx, ref in found.items():
            quotes[(comment.seq, idx)] = ref
        folded = [para.folded for para in paragraphs]
        outside = comment_outside(comment.paragraphs, found.keys(), folded) | (
            comment.quoted - found.keys()
        )
        for idx in outside:
            quotes[(comment.seq, idx)] = QUOTED_FROM_OUTSIDE
        # The paragraphs in the commenter's own words (or in no words at all).
        mine_idx = [i for i in range(len(paragraphs)) if i not in found and i not in outside]
        mentions = [
            m
            for idx in mine_idx
            for m in names.addressed(comment.paragraphs[idx], speaker, paragraphs[idx])
        ]
        inline = [
            found_inline
            for idx in mine_idx
            for found_inline in _inline_quotes(comment.seq, comment.paragraphs[idx], speaker, index)
        ]
        parent = None
        if comment.parent_number is not None:
            parent = latest_number.get(comment.parent_number)
        context = _reposted_context(found, quotes, paragraphs)
        linked = {idx: ref for idx, ref in found.items() if idx not in context}
        mine = _edges(comment, linked, scores, inline, mentions, parent, names, authors)
        own = [i for i, para in enumerate(paragraphs) if i not in outside and para.words]
        said = [w for i in mine_idx for w in paragraphs[i].words]
        if mine[0].via == "article" and previous is not None:
            bare = _Bare(
                sum(len(paragraphs[i].words) for i in own),
                len(own),
                any("?" in comment.paragraphs[i] for i in own),
                partial(phrases.picked_up, said),
            )
            guess = _implicit(speaker, bare, previous, authors)
            if guess is not None:
                target, kind = guess
                mine = [ReplyEdge(comment.seq, target, "implicit", "", CONFIDENCE[kind])]
        edges.extend(mine)
        for idx in mine_idx:
            index.add(comment.seq, idx, speaker, paragraphs[idx])
        names.add_comment(comment.author, comment.seq)
        authors[comment.seq] = speaker
        latest_number[comment.number] = comment.seq
        phrases.add(said)
        previous = _Said(comment.seq, speaker, tuple(mine))
    edges.sort(key=lambda e: (e.source, e.target))
    return ReplyStructure(quotes=quotes, edges=tuple(edges))


def _implicit(
    speaker: str, bare: _Bare, previous: _Said, authors: dict[int, str]
) -> tuple[int, str] | None:
    """The comment that a comment with no quote, name or threaded parent answers, if any.

    Only the comment right before counts, and only when it answered someone:

    * ``exchange``: a short answer or a question, in one paragraph, from the person it
      answered goes back to it (B's #6 answers A's #5; A's "How exactly?" in #7 answers #6);
    * ``continuation``: a short answer or a question right after one's own reply
      goes on with it, so it answers what that reply answered;
    * ``follow-up``: a bare paragraph from a third person right after a reply, picking
      up a phrase that reply brought into the thread, joins that conversation.
    """
    answered = [e for e in previous.edges if e.via != "article"]
    if not answered:
        return None
    short = bare.words <= SHORT_ANSWER_WORDS or (bare.asks and bare.words <= QUESTION_WORDS)
    if previous.speaker == speaker:
        if not short:
            return None
        main = min(answered, key=lambda e: (_RANK[e.via], -e.confidence, -e.target))
        return main.target, "continuation"
    if short and bare.paragraphs == 1 and any(authors.get(e.target) == speaker for e in answered):
        return previous.seq, "exchange"
    replied = any(e.via != "implicit" for e in answered)
    if replied and bare.paragraphs == 1 and bare.words <= FOLLOW_UP_WORDS and bare.picks_up():
        return previous.seq, "follow-up"
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


def _reposted_context(
    found: dict[int, QuoteRef],
    quotes: dict[tuple[int, int], QuoteRef],
    paragraphs: list[Normalised],
) -> set[int]:
    """Quoted paragraphs that only come along with a later comment's exchange being pasted.

    When #2 quoted #1's paragraph P and answered it with R, a comment that pastes P then R
    right after it answers #2: P is the context #2 replied to, not a reply to #1 of its
    own. One pass from the end; only the two paragraphs before R in #2 are looked at (P,
    maybe a stray line).
    """
    context: set[int] = set()
    following: QuoteRef | None = None
    other: QuoteRef | None = None
    """The next quoted paragraph's source, and the next source after that one that differs."""
    for idx in range(len(paragraphs) - 1, -1, -1):
        ref = found.get(idx)
        if ref is None:
            if paragraphs[idx].words:
                following = other = None
            continue
        later = following if ref != following else other
        if later is not None and later.seq > ref.seq:
            start = max(0, later.paragraph - 2)
            if any(quotes.get((later.seq, k)) == ref for k in range(start, later.paragraph)):
                context.add(idx)
        if ref != following:
            other, following = following, ref
    return context


def _inline_quotes(
    seq: int, text: str, speaker: str, index: QuoteIndex
) -> list[tuple[QuoteRef, str, float]]:
    """Sentences of earlier comments quoted inside an own paragraph (``When you say “…”, you
    skip…``): each with the words quoted and their similarity (0-100)."""
    found: list[tuple[QuoteRef, str, float]] = []
    if '"' not in text and "“" not in text and "«" not in text:
        return found
    for match in _INLINE.finditer(text):
        quoted = Normalised.of(match.group(1))
        if len(quoted.words) < SHORT_WORDS:
            continue
        ref = index.find(seq, speaker, quoted, answered=True)
        if ref is not None:
            found.append((ref, shorten(match.group(1)), index.last_score))
        if len(found) >= MAX_INLINE_QUOTES:
            break
    return found


def _edges(
    comment: Comment,
    found: dict[int, QuoteRef],
    scores: dict[int, float],
    inline: list[tuple[QuoteRef, str, float]],
    mentions: list[Mention],
    parent: int | None,
    names: NameBook,
    authors: dict[int, str],
) -> list[ReplyEdge]:
    """The edges of one comment, one per target, strongest evidence first."""
    if not found and not inline and parent is None and not mentions:
        return [ReplyEdge(comment.seq, ARTICLE, "article", "", CONFIDENCE["article"])]
    best: dict[int, tuple[int, Via, str, float]] = {}
    """Target → the rank of the strongest evidence so far, its kind, snippet, confidence."""

    def offer(target: int, via: Via, snippet: str, confidence: float) -> None:
        known = best.get(target)
        if known is None or _RANK[via] < known[0]:
            best[target] = (_RANK[via], via, snippet, round(confidence, 2))

    for idx in sorted(found):
        ref = found[idx]
        if ref.seq not in best:
            offer(ref.seq, "quote", shorten(comment.paragraphs[idx]), scores[idx] / 100)
    for ref, said, score in inline:
        offer(ref.seq, "quote", said, score / 100)
    if parent is not None:
        offer(parent, "parent", "", CONFIDENCE["parent"])
    quoted_by_person: dict[str, int] = {}
    for ref in [*found.values(), *(ref for ref, _, _ in inline)]:
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
    ranked = sorted(best.items(), key=lambda item: (item[1][0], item[0]))
    return [
        ReplyEdge(comment.seq, target, via, snippet, confidence)
        for target, (_, via, snippet, confidence) in ranked
    ]
