"""How much of what a careful reader took from the seed thread the summaries carry.

The points were written by three readers, each on their own, who read the thread and not
the summariser (``reader_points.json``, ``reader_points_b.json``, ``reader_points_c.json``);
they are pooled, so a summary is measured against what any of them took from a person.
Each summary has a length budget (the summariser's own, a share of what the
person wrote); the baselines get the same budget, filled with the same person's sentences
picked without thought: the longest first, the first ones first, or at random (mean of 20
seeds). The summariser must carry the points (targets from issue 14) and beat every
baseline by a clear margin. ``reader_points_heldout.json`` and ``reader_points_heldout_d.json``
were written separately and are never used to tune anything: they are measured and only held
to a looser bound.
"""

from __future__ import annotations

from typing import Any

import pytest

from bot.summaries.engine import author_budget, summarise_author, summarise_thread, thread_budget
from bot.summaries.sentences import article_paragraphs
from tests.bot.summaries.quality import (
    Seed,
    author_prose,
    baseline_scores,
    coverage,
    load,
    person_sentences,
    prose_cost,
    thread_cost,
    thread_prose,
)

PERSON_MEAN = 0.8
PERSON_EACH = 0.6
THREAD = 0.6
MARGIN = 0.05
"""Mean coverage over the people must beat each baseline's mean by at least this."""
BIG_MARGIN = 0.25
"""...and by this for people who wrote several times their budget (where choosing matters)."""
HELDOUT_PERSON_MEAN = 0.75
HELDOUT_THREAD = 0.55
DEV_SETS = ("reader_points.json", "reader_points_b.json", "reader_points_c.json")
HELDOUT_SETS = ("reader_points_heldout.json", "reader_points_heldout_d.json")
"""Written by two more readers; the second (``_d``) only after the summariser last changed."""


def measure(seed: Seed, points: dict[str, Any]) -> dict[str, Any]:
    thread, comments, edges = seed
    people: dict[str, dict[str, float]] = {}
    for name, wanted in points["people"].items():
        summary = summarise_author(thread, comments, edges, name)
        sentences = person_sentences(thread, comments, name)
        written = sum(len(s) + 1 for s in sentences)
        budget = author_budget(written)
        assert prose_cost(summary) <= budget, name
        people[name] = {
            "ours": coverage(wanted, author_prose(summary)),
            "budget": budget,
            "written": written,
            **baseline_scores(wanted, sentences, budget),
        }
    whole = summarise_thread(thread, comments, edges)
    written = sum(len(c.own_text) for c in comments) + sum(
        len(p) for p in article_paragraphs(thread)
    )
    assert thread_cost(whole) <= thread_budget(written)
    return {"people": people, "thread": coverage(points["thread"], thread_prose(whole))}


def mean(values: list[float]) -> float:
    return sum(values) / len(values)


def pooled(names: tuple[str, ...]) -> dict[str, Any]:
    """Every reader's points together: the thread's, and each person's."""
    out: dict[str, Any] = {"thread": [], "people": {}}
    for name in names:
        data = load(name)
        out["thread"] += data["thread"]
        for person, points in data["people"].items():
            out["people"].setdefault(person, []).extend(points)
    return out


async def test_reader_points(seed: Seed) -> None:
    found = measure(seed, pooled(DEV_SETS))
    people = found["people"]
    ours = mean([p["ours"] for p in people.values()])
    assert ours >= PERSON_MEAN, people
    assert all(p["ours"] >= PERSON_EACH for p in people.values()), people
    assert found["thread"] >= THREAD, found["thread"]
    for baseline in ("longest", "first", "random"):
        assert ours >= mean([p[baseline] for p in people.values()]) + MARGIN, (baseline, people)
    big = [p for p in people.values() if p["written"] >= 3 * p["budget"]]
    assert big, "the seed has people who wrote far more than their budget"
    for baseline in ("longest", "first", "random"):
        assert mean([p["ours"] for p in big]) >= mean([p[baseline] for p in big]) + BIG_MARGIN


@pytest.mark.parametrize("name", HELDOUT_SETS)
async def test_heldout_reader_points(seed: Seed, name: str) -> None:
    """Measured, not tuned on: a looser bound, and the figures are in the README."""
    found = measure(seed, load(name))
    people = found["people"]
    assert mean([p["ours"] for p in people.values()]) >= HELDOUT_PERSON_MEAN, people
    assert found["thread"] >= HELDOUT_THREAD, found["thread"]


def test_points_are_well_formed() -> None:
    for name in (*DEV_SETS, *HELDOUT_SETS):
        data = load(name)
        points = [*data["thread"], *(p for ps in data["people"].values() for p in ps)]
        for p in points:
            assert 1 <= p["need"] <= len(p["cues"]), p["text"]
            assert all(cue == cue.lower() for group in p["cues"] for cue in group)
