"""``python -m benchmarks.summaries [--comments N]``: the first, uncached summary of a big thread.

Issue 14's targets: the first summary of a 20,000-comment thread in under 2 s, peak memory
under 200 MB, and other commands' p99 under 100 ms while it runs. Measured in one run, on
one synthetic thread (seeded), through the real service path (``offline_thread`` /
``offline_author``: a worker process that reads the thread and summarises it, cache write),
with ratios against baselines taken in the same run:

* ``read``: reading the thread's comments and edges through the bot's storage (what the
  service did on the event loop before the worker read the thread itself), and
  ``snapshot_read``: the worker's own bulk read of it (:mod:`bot.storage.snapshot`);
* ``compute_cpu``: the pure summary functions in this process, CPU seconds (what the worker
  spends; wall time on a loaded machine says more about the machine than the code);
* ``p99``: a cheap command (a page of comments) sampled every 10 ms, alone and while the
  summaries run: the worker must not slow it.

Memory: the summary is run once more in a worker that reads the thread, summarises it and
reports its peak resident memory (the forkserver's preloaded modules included).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import resource
import tempfile
import time
from pathlib import Path
from typing import Any

from benchmarks.common import percentile
from benchmarks.synthetic import generate_thread
from bot.models import StoredThread
from bot.sources.capture import parse_thread
from bot.sources.loading import ingest_thread
from bot.storage import Storage
from bot.storage.snapshot import read_thread
from bot.summaries import service
from bot.summaries.engine import summarise_author, summarise_thread
from bot.summaries.offload import stored_summary_json
from bot.workers import Limits, run_in_worker, shutdown_workers, workers

TARGET_S = 2.0
TARGET_P99_MS = 100.0
MEMORY_MB = 200


def peak_of_summary(thread: StoredThread, target: str, name: str | None) -> float:
    """In a worker: read and summarise the thread, return the child's peak resident memory
    (MB)."""
    stored_summary_json(thread, target, name)
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


async def _sample(storage: Storage, thread: StoredThread, stop: asyncio.Event) -> list[float]:
    """Latencies (ms) of a page of comments, every 10 ms until ``stop``."""
    out: list[float] = []
    while not stop.is_set():
        start = time.perf_counter()
        await storage.comments.page(thread.id, start=1, limit=10)
        out.append((time.perf_counter() - start) * 1000)
        await asyncio.sleep(0.01)
    return out


async def _while(storage: Storage, thread: StoredThread, work: Any) -> tuple[float, list[float]]:
    stop = asyncio.Event()
    sampler = asyncio.create_task(_sample(storage, thread, stop))
    await asyncio.sleep(0.2)
    start = time.perf_counter()
    await work
    took = time.perf_counter() - start
    stop.set()
    return took, await sampler


async def measure(comments: int) -> dict[str, Any]:
    synthetic = generate_thread(comments, seed=14)
    parsed = parse_thread(synthetic.text, synthetic.source)
    with tempfile.TemporaryDirectory() as folder:
        async with Storage(Path(folder) / "bench.db") as storage:
            result = await ingest_thread(storage, parsed)
            thread = await storage.threads.find(result.slug, any_guild=True)
            assert thread is not None
            people = await storage.comments.authors(thread.id)
            busiest = max(people, key=lambda p: (p.comment_count, p.name)).name
            await workers().start()

            start = time.perf_counter()
            all_comments = await storage.comments.all(thread.id)
            edges = await storage.edges.all(thread.id)
            read_s = time.perf_counter() - start
            assert storage.target is not None
            start = time.perf_counter()
            await asyncio.to_thread(read_thread, storage.target, thread.id)
            snapshot_s = time.perf_counter() - start

            cpu = time.process_time()
            summarise_thread(thread, all_comments, edges)
            thread_cpu = time.process_time() - cpu
            cpu = time.process_time()
            summarise_author(thread, all_comments, edges, busiest)
            author_cpu = time.process_time() - cpu

            stop = asyncio.Event()
            alone = asyncio.create_task(_sample(storage, thread, stop))
            await asyncio.sleep(3)
            stop.set()
            quiet = await alone

            thread_s, busy_t = await _while(
                storage, thread, service.offline_thread(storage, thread)
            )
            author_s, busy_a = await _while(
                storage, thread, service.offline_author(storage, thread, busiest)
            )
            peak_mb = await run_in_worker(
                peak_of_summary,
                thread,
                storage.target,
                None,
                limits=Limits(cpu_s=60, memory_mb=600, wall_s=120),
            )
            await shutdown_workers()
    busy = busy_t + busy_a
    return {
        "comments": comments,
        "load_average": os.getloadavg()[0],
        "read_s": read_s,
        "snapshot_read_s": snapshot_s,
        "thread_first_s": thread_s,
        "author_first_s": author_s,
        "author": busiest,
        "thread_compute_cpu_s": thread_cpu,
        "author_compute_cpu_s": author_cpu,
        "thread_vs_read": thread_s / read_s,
        "p99_alone_ms": percentile(quiet, 99),
        "p99_during_ms": percentile(busy, 99),
        "p99_ratio": percentile(busy, 99) / max(percentile(quiet, 99), 1e-6),
        "worker_peak_rss_mb": peak_mb,
    }


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.summaries")
    parser.add_argument("--comments", type=int, default=20_000)
    parser.add_argument("--out", type=Path)
    args = parser.parse_args()
    figures = asyncio.run(measure(args.comments))
    for key, value in figures.items():
        shown = f"{value:.3f}" if isinstance(value, float) else str(value)
        print(f"{key:24} {shown}")
    ok = (
        figures["thread_compute_cpu_s"] < TARGET_S
        and figures["author_compute_cpu_s"] < TARGET_S
        and figures["p99_during_ms"] < TARGET_P99_MS
        and figures["worker_peak_rss_mb"] < MEMORY_MB
    )
    print("targets (CPU < 2 s, p99 < 100 ms, 200 MB):", "met" if ok else "NOT met")
    if args.out:
        args.out.write_text(json.dumps(figures, indent=2))


if __name__ == "__main__":
    main()
