"""Which earlier paragraph a paragraph copies, found through an index rather than all pairs.

Commenters quote by pasting: a whole earlier paragraph, one sentence of it, a
clause, with a typo fixed, quote marks added, an ellipsis cut. So a paragraph
is compared with earlier *own* paragraphs (the article's and commenters' own
words; quoted paragraphs are never indexed, so a quote of a quote lands on the
words' author) in three steps:

1. normalise both sides to folded words (case, accents, quote marks and
   punctuation dropped), so only wording differences remain;
2. look up the paragraph's word 3-grams in a shingle index to get a handful of
   candidate sources (winnowing keeps the index to ~40 % of the shingles while
   still guaranteeing a hit for any shared run of six words; a shingle seen in
   too many paragraphs stops voting, and winnowing passes over such shingles so
   that a clause made mostly of stock phrases keeps its rare ones);
3. verify at most ``candidates`` of them with rapidfuzz's ``partial_ratio``
   (the quote must align with a stretch of the source nearly character for
   character).

Paragraphs of fewer than six words cannot be told apart from ordinary phrases
by similarity, so they only count as quotes when they equal a whole short
sentence of a *recent* comment by someone else and the commenter goes on to
answer it.
"""

from __future__ import annotations

from collections import Counter, deque
from dataclasses import dataclass
from itertools import chain, count, filterfalse, repeat
from operator import itemgetter

from rapidfuzz import fuzz
from rapidfuzz.distance import OSA, LCSseq

from bot.inference.words import Normalised, has_ellipsis, segments
from bot.models import ARTICLE, QuoteRef

SHINGLE = 3
"""Words per shingle."""
SHORT_WORDS = 6
"""Paragraphs with fewer words than this go through the short-quote rules."""
LONG_WORDS = 12
"""From this many words on, a quote may be a little fuzzier and may quote oneself."""
MIN_SHORT_WORDS = 3
"""Shorter sentences (``Exactly.``, ``I agree.``) are never taken for quotes."""
SHORT_QUOTE_SCORE = 80.0
"""The similarity reported for a short quote: exact, but short sentences recur by chance."""
MIN_WORD_SHARE = 0.75
"""A candidate source must contain at least this share of the quote's words to be compared."""
MAX_CHANGED_WORDS = 1
"""Words of a quote that may differ from its source other than by a typo."""
MAX_FUZZY_WORDS = 150
"""Quotes longer than this are compared by shared word 3-grams instead of character by character."""
POSITIONS_KEPT = 4
"""Occurrences of a word 3-gram remembered per paragraph, to line a quote up with the right one."""
SLACK_WORDS = 8
"""Words of the source kept on each side of where a quote lines up, for inserted words."""
_COMMON = -1
"""The paragraph of a short sentence that several people wrote: nobody's to be quoted."""
_NEVER = 1 << 64
"""Larger than any shingle key: stands for a common shingle when winnowing picks the least."""


Gram = tuple[str, str, str]


def threshold(n_words: int) -> float:
    """Minimum ``partial_ratio`` for a paragraph of ``n_words`` words to count as a copy."""
    return 88.0 if n_words >= LONG_WORDS else 93.0


class _Source:
    """An own paragraph that may be quoted, with lookups built the first time it is a candidate.

    It keeps its words as one string (a list of word objects would take several times the
    memory, for every own paragraph of the thread); they are split again for a candidate.
    """

    __slots__ = ("_positions", "_vocabulary", "_words", "author", "paragraph", "seq", "text")

    def __init__(self, seq: int, paragraph: int, author: str, text: str) -> None:
        self.seq = seq
        self.paragraph = paragraph
        self.author = author
        self.text = text
        """The normalised words joined by spaces, padded with a space on each side."""
        self._vocabulary: frozenset[str] | None = None
        self._words: list[str] | None = None
        self._positions: tuple[dict[Gram, int], dict[Gram, list[int]]] | None = None

    @property
    def words(self) -> list[str]:
        if self._words is None:
            self._words = self.text.split()
        return self._words

    def vocabulary(self) -> frozenset[str]:
        if self._vocabulary is None:
            self._vocabulary = frozenset(self.words)
        return self._vocabulary

    def positions(self) -> tuple[dict[Gram, int], dict[Gram, list[int]]]:
        """Where each word 3-gram of the paragraph first occurs, and for the 3-grams that
        occur again, their first ``POSITIONS_KEPT`` places."""
        if self._positions is None:
            ws = self.words
            grams = list(zip(ws, ws[1:], ws[2:], strict=False))
            first = dict(zip(reversed(grams), range(len(grams) - 1, -1, -1), strict=True))
            again: dict[Gram, list[int]] = {}
            if len(first) < len(grams):
                for i, gram in enumerate(grams):
                    if first[gram] != i:
                        at = again.setdefault(gram, [first[gram]])
                        if len(at) < POSITIONS_KEPT:
                            at.append(i)
            self._positions = first, again
        return self._positions

    def window(self, query_words: list[str]) -> str:
        """The stretch of the paragraph a quote of these words lines up with, with some slack
        on each side (the whole paragraph when it is short)."""
        n = len(query_words)
        slack = max(SLACK_WORDS, n // 4)
        if len(self.words) <= n + 2 * slack:
            return self.text
        first, again = self.positions()
        offsets: dict[int, int] = {}
        grams = zip(query_words, query_words[1:], query_words[2:], strict=False)
        for i, gram in enumerate(grams):
            at = first.get(gram)
            if at is None:
                continue
            for place in again.get(gram, (at,)) if again else (at,):
                offsets[place - i] = offsets.get(place - i, 0) + 1
        start = max(offsets, key=lambda o: (offsets[o], -o)) if offsets else 0
        ws = self.words[max(0, start - slack) : start + n + slack]
        return " " + " ".join(ws) + " "

    def shingle_share(self, query_words: list[str]) -> float:
        """Score of a long quote: the share of its word 3-grams found in the paragraph (of both
        sides' 3-grams, like ``ratio``, when the quote is the longer text)."""
        grams = list(zip(query_words, query_words[1:], query_words[2:], strict=False))
        first, _ = self.positions()
        shared = sum(map(first.__contains__, grams))
        source_grams = len(self.words) - 2
        if len(grams) > source_grams:
            return 200.0 * shared / (len(grams) + source_grams)
        return 100.0 * shared / len(grams)


@dataclass(slots=True)
class QuoteStats:
    """Work counters, so tests can check that the cost per paragraph stays bounded."""

    queries: int = 0
    verifications: int = 0
    max_verifications: int = 0
    votes: int = 0
    max_votes: int = 0
    """Most postings counted for one paragraph: bounded by its shingles times ``cap``."""
    fuzzy: int = 0
    """Character comparisons made (``rapidfuzz`` calls)."""
    max_fuzzy_chars: int = 0
    """Longest text, in characters, handed to one character comparison."""

    def record_fuzzy(self, query: int, source: int) -> None:
        self.fuzzy += 1
        self.max_fuzzy_chars = max(self.max_fuzzy_chars, query, source)


class QuoteIndex:
    """Own paragraphs seen so far, indexed for finding what a new paragraph quotes.

    Feed it in thread order: ``find`` for each paragraph of a comment, then
    ``add`` for the paragraphs that turned out to be the commenter's own words.
    """

    def __init__(
        self,
        *,
        window: int = 4,
        cap: int = 8,
        candidates: int = 4,
        recent: int = 12,
    ) -> None:
        self.window = window
        """Winnowing window: a shared run of ``window + SHINGLE - 1`` words is always found."""
        self.cap = cap
        """A shingle found in more paragraphs than this no longer votes."""
        self.candidates = candidates
        """At most this many candidate sources are verified per paragraph."""
        self.recent = recent
        """Short quotes must come from one of this many previous comments (or the article)."""
        self.stats = QuoteStats()
        self.last_score = 0.0
        """Similarity (0-100) of the last quote ``find`` returned: 100 for an exact copy."""
        self._vocab: dict[str, int] = {}
        self._postings: dict[int, tuple[int, ...]] = {}
        """Shingle key → the paragraphs it was indexed for (at most ``cap``); ``()`` once
        it is common."""
        self._common: dict[int, int] = {}
        """Common shingle keys → ``_NEVER``: what winnowing sees instead of them."""
        self._sources: list[_Source] = []
        self._short: dict[str, int] = {}
        self._short_order: deque[tuple[int, str]] = deque()

    # ---- building -------------------------------------------------------------------

    def add(self, seq: int, paragraph: int, author: str, para: Normalised) -> None:
        """Index an own paragraph of comment ``seq`` (0 = the article) by ``author`` (folded).

        Besides the winnowed shingles, the first shingle of every sentence is
        indexed: quotes mostly start at a sentence, and that anchor still finds
        them when the rest of the run is made of stock phrases that no longer vote.
        Word ids are given in the order words first occur in indexed paragraphs, so
        winnowing (which keeps the least keys) picks the same shingles in every run.
        """
        ws = para.words
        if not ws:
            return
        pid = len(self._sources)
        self._sources.append(_Source(seq, paragraph, author, " " + " ".join(ws) + " "))
        keys = para.known_keys
        if keys is None:
            vocab = self._vocab
            fresh = dict.fromkeys(filterfalse(vocab.__contains__, ws))
            if fresh:
                vocab.update(zip(fresh, count(len(vocab))))
            keys = _shingles(list(map(vocab.__getitem__, ws)))
        common = self._common
        if seq == ARTICLE or len(keys) <= self.window:
            chosen = set(keys)
        else:
            votable = list(map(common.get, keys, keys)) if common else keys
            chosen = set(map(min, *(votable[i:] for i in range(self.window))))
            chosen.discard(_NEVER)
            offset = 0
            for sw in para.sentences:
                if offset < len(keys):
                    chosen.add(keys[offset])
                offset += len(sw)
        postings = self._postings
        new = chosen.difference(postings)
        if new:
            postings.update(dict.fromkeys(new, (pid,)))
        if len(new) < len(chosen):
            cap = self.cap
            for key in chosen.difference(new):
                found = postings[key]
                if not found:
                    continue
                if len(found) > 1 and len(found) >= cap:
                    postings[key] = ()
                    common[key] = _NEVER
                else:
                    postings[key] = (*found, pid)
        for sw in para.sentences:
            if MIN_SHORT_WORDS <= len(sw) < SHORT_WORDS:
                self._add_short(" ".join(sw), pid, seq, author)

    def _add_short(self, key: str, pid: int, seq: int, author: str) -> None:
        known = self._short.get(key)
        if known is not None and (known == _COMMON or self._sources[known].author != author):
            self._short[key] = _COMMON
            return
        self._short[key] = pid
        if seq:
            self._short_order.append((seq, key))

    def forget_short_before(self, seq: int) -> None:
        """Drop short sentences of comments before ``seq``: they are too old to be quoted."""
        order = self._short_order
        while order and order[0][0] < seq:
            old_seq, key = order.popleft()
            pid = self._short.get(key)
            if pid is not None and pid != _COMMON and self._sources[pid].seq == old_seq:
                del self._short[key]

    # ---- querying -------------------------------------------------------------------

    def find(self, seq: int, author: str, para: Normalised, *, answered: bool) -> QuoteRef | None:
        """The own paragraph that ``para`` (in comment ``seq`` by ``author``) copies, if any.

        ``answered`` says whether the commenter writes anything after this
        paragraph; a quote under ``LONG_WORDS`` words that nobody answers is taken for own
        words (``So what would you do instead?`` asked again is a question, not a quote).
        """
        self.stats.queries += 1
        if len(para.words) < SHORT_WORDS:
            return self._find_short(seq, author, para.words, answered=answered)
        if len(para.words) < LONG_WORDS and not answered:
            return None
        keys = self._query_keys(para)
        hits = list(filter(None, map(self._postings.get, keys)))
        found = self._find_long(seq, author, para.words, para.text, hits) if hits else None
        if found is None and len(para.sentences) > 1:
            found = self._find_pasted(seq, author, para, keys, hits, answered=answered)
        return found

    def _query_keys(self, para: Normalised) -> list[int]:
        """The shingle keys of a paragraph, a word not indexed yet having id -1 (so no shingle
        with it is found); kept on the paragraph when every word had its id already."""
        ids = list(map(self._vocab.get, para.words, repeat(-1)))
        keys = _shingles(ids)
        if -1 not in ids:
            para.known_keys = keys
        return keys

    def _find_pasted(
        self,
        seq: int,
        author: str,
        para: Normalised,
        keys: list[int],
        hits: list[tuple[int, ...]],
        *,
        answered: bool,
    ) -> QuoteRef | None:
        """Consecutive paragraphs of one comment pasted as one paragraph: longer than any of
        them, so matched sentence by sentence, all from that comment (the first one's
        paragraph is the source). Stops at the first sentence that is not a copy, which for
        own words is nearly always the first. A sentence's shingles are among the
        paragraph's, so when none of those is indexed a long sentence cannot be a copy."""
        first: QuoteRef | None = None
        matched = 0
        offset = 0
        for sw in para.sentences:
            if len(sw) < MIN_SHORT_WORDS:
                return None
            if len(sw) < SHORT_WORDS:
                ref = self._find_short(seq, author, sw, answered=answered)
            elif not hits:
                return None
            else:
                own = keys[offset : offset + len(sw) - 2]
                own_hits = list(filter(None, map(self._postings.get, own)))
                ref = self._find_long(seq, author, sw, " ".join(sw), own_hits)
            if ref is None or (first is not None and ref.seq != first.seq):
                return None
            first = first or ref
            matched += 1
            offset += len(sw)
        return first if matched > 1 else None

    def _find_short(
        self, seq: int, author: str, ws: list[str], *, answered: bool
    ) -> QuoteRef | None:
        if len(ws) < MIN_SHORT_WORDS or not answered:
            return None
        pid = self._short.get(" ".join(ws))
        if pid is None or pid == _COMMON:
            return None
        source = self._sources[pid]
        if source.author == author or source.seq >= seq:
            return None
        if source.seq and source.seq < seq - self.recent:
            return None
        self.last_score = SHORT_QUOTE_SCORE
        return QuoteRef(source.seq, source.paragraph)

    def _find_long(
        self, seq: int, author: str, ws: list[str], text: str, hits: list[tuple[int, ...]]
    ) -> QuoteRef | None:
        """The best verified source among those sharing the most indexed shingles
        (``hits``: the postings of the paragraph's shingles that are indexed)."""
        if not hits:
            return None
        votes = Counter(chain.from_iterable(hits))
        self.stats.votes += len(votes)
        self.stats.max_votes = max(self.stats.max_votes, len(votes))
        n = len(ws)
        long = n >= LONG_WORDS
        ranked = sorted(votes.items(), key=_VOTES_THEN_PID, reverse=True)
        query = " " + " ".join(ws) + " "
        pieces: list[str] | None = None
        cut: bool | None = None
        need = threshold(n)
        best: tuple[float, int] | None = None
        checked = 0
        for pid, _ in ranked:
            if checked >= self.candidates:
                break
            source = self._sources[pid]
            if source.seq >= seq or (not long and source.author == author):
                continue
            checked += 1
            if best is not None and best[0] >= _EXACT and pid > best[1] and n <= MAX_FUZZY_WORDS:
                continue  # no score passes 100 at this length: it cannot beat an exact copy
            score = _similarity(query, ws, source, need, self.stats)
            if score < need and (cut := has_ellipsis(text) if cut is None else cut):
                if pieces is None:
                    pieces = [" " + " ".join(p) + " " for p in segments(text)]
                score = max(score, _cut_similarity(pieces, source, n, need, self.stats))
            if score >= need and (best is None or (score, -pid) > (best[0], -best[1])):
                best = (score, pid)
        self.stats.verifications += checked
        self.stats.max_verifications = max(self.stats.max_verifications, checked)
        if best is None:
            return None
        self.last_score = best[0]
        source = self._sources[best[1]]
        return QuoteRef(source.seq, source.paragraph)


_VOTES_THEN_PID = itemgetter(1, 0)
_EXACT = 100.0


def _shingles(ids: list[int]) -> list[int]:
    """Keys of the word 3-grams of a paragraph, given its word ids (stable across runs)."""
    return list(map(hash, zip(ids, ids[1:], ids[2:], strict=False)))


def _similarity(
    query: str, query_words: list[str], source: _Source, need: float, stats: QuoteStats
) -> float:
    """How well ``query`` matches a stretch of ``source`` (whole-to-whole if it is longer).

    ``query`` is a padded normalised text, ``query_words`` its words. Cheap tests first:
    a copy with small edits still has nearly all its words in the source, which
    paragraphs that merely share a phrase do not (an exact copy has them all, so testing
    this first turns no copy away); an exact copy is a substring. The character
    comparison then only ever sees bounded texts: a quote of up to
    ``MAX_FUZZY_WORDS`` words against the stretch of the source it lines up with
    (found through shared 3-grams), and longer quotes by their share of the
    source's 3-grams. So a huge or repetitive paragraph costs time in proportion
    to its length, never to its square. A close enough stretch must finally have
    the quote's words in order, but for typos (:func:`_same_words`).
    """
    known = source.vocabulary()
    if sum(map(known.__contains__, query_words)) < MIN_WORD_SHARE * len(query_words):
        return 0.0
    window = source.window(query_words)
    if query in window:
        return 100.0
    if len(query_words) > MAX_FUZZY_WORDS:
        return source.shingle_share(query_words)
    stats.record_fuzzy(len(query), len(window))
    if len(query) > len(window):
        score = float(fuzz.ratio(query, window, score_cutoff=need))
    else:
        score = float(fuzz.partial_ratio(query, window, score_cutoff=need))
    if score and not _same_words(query_words, window.split()):
        return 0.0
    return score


def _same_words(query: list[str], source: list[str]) -> bool:
    """Whether ``query`` has the source's words in the source's order, but for typos.

    Character similarity alone also passes a sentence built on the same pattern as
    its source with other words put in (``half the problem with the ring road is…``
    against ``half the problem with the tram line is…``); a pasted quote differs from
    its source in letters (a fixed typo, a dropped apostrophe), not in words.
    """
    if len(query) - LCSseq.similarity(query, source) <= MAX_CHANGED_WORDS:
        return True
    query_words = dict.fromkeys(query)
    spelled = [w if w in query_words else _nearest(w, query_words) for w in source]
    missing = len(query) - LCSseq.similarity(query, spelled)
    return missing <= MAX_CHANGED_WORDS


def _nearest(word: str, words: dict[str, None]) -> str:
    """``word`` spelled as the first of ``words`` (in the quote's order, so the answer does
    not depend on string hashing) it is a typo of (itself if none): a letter dropped,
    doubled, changed or two swapped per four letters."""
    cutoff = max(1, len(word) // 4)
    for other in words:
        close = abs(len(word) - len(other)) <= cutoff
        if close and OSA.distance(word, other, score_cutoff=cutoff) <= cutoff:
            return other
    return word


def _cut_similarity(
    pieces: list[str], source: _Source, n_words: int, need: float, stats: QuoteStats
) -> float:
    """Score of a quote with ellipsis cuts: its weakest piece, if the pieces cover most of it.

    Pieces of one or two words (``Oh…``) are too short to check and are left out.
    """
    checked = [p for p in pieces if p.count(" ") >= 4]
    covered = sum(p.count(" ") - 1 for p in checked)
    if not checked or covered < 0.7 * n_words:
        return 0.0
    return min(_similarity(p, p.split(), source, need, stats) for p in checked)
