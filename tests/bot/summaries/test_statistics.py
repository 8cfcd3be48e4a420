"""Whole-thread statistics: word rarity, echoes, samples that keep big threads bounded."""

from __future__ import annotations

from bot.summaries.sentences import evenly
from bot.summaries.statistics import idf_of


def test_rare_words_weigh_more_than_common_ones() -> None:
    idf = idf_of([["iran", "press"], ["iran", "press", "hitler"], ["iran"]])
    assert idf["hitler"] > idf["press"] > idf["iran"] > 0


def test_evenly_is_an_ordered_deterministic_sample() -> None:
    items = list(range(10_000))
    sample = evenly(items, 4000)
    assert len(sample) == 4000 and sample == sorted(sample) and sample == evenly(items, 4000)
    assert sample[0] == 0 and sample[-1] > 9_990
    assert evenly(items[:5], 4000) == items[:5]
