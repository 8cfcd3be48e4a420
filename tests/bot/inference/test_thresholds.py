"""Near misses that pin every quote threshold from both sides.

Each test has a real quote just above a threshold (found) and something that is not a
quote just below it (not found), with the similarity measured on the way, so that moving
a threshold either way makes a test fail rather than pass silently:

* ``threshold(n)``: how close, character for character, a stretch of the source must be
  (88 from 12 words on, 93 below);
* ``MAX_CHANGED_WORDS``: how many words may differ other than by a typo;
* ``MIN_WORD_SHARE``: the share of a quote's words the source must have before any
  character comparison is made (pinned by the number of comparisons made).
"""

from __future__ import annotations

from rapidfuzz import fuzz

from bot.inference.quotes import MAX_CHANGED_WORDS, MIN_WORD_SHARE, QuoteIndex, threshold
from bot.inference.words import Normalised, words
from bot.models import QuoteRef

SOURCE = (
    "Iran would respond to an attack by going after the unguarded country, so as to provide "
    "the Islamic extremists a place to train and to launch attacks from."
)


def indexed() -> QuoteIndex:
    index = QuoteIndex()
    index.add(3, 0, "bithead", Normalised.of(SOURCE))
    return index


def found(text: str, index: QuoteIndex | None = None) -> QuoteRef | None:
    return (index or indexed()).find(9, "michael", Normalised.of(text), answered=True)


def similarity(text: str) -> float:
    """The character similarity inference compares with ``threshold``."""
    padded = " " + " ".join(words(text)) + " "
    return float(fuzz.partial_ratio(padded, " " + " ".join(words(SOURCE)) + " "))


def share(text: str) -> float:
    known = set(words(SOURCE))
    quoted = words(text)
    return sum(w in known for w in quoted) / len(quoted)


def test_long_quote_threshold_from_both_sides() -> None:
    two_words_dropped = (
        "Iran would respond to an attack by going after the unguarded country, to provide "
        "Islamic extremists a place to train"
    )
    condensed = (
        "Iran would respond to an attack by going after the unguarded country to provide "
        "extremists a place to train"
    )
    need = threshold(len(words(two_words_dropped)))
    assert len(words(condensed)) >= 12 and threshold(len(words(condensed))) == need
    assert need < similarity(two_words_dropped) < 93 and 84 < similarity(condensed) < need
    assert found(two_words_dropped) == QuoteRef(3, 0), "a quote with words left out"
    assert found(condensed) is None, "a summary in the source's words is not a copy"


def test_short_quote_threshold_from_both_sides() -> None:
    one_word_dropped = "going after the unguarded country, as to provide"
    shortened = "after the unguarded country, to provide the"
    need = threshold(len(words(one_word_dropped)))
    assert len(words(one_word_dropped)) < 12 and threshold(len(words(shortened))) == need
    assert need < similarity(one_word_dropped) < 97 and 84 < similarity(shortened) < need
    assert found(one_word_dropped) == QuoteRef(3, 0)
    assert found(shortened) is None


def test_changed_words_from_both_sides() -> None:
    one_word = (
        "Iran would respond to an attack by going after the unguarded nation, so as to provide "
        "the Islamic extremists a place to train"
    )
    two_words = one_word.replace("to provide", "to give")
    assert MAX_CHANGED_WORDS == 1
    assert similarity(two_words) >= threshold(len(words(two_words))), "close in letters"
    assert found(one_word) == QuoteRef(3, 0), "one word changed while pasting"
    assert found(two_words) is None, "the same sentence pattern with other words put in"


def test_typos_count_as_the_same_word() -> None:
    five_typos = (
        "Iran woud respnd to an atack by goin after the unguardd country, so as to provide "
        "the Islamic extremists a place to train"
    )
    assert MIN_WORD_SHARE <= share(five_typos) < 0.8
    assert found(five_typos) == QuoteRef(3, 0), "each misspelt word is still the same word"


def test_word_share_filter_from_both_sides() -> None:
    """Below the share, no character comparison is even made; above it, the quote is found."""
    topical = (
        "Iran would never attack the unguarded country, so Islamic extremists must find some "
        "other place to train and to launch their attacks"
    )
    assert 0.5 < share(topical) < MIN_WORD_SHARE
    index = indexed()
    assert found(topical, index) is None
    assert index.stats.fuzzy == 0, "rejected by its words alone"
    edited = (
        "Iran woud respnd to an atack by going after the unguardd country, so as to provide "
        "the Islamic extremists a place to train"
    )
    assert MIN_WORD_SHARE <= share(edited) < 0.85
    assert found(edited, index) == QuoteRef(3, 0) and index.stats.fuzzy == 1
