"""Command latency on a large corpus: p50/p99 of each command's core call vs a primary-key read.

All calls go through a real ``Storage`` (aiosqlite: each query hops to its worker
thread, as in the bot). The baseline is ``SELECT * FROM comments WHERE id = ?`` on a
second aiosqlite connection with the same pragmas: the cheapest read the bot could do,
paying the same hop. Calls are interleaved (every command, in a shuffled order, per
argument set) so that load from elsewhere on the machine hits all of them alike.

Summaries are measured twice. ``author_summary`` and ``thread_summary`` are the real
command path once the summary is cached (what every request but the first of a thread
version costs): before timing, a pre-pass runs ``summary_service.offline_author`` /
``offline_thread`` once for each argument set they will be timed with, which writes
those summary rows into the corpus database (later runs find them there and skip the
work). ``*_first`` is the uncached first request, which defers: reported as information
against Discord's deferred-reply budget rather than the 100 ms target.
"""

from __future__ import annotations

import asyncio
import random
import sqlite3
import time
from pathlib import Path

import aiosqlite

from benchmarks.commands import Args, Command, commands, sample_args
from benchmarks.common import Figure, Sizes, console, percentile, verdict
from bot.storage import Storage

TARGET_MS = 100.0
FIRST_TARGET_MS = 3000.0
"""For an uncached summary, which defers first: an answer within a few seconds."""
WARMUP = 20


def _summary_rows(db: Path) -> int:
    conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    try:
        return int(conn.execute("SELECT count(*) FROM summaries").fetchone()[0])
    finally:
        conn.close()


async def _pk_connection(db: Path) -> aiosqlite.Connection:
    conn = await aiosqlite.connect(db, isolation_level=None)
    await conn.execute("PRAGMA journal_mode = WAL")
    await conn.execute("PRAGMA foreign_keys = ON")
    await conn.execute("PRAGMA synchronous = NORMAL")
    await conn.execute("PRAGMA busy_timeout = 10000")
    return conn


async def _time_all(
    db: Path, cmds: list[Command], args: list[Args], seed: int
) -> tuple[dict[str, list[float]], float]:
    """Per-command call times, and the seconds the summary warm-up pre-pass took."""
    rng = random.Random(seed)
    samples: dict[str, list[float]] = {c.name: [] for c in cmds}
    samples["pk_lookup"] = []
    clock = time.perf_counter
    async with Storage(db) as storage:
        pk = await _pk_connection(db)
        try:

            async def pk_lookup(storage: Storage, a: Args) -> object:
                async with pk.execute("SELECT * FROM comments WHERE id = ?", (a.comment_id,)) as c:
                    return await c.fetchone()

            warm_start = clock()
            for c in cmds:
                if c.warm is not None:
                    used = args[WARMUP : WARMUP + (c.max_samples or len(args))]
                    for a in used:
                        await c.warm(storage, a)
            warm_s = clock() - warm_start
            timed = [*cmds, Command("pk_lookup", "comments by primary key", pk_lookup)]
            for a in args[:WARMUP]:
                for c in timed:
                    if c.max_samples is None:
                        await c.run(storage, a)
            for a in args[WARMUP:]:
                rng.shuffle(timed)
                for c in timed:
                    if c.max_samples is not None and len(samples[c.name]) >= c.max_samples:
                        continue
                    start = clock()
                    await c.run(storage, a)
                    samples[c.name].append(clock() - start)
        finally:
            await pk.close()
    return samples, warm_s


def measure(db: Path, sizes: Sizes, corpus_comments: int, seed: int = 7) -> list[Figure]:
    cmds, _ = commands(sizes)
    args = sample_args(db, sizes.latency_samples + WARMUP, seed)
    rows_before = _summary_rows(db)
    samples, warm_s = asyncio.run(_time_all(db, cmds, args, seed))
    written = _summary_rows(db) - rows_before
    console.print(f"  summary warm-up pre-pass: {warm_s:.1f} s, {written} summary rows written")
    pk50 = percentile(samples["pk_lookup"], 50) * 1000
    pk99 = percentile(samples["pk_lookup"], 99) * 1000
    console.print(f"  pk_lookup p50 {pk50:.3f} ms p99 {pk99:.3f} ms")
    figures: list[Figure] = []
    for c in cmds:
        p50 = percentile(samples[c.name], 50) * 1000
        p99 = percentile(samples[c.name], 99) * 1000
        worst = max(samples[c.name]) * 1000
        console.print(f"  {c.name}: p50 {p50:.2f} ms p99 {p99:.2f} ms max {worst:.2f} ms")
        note = f"p50 {p50:.2f} ms (×{p50 / pk50:.0f} pk); {c.what}"
        if c.first:
            within = "within" if p99 < FIRST_TARGET_MS else "over"
            note += f"; {len(samples[c.name])} calls, p99 {within} {FIRST_TARGET_MS / 1000:.0f} s"
        if c.warm is not None:
            note += (
                f"; {len(samples[c.name])} calls, each summary computed once beforehand and "
                f"cached in the corpus database ({written} rows written by this run's pre-pass)"
            )
        figures.append(
            Figure(
                key=f"latency.{c.name}",
                title=f"{c.name} p99, {corpus_comments:,} comments stored",
                ratio=p99 / pk99,
                ratio_of="p99 ÷ primary-key lookup p99",
                target=(
                    f"p99 < {FIRST_TARGET_MS / 1000:.0f} s (deferred)"
                    if c.first
                    else f"p99 < {TARGET_MS:.0f} ms"
                ),
                status="info" if c.first else verdict(p99 < TARGET_MS),
                value=p99,
                unit="ms",
                note=note,
                details={
                    "p50_ms": p50,
                    "p99_ms": p99,
                    "max_ms": worst,
                    "pk_p50_ms": pk50,
                    "pk_p99_ms": pk99,
                    "calls": len(samples[c.name]),
                    "core_call": c.what,
                },
            )
        )
    return figures
