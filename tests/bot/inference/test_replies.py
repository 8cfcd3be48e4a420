"""Reply inference on small hand-built threads: one test per way real commenters reply.

Each thread is built from :class:`bot.models.Comment` values directly, so a
test reads as the conversation it checks. Prose is long enough to be told
apart from stock phrases, as real comments are.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st
from rapidfuzz import fuzz

from bot.inference.replies import SHORT_ANSWER_WORDS, infer_replies
from bot.inference.words import has_words, words
from bot.models import ARTICLE, Comment, QuoteRef, ReplyEdge, ReplyStructure, Thread
from bot.sources.capture import parse_thread
from bot.text import shorten
from tests.conftest import ROOT, SEED_FILE

LABELS = Path(__file__).with_name("seed_replies.json")
TARGET = 0.97

POST_AUTHOR = "James Joyner"

ARTICLE_TEXT = (
    "The cease-fire that kept the militia quiet for seven months seems to have unraveled.",
    "Rockets fired from the capital's eastern district slammed into the Green Zone on "
    "Tuesday, the second time in three days. The embassy says nobody was hurt.",
    "One would think we'd have used the lull in violence to secure the border, since that "
    "has always been a pipeline for weapons and fighters.",
)

# Own paragraphs that later comments quote, each with several distinct sentences.
BITHEAD_P = (
    "Assuming it were stable enough for a pullout, Iran would respond to an attack by going "
    "after the unguarded country, so as to provide the Islamic extremeists a place to train "
    "and to launch attacks from, which was one of the reasons for taking down Saddam."
)
MICHAEL_P = (
    "Given the long history of saying we'll leave when things are stable, and that we can't "
    "leave because things are unstable, it's a pretty amazing leap of logic to assume the "
    "exact opposite. Nobody in the administration has ever said otherwise."
)
ANSWER = "That kinda depends on who is in power at the time, doesn't it?"


def make_thread(
    *comments: tuple[str, Sequence[str]] | Comment,
    article: Sequence[str] = ARTICLE_TEXT,
    author: str = POST_AUTHOR,
) -> Thread:
    """A thread whose comments are ``(author, paragraphs)`` in order, numbered from 1."""
    built = []
    for seq, item in enumerate(comments, start=1):
        if isinstance(item, Comment):
            built.append(item)
        else:
            who, paragraphs = item
            built.append(Comment(seq=seq, number=seq, author=who, paragraphs=tuple(paragraphs)))
    return Thread(
        source="test.txt",
        title="Test thread",
        lede=article[0],
        body=tuple(article[1:]),
        tags=(),
        author=author,
        author_bio="",
        comments=tuple(built),
    )


def edges_of(structure: ReplyStructure, seq: int) -> set[tuple[int, str]]:
    """The (target, via) pairs of one comment."""
    return {(e.target, e.via) for e in structure.edges if e.source == seq}


def quotes_of(structure: ReplyStructure, seq: int) -> dict[int, tuple[int, int]]:
    """Quoted paragraphs of one comment: paragraph index -> (source seq, source paragraph)."""
    return {idx: (ref.seq, ref.paragraph) for (s, idx), ref in structure.quotes.items() if s == seq}


# ---- quotes ----------------------------------------------------------------------------


def test_verbatim_whole_paragraph_is_a_quote_and_the_rest_is_own() -> None:
    result = infer_replies(
        make_thread(
            ("Bithead", ["I have nothing to add to the article today.", BITHEAD_P]),
            ("Michael", [BITHEAD_P, ANSWER]),
        )
    )
    assert quotes_of(result, 2) == {0: (1, 1)}
    assert edges_of(result, 2) == {(1, "quote")}
    assert (2, 1) not in result.quotes, "the answer is Michael's own words"


def test_one_sentence_of_a_paragraph_is_a_quote() -> None:
    first = MICHAEL_P.split(". ")[0] + "."
    result = infer_replies(make_thread(("Michael", [MICHAEL_P]), ("Bithead", [first, ANSWER])))
    assert quotes_of(result, 2) == {0: (1, 0)}
    assert edges_of(result, 2) == {(1, "quote")}


def test_typo_fixed_in_a_quoted_clause_is_still_a_quote() -> None:
    fixed = (
        "Iran would respond to an attack by going after the unguarded country, so as to "
        "provide the Islamic extremists a place to train"
    )
    assert "extremeists" in BITHEAD_P and "extremists" not in BITHEAD_P
    result = infer_replies(make_thread(("Bithead", [BITHEAD_P]), ("duckspeaker", [fixed, ANSWER])))
    assert quotes_of(result, 2) == {0: (1, 0)}


def test_changed_quote_marks_and_punctuation_are_still_a_quote() -> None:
    source = (
        "He says the “surge” worked, and that it’s only a matter of time before the "
        "Iraqi army can hold the cities on its own without our help."
    )
    retyped = (
        'He says the "surge" worked; and that it\'s only a matter of time before the '
        "Iraqi army can hold the cities on its own without our help"
    )
    result = infer_replies(make_thread(("DC Loser", [source]), ("Bithead", [retyped, ANSWER])))
    assert quotes_of(result, 2) == {0: (1, 0)}


def test_added_quote_marks_around_a_paragraph_are_still_a_quote() -> None:
    result = infer_replies(
        make_thread(("Bithead", [BITHEAD_P]), ("Juho§", [f"“{BITHEAD_P}”", ANSWER]))
    )
    assert quotes_of(result, 2) == {0: (1, 0)}
    assert edges_of(result, 2) == {(1, "quote")}


def test_an_ellipsis_cut_is_still_a_quote() -> None:
    cut = (
        "Given the long history of saying we'll leave when things are stable… it's a pretty "
        "amazing leap of logic to assume the exact opposite."
    )
    result = infer_replies(make_thread(("Michael", [MICHAEL_P]), ("Bithead", [cut, ANSWER])))
    assert quotes_of(result, 2) == {0: (1, 0)}


def test_very_short_exact_quote_of_a_recent_comment_counts() -> None:
    result = infer_replies(
        make_thread(
            ("Bithead", ["I was talking about the whole region, not one country in it."]),
            (
                "Michael",
                [
                    "Well, which one? Al Qaeda has had plenty of opportunity to attack Israel "
                    "and has never done it."
                ],
            ),
            ("Bithead", ["Well, which one?", "Any combination of them, it hardly matters."]),
        )
    )
    assert quotes_of(result, 3) == {0: (2, 0)}
    assert edges_of(result, 3) == {(2, "quote")}


def test_very_short_quote_needs_an_answer_and_a_recent_source() -> None:
    michael = ("Michael", ["Well, which one? Al Qaeda has had plenty of chances to attack."])
    unanswered = infer_replies(make_thread(michael, ("Bithead", ["Well, which one?"])))
    assert quotes_of(unanswered, 2) == {}, "a bare short line is the commenter's own question"
    filler = [(f"Person{i}", [f"Filler comment {i} about something else."]) for i in range(13)]
    old = infer_replies(
        make_thread(michael, *filler, ("Bithead", ["Well, which one?", "Any of them at all."]))
    )
    assert quotes_of(old, 15) == {}, "too far back for a three-word match to mean a quote"


def test_quote_split_by_a_stray_dot_line_is_one_quote() -> None:
    source = (
        "Wrong. Saddam was taken out so that we could separate him from his mythical WMDs, "
        "not to deny anybody a training ground."
    )
    split = "Wrong. Saddam was taken out so that we could separate him from his mythical WMDs"
    result = infer_replies(
        make_thread(("duckspeaker", [source]), ("Bithead", [split, ".", ANSWER]))
    )
    assert quotes_of(result, 2) == {0: (1, 0), 1: (1, 0)}
    assert (2, 2) not in result.quotes


def test_two_paragraphs_pasted_as_one_are_a_quote_of_the_first() -> None:
    first = "Because it would cause the US to pull out faster than it might have, otherwise."
    second = "It seems to me that the left in this country has not considered that one."
    result = infer_replies(
        make_thread(("Bithead", [first, second]), ("Michael", [f"{first} {second}", ANSWER]))
    )
    assert quotes_of(result, 2) == {0: (1, 0)}
    assert edges_of(result, 2) == {(1, "quote")}


def test_a_quoted_sentence_followed_by_own_sentences_in_one_paragraph_is_own() -> None:
    first = "Because it would cause the US to pull out faster than it might have, otherwise."
    mixed = f"{first} That is simply not how any of this has ever worked in practice."
    result = infer_replies(make_thread(("Bithead", [first]), ("Michael", [mixed])))
    assert quotes_of(result, 2) == {}


def test_quote_of_a_quote_goes_to_the_words_author() -> None:
    result = infer_replies(
        make_thread(
            ("Bithead", [MICHAEL_P.replace("Nobody", "No one")]),
            ("Michael", [MICHAEL_P.replace("Nobody", "No one"), "I don't buy that at all."]),
            ("legion", [MICHAEL_P.replace("Nobody", "No one"), ANSWER]),
        )
    )
    assert quotes_of(result, 3) == {0: (1, 0)}, "#2 only repeated #1's words"
    assert edges_of(result, 3) == {(1, "quote")}


def test_quotes_of_the_article_point_at_number_zero() -> None:
    body_sentence = "Rockets fired from the capital's eastern district slammed into the Green Zone"
    result = infer_replies(
        make_thread(
            ("glasnost", [ARTICLE_TEXT[0], "Not much critical thinking here."]),
            ("tequila", [body_sentence, "Which says nothing about who fired them."]),
        )
    )
    assert quotes_of(result, 1) == {0: (ARTICLE, 0)}
    assert quotes_of(result, 2) == {0: (ARTICLE, 1)}
    assert edges_of(result, 1) == {(ARTICLE, "quote")}
    assert edges_of(result, 2) == {(ARTICLE, "quote")}


def test_own_text_sharing_common_phrases_is_not_a_quote() -> None:
    earlier = (
        "On the other hand, at the end of the day the militias answer to Tehran and not to "
        "Baghdad, as far as I can tell from the reporting."
    )
    later = (
        "On the other hand, at the end of the day the voters decide when we leave, as far "
        "as I can tell from every poll since the election."
    )
    result = infer_replies(make_thread(("tequila", [earlier]), ("Michael", [later])))
    assert quotes_of(result, 2) == {}
    assert edges_of(result, 2) == {(ARTICLE, "article")}


def test_paraphrase_is_own_words() -> None:
    source = "Explain to me how this situation is any different than Japan, Germany, etc, etc."
    paraphrase = "Explain to me how this situation is in any way similar to Japan and Germany."
    result = infer_replies(make_thread(("Bithead", [source]), ("Michael", [paraphrase])))
    assert quotes_of(result, 2) == {}


def test_a_short_line_repeated_by_its_author_is_a_habit_a_long_one_a_self_quote() -> None:
    line = "I say again, how is that any different?"
    result = infer_replies(
        make_thread(("Bithead", [line]), ("Bithead", [line]), ("Bithead", [BITHEAD_P]))
    )
    assert quotes_of(result, 2) == {}
    assert edges_of(result, 2) == {(ARTICLE, "article")}
    again = infer_replies(
        make_thread(
            ("Bithead", [BITHEAD_P]),
            ("Michael", ["You said so before."]),
            ("Bithead", [BITHEAD_P, "And I stand by it."]),
        )
    )
    assert quotes_of(again, 3) == {0: (1, 0)}, "reposting one's own argument answers it"


# ---- mentions --------------------------------------------------------------------------


def mention_thread(*later: tuple[str, Sequence[str]]) -> ReplyStructure:
    """Three earlier commenters (DC Loser twice), then ``later`` comments."""
    return infer_replies(
        make_thread(
            ("DC Loser", ["Iran does not want us to leave; we are stuck there with our Army."]),
            ("Bithead", ["Nature abhors a vacuum, and Iran would rush in to fill it."]),
            ("Michael", ["Sadr has never had a warm relationship with Iran."]),
            ("DC Loser", ["The Iranians already pull all the levers behind the scene."]),
            *later,
        )
    )


def test_full_name_address_goes_to_the_most_recent_earlier_comment() -> None:
    result = mention_thread(("Bithead", ["DC Loser, you keep saying that without evidence."]))
    assert edges_of(result, 5) == {(4, "mention")}


def test_first_name_and_short_form_addresses() -> None:
    result = mention_thread(
        ("Bithead", ["I'm not sure I buy that one, either, DC."]),
        ("DC Loser", ["Well, Bit, you left out why we're still in Germany and Japan."]),
    )
    assert edges_of(result, 5) == {(4, "mention")}
    assert edges_of(result, 6) == {(5, "mention")}, "Bithead's latest comment is now #5"


def test_at_name_address() -> None:
    result = mention_thread(("legion", ["@Michael that's simply not what the record shows."]))
    assert edges_of(result, 5) == {(3, "mention")}


def test_only_earlier_commenters_can_be_addressed() -> None:
    result = mention_thread(("Bithead", ["Tequila, you and I agree for once on this one."]))
    assert edges_of(result, 5) == {(ARTICLE, "article")}
    later = mention_thread(
        ("Bithead", ["Tequila, you and I agree for once on this one."]),
        ("tequila", ["We do, for once."]),
        ("Michael", ["Tequila, do you really agree with him?"]),
    )
    assert edges_of(later, 7) == {(6, "mention")}


def test_name_in_a_url_or_mid_sentence_addresses_nobody() -> None:
    result = mention_thread(
        ("legion", ["See https://example.org/michael/archive for the whole story."]),
        ("glasnost", ["I asked michael about it and he had no answer for me at all."]),
        ("tequila", ["The bishop said the militia michael mentioned was disbanded."]),
    )
    for seq in (5, 6, 7):
        assert edges_of(result, seq) == {(ARTICLE, "article")}, seq


def test_a_reference_cue_links_to_the_persons_latest_comment() -> None:
    result = mention_thread(("legion", ["But DC has it right: the Iranians are thrilled."]))
    assert edges_of(result, 5) == {(4, "mention")}
    (edge,) = [e for e in result.edges if e.source == 5]
    assert edge.snippet == "DC"
    assert edge.confidence < 0.9, "a reference is less sure than an address"


def test_third_person_talk_without_a_cue_is_not_a_link() -> None:
    result = mention_thread(("legion", ["But DC thinks the Iranians are thrilled."]))
    assert edges_of(result, 5) == {(ARTICLE, "article")}


def test_addressing_the_post_author_replies_to_the_article() -> None:
    result = mention_thread(("glasnost", ["Not much critical thinking here, James."]))
    assert edges_of(result, 5) == {(ARTICLE, "mention")}


def test_address_to_someone_quoted_merges_into_the_quote_edge() -> None:
    quoted = "Nature abhors a vacuum, and Iran would rush in to fill it."
    result = mention_thread(
        ("Bithead", ["Some filler of my own that nobody will ever quote here."]),
        ("legion", [quoted, "Wha? Bithead, that doesn't pass the smell test."]),
    )
    assert edges_of(result, 6) == {(2, "quote")}, "his latest is #5, but #6 answers #2"


def test_name_inside_a_quote_is_not_an_address() -> None:
    said = "Well, Bit, you left out the reason why we are still in Germany and Japan today."
    result = mention_thread(("DC Loser", [said]), ("Bithead", [said, ANSWER]))
    assert edges_of(result, 6) == {(5, "quote")}


# ---- whole comments --------------------------------------------------------------------


def test_comment_naming_and_quoting_nobody_replies_to_the_article() -> None:
    result = mention_thread(("tequila", ["Sealing the border would not do anything at all."]))
    assert edges_of(result, 5) == {(ARTICLE, "article")}
    assert quotes_of(result, 5) == {}


def test_parent_recorded_by_the_source_links_to_that_comment() -> None:
    reply = Comment(seq=5, number=5, author="tequila", paragraphs=("I agree.",), parent_number=2)
    result = mention_thread(reply)
    assert edges_of(result, 5) == {(2, "parent")}


def test_two_quotes_and_an_address_give_one_edge_per_target() -> None:
    result = infer_replies(
        make_thread(
            ("Bithead", [BITHEAD_P]),
            ("Michael", [MICHAEL_P]),
            ("DC Loser", ["Completely unrelated remarks about the weather in Basra today."]),
            (
                "legion",
                [BITHEAD_P, ANSWER, MICHAEL_P, "Both of you are wrong.", "DC, what say you?"],
            ),
        )
    )
    assert edges_of(result, 4) == {(1, "quote"), (2, "quote"), (3, "mention")}
    assert quotes_of(result, 4) == {0: (1, 0), 2: (2, 0)}
    sources = [e.source for e in result.edges]
    assert sources == sorted(sources)


def test_edges_carry_a_short_snippet() -> None:
    result = infer_replies(make_thread(("Bithead", [BITHEAD_P]), ("Michael", [BITHEAD_P, ANSWER])))
    (edge,) = [e for e in result.edges if e.source == 2]
    assert edge == ReplyEdge(2, 1, "quote", shorten(BITHEAD_P))
    assert len(edge.snippet) <= 80 and edge.snippet.endswith("…")
    assert BITHEAD_P.startswith(edge.snippet[:-1])


def test_shorten_keeps_short_text_and_cuts_long_text_at_a_word() -> None:
    assert shorten("  a   short\nline ") == "a short line"
    cut = shorten("word " * 40, limit=20)
    assert cut == "word word word word…"
    assert QuoteRef(0, 1) == QuoteRef(ARTICLE, 1)


# ---- the hand-labelled seed ------------------------------------------------------------


def precision_recall(found: set[Any], truth: set[Any]) -> tuple[float, float]:
    hit = len(found & truth)
    return (hit / len(found) if found else 1.0, hit / len(truth) if truth else 1.0)


def seed_labels() -> tuple[Thread, list[dict[str, Any]]]:
    thread = parse_thread(SEED_FILE.read_text(encoding="utf-8"), SEED_FILE.name)
    labels = json.loads(LABELS.read_text(encoding="utf-8"))
    assert (ROOT / labels["source"]) == SEED_FILE
    return thread, labels["comments"]


def test_seed_labels_fit_the_seed_file() -> None:
    """The labels name real comments and paragraphs, and each labelled quote reads like
    its source (so a slip of an index in the JSON cannot pass unnoticed)."""
    thread, comments = seed_labels()
    assert [c["seq"] for c in comments] == [c.seq for c in thread.comments]
    assert [c["author"] for c in comments] == [c.author for c in thread.comments]
    for label, comment in zip(comments, thread.comments, strict=True):
        for idx, (src_seq, src_para) in label["quotes"].items():
            assert src_seq < comment.seq
            source = thread.comments[src_seq - 1] if src_seq else None
            text = comment.paragraphs[int(idx)]
            src = source.paragraphs[src_para] if source else thread.article_paragraphs[src_para]
            if has_words(text):
                quote, whole = " ".join(words(text)), " ".join(words(src))
                assert fuzz.partial_ratio(quote, whole) >= 85, (comment.seq, idx)
            else:
                assert label["quotes"].get(str(int(idx) - 1)) == [src_seq, src_para]
        targets = [t for t, _ in label["edges"]]
        assert len(targets) == len(set(targets)) and all(t < comment.seq for t in targets)


def test_seed_precision_and_recall() -> None:
    thread, comments = seed_labels()
    result = infer_replies(thread)
    truth_edges = {(c["seq"], t, via) for c in comments for t, via in c["edges"]}
    found_edges = {(e.source, e.target, e.via) for e in result.edges}
    figures = {}
    for via in ("quote", "mention", "implicit", "article"):
        figures[via] = precision_recall(
            {e for e in found_edges if e[2] == via}, {e for e in truth_edges if e[2] == via}
        )
    truth_quotes = {
        (c["seq"], int(idx), src[0], src[1]) for c in comments for idx, src in c["quotes"].items()
    }
    found_quotes = {
        (s, i, r.seq, r.paragraph) for (s, i), r in result.quotes.items() if not r.outside
    }  # the labels are quotes of the thread; words from outside it: test_outside.py
    figures["paragraphs"] = precision_recall(found_quotes, truth_quotes)
    missed = sorted(truth_edges - found_edges), sorted(found_edges - truth_edges)
    for name, (precision, recall) in figures.items():
        assert precision >= TARGET and recall >= TARGET, (name, figures, missed)
    assert len({e for e in truth_edges if e[2] == "mention"}) == 4
    assert len({e for e in truth_edges if e[2] == "quote"}) == 27
    assert len({e for e in truth_edges if e[2] == "implicit"}) == 4


def test_seed_known_edges() -> None:
    thread, _ = seed_labels()
    edges = {(e.source, e.target): e for e in infer_replies(thread).edges}
    assert edges[(8, 7)].via == "mention" and edges[(8, 7)].snippet == "DC."
    assert edges[(23, 22)].via == "mention" and edges[(23, 22)].snippet == "Bit,"
    assert edges[(10, 8)].via == "quote", "the typo-fixed quote of #8"
    assert edges[(30, 29)].snippet == "Well, which one?"
    assert {t for s, t in edges if s == 11} == {9, 10}
    assert edges[(12, 6)].via == "quote", "a quote of #9's quote of #6 goes to #6"
    assert not any(s == 12 and t in (9, 11) for s, t in edges)
    assert edges[(12, 7)].via == "mention" and edges[(12, 7)].snippet == "DC", "DC has it right"
    assert edges[(9, 4)].via == "mention", "As tequila points out"
    assert {t for s, t in edges if s == 7} == {6}, "DC Loser answers Bithead's #6"
    assert {t for s, t in edges if s == 20} == {18}, "Bithead goes on answering Michael's #18"
    assert {t for s, t in edges if s == 26} == {25}, "Bithead answers 'How exactly?'"
    implicit = [e for e in edges.values() if e.via == "implicit"]
    assert implicit and max(e.confidence for e in implicit) < min(
        e.confidence for e in edges.values() if e.via in ("quote", "mention")
    ), "a guess from position is less sure than a quote or a name"


# ---- invariants on arbitrary input -----------------------------------------------------

_NAMES = ("DC Loser", "Bithead", "Michael", "Juho§", "tequila", "", "§")
_PIECES = (
    BITHEAD_P,
    MICHAEL_P,
    ANSWER,
    "Well, which one?",
    ".",
    "…",
    "",
    "DC, you again?",
    "@Michael no.",
    "Bit, seriously.",
    "Not much critical thinking here, James.",
    "https://example.org/michael/1",
)


@settings(max_examples=60, deadline=None)
@given(
    st.lists(
        st.tuples(
            st.sampled_from(_NAMES),
            st.lists(st.sampled_from(_PIECES) | st.text(max_size=40), max_size=4),
        ),
        max_size=12,
    )
)
def test_structure_invariants(comments: list[tuple[str, list[str]]]) -> None:
    thread = make_thread(*comments)
    result = infer_replies(thread)
    by_source: dict[int, list[ReplyEdge]] = {}
    for edge in result.edges:
        by_source.setdefault(edge.source, []).append(edge)
        assert 0 <= edge.target < edge.source
        assert len(edge.snippet) <= 80
    assert set(by_source) == {c.seq for c in thread.comments}, "every comment replies somewhere"
    for edges in by_source.values():
        assert len({e.target for e in edges}) == len(edges)
        assert all(e.via != "article" for e in edges) or len(edges) == 1
    for (seq, idx), ref in result.quotes.items():
        assert idx < len(thread.comments[seq - 1].paragraphs)
        assert ref.seq < seq
        source = thread.article_paragraphs if ref.seq == ARTICLE else None
        count = len(source) if source else len(thread.comments[ref.seq - 1].paragraphs)
        assert ref.paragraph < count
        assert (ref.seq, ref.paragraph) not in result.quotes, "sources are own words"


# ---- implicit answers ------------------------------------------------------------------

FORTY_WORDS = (
    "That is not how it went at all, and you know it well. The militias were paid to stand "
    "down for many months, the money ran out in the spring, and the shooting started again "
    "the very week after that."
)


def exchange(*then: tuple[str, Sequence[str]]) -> ReplyStructure:
    """Bithead's #1, Michael's #2 quoting and answering it, then ``then``."""
    return infer_replies(
        make_thread(("Bithead", [BITHEAD_P]), ("Michael", [BITHEAD_P, ANSWER]), *then)
    )


def test_a_short_answer_in_an_exchange_answers_the_comment_before() -> None:
    result = exchange(("Bithead", ["How exactly?"]))
    assert edges_of(result, 3) == {(2, "implicit")}
    (edge,) = [e for e in result.edges if e.source == 3]
    assert edge.confidence < 0.7, "a guess from position, less sure than a quote"
    assert len(words(FORTY_WORDS)) == SHORT_ANSWER_WORDS == 40
    assert edges_of(exchange(("Bithead", [FORTY_WORDS])), 3) == {(2, "implicit")}


def test_a_longer_or_second_paragraph_or_third_person_comment_is_no_exchange_answer() -> None:
    longer = FORTY_WORDS.replace("at all,", "at all, frankly,")
    assert len(words(longer)) == 41
    assert edges_of(exchange(("Bithead", [longer])), 3) == {(ARTICLE, "article")}
    two = ["How exactly?", "I would like to know."]
    assert edges_of(exchange(("Bithead", two)), 3) == {(ARTICLE, "article")}
    assert edges_of(exchange(("legion", ["How exactly?"])), 3) == {(ARTICLE, "article")}


def test_a_short_follow_up_to_ones_own_reply_answers_what_it_answered() -> None:
    result = exchange(("Michael", ["And you never said who pays for it, did you?"]))
    assert edges_of(result, 3) == {(1, "implicit")}
    assert edges_of(exchange(("Michael", [FORTY_WORDS + " Again."])), 3) == {(ARTICLE, "article")}


PICKED_UP = "The militias never wanted to pull out of Basra, whatever the generals say."


def test_a_bare_paragraph_picking_up_the_replys_phrase_joins_the_conversation() -> None:
    reply = ("Michael", [BITHEAD_P, "It would only make the militias pull out of Basra faster."])
    result = infer_replies(make_thread(("Bithead", [BITHEAD_P]), reply, ("DC Loser", [PICKED_UP])))
    assert edges_of(result, 3) == {(2, "implicit")}


def test_a_phrase_the_thread_already_used_or_a_longer_comment_is_no_follow_up() -> None:
    reply = ("Michael", [BITHEAD_P, "It would only make the militias pull out of Basra faster."])
    said_before = ("tequila", ["Nobody will pull out of Basra before the election."])
    common = infer_replies(
        make_thread(said_before, ("Bithead", [BITHEAD_P]), reply, ("DC Loser", [PICKED_UP]))
    )
    assert edges_of(common, 4) == {(ARTICLE, "article")}
    unrelated = infer_replies(
        make_thread(("Bithead", [BITHEAD_P]), reply, ("DC Loser", [MICHAEL_P]))
    )
    assert edges_of(unrelated, 3) == {(ARTICLE, "article")}
    two = infer_replies(
        make_thread(("Bithead", [BITHEAD_P]), reply, ("DC Loser", [PICKED_UP, MICHAEL_P]))
    )
    assert edges_of(two, 3) == {(ARTICLE, "article")}


LONG_ANSWER = "That would be the fastest way to lose the whole region to Tehran, as I see it."


def test_pasting_a_quote_with_its_answer_answers_the_answer_only() -> None:
    reposted = infer_replies(
        make_thread(
            ("Bithead", [BITHEAD_P]),
            ("Michael", [BITHEAD_P, LONG_ANSWER]),
            ("legion", [BITHEAD_P, LONG_ANSWER, "You are both wrong about that one."]),
        )
    )
    assert quotes_of(reposted, 3) == {0: (1, 0), 1: (2, 1)}, "the words keep their author"
    assert edges_of(reposted, 3) == {(2, "quote")}, "#3 answers #2's exchange with #1"
    apart = infer_replies(
        make_thread(
            ("Bithead", [BITHEAD_P]),
            ("Michael", [BITHEAD_P, LONG_ANSWER]),
            ("legion", [BITHEAD_P, "Nobody here has read the report.", LONG_ANSWER, "No."]),
        )
    )
    assert edges_of(apart, 3) == {(1, "quote"), (2, "quote")}, "two quotes, answered apart"
