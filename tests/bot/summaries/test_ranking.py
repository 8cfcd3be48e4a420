"""Sentence ranking: PageRank on the similarity graph, and how many sentences to show."""

from __future__ import annotations

import numpy as np
import pytest

from bot.summaries.ranking import pagerank, sentence_budget


def test_budget_grows_slowly_and_is_capped() -> None:
    assert sentence_budget(1) == 1
    assert sentence_budget(6) == 3
    assert sentence_budget(10_000) == 8
    assert [sentence_budget(n) for n in range(1, 200)] == sorted(
        sentence_budget(n) for n in range(1, 200)
    )


def test_pagerank_ranks_the_hub_first_and_sums_to_one() -> None:
    sim = np.zeros((4, 4))
    for leaf in (1, 2, 3):
        sim[0, leaf] = sim[leaf, 0] = 0.9
    rank = pagerank(sim)
    assert int(np.argmax(rank)) == 0
    assert rank.sum() == pytest.approx(1.0)
    prior = np.array([1.0, 1.0, 1.0, 10.0])
    assert pagerank(np.zeros((4, 4)), prior)[3] > 0.5
