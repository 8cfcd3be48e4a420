"""Reply inference: the index-based method against all-pairs difflib, its growth, its accuracy.

All times are CPU seconds of this process (``time.process_time``), see ``CLOCK``.

1. Speed-up at ``sizes.baseline_comments`` (one thread): ``bot.inference.replies.infer_replies``
   (best of three) against ``benchmarks.allpairs.infer_replies_allpairs``. The baseline
   is run in full when a first sample says it fits in ``sizes.baseline_budget_s``;
   otherwise it is timed on a uniform random sample of its rows for that long and
   extrapolated (the figure says so). The extrapolation is checked in the same run on a
   smaller thread where the baseline also runs in full.
2. Growth: ``infer_replies`` alone at each of ``sizes.growth_comments`` (one thread
   each); the exponent is the slope of a least-squares fit of log(time) on log(comments).
3. Precision and recall against the structure the generator built the thread with, at
   every size: reply edges as (comment, target) pairs, and quoted paragraphs with their
   credited source.
4. F1 of reply edges next to two baselines on the same threads, as a ratio: "every
   comment answers the one before" and the all-pairs difflib method, on threads of the
   independent style generator (``tests/bot/inference/style_threads.py``, every reply
   style mixed) and on a ``benchmarks.synthetic`` thread.
"""

from __future__ import annotations

import time
from typing import Any

from benchmarks import allpairs
from benchmarks.common import Figure, Sizes, console, loglog_slope, precision_recall, verdict
from benchmarks.corpus import thread
from bot.inference.replies import infer_replies
from bot.models import ARTICLE, ReplyEdge, ReplyStructure, Thread
from bot.sources.capture import parse_thread

CLOCK = time.process_time
"""Inference is single-threaded pure Python, so both methods are timed in CPU seconds of
this process: unlike wall time, that does not grow when other processes take turns on
the same cores (wall seconds are kept beside it in the details)."""
SEED = 4_242
SPEEDUP_TARGET = 100.0
EXPONENT_TARGET = 1.2
"""``near-linear``: a fitted exponent at most this (quadratic would be 2)."""
CHECK_COMMENTS = {"quick": 120, "full": 400}
STYLE_SEEDS = {"quick": range(4), "full": range(20)}
"""Threads of the independent style generator (60 comments each) scored for F1."""
F1_SYNTHETIC_COMMENTS = {"quick": 150, "full": 400}
"""Thread size where the baseline runs in full to check the extrapolation."""


def score(found: ReplyStructure, expected: ReplyStructure) -> dict[str, float]:
    """Precision and recall of edges (comment → target) and of quote attributions."""
    edges = {(e.source, e.target) for e in found.edges}
    truth = {(e.source, e.target) for e in expected.edges}
    edge_p, edge_r = precision_recall(edges, truth)
    quote_p, quote_r = precision_recall(set(found.quotes.items()), set(expected.quotes.items()))
    return {
        "edge_precision": edge_p,
        "edge_recall": edge_r,
        "quote_precision": quote_p,
        "quote_recall": quote_r,
    }


def _parsed(comments: int, seed: int) -> tuple[Thread, ReplyStructure]:
    made = thread(comments, seed)
    return parse_thread(made.text, made.source), made.expected


WALL: dict[int, float] = {}
"""Best wall seconds of ``infer_replies`` per thread size, for the details."""


def _fast(parsed: Thread, repeats: int) -> tuple[float, ReplyStructure]:
    best = wall = float("inf")
    result = ReplyStructure()
    for _ in range(repeats):
        start, start_wall = CLOCK(), time.perf_counter()
        result = infer_replies(parsed)
        best = min(best, CLOCK() - start)
        wall = min(wall, time.perf_counter() - start_wall)
    WALL[len(parsed.comments)] = wall
    return best, result


def _baseline(parsed: Thread, hint: ReplyStructure, budget: float) -> dict[str, Any]:
    """Run the baseline in full if a first sample says it fits the budget, else extrapolate."""
    probe = allpairs.estimate_seconds(parsed, hint.quotes, min(budget / 10, 5.0))
    if probe.seconds <= budget:
        start = CLOCK()
        result = allpairs.infer_replies_allpairs(parsed)
        return {
            "seconds": CLOCK() - start,
            "extrapolated": False,
            "result": result,
            "pairs": probe.pairs_total,
        }
    est = allpairs.estimate_seconds(parsed, hint.quotes, budget)
    return {
        "seconds": est.seconds,
        "extrapolated": True,
        "result": None,
        "pairs": est.pairs_total,
        "pairs_timed": est.pairs_timed,
        "rows_timed": est.rows_timed,
        "rows_total": est.rows_total,
    }


def _extrapolation_check(sizes: Sizes) -> dict[str, float]:
    """On a small thread: the estimate from a quarter of the rows vs the full baseline run."""
    parsed, _ = _parsed(CHECK_COMMENTS[sizes.name], SEED + 1)
    hint = infer_replies(parsed)
    start = CLOCK()
    allpairs.infer_replies_allpairs(parsed)
    full = CLOCK() - start
    est = allpairs.estimate_seconds(parsed, hint.quotes, full / 4)
    return {
        "comments": float(CHECK_COMMENTS[sizes.name]),
        "measured_s": full,
        "estimated_s": est.seconds,
        "estimate_over_measured": est.seconds / full,
        "rows_timed_share": est.rows_timed / est.rows_total,
    }


def measure(sizes: Sizes) -> list[Figure]:
    figures: list[Figure] = []
    n = sizes.baseline_comments
    parsed, expected = _parsed(n, SEED)
    fast_s, fast = _fast(parsed, 3)
    base = _baseline(parsed, fast, sizes.baseline_budget_s)
    check = _extrapolation_check(sizes)
    speedup = base["seconds"] / fast_s
    how = (
        f"baseline extrapolated from {base['rows_timed']:,} of {base['rows_total']:,} "
        f"random rows ({base['pairs_timed']:,} of {base['pairs']:,} pairs); on "
        f"{check['comments']:.0f} comments the same estimate was "
        f"×{check['estimate_over_measured']:.2f} the full run"
        if base["extrapolated"]
        else f"baseline run in full ({base['pairs']:,} pairs)"
    )
    console.print(
        f"  {n:,} comments: index {fast_s:.3f} s, all-pairs {base['seconds']:.1f} s "
        f"({'extrapolated' if base['extrapolated'] else 'measured'})"
    )
    details: dict[str, Any] = {
        "comments": n,
        "clock": "CPU seconds (time.process_time)",
        "index_seconds": fast_s,
        "index_wall_seconds": WALL.get(n),
        "allpairs_seconds": base["seconds"],
        "allpairs_extrapolated": base["extrapolated"],
        "allpairs_pairs": base["pairs"],
        "extrapolation_check": check,
        "index_accuracy": score(fast, expected),
    }
    if base["result"] is not None:
        details["allpairs_accuracy"] = score(base["result"], expected)
    else:
        for key in ("rows_timed", "rows_total", "pairs_timed"):
            details[f"allpairs_{key}"] = base[key]
    figures.append(
        Figure(
            key="inference_speedup",
            title=f"reply inference, {n:,} comments: index vs all-pairs difflib",
            ratio=speedup,
            ratio_of="all-pairs CPU time ÷ index CPU time",
            target=f"≥ {SPEEDUP_TARGET:.0f}×",
            status=verdict(speedup >= SPEEDUP_TARGET),
            value=fast_s * 1000,
            unit="ms",
            note=how,
            details=details,
        )
    )

    times: list[float] = []
    accuracy: list[dict[str, float]] = []
    for size in sizes.growth_comments:
        start = time.perf_counter()
        parsed, expected = _parsed(size, SEED + size)
        made_s = time.perf_counter() - start
        repeats = 3 if size <= 10_000 and sizes.name == "full" else 1
        seconds, found = _fast(parsed, repeats)
        times.append(seconds)
        acc = score(found, expected)
        accuracy.append(acc)
        console.print(
            f"  {size:,} comments: {seconds:.2f} s ({seconds / size * 1e6:.0f} µs/comment; "
            f"generated+parsed in {made_s:.1f} s); edges P {acc['edge_precision']:.4f} "
            f"R {acc['edge_recall']:.4f}, quotes P {acc['quote_precision']:.4f} "
            f"R {acc['quote_recall']:.4f}"
        )
    exponent = loglog_slope(list(sizes.growth_comments), times)
    figures.append(
        Figure(
            key="inference_growth",
            title="reply inference growth exponent, "
            + " / ".join(f"{s:,}" for s in sizes.growth_comments)
            + " comments",
            ratio=exponent,
            ratio_of="slope of log(CPU time) on log(comments)",
            target=f"≤ {EXPONENT_TARGET} (near-linear)",
            status=verdict(exponent <= EXPONENT_TARGET),
            value=times[-1],
            unit="s",
            note="; ".join(
                f"{s:,}: {t:.2f} s ({t / s * 1e6:.0f} µs/comment)"
                for s, t in zip(sizes.growth_comments, times, strict=True)
            ),
            details={
                "comments": list(sizes.growth_comments),
                "seconds": times,
                "clock": "CPU seconds (time.process_time)",
                "wall_seconds": [WALL.get(size) for size in sizes.growth_comments],
                "accuracy": accuracy,
            },
        )
    )
    for size, acc in zip(sizes.growth_comments, accuracy, strict=True):
        figures.append(
            Figure(
                key=f"inference_accuracy.{size}",
                title=f"reply inference accuracy vs generator, {size:,} comments",
                ratio=acc["edge_recall"],
                ratio_of="edge recall",
                target="—",
                status="info",
                note=(
                    f"edges P {acc['edge_precision']:.4f} R {acc['edge_recall']:.4f}; "
                    f"quotes P {acc['quote_precision']:.4f} R {acc['quote_recall']:.4f}"
                ),
                details=acc,
            )
        )
    figures.extend(f1_figures(sizes))
    return figures


# ---- F1 against baselines ------------------------------------------------------------------


def previous_comment(thread: Thread) -> ReplyStructure:
    """The baseline that needs no reading: every comment answers the one before it (the
    first one the article)."""
    edges = (
        ReplyEdge(c.seq, c.seq - 1, "implicit" if c.seq > 1 else "article") for c in thread.comments
    )
    return ReplyStructure(edges=tuple(edges))


def f1(found: set[Any], truth: set[Any]) -> float:
    precision, recall = precision_recall(found, truth)
    return 2 * precision * recall / (precision + recall) if precision + recall else 0.0


def _pairs(structure: ReplyStructure) -> set[tuple[int, int]]:
    return {(e.source, e.target) for e in structure.edges}


def _style_threads(seeds: range) -> list[tuple[Thread, set[tuple[int, int]]]]:
    """Threads of the independent generator with their labelled edges, by seq."""
    from tests.bot.inference.style_threads import generate

    out = []
    for seed in seeds:
        made = generate(seed)
        parsed = parse_thread(made.text, made.source)
        seq = {c.number: c.seq for c in parsed.comments} | {ARTICLE: ARTICLE}
        out.append((parsed, {(seq[e.from_number], seq[e.to_number]) for e in made.edges}))
    return out


def f1_figures(sizes: Sizes) -> list[Figure]:
    """Edge F1 of ours, the previous-comment baseline and all-pairs, on the same threads."""
    synthetic, expected = _parsed(F1_SYNTHETIC_COMMENTS[sizes.name], SEED + 7)
    corpora = {
        "style threads": _style_threads(STYLE_SEEDS[sizes.name]),
        "synthetic": [(synthetic, _pairs(expected))],
    }
    methods = {
        "index": infer_replies,
        "previous comment": previous_comment,
        "all-pairs": allpairs.infer_replies_allpairs,
    }
    figures = []
    for corpus, threads in corpora.items():
        scores: dict[str, float] = {}
        for name, method in methods.items():
            found: set[tuple[int, int, int]] = set()
            truth: set[tuple[int, int, int]] = set()
            for i, (parsed, labelled) in enumerate(threads):
                found |= {(i, *pair) for pair in _pairs(method(parsed))}
                truth |= {(i, *pair) for pair in labelled}
            scores[name] = f1(found, truth)
        best = max(scores["previous comment"], scores["all-pairs"])
        ratio = scores["index"] / best if best else float("inf")
        console.print(
            f"  edge F1 on {corpus}: index {scores['index']:.3f}, previous comment "
            f"{scores['previous comment']:.3f}, all-pairs {scores['all-pairs']:.3f}"
        )
        figures.append(
            Figure(
                key=f"inference_f1.{corpus.replace(' ', '_')}",
                title=f"reply edges F1 on {corpus} ({len(threads)} thread"
                f"{'s' * (len(threads) != 1)}): index vs the better baseline",
                ratio=ratio,
                ratio_of="index F1 ÷ best baseline F1",
                target="> 1",
                status=verdict(ratio > 1),
                value=scores["index"],
                unit="F1",
                note=", ".join(f"{k} {v:.3f}" for k, v in scores.items()),
                details=scores,
            )
        )
    return figures
