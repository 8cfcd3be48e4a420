"""Key phrases: ``yake`` (unsupervised statistics of the text itself, no model, no network)."""

from __future__ import annotations

import math
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence

import yake  # type: ignore[import-untyped]

from bot.models import StoredComment
from bot.summaries.sentences import LETTER, WORD, normalise
from bot.text import fold

MAX_PHRASES = 6
KEYWORD_TEXT_MAX = 200_000
"""Characters given to yake at most (it is linear, but a 20,000-comment thread is big)."""


def key_phrases(
    texts: Iterable[str],
    *,
    exclude: Iterable[str] = (),
    common: Iterable[str] = (),
    top: int = MAX_PHRASES,
) -> tuple[str, ...]:
    """The ``top`` yake key phrases of ``texts``.

    Left out: names in ``exclude`` (who is shown elsewhere), single words in ``common``
    (what everybody in the thread talks about says little about one person), word
    scraps, and phrases that repeat a shorter or longer one already kept.
    """
    text = "\n\n".join(normalise(t) for t in texts)[:KEYWORD_TEXT_MAX]
    if not LETTER.search(text):
        return ()
    banned = {w for name in exclude if name.strip() for w in WORD.findall(fold(name))}
    ordinary = {fold(w) for w in common}
    extractor = yake.KeywordExtractor(lan="en", n=3, dedup_lim=0.7, top=top * 5)
    phrases: list[str] = []
    kept: list[set[str]] = []
    for phrase, _score in extractor.extract_keywords(text):
        words = WORD.findall(fold(phrase))
        if not words or any(w in banned for w in words):
            continue
        if sum(len(w) for w in words) < 4 or all(w.isdigit() for w in words):
            continue
        if len(words) == 1 and words[0] in ordinary:
            continue
        bag = set(words)
        if any(bag <= other or other <= bag for other in kept):
            continue
        kept.append(bag)
        phrases.append(phrase)
        if len(phrases) == top:
            break
    return tuple(phrases)


def common_words(comments: Sequence[StoredComment], share: float = 0.5) -> set[str]:
    """Words in the own text of at least ``share`` of the commenters (and at least three)."""
    people: dict[str, set[str]] = defaultdict(set)
    for c in comments:
        people[fold(c.author)].update(WORD.findall(fold(normalise(c.own_text))))
    if len(people) < 3:
        return set()
    counts: Counter[str] = Counter(w for words in people.values() for w in words)
    needed = max(3, math.ceil(share * len(people)))
    return {w for w, n in counts.items() if n >= needed}
