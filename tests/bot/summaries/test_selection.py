"""Which sentences a summary shows: stance lines that state a view, details weighed below
subjects, and dependent sentences chosen at the price of the context they are shown with."""

from __future__ import annotations

import pytest

from bot.summaries.engine import author_budget, summarise_author
from bot.summaries.results import KeySentence
from bot.summaries.selection import DETAIL_FACTOR, LINE_COST, word_weights
from bot.summaries.sentences import content_words
from bot.summaries.stances import asks, depends_on_context, states_a_view
from tests.bot.summaries.quality import Seed, person_sentences


@pytest.mark.parametrize(
    ("sentence", "expected"),
    [
        ("Explain to me how this situation is any different than Japan.", True),
        ("Tell me what the Badr Corps has to do with it.", True),
        ("Why would instability in Iraq be in Iran's interests?", True),
        ("Iran supplies the weapons.", False),
        ("An explanation is owed to the troops.", False),
    ],
)
def test_requests_are_questions(sentence: str, expected: bool) -> None:
    assert asks(sentence) is expected


@pytest.mark.parametrize(
    ("sentence", "expected"),
    [
        ("My guess is that Iran is directly responsible for fanning those flames.", True),
        ("I’d say we’ve reached the tipping point of that cease fire.", True),
        ("It’s in OUR interest to be there, forward deployed.", True),
        ("Maliki’s government is essentially an Iranian puppet.", True),
        ("We should leave when the Iraqis ask us to.", True),
        ("I should also point out that it was 5 years before Japan had a government.", False),
        ("Last month Ahmadinejad dropped by to kiss Maliki’s cheek in Baghdad.", False),
    ],
)
def test_sentences_that_state_a_view(sentence: str, expected: bool) -> None:
    assert states_a_view(sentence) is expected


@pytest.mark.parametrize(
    "sentence",
    [
        "Um, yeah it kind of does, because defending against Al Qaeda is different.",
        "Hmm. this sounds strangely like the argument I heard about Vietnam.",
        "As I say, true NOW, not 30 or 40 years ago.",
    ],
)
def test_interjections_and_back_references_need_context(sentence: str) -> None:
    assert depends_on_context(sentence)


def test_a_word_of_one_paragraph_weighs_less_than_a_subject() -> None:
    idf = {"fanfare": 3.0, "iran": 2.0, "puppet": 2.0}  # 3.0: the rarest, one paragraph
    said = [KeySentence(1, 1, "Fanfare fanfare iran iran puppet puppet")]
    weights = word_weights(said, idf)
    assert weights["fanfare"] == pytest.approx(DETAIL_FACTOR * weights["iran"] * 3.0 / 2.0)
    assert weights["iran"] == weights["puppet"]


async def test_the_stance_states_a_view_and_is_never_a_question(seed: Seed) -> None:
    thread, comments, edges = seed
    for name in ("Bithead", "Michael", "DC Loser", "legion", "glasnost", "Juho§"):
        stance = summarise_author(thread, comments, edges, name).stance.sentence
        assert stance is not None, name
        assert not asks(stance.text) and not depends_on_context(stance.text), (name, stance)
    bithead = summarise_author(thread, comments, edges, "Bithead").stance.sentence
    assert bithead is not None and "fanning those flames" in bithead.text


async def test_points_with_context_fill_the_budget_without_dropping_picks(seed: Seed) -> None:
    """The context line is paid for when a point is chosen: what is shown fits the budget,
    and what is left of it could not hold one more own sentence that is not shown (nothing
    chosen was thrown away afterwards to make room for contexts)."""
    thread, comments, edges = seed
    for name in ("Bithead", "Michael", "DC Loser"):
        summary = summarise_author(thread, comments, edges, name)
        sentences = person_sentences(thread, comments, name)
        budget = author_budget(sum(len(s) + 1 for s in sentences))
        assert summary.stance.sentence is not None
        spent = len(summary.stance.sentence.text) + LINE_COST
        spent += sum(len(c.text) + LINE_COST for c in summary.cites)
        for p in summary.points:
            spent += len(p.sentence.text) + LINE_COST + (len(p.context) + 1 if p.context else 0)
        assert spent <= budget, name
        shown = {summary.stance.sentence.text, *(p.sentence.text for p in summary.points)}
        unshown = [
            s
            for s in sentences
            if s not in shown and not depends_on_context(s) and len(content_words(s)) >= 3
        ]
        assert all(len(s) + LINE_COST > budget - spent for s in unshown), (name, budget - spent)
        assert any(p.context for p in summary.points), name
