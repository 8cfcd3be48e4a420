"""Normalised words and sentences, token by token, equal those of the whole folded paragraph.

:class:`bot.inference.words.Normalised` reads a paragraph through a cache of tokens (see
the module docstring for why that is exact); ``reference`` is the plain definition it
replaced: fold the whole paragraph, split it into sentences, find each one's words.
"""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from bot.inference.words import _SIC, _WORD, Normalised, sentences
from bot.text import fold

ODD = (
    *("´", "¨", "ß", "İ", "ﬁ", "Ǆ", "ς", "\u0301", "\u00a0", "\u2003", "№", "½", "ﷺ", "‼", "⁇"),
    *("…", "...", ". .", "[sic]", "( SIC! )", "[…]", "“", "”", '"', "‘", "’", "․", "．"),
    *("—", "-", "@", "_", ":", "!", "?", ".", ",", "x" * 45, "é" * 41, "ǅungla", "Å"),
)


def reference(text: str) -> tuple[list[str], list[list[str]]]:
    split = [_WORD.findall(s) for s in sentences(fold(_SIC.sub(" ", text)))]
    return [w for sw in split for w in sw], split


paragraphs = st.lists(
    st.one_of(
        st.sampled_from(ODD),
        st.text(min_size=1, max_size=8),
        st.sampled_from(("word", "Word", "the", " ", "  ", "\n", "\t")),
    ),
    max_size=40,
).map("".join)


@settings(max_examples=1500)
@given(paragraphs)
def test_words_and_sentences_equal_those_of_the_whole_folded_paragraph(text: str) -> None:
    made = Normalised.of(text)
    words, split = reference(text)
    assert made.words == words
    assert made.sentences == split


def test_a_cached_token_gives_the_same_words_in_another_paragraph() -> None:
    first = Normalised.of("Café… [sic] naïve ½ ﬁne.")
    again = Normalised.of("Fine. Café… naïve!")
    assert first.words == ["cafe", "naive", "1", "2", "fine"]
    assert first.sentences == [["cafe"], ["naive", "1", "2", "fine"]]
    assert again.sentences == [["fine"], ["cafe"], ["naive"]]


def test_a_paragraph_opening_with_dots_does_not_start_with_an_empty_sentence() -> None:
    assert Normalised.of("… and so on. - .").sentences == [["and", "so", "on"], []]
    assert Normalised.of("- … and so on").sentences == [[], ["and", "so", "on"]]
