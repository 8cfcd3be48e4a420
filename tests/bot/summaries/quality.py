"""Measuring summaries against points a reader wrote: coverage, budgets and baselines.

A point (``reader_points.json``) is covered by a text when at least ``need`` of its cue
groups have a member occurring in the lowercased, accent-folded text. What is measured is
the summary's prose as a reader sees it: the stance, the points (with the ``↪ to …`` context
they are shown with) and the passages cited; for a thread, the lede, the claim, and each
sub-conversation's sides with names and who sided with whom. Baselines get the same
characters from the same person's own sentences, picked without thought.
"""

from __future__ import annotations

import json
import random
import unicodedata
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from bot.models import StoredComment, StoredEdge, StoredThread
from bot.summaries.engine import own_article_sentences
from bot.summaries.results import AuthorSummary, ThreadSummary
from bot.summaries.selection import LINE_COST
from bot.summaries.sentences import own_sentences
from bot.text import fold

HERE = Path(__file__).parent
Point = dict[str, Any]
Seed = tuple[StoredThread, list[StoredComment], list[StoredEdge]]
"""The seed thread, its comments and its reply links (the ``seed`` fixture)."""


def load(name: str) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((HERE / name).read_text(encoding="utf-8"))
    return data


def folded(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text.lower())
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def covered(point: Point, text: str) -> bool:
    low = folded(text)
    hits = sum(any(folded(cue) in low for cue in group) for group in point["cues"])
    return hits >= int(point["need"])


def coverage(points: Sequence[Point], text: str) -> float:
    return sum(covered(p, text) for p in points) / len(points) if points else 1.0


def author_prose(s: AuthorSummary) -> str:
    lines = []
    if s.stance.sentence is not None:
        lines.append(s.stance.sentence.text)
    for p in s.points:
        lines.append(f"{p.context} {p.sentence.text}" if p.context else p.sentence.text)
    lines += [c.text for c in s.cites]
    return "\n".join(lines)


def prose_cost(s: AuthorSummary) -> int:
    """Characters the summary spends, counted as the budget counts them."""
    cost = 0
    if s.stance.sentence is not None:
        cost += len(s.stance.sentence.text) + LINE_COST
    for p in s.points:
        cost += len(p.sentence.text) + LINE_COST + (len(p.context) + 1 if p.context else 0)
    return cost + sum(len(c.text) + LINE_COST for c in s.cites)


def thread_prose(s: ThreadSummary) -> str:
    lines = [s.lede, *(k.text for k in s.claim)]
    for c in s.conversations:
        for side in c.sides:
            lines += [f"{side.name}: {k.text}" for k in side.points]
        lines += [f"{r.source} {r.leaning} {r.target}" for r in c.relations]
    return "\n".join(lines)


def thread_cost(s: ThreadSummary) -> int:
    cost = len(s.lede) + sum(len(k.text) + LINE_COST for k in s.claim)
    for c in s.conversations:
        cost += sum(len(k.text) + LINE_COST for side in c.sides for k in side.points)
    return cost


# ---- baselines: the same budget, filled without thought -------------------------------------


def person_sentences(
    thread: StoredThread, comments: Sequence[StoredComment], name: str
) -> list[str]:
    out = [s.text for c in comments if fold(c.author) == fold(name) for s in own_sentences(c)]
    if fold(thread.author) == fold(name):
        out = [s.text for s in own_article_sentences(thread)] + out
    return out


def fill(sentences: Sequence[str], budget: int) -> str:
    """Sentences in the given order while they fit ``budget`` (a sentence too long is skipped)."""
    out, used = [], 0
    for s in sentences:
        if used + len(s) + LINE_COST <= budget:
            out.append(s)
            used += len(s) + LINE_COST
    return "\n".join(out)


def longest(sentences: Sequence[str], budget: int) -> str:
    return fill(sorted(sentences, key=lambda s: (-len(s), s)), budget)


def firsts(sentences: Sequence[str], budget: int) -> str:
    return fill(sentences, budget)


def random_picks(sentences: Sequence[str], budget: int, *, seed: int) -> str:
    shuffled = list(sentences)
    random.Random(seed).shuffle(shuffled)
    return fill(shuffled, budget)


Baseline = Callable[[Sequence[str], int], str]
BASELINES: dict[str, Baseline] = {"longest": longest, "first": firsts}
RANDOM_SEEDS = range(20)


def baseline_scores(
    points: Sequence[Point], sentences: Sequence[str], budget: int
) -> dict[str, float]:
    """Coverage of each baseline at ``budget`` (random: the mean over 20 seeds)."""
    scores = {name: coverage(points, fn(sentences, budget)) for name, fn in BASELINES.items()}
    scores["random"] = sum(
        coverage(points, random_picks(sentences, budget, seed=k)) for k in RANDOM_SEEDS
    ) / len(RANDOM_SEEDS)
    return scores
