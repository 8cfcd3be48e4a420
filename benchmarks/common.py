"""Shared pieces: run sizes, the figure record every measurement returns, small statistics."""

from __future__ import annotations

import importlib
import math
import time
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from typing import Any, Literal

from rich.console import Console

psutil: Any = importlib.import_module("psutil")
"""psutil (dev extra) ships no type information; imported this way it needs no stub package."""

console = Console(highlight=False, stderr=True)
"""Progress notes go to stderr so that stdout carries only the final table."""

Status = Literal["pass", "fail", "info", "not measured"]
"""``info``: a figure reported for context, with no target of its own."""


@dataclass(frozen=True, slots=True)
class Sizes:
    """How big each measurement is. ``QUICK`` keeps the same code paths at CI sizes."""

    name: str
    ingest_comments: int
    """Comments pushed through the real ingest path and the bare-SQLite baseline."""
    ingest_repeats: int
    baseline_comments: int
    """One thread of this many comments: index-based inference vs all-pairs difflib."""
    baseline_budget_s: float
    """Time the difflib baseline gets before it is extrapolated from a sample of pairs."""
    growth_comments: tuple[int, ...]
    """Single-thread sizes for the inference growth fit."""
    latency_samples: int
    """Rounds of the direct commands (each command once per round, fresh arguments)."""
    cached_summary_samples: int
    """Argument sets summarised once before the direct rounds (the cached-summary rows)."""
    live_threads: tuple[int, ...]
    """Comments per thread of the database the real bot serves in the latency run."""
    deferred_samples: int
    """Timed calls of each deferred command (graph, uncached summaries) on the biggest thread."""
    users: int
    """Simulated users paging and searching at once in the concurrency phase."""
    user_rounds: int
    """Rounds each of them does (open comments, page twice, search, ping)."""
    import_comments: int
    """Comments in the file imported during the concurrency phase: the default
    ``IMPORT_MAX_BYTES`` (2 MB) holds about 2,900 of the generator's comments."""


FULL = Sizes(
    name="full",
    ingest_comments=100_000,
    ingest_repeats=5,
    baseline_comments=2_000,
    baseline_budget_s=400.0,
    growth_comments=(1_000, 10_000, 100_000),
    latency_samples=300,
    cached_summary_samples=10,
    live_threads=(20_000, 4_000, 2_000, 2_000, 1_000, 1_000, 500, 500, 300, 300, 200, 200),
    deferred_samples=5,
    users=50,
    user_rounds=6,
    import_comments=2_800,
)

QUICK = Sizes(
    name="quick",
    ingest_comments=3_000,
    ingest_repeats=5,
    baseline_comments=300,
    baseline_budget_s=3.0,
    growth_comments=(500, 1_500, 5_000),
    latency_samples=20,
    cached_summary_samples=2,
    live_threads=(1_000, 300, 200, 200, 100),
    deferred_samples=1,
    users=50,
    user_rounds=1,
    import_comments=1_000,
)


@dataclass(slots=True)
class Figure:
    """One row of the final table.

    ``ratio`` is the figure against its same-run baseline (its meaning is in ``ratio_of``);
    ``value`` is the absolute number a target may be stated in (e.g. milliseconds).
    """

    key: str
    title: str
    ratio: float | None
    ratio_of: str
    target: str
    status: Status
    value: float | None = None
    unit: str = ""
    note: str = ""
    details: dict[str, Any] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        return asdict(self)


def not_measured(key: str, title: str, target: str, reason: str) -> Figure:
    return Figure(
        key=key,
        title=title,
        ratio=None,
        ratio_of="",
        target=target,
        status="not measured",
        note=f"not measured: {reason}",
    )


def verdict(ok: bool) -> Status:
    return "pass" if ok else "fail"


def percentile(values: Sequence[float], q: float) -> float:
    """The ``q``-th percentile (0–100) by linear interpolation between closest ranks."""
    if not values:
        raise ValueError("no values")
    ordered = sorted(values)
    pos = (len(ordered) - 1) * q / 100
    low = math.floor(pos)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (pos - low)


def loglog_slope(xs: Sequence[float], ys: Sequence[float]) -> float:
    """Least-squares slope of log(y) against log(x): the growth exponent of y in x."""
    if len(xs) != len(ys) or len(xs) < 2:
        raise ValueError("need at least two points")
    lx = [math.log(x) for x in xs]
    ly = [math.log(y) for y in ys]
    mx = sum(lx) / len(lx)
    my = sum(ly) / len(ly)
    sxx = sum((x - mx) ** 2 for x in lx)
    sxy = sum((x - mx) * (y - my) for x, y in zip(lx, ly, strict=True))
    return sxy / sxx


def timed(fn: Callable[[], object]) -> float:
    """Wall seconds one call of ``fn`` takes."""
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


def precision_recall(found: set[Any], truth: set[Any]) -> tuple[float, float]:
    """Precision and recall of ``found`` against ``truth`` (1.0 for an empty denominator)."""
    hit = len(found & truth)
    precision = hit / len(found) if found else 1.0
    recall = hit / len(truth) if truth else 1.0
    return precision, recall
