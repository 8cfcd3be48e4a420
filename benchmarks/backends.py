"""SQLite against PostgreSQL in one run (``python -m benchmarks --postgres URL``).

The same work on both backends, interleaved, with the ratio of each pair reported:

- **Ingest**: the real path (``parse_thread`` → ``infer_replies`` → ``Storage.ingest``)
  of the same threads into a new SQLite file and into a new PostgreSQL schema, best of
  ``sizes.ingest_repeats``; the figure is PostgreSQL's storing rate over SQLite's
  (parsing and inference are the same Python on both and are left out of the ratio).
- **Latency**: the corpus database is copied into a new schema with
  ``bot.storage.copy`` (the ``migrate-db`` path, same ids), then every command of the
  latency benchmark runs with the same argument sets on both, in a shuffled order per
  argument set; each command's PostgreSQL p99 is reported against its SQLite p99 and
  against the 100 ms target.

The schema is dropped afterwards; the server is whatever the URL names (``.ci/run``
passes its throwaway test server).
"""

from __future__ import annotations

import asyncio
import random
import time
import uuid
from collections.abc import Sequence
from pathlib import Path
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

import asyncpg

from benchmarks.commands import Args, Command, commands, sample_args
from benchmarks.common import Figure, Sizes, console, percentile, verdict
from benchmarks.ingest import RealTimes, real_ingest
from bot.storage import Storage
from bot.storage.copy import copy_database

TARGET_MS = 100.0
WARMUP = 20


def _in_schema(url: str, schema: str) -> str:
    parts = urlsplit(url)
    query = [(k, v) for k, v in parse_qsl(parts.query) if k != "search_path"]
    query.append(("search_path", schema))
    return urlunsplit(parts._replace(query=urlencode(query, safe="/")))


async def _schema(url: str, sql: str) -> None:
    conn = await asyncpg.connect(url)
    try:
        await conn.execute(sql)
    finally:
        await conn.close()


class _Schemas:
    """New schemas on the server, each dropped when the benchmark ends."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.made: list[str] = []

    def new(self) -> str:
        schema = f"bench_{uuid.uuid4().hex[:12]}"
        asyncio.run(_schema(self.url, f"CREATE SCHEMA {schema}"))
        self.made.append(schema)
        return _in_schema(self.url, schema)

    def drop_all(self) -> None:
        for schema in self.made:
            asyncio.run(_schema(self.url, f"DROP SCHEMA IF EXISTS {schema} CASCADE"))


def _ingest(schemas: _Schemas, items: Sequence[tuple[str, str]], tmp: Path, repeats: int) -> Figure:
    sqlite: list[RealTimes] = []
    postgres: list[RealTimes] = []
    for rep in range(repeats):
        sqlite.append(asyncio.run(real_ingest(tmp / f"ingest{rep}.db", items)))
        postgres.append(asyncio.run(real_ingest(schemas.new(), items)))
        console.print(
            f"  ingest rep {rep + 1}: store SQLite {sqlite[-1].store:.2f}s, "
            f"PostgreSQL {postgres[-1].store:.2f}s"
        )
    comments = sqlite[0].comments
    lite = min(t.store for t in sqlite)
    pg = min(t.store for t in postgres)
    ratio = (comments / pg) / (comments / lite)
    return Figure(
        key="backends.ingest",
        title=f"ingest {comments:,} comments on PostgreSQL vs SQLite (Storage.ingest)",
        ratio=ratio,
        ratio_of="PostgreSQL comments/s ÷ SQLite comments/s (storing)",
        target="—",
        status="info",
        value=comments / pg,
        unit="comments/s",
        note=f"store {pg:.2f}s on PostgreSQL vs {lite:.2f}s on SQLite; best of {repeats}",
        details={"seconds": {"sqlite": lite, "postgresql": pg}, "comments": comments},
    )


async def _copy(corpus: Path, url: str) -> float:
    start = time.perf_counter()
    async with Storage(corpus) as source, Storage(url) as target:
        await copy_database(source, target)
    return time.perf_counter() - start


async def _time_both(
    corpus: Path, url: str, cmds: list[Command], args: list[Args], seed: int
) -> dict[str, dict[str, list[float]]]:
    rng = random.Random(seed)
    clock = time.perf_counter
    samples: dict[str, dict[str, list[float]]] = {"sqlite": {}, "postgresql": {}}
    async with Storage(corpus) as lite, Storage(url) as pg:
        stores = {"sqlite": lite, "postgresql": pg}
        for c in cmds:  # cached summaries: made once where missing, on each backend
            if c.warm is not None:
                for a in args[WARMUP : WARMUP + (c.max_samples or len(args))]:
                    for store in stores.values():
                        await c.warm(store, a)
        jobs = [(name, c) for name in stores for c in cmds]
        for a in args[:WARMUP]:
            for name, c in jobs:
                if c.max_samples is None:
                    await c.run(stores[name], a)
        for a in args[WARMUP:]:
            rng.shuffle(jobs)
            for name, c in jobs:
                got = samples[name].setdefault(c.name, [])
                if c.max_samples is not None and len(got) >= c.max_samples:
                    continue
                start = clock()
                await c.run(stores[name], a)
                got.append(clock() - start)
    return samples


def _latency(schemas: _Schemas, corpus: Path, sizes: Sizes, seed: int) -> list[Figure]:
    url = schemas.new()
    copy_s = asyncio.run(_copy(corpus, url))
    console.print(f"  corpus copied into PostgreSQL in {copy_s:.1f} s")
    cmds, _ = commands(sizes)
    cmds = [c for c in cmds if not c.first]  # uncached summaries are pure Python on both
    args = sample_args(corpus, sizes.latency_samples + WARMUP, seed)
    samples = asyncio.run(_time_both(corpus, url, cmds, args, seed))
    figures: list[Figure] = []
    for c in cmds:
        lite99 = percentile(samples["sqlite"][c.name], 99) * 1000
        pg99 = percentile(samples["postgresql"][c.name], 99) * 1000
        pg50 = percentile(samples["postgresql"][c.name], 50) * 1000
        console.print(f"  {c.name}: p99 PostgreSQL {pg99:.2f} ms, SQLite {lite99:.2f} ms")
        figures.append(
            Figure(
                key=f"backends.latency.{c.name}",
                title=f"{c.name} p99 on PostgreSQL vs SQLite",
                ratio=pg99 / lite99,
                ratio_of="PostgreSQL p99 ÷ SQLite p99",
                target=f"p99 < {TARGET_MS:.0f} ms",
                status=verdict(pg99 < TARGET_MS),
                value=pg99,
                unit="ms",
                note=f"PostgreSQL p50 {pg50:.2f} ms; SQLite p99 {lite99:.2f} ms; {c.what}",
                details={"sqlite_p99_ms": lite99, "postgresql_p99_ms": pg99, "copy_s": copy_s},
            )
        )
    return figures


def measure(
    url: str, items: Sequence[tuple[str, str]], corpus: Path, sizes: Sizes, tmp: Path,
    seed: int = 7,
) -> list[Figure]:  # fmt: skip
    """Both comparisons on the server at ``url`` (see the module docstring)."""
    schemas = _Schemas(url)
    try:
        ingest = _ingest(schemas, items, tmp, sizes.ingest_repeats)
        return [ingest, *_latency(schemas, corpus, sizes, seed)]
    finally:
        schemas.drop_all()
