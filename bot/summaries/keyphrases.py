"""Key phrases: noun phrases that name what was talked about, or none.

Candidates come from ``yake`` (unsupervised statistics of the text itself, no model, no
network). Without a part-of-speech model, a phrase counts as a noun phrase when its words
are content words with no function word between them ("risk of landing", "order to
provide" and "border and varied" are out), it ends in no verb or adverb form ("-ing",
"-ed", "-ly"), names no weekday or month ("Green Zone Tuesday"), and it recurs: a
capitalised name once is enough, any other phrase must occur at least twice in the text
("landing square" was a one-off slice of a sentence). Kept phrases share no word.
"""

from __future__ import annotations

import math
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence

import yake  # type: ignore[import-untyped]

from bot.models import StoredComment
from bot.summaries.sentences import LETTER, WORD, normalise, stem, stopwords
from bot.text import fold

MAX_PHRASES = 5
MIN_REPEATS = 2
"""Times a phrase that is not a capitalised name must occur to be a topic, not a scrap."""
MIN_WORD_REPEATS = 4
"""A single lowercase word must be a running theme, not a word that came up."""
_CALENDAR = frozenset(
    (
        *("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"),
        *("january", "february", "march", "april", "may", "june", "july", "august"),
        *("september", "october", "november", "december", "today", "yesterday"),
    )
)
_VERBAL = ("ing", "ed", "ly")
KEYWORD_TEXT_MAX = 200_000
"""Characters given to yake at most (it is linear, but a 20,000-comment thread is big)."""


def key_phrases(
    texts: Iterable[str],
    *,
    exclude: Iterable[str] = (),
    common: Iterable[str] = (),
    top: int = MAX_PHRASES,
) -> tuple[str, ...]:
    """Up to ``top`` noun phrases of ``texts`` (see the module docstring), best first.

    Left out: names in ``exclude`` (who is shown elsewhere), single words in ``common``
    (what everybody in the thread talks about says little about one person).
    """
    text = "\n\n".join(normalise(t) for t in texts)[:KEYWORD_TEXT_MAX]
    if not LETTER.search(text):
        return ()
    folded_text = " ".join(fold(text).split())
    stop = stopwords()
    banned = {w for name in exclude if name.strip() for w in WORD.findall(fold(name))}
    ordinary = {fold(w) for w in common}
    extractor = yake.KeywordExtractor(lan="en", n=3, dedup_lim=0.7, top=top * 8)
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
        if not _noun_phrase(phrase, words, stop, folded_text):
            continue
        bag = {stem(w) for w in words}
        if any(bag & other for other in kept):
            continue
        kept.append(bag)
        phrases.append(phrase)
        if len(phrases) == top:
            break
    return tuple(phrases)


def _noun_phrase(phrase: str, words: Sequence[str], stop: frozenset[str], text: str) -> bool:
    if any(w in stop or w in _CALENDAR for w in words):
        return False
    if words[-1].endswith(_VERBAL) or (len(words) == 1 and words[0].endswith(_VERBAL)):
        return False
    name = all(p[:1].isupper() for p in phrase.split())
    needed = MIN_REPEATS if len(words) > 1 else MIN_WORD_REPEATS
    return name or text.count(" ".join(words)) >= needed


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
