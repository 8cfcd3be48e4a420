"""SQLite against PostgreSQL in one run (``python -m benchmarks --postgres URL``).

The same work on both backends, interleaved, with the ratio of each pair reported:

- **Ingest**: the real path (``parse_thread`` → ``infer_replies`` → ``Storage.ingest``)
  of the same threads into a new SQLite file and into a new PostgreSQL schema, best of
  ``sizes.ingest_repeats``; the figure is PostgreSQL's storing rate over SQLite's
  (parsing and inference are the same Python on both and are left out of the ratio).
- **Latency**: the latency benchmark itself (:mod:`benchmarks.latency`: the real bot
  process against the fake Discord, its database built through the real ingest path)
  with the bot on a new PostgreSQL schema; each row is against the 100 ms (or 2 s)
  target and, like the SQLite rows of the ``latency`` step in the same run, a ratio to
  ``/ping`` on the same backend.

The schema is dropped afterwards; the server is whatever the URL names (``.ci/run``
passes its throwaway test server).
"""

from __future__ import annotations

import asyncio
import time
import uuid
from collections.abc import Sequence
from pathlib import Path
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

import asyncpg

from benchmarks import latency
from benchmarks.common import Figure, Sizes, console
from benchmarks.ingest import RealTimes, real_ingest

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
        # Wall clock here: CPU time of this process would leave out the PostgreSQL server.
        sqlite.append(asyncio.run(real_ingest(tmp / f"ingest{rep}.db", items, time.perf_counter)))
        postgres.append(asyncio.run(real_ingest(schemas.new(), items, time.perf_counter)))
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


def _latency(schemas: _Schemas, sizes: Sizes) -> list[Figure]:
    """The latency benchmark (:mod:`benchmarks.latency`: the real bot process against the
    fake Discord) on a new PostgreSQL schema; its rows renamed ``backends.latency.*``."""
    figures = latency.measure(sizes, database=schemas.new(), backend="PostgreSQL")
    for figure in figures:
        figure.key = f"backends.{figure.key}"
        figure.title = f"PostgreSQL: {figure.title}"
    return figures


def measure(url: str, items: Sequence[tuple[str, str]], sizes: Sizes, tmp: Path) -> list[Figure]:
    """Both comparisons on the server at ``url`` (see the module docstring)."""
    schemas = _Schemas(url)
    try:
        ingest = _ingest(schemas, items, tmp, sizes.ingest_repeats)
        return [ingest, *_latency(schemas, sizes)]
    finally:
        schemas.drop_all()
