"""The benchmark suite's own arithmetic: a wrong percentile or slope would mislabel a run."""

from __future__ import annotations

import asyncio
import math
import time

import pytest

from benchmarks.clock import run_scaled
from benchmarks.common import loglog_slope, percentile, precision_recall
from benchmarks.corpus import thread_sizes
from bot.replay.pacing import Pacing
from tests.conftest import SEED_FILE


def test_percentile_interpolates_between_closest_ranks() -> None:
    values = [5.0, 1.0, 4.0, 2.0, 3.0]
    assert percentile(values, 0) == 1.0
    assert percentile(values, 50) == 3.0
    assert percentile(values, 100) == 5.0
    assert percentile(values, 99) == pytest.approx(4.96)


def test_percentile_of_nothing_is_an_error() -> None:
    with pytest.raises(ValueError):
        percentile([], 50)


def test_loglog_slope_recovers_the_exponent() -> None:
    xs = [1_000.0, 10_000.0, 100_000.0]
    assert loglog_slope(xs, [x for x in xs]) == pytest.approx(1.0)
    assert loglog_slope(xs, [3e-6 * x**2 for x in xs]) == pytest.approx(2.0)
    assert loglog_slope(xs, [x * math.log(x) for x in xs]) == pytest.approx(1.11, abs=0.01)


def test_precision_recall() -> None:
    assert precision_recall({1, 2, 3, 4}, {2, 3, 4, 5, 6}) == (0.75, 0.6)
    assert precision_recall(set(), set()) == (1.0, 1.0)


@pytest.mark.parametrize("total", [1, 999, 10_000, 1_000_000])
def test_thread_sizes_add_up_and_stay_in_range(total: int) -> None:
    sizes = thread_sizes(total, 50, 4_000, seed=1)
    assert sum(sizes) == total
    assert all(1 <= n <= 4_000 for n in sizes)
    assert all(n >= 50 for n in sizes[:-1])
    assert sizes == thread_sizes(total, 50, 4_000, seed=1)


def test_a_scaled_loop_runs_timers_on_its_own_faster_clock() -> None:
    """The quick replay benchmark's clock: a minute of loop time, far less real time, and
    the production pacing's window measured on the loop's clock by default."""

    async def a_minute() -> tuple[float, float]:
        loop = asyncio.get_running_loop()
        pacing = Pacing(interval=1.0, window=1, window_seconds=60.0)
        pacing.record_sent()
        waited = pacing.window_wait()
        start = loop.time()
        await asyncio.sleep(60.0)
        return loop.time() - start, waited

    real = time.monotonic()
    loop_seconds, window_wait = run_scaled(a_minute(), scale=1200.0)
    assert loop_seconds >= 60.0
    assert 59.0 < window_wait <= 60.0
    assert time.monotonic() - real < 30.0  # not a minute: the loop's clock ran faster


def test_the_bare_ingest_baseline_builds_the_real_schema() -> None:
    """The baseline runs the real migrations on a plain connection: every SQL function a
    migration calls must be registered there too (migration 10 calls ``shorten``)."""
    import sqlite3

    from benchmarks.ingest import create_schema
    from bot.storage import MIGRATIONS

    conn = sqlite3.connect(":memory:")
    try:
        create_schema(conn)
        assert conn.execute("PRAGMA user_version").fetchone()[0] == MIGRATIONS[-1][0]
        tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")}
        assert {"threads", "comments", "paragraphs", "edges"} <= tables
    finally:
        conn.close()


def test_the_python_floor_counts_the_word_3_grams_said_more_than_once() -> None:
    import dataclasses

    from benchmarks.ingest import shingle_floor
    from bot.sources.capture import parse_thread

    thread = parse_thread(SEED_FILE.read_text(encoding="utf-8"), SEED_FILE.name)
    first, second = thread.comments[0], thread.comments[1]
    said = "Nobody else in this thread ever wrote these eleven words, not even once."
    once = dataclasses.replace(
        thread,
        comments=(dataclasses.replace(first, paragraphs=(*first.paragraphs, said)), second),
    )
    twice = dataclasses.replace(
        once,
        comments=(
            once.comments[0],
            dataclasses.replace(second, paragraphs=(*second.paragraphs, said.upper())),
        ),
    )
    assert shingle_floor(twice) - shingle_floor(once) == 13 - 2  # 13 words, 11 3-grams
