"""Hostile input: a huge name or paragraph costs inference linear work, never quadratic.

Work is asserted through counters and memory peaks, not the clock, so that the tests
say the same thing on a loaded machine.
"""

from __future__ import annotations

import tracemalloc

from bot.inference.mentions import NameBook
from bot.inference.quotes import MAX_FUZZY_WORDS, SLACK_WORDS, QuoteIndex
from bot.inference.replies import infer_replies_using
from bot.inference.words import MAX_WORD_CHARS
from bot.models import QuoteRef
from tests.bot.inference.test_replies import edges_of, make_thread, quotes_of

REPEATED = "the cat sat on the mat and the dog sat on the log "
MEGABYTE = REPEATED * (1_000_000 // len(REPEATED))

FUZZY_CHARS_BOUND = (MAX_FUZZY_WORDS + 2 * max(SLACK_WORDS, MAX_FUZZY_WORDS // 4)) * (
    MAX_WORD_CHARS + 1
)
"""The longest text one character comparison may see, whatever the input."""


def test_a_huge_first_name_costs_memory_in_proportion_to_its_length() -> None:
    name = "A" * 150_000
    tracemalloc.start()
    try:
        book = NameBook("James Joyner")
        book.add_comment(name, 1)
        book.add_comment(name + "b Smith", 2)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < 20 * len(name), "every prefix of the name would take ~11 GB"
    assert [m.person for m in book.addressed(f"{name}, you are wrong.", "x")] == [name.casefold()]


def test_a_long_name_still_has_its_short_forms() -> None:
    book = NameBook()
    book.add_comment("Bitheadissimo", 1)
    assert [m.words for m in book.addressed("Well, Bit, you left it out.", "x")] == ["Bit,"]


def test_a_megabyte_repetitive_paragraph_is_matched_in_bounded_comparisons() -> None:
    variant = MEGABYTE.replace("dog", "dig", 50)
    typo = (REPEATED * 3).replace("mat", "matt", 1)
    quoters = [(f"p{i}", [typo, "Why?"]) for i in range(50)]
    index = QuoteIndex()
    result = infer_replies_using(
        make_thread(
            ("legion", [MEGABYTE]),
            ("Bithead", [variant, "Is that so?"]),
            *quoters,
            ("Michael", [MEGABYTE + " and one more line of it", "Well?"]),
        ),
        index,
    )
    assert quotes_of(result, 2) == {0: (1, 0)}, "a long quote with edits is found by 3-grams"
    assert all(quotes_of(result, 3 + i) == {0: (1, 0)} for i in range(50))
    assert quotes_of(result, 53) == {0: (1, 0)}
    assert edges_of(result, 53) == {(1, "quote")}
    stats = index.stats
    assert 0 < stats.max_fuzzy_chars <= FUZZY_CHARS_BOUND, "a bounded window, not the paragraph"
    assert stats.fuzzy <= 2 * stats.verifications


def test_a_single_megabyte_word_is_cut_into_bounded_words() -> None:
    index = QuoteIndex()
    result = infer_replies_using(
        make_thread(("legion", ["a" * 1_000_000]), ("Bithead", ["a" * 999_000 + " b", "So?"])),
        index,
    )
    assert index.stats.max_fuzzy_chars <= FUZZY_CHARS_BOUND
    assert result.quotes.get((2, 0)) == QuoteRef(1, 0)
