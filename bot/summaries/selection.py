"""Which sentences fit a summary's length budget: the most of what a person talked about.

A summary is read, so it has a length (characters), not a number of sentences. Within it,
sentences are picked greedily for *coverage*: each word a person uses carries a weight
(how often they use it, times how rare it is in the thread: their subjects, not everyone's),
and the next sentence is the one that adds the most weight not yet covered per character
it costs. So a second sentence on a subject already shown gains little, a sentence on a
subject not shown yet gains much, and a long sentence must say more to be taken.
Sentences that stand on their own and that others quoted are preferred; each sentence is
also scored against the budget left, so a summary never overflows it.

Pure and deterministic: ties break on thread order.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from bot.summaries.results import KeySentence
from bot.summaries.sentences import content_words
from bot.summaries.stances import depends_on_context

LINE_COST = 12
"""Characters a shown sentence costs beyond its text (its number, quote marks, a break)."""
DEPENDENT_FACTOR = 0.9
"""Weight of a sentence that needs what it answers to be understood."""
QUESTION_FACTOR = 0.7
LEAD_FACTOR = 1.2
OPENING_FACTOR = 1.6
"""A comment's first sentence of its own: people state their point first, then argue it."""
ECHO_FACTOR = 0.3
"""Extra weight per comment of someone else that quoted the sentence's paragraph."""
NEW_COMMENT_FACTOR = 1.6
"""Preference for a comment none of whose sentences is shown yet."""
SHORT_PENALTY = 150
"""Added to every sentence's cost when comparing value per character, so that a short
aside ("Nature abhors a vacuum.") does not beat the sentence that makes the point."""
DETAIL_FACTOR = 0.5
"""Weight of a word used in only one paragraph of the thread (see :func:`word_weights`)."""
MIN_WORDS = 3
"""Content words a sentence needs to be a candidate at all."""
MAX_SENTENCE_CHARS = 420
"""Longer sentences (run-ons, pasted lists) are not candidates."""


@dataclass(frozen=True, slots=True)
class Candidate:
    sentence: KeySentence
    words: frozenset[str]
    factor: float
    cost: int


def word_weights(sentences: Iterable[KeySentence], idf: Mapping[str, float]) -> dict[str, float]:
    """Weight of each word for one speaker: ``log(1 + uses) × idf``, times
    :data:`DETAIL_FACTOR` for a word found in one paragraph of the whole thread (the
    rarest there is): that is a detail of one anecdote ("fanfare", "BIAP"), while what a
    person argues about is named again, by them or by the people who answer them."""
    counts: Counter[str] = Counter()
    for s in sentences:
        counts.update(content_words(s.text))
    rarest = max(idf.values(), default=0.0)
    weights = {}
    for w, n in counts.items():
        rarity = idf.get(w, 1.0)
        weights[w] = math.log1p(n) * rarity * (DETAIL_FACTOR if rarity >= rarest else 1.0)
    return weights


def candidates(
    sentences: Sequence[KeySentence], echoes: Mapping[tuple[int, int], int] | None = None
) -> list[Candidate]:
    """Sentences worth showing, each once (a sentence said twice is the first)."""
    echoes = echoes or {}
    seen: set[str] = set()
    opened: set[int] = set()
    led: set[tuple[int, int]] = set()
    out: list[Candidate] = []
    for s in sentences:
        key = " ".join(s.text.casefold().split())
        words = frozenset(content_words(s.text))
        if len(words) < MIN_WORDS:
            continue  # "Wrong." opens a paragraph but says nothing alone: the next one leads
        opening = s.seq not in opened
        lead = (s.seq, s.paragraph) not in led
        opened.add(s.seq)
        led.add((s.seq, s.paragraph))
        if key in seen or len(s.text) > MAX_SENTENCE_CHARS:
            continue
        seen.add(key)
        factor = 1.0
        if depends_on_context(s.text):
            factor *= DEPENDENT_FACTOR
        elif s.text.rstrip().endswith("?"):
            factor *= QUESTION_FACTOR
        if opening:
            factor *= OPENING_FACTOR
        elif lead:
            factor *= LEAD_FACTOR
        factor *= 1.0 + ECHO_FACTOR * echoes.get((s.seq, s.paragraph), 0)
        out.append(Candidate(s, words, factor, len(s.text) + LINE_COST))
    return out


def best(pool: Sequence[Candidate], weights: Mapping[str, float]) -> Candidate | None:
    """The most central candidate: most weight per square root of its words (a stance)."""
    if not pool:
        return None

    def score(c: Candidate) -> float:
        return c.factor * sum(weights.get(w, 0.0) for w in c.words) / math.sqrt(len(c.words))

    return max(pool, key=lambda c: (score(c), -pool.index(c)))


def select(
    pool: Sequence[Candidate],
    weights: Mapping[str, float],
    budget: int,
    *,
    covered: Iterable[str] = (),
    used_seqs: Iterable[int] = (),
    limit: int | None = None,
) -> list[Candidate]:
    """Greedy coverage within ``budget`` characters (see the module docstring), in pick order.

    ``covered`` words count as shown already (a stance line above the points);
    ``used_seqs`` are comments already represented.
    """
    done = set(covered)
    seqs = set(used_seqs)
    chosen: list[Candidate] = []
    left = budget
    remaining = list(pool)
    while remaining and (limit is None or len(chosen) < limit):
        scored = []
        for order, c in enumerate(remaining):
            if c.cost > left:
                continue
            gain = sum(weights.get(w, 0.0) for w in c.words - done)
            if gain <= 0:
                continue
            value = c.factor * gain / (c.cost + SHORT_PENALTY)
            if c.sentence.seq not in seqs:
                value *= NEW_COMMENT_FACTOR
            scored.append((value, -order, c))
        if not scored:
            break
        _value, _order, pick = max(scored, key=lambda t: (t[0], t[1]))
        chosen.append(pick)
        remaining.remove(pick)
        done |= pick.words
        seqs.add(pick.sentence.seq)
        left -= pick.cost
    return chosen


def in_thread_order(picked: Iterable[Candidate]) -> list[KeySentence]:
    return sorted((c.sentence for c in picked), key=lambda s: (s.seq, s.paragraph))
