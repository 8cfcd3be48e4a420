"""Words from outside the thread: pasted passages, reported copy, the article's excerpt."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.inference.outside import (
    _CLOSE,
    _OPEN,
    _REPORTING,
    MIN_PASTED_WORDS,
    MIN_REPORTED_WORDS,
    article_outside,
    attributed_quotation,
    comment_outside,
    in_quotation_marks,
    outside_quotes,
    reported_copy,
    speaks_in_person,
)
from bot.inference.replies import infer_replies
from bot.models import ELISION, OUTSIDE, Comment, Thread
from bot.sources.capture import parse_thread
from bot.text import fold_chars
from tests.conftest import SEED_FILE

STUDY = (
    "Periods of intense news media coverage of criticism about the war are followed by a small "
    "but quantifiable increase in the number of attacks, according to a study by two scholars "
    "at the university."
)


def thread(
    *comments: tuple[str, tuple[str, ...]], quoted: dict[int, set[int]] | None = None
) -> Thread:
    quoted = quoted or {}
    return Thread(
        source="t.txt",
        title="T",
        lede="Lede of the post.",
        body=("Body of the post about something else entirely.",),
        tags=(),
        author="Author",
        author_bio="",
        comments=tuple(
            Comment(seq=i, number=i, author=a, paragraphs=p, quoted=frozenset(quoted.get(i, ())))
            for i, (a, p) in enumerate(comments, start=1)
        ),
    )


def test_person_is_case_sensitive_and_ignores_quoted_words() -> None:
    assert speaks_in_person("I think so.") and speaks_in_person("Give us a break.")
    assert not speaks_in_person("The US blames Iran.")
    assert not speaks_in_person("“We believe the violence is instigated,” he says.")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("“" + "word " * 14 + "end.”", True),
        ('"' + "word " * 14 + 'end."', True),
        ("“Sealing the border” wouldn’t do anything, given the length of the border here.", False),
        ("“short and quoted.”", False),
        ("“" + "one " * 7 + "” and “" + "two " * 7 + "”", False),
    ],
)
def test_in_quotation_marks(text: str, expected: bool) -> None:
    assert in_quotation_marks(text) is expected


def test_reported_copy_and_attributed_quotes() -> None:
    assert reported_copy(STUDY)
    assert not reported_copy("I read " + STUDY), "someone speaking about a study is not the study"
    assert not reported_copy("Too short, according to a study.")
    assert attributed_quotation("“We believe the violence is being instigated by others,” he says.")
    assert not attributed_quotation(
        "The claim that “AQI is still the enemy” strikes me as dubious."
    )


def test_comment_outside_skips_matched_and_first_paragraphs() -> None:
    pasted = "“" + "quoted words " * 8 + "”"
    assert comment_outside([STUDY, "Mine.", STUDY, pasted], matched={2}) == {3}


def test_inference_marks_outside_words_and_keeps_them_out_of_edges_and_mentions() -> None:
    study_about_bob = STUDY.replace("two scholars", "Bob and two scholars")
    result = infer_replies(
        thread(
            ("Bob", ("A first comment of mine, about the war.",)),
            ("Ann", ("Here is what I found.", study_about_bob, "A blockquote, Bob.")),
            quoted={2: {2}},
        )
    )
    assert result.quotes[(2, 1)].outside and result.quotes[(2, 2)].seq == OUTSIDE
    assert not [e for e in result.edges if e.source == 2 and e.target == 1], (
        "Bob is named only inside words that are not Ann's"
    )
    # A <blockquote> of a comment in the thread is a quote of that comment, not of outside.
    again = infer_replies(
        thread(
            ("Bob", ("A first comment of mine, about the war and its many costs.",)),
            ("Ann", ("A first comment of mine, about the war and its many costs.", "No.")),
            quoted={2: {0}},
        )
    )
    assert again.quotes[(2, 0)].seq == 1


def test_seed_outside_words() -> None:
    parsed = parse_thread(SEED_FILE.read_text(encoding="utf-8"), SEED_FILE.name)
    result = infer_replies(parsed)
    outside = sorted(key for key, ref in result.quotes.items() if ref.outside)
    assert outside == [(3, 1), (3, 2)], "Bithead's pasted Harvard study, and nothing else"
    quoted = article_outside(parsed.lede, parsed.body)
    article = parsed.article_paragraphs
    assert sorted(quoted) == [1, 2, 3, 4, 5, 6], "the news story around […], not the lede"
    assert article[7].startswith("The claim that") and 7 not in quoted


def test_article_outside_counts_around_every_elision() -> None:
    body = ("Mine: I say this.", "Copy one.", ELISION, "Copy two.", "I reply to it.", "Mine.")
    assert article_outside("Lede.", body) == frozenset({2, 3})
    assert article_outside("", body) == frozenset({1, 2})
    assert article_outside("Lede.", ("No elision here.",)) == frozenset()


# ---- the quick tests in front of the costly ones change no answer ----------------------

_CUES = (
    *("according to", "ACCORDING“x”TO", "say that", "SAYS THAT", "said that", "saİd that"),
    *("saıd that", "ſays that", "reports that", "found that", "finds that", "FİND THAT"),
)
_PIECES = (
    *("I", "we", "you", "our", "“", "”", '"', "«", "»", "„", "he says", ".", ",", " "),
    *("word", "study", "the", "war", "news", "\n", "İ", "ı", "K"),
)


def test_a_dotless_or_dotted_i_still_spells_a_reporting_word() -> None:
    for cue in ("saıd that", "saİd that", "FİND THAT"):
        text = f"The ministry {cue} " + "the figures were higher " * 5
        assert reported_copy(text)
        assert reported_copy(text, fold_chars(text))


@settings(max_examples=1500)
@given(
    st.lists(
        st.one_of(st.sampled_from(_CUES), st.sampled_from(_PIECES), st.text(max_size=6)),
        min_size=15,
        max_size=60,
    )
)
def test_reported_copy_and_quotation_marks_answer_as_the_plain_rules_do(
    pieces: list[str],
) -> None:
    text = " ".join(pieces)
    plain_reported = (
        len(text.split()) >= MIN_REPORTED_WORDS
        and not speaks_in_person(text)
        and _REPORTING.search(outside_quotes(text)) is not None
    )
    assert reported_copy(text) == plain_reported
    assert reported_copy(text, fold_chars(text).strip()) == plain_reported
    flat = text.strip()
    inner = flat[1:].rstrip(" .,;:!?…")
    plain_marks = (
        len(flat.split()) >= MIN_PASTED_WORDS
        and flat[:1] in _OPEN
        and bool(inner)
        and inner[-1] in _CLOSE
        and not any(mark in inner[:-1] for mark in '“”"«»')
    )
    assert in_quotation_marks(text) == plain_marks
