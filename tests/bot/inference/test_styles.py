"""Reply inference against the independent generator of reply styles (issue 15).

``style_threads`` was written from the problem statement alone, without reading the
inference code, so these figures measure the rules rather than mirror them. Each style is
scored on threads made of it alone and on threads mixing every style, over several seeds:

* recall: the labelled edges of that style that inference finds, as (comment, target) pairs;
* precision: of the edges inference draws from comments labelled with that style, the
  share that are labelled (an edge of a comment no label explains counts against it).

Negative styles (a topical paragraph, a name in the third person) only have edges a
reader would *not* draw: none of them may be found.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable

import pytest

from bot.inference.replies import infer_replies
from bot.sources.capture import parse_thread
from tests.bot.inference.style_threads import ALL_STYLES, NEGATIVE_STYLES, StyleThread, generate

TARGET = 0.97
SEEDS = range(6)
COMMENTS = 60
POSITIVE = [s for s in ALL_STYLES if s not in NEGATIVE_STYLES]

Pair = tuple[int, int]


def found_pairs(thread: StyleThread) -> set[Pair]:
    """Inferred edges as (printed comment number, printed target number; 0 = the article)."""
    parsed = parse_thread(thread.text, thread.source)
    number = {c.seq: c.number for c in parsed.comments} | {0: 0}
    return {(number[e.source], number[e.target]) for e in infer_replies(parsed).edges}


class Tally:
    """Hits and totals per style, over any number of threads."""

    def __init__(self) -> None:
        self.recall: dict[str, list[int]] = defaultdict(lambda: [0, 0])
        self.precision: dict[str, list[int]] = defaultdict(lambda: [0, 0])
        self.negatives_found: list[tuple[str, Pair]] = []

    def add(self, thread: StyleThread) -> None:
        found = found_pairs(thread)
        truth = {(e.from_number, e.to_number) for e in thread.edges}
        styles_of: dict[int, set[str]] = defaultdict(set)
        for edge in thread.edges:
            styles_of[edge.from_number].add(edge.style)
            counts = self.recall[edge.style]
            counts[0] += (edge.from_number, edge.to_number) in found
            counts[1] += 1
        for pair in found:
            for style in styles_of[pair[0]]:
                counts = self.precision[style]
                counts[0] += pair in truth
                counts[1] += 1
        for negative in thread.negatives:
            pair = (negative.from_number, negative.to_number)
            if pair in found:
                self.negatives_found.append((negative.style, pair))

    def figures(self, style: str) -> tuple[float, float, int]:
        """(precision, recall, labelled edges) of one style."""
        hit_p, all_p = self.precision[style]
        hit_r, all_r = self.recall[style]
        return hit_p / max(all_p, 1), hit_r / max(all_r, 1), all_r


def tally(threads: Iterable[StyleThread]) -> Tally:
    result = Tally()
    for thread in threads:
        result.add(thread)
    return result


@pytest.mark.parametrize("style", POSITIVE)
def test_each_style_alone_is_found(style: str) -> None:
    scores = tally(generate(seed, COMMENTS, [style]) for seed in SEEDS)
    precision, recall, labelled = scores.figures(style)
    assert labelled >= 40, "enough edges of the style for the figure to mean something"
    assert precision >= TARGET and recall >= TARGET, (style, precision, recall)
    assert scores.negatives_found == []


@pytest.mark.parametrize("style", NEGATIVE_STYLES)
def test_distractors_alone_draw_no_edge(style: str) -> None:
    threads = [generate(seed, COMMENTS, [style]) for seed in SEEDS]
    assert sum(len(t.negatives) for t in threads) >= 40
    scores = tally(threads)
    assert scores.negatives_found == []
    precision, recall, _ = scores.figures("article")
    assert precision >= TARGET and recall >= TARGET, (precision, recall)


def test_every_style_in_mixed_threads() -> None:
    scores = tally(generate(seed, COMMENTS) for seed in SEEDS)
    figures = {style: scores.figures(style) for style in POSITIVE}
    low = {s: f for s, f in figures.items() if min(f[0], f[1]) < TARGET}
    assert not low, low
    assert scores.negatives_found == []
    assert all(labelled >= 10 for _, _, labelled in figures.values()), figures
