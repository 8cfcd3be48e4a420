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
   too many paragraphs stops voting);
3. verify at most ``candidates`` of them with rapidfuzz's ``partial_ratio``
   (the quote must align with a stretch of the source nearly character for
   character).

Paragraphs of fewer than six words cannot be told apart from ordinary phrases
by similarity, so they only count as quotes when they equal a whole short
sentence of a *recent* comment by someone else and the commenter goes on to
answer it.
"""

from __future__ import annotations

import re
import unicodedata
from collections import deque
from dataclasses import dataclass

from rapidfuzz import fuzz

from bot.models import QuoteRef

SHINGLE = 3
"""Words per shingle."""
SHORT_WORDS = 6
"""Paragraphs with fewer words than this go through the short-quote rules."""
LONG_WORDS = 12
"""From this many words on, a quote may be a little fuzzier and may quote oneself."""
MIN_SHORT_WORDS = 3
"""Shorter sentences (``Exactly.``, ``I agree.``) are never taken for quotes."""

_QUOTE_MARKS = "\"'`´“”‘’«»„‚‹›「」『』"
_DROP_QUOTES = str.maketrans("", "", _QUOTE_MARKS)
_WORD = re.compile(r"[^\W_]+")
_ELLIPSIS = re.compile(r"…|\.\s*\.\s*\.|\[\s*(?:…|\.\.\.)\s*\]")
_SENTENCE = re.compile(r"[^.!?…]+(?:[.!?…]+|$)")
_COMMON = -1
"""Postings value of a shingle that occurs in too many paragraphs to be useful."""


def fold(text: str) -> str:
    """Case- and accent-insensitive form of a text (cheap for ASCII)."""
    text = text.casefold()
    if text.isascii():
        return text
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def words(text: str) -> list[str]:
    """Normalised words: folded, with quote marks (also apostrophes) and punctuation dropped."""
    return _WORD.findall(fold(text).translate(_DROP_QUOTES))


def sentences(text: str) -> list[str]:
    """Rough sentence split on ``.``, ``!``, ``?`` and ``…``; good enough for short quotes."""
    return [s.strip() for s in _SENTENCE.findall(text) if s.strip()]


def segments(text: str) -> list[list[str]]:
    """The normalised words of the pieces an ellipsis cut leaves (one piece if there is no cut)."""
    return [w for w in (words(piece) for piece in _ELLIPSIS.split(text)) if w]


def threshold(n_words: int) -> float:
    """Minimum ``partial_ratio`` for a paragraph of ``n_words`` words to count as a copy."""
    return 88.0 if n_words >= LONG_WORDS else 93.0


@dataclass(frozen=True, slots=True)
class _Source:
    seq: int
    paragraph: int
    author: str
    text: str
    """The normalised words joined by spaces, padded with a space on each side."""


@dataclass(slots=True)
class QuoteStats:
    """Work counters, so tests can check that the cost per paragraph stays bounded."""

    queries: int = 0
    verifications: int = 0
    max_verifications: int = 0
    votes: int = 0


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
        self._vocab: dict[str, int] = {}
        self._postings: dict[int, int | list[int]] = {}
        self._sources: list[_Source] = []
        self._short: dict[str, int] = {}
        self._short_order: deque[tuple[int, str]] = deque()

    # ---- building -------------------------------------------------------------------

    def add(self, seq: int, paragraph: int, author: str, text: str) -> None:
        """Index an own paragraph of comment ``seq`` (0 = the article) by ``author`` (folded)."""
        ws = words(text)
        if not ws:
            return
        pid = len(self._sources)
        self._sources.append(_Source(seq, paragraph, author, " " + " ".join(ws) + " "))
        vocab = self._vocab
        ids = [vocab.setdefault(w, len(vocab)) for w in ws]
        keys = [hash((ids[i], ids[i + 1], ids[i + 2])) for i in range(len(ids) - SHINGLE + 1)]
        if seq == 0 or len(keys) <= self.window:
            chosen = set(keys)
        else:
            w = self.window
            chosen = {min(keys[i : i + w]) for i in range(len(keys) - w + 1)}
        postings = self._postings
        for key in chosen:
            found = postings.get(key)
            if found is None:
                postings[key] = pid
            elif isinstance(found, int):
                if found != _COMMON:
                    postings[key] = [found, pid]
            elif len(found) >= self.cap:
                postings[key] = _COMMON
            else:
                found.append(pid)
        for sentence in sentences(text):
            sw = words(sentence)
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

    def find(self, seq: int, author: str, text: str, *, answered: bool) -> QuoteRef | None:
        """The own paragraph that ``text`` (in comment ``seq`` by ``author``) copies, if any.

        ``answered`` says whether the commenter writes anything after this
        paragraph; a short quote that nobody answers is taken for own words.
        """
        self.stats.queries += 1
        ws = words(text)
        n = len(ws)
        if n < SHORT_WORDS:
            return self._find_short(seq, author, ws, answered=answered)
        return self._find_long(seq, author, text, ws)

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
        return QuoteRef(source.seq, source.paragraph)

    def _find_long(self, seq: int, author: str, text: str, ws: list[str]) -> QuoteRef | None:
        vocab = self._vocab
        ids = [vocab.get(w, -1) for w in ws]
        postings = self._postings
        votes: dict[int, int] = {}
        for i in range(len(ids) - SHINGLE + 1):
            a, b, c = ids[i], ids[i + 1], ids[i + 2]
            if a < 0 or b < 0 or c < 0:
                continue
            found = postings.get(hash((a, b, c)))
            if found is None or found == _COMMON:
                continue
            if isinstance(found, int):
                votes[found] = votes.get(found, 0) + 1
            else:
                for pid in found:
                    votes[pid] = votes.get(pid, 0) + 1
        if not votes:
            return None
        self.stats.votes += len(votes)
        n = len(ws)
        long = n >= LONG_WORDS
        ranked = sorted(votes, key=lambda p: (votes[p], p), reverse=True)
        query = " " + " ".join(ws) + " "
        pieces: list[str] | None = None
        need = threshold(n)
        best: tuple[float, int] | None = None
        checked = 0
        for pid in ranked:
            if checked >= self.candidates:
                break
            source = self._sources[pid]
            if source.seq >= seq or (not long and source.author == author):
                continue
            checked += 1
            score = _similarity(query, source.text)
            if score < need and _ELLIPSIS.search(text):
                if pieces is None:
                    pieces = [" " + " ".join(p) + " " for p in segments(text)]
                score = max(score, _cut_similarity(pieces, source.text, n))
            if score >= need and (best is None or (score, -pid) > (best[0], -best[1])):
                best = (score, pid)
        self.stats.verifications += checked
        self.stats.max_verifications = max(self.stats.max_verifications, checked)
        if best is None:
            return None
        source = self._sources[best[1]]
        return QuoteRef(source.seq, source.paragraph)


def _similarity(query: str, source: str) -> float:
    """How well ``query`` matches a stretch of ``source`` (whole-to-whole if it is longer)."""
    if len(query) <= len(source):
        return float(fuzz.partial_ratio(query, source))
    return float(fuzz.ratio(query, source))


def _cut_similarity(pieces: list[str], source: str, n_words: int) -> float:
    """Score of a quote with ellipsis cuts: its weakest piece, if the pieces cover most of it.

    Pieces of one or two words (``Oh…``) are too short to check and are left out.
    """
    checked = [p for p in pieces if p.count(" ") >= 4]
    covered = sum(p.count(" ") - 1 for p in checked)
    if not checked or covered < 0.7 * n_words:
        return 0.0
    return min(_similarity(p, source) for p in checked)
