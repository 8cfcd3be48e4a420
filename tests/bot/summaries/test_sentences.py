"""Text to sentences: exact pieces of the paragraph, abbreviations and ellipses handled."""

from __future__ import annotations

from bot.summaries.sentences import split_sentences


def test_sentences_are_exact_pieces_and_abbreviations_do_not_split() -> None:
    text = "Rear Adm. Greg Smith blamed the U.S. forces. Wha? Then… and more."
    pieces = split_sentences(text)
    assert pieces[0] == "Rear Adm. Greg Smith blamed the U.S. forces."
    assert all(p in text for p in pieces)


def test_ellipsis_before_lowercase_continues_the_sentence() -> None:
    pieces = split_sentences("True… NOW…. not 30 or 40 years ago, however. Next one.")
    assert pieces[0].endswith("however.")
    assert pieces[-1] == "Next one."


def test_blank_and_punctuation_only_paragraphs_give_no_sentences() -> None:
    assert split_sentences("   \n . \n…") == ()
