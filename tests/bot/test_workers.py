"""bot.workers: a call runs in a child process, within its limits, and never outlives its caller.

The functions a child runs live at module level here, so the child can import them by name.
"""

from __future__ import annotations

import asyncio
import os
import time
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot.workers import (
    PRELOAD,
    Limits,
    WorkerCrashed,
    WorkerOutOfMemory,
    Workers,
    WorkersClosed,
    WorkerTimeout,
    run_in_worker,
    shutdown_workers,
)

QUICK = Limits(cpu_s=5, memory_mb=300, wall_s=30)


def add(a: int, b: int, *, times: int = 1) -> int:
    return (a + b) * times


def child_pid() -> int:
    return os.getpid()


def spin() -> None:
    while True:
        pass


def hoard() -> None:
    kept = []
    while True:
        kept.append(bytearray(10_000_000))


def fail() -> None:
    raise LookupError("no such thing")


class Odd(Exception):
    """An exception that cannot be rebuilt from its args on the other side."""

    def __init__(self, a: int, b: int) -> None:
        super().__init__(f"{a}/{b}")


def fail_oddly() -> None:
    raise Odd(1, 2)


def wait_for(marker: Path, release: Path) -> str:
    """Say we started (write our pid), then wait until the test releases us."""
    partial = marker.with_suffix(".partial")
    partial.write_text(str(os.getpid()))
    partial.rename(marker)  # whole or absent: the test reads it as soon as it exists
    while not release.exists():
        time.sleep(0.01)
    return marker.name


async def until(path: Path) -> None:
    """Wait (at most 20 s) until a child has written ``path``: polling a file, no event."""
    async with asyncio.timeout(20):
        while not path.exists():  # noqa: ASYNC110
            await asyncio.sleep(0.01)


def alive(pid: int) -> bool:
    """True while ``pid`` runs (a zombie counts as gone: it no longer uses anything)."""
    try:
        with Path(f"/proc/{pid}/stat").open() as stat:
            return stat.read().split(") ", 1)[1][0] != "Z"
    except FileNotFoundError:
        return False


async def gone(pid: int) -> bool:
    """Wait (at most 10 s) until ``pid`` has stopped."""
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        if not alive(pid):
            return True
        await asyncio.sleep(0.02)
    return False


@pytest.fixture
async def pool() -> AsyncIterator[Workers]:
    workers = Workers(max_workers=2, per_key=1)
    yield workers
    await workers.close()


async def test_result_and_keyword_arguments_come_back(pool: Workers) -> None:
    assert await pool.run(add, 2, 3, times=4, limits=QUICK) == 20


async def test_runs_in_another_process(pool: Workers) -> None:
    assert await pool.run(child_pid, limits=QUICK) != os.getpid()


async def test_the_functions_exception_is_raised_here(pool: Workers) -> None:
    with pytest.raises(LookupError, match="no such thing"):
        await pool.run(fail, limits=QUICK)


async def test_an_exception_that_cannot_travel_is_a_crash_with_its_text(pool: Workers) -> None:
    with pytest.raises(WorkerCrashed, match=r"Odd: 1/2"):
        await pool.run(fail_oddly, limits=QUICK)


async def test_cpu_limit_stops_a_busy_loop(pool: Workers) -> None:
    with pytest.raises(WorkerTimeout, match="CPU"):
        await pool.run(spin, limits=Limits(cpu_s=1, memory_mb=300, wall_s=60))


async def test_memory_limit_stops_a_hoarder(pool: Workers) -> None:
    with pytest.raises(WorkerOutOfMemory, match="300 MB"):
        await pool.run(hoard, limits=Limits(cpu_s=30, memory_mb=300, wall_s=60))


async def test_wall_clock_limit_kills_a_sleeper(pool: Workers, tmp_path: Path) -> None:
    marker, release = tmp_path / "started", tmp_path / "never"
    with pytest.raises(WorkerTimeout, match="longer than 1 s"):
        await pool.run(wait_for, marker, release, limits=Limits(cpu_s=30, wall_s=1))
    assert await gone(int(marker.read_text()))
    assert pool.running == 0


async def test_cancelling_the_caller_kills_the_child(pool: Workers, tmp_path: Path) -> None:
    marker, release = tmp_path / "started", tmp_path / "never"
    task = asyncio.create_task(pool.run(wait_for, marker, release, limits=QUICK))
    await until(marker)
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    assert await gone(int(marker.read_text()))
    assert pool.running == 0


async def test_close_kills_running_children_and_refuses_new_calls(tmp_path: Path) -> None:
    pool = Workers()
    marker, release = tmp_path / "started", tmp_path / "never"
    task = asyncio.create_task(pool.run(wait_for, marker, release, limits=QUICK))
    await until(marker)
    await pool.close()
    with pytest.raises(WorkersClosed):
        await task
    assert await gone(int(marker.read_text()))
    with pytest.raises(WorkersClosed):
        await pool.run(add, 1, 2, limits=QUICK)


async def test_one_key_queues_behind_itself_not_in_front_of_others(
    pool: Workers, tmp_path: Path
) -> None:
    release = tmp_path / "release"
    first = asyncio.create_task(
        pool.run(wait_for, tmp_path / "a1", release, limits=QUICK, key="guild a")
    )
    await until(tmp_path / "a1")
    second = asyncio.create_task(
        pool.run(wait_for, tmp_path / "a2", release, limits=QUICK, key="guild a")
    )
    # Another guild is served while guild a's first call is still running...
    assert await pool.run(add, 1, 1, limits=QUICK, key="guild b") == 2
    # ...and guild a's second call has not started: it waits for the first.
    assert not (tmp_path / "a2").exists()
    release.touch()
    assert await first == "a1"
    assert await second == "a2"


async def test_module_level_helpers_use_one_pool_per_loop() -> None:
    assert await run_in_worker(add, 1, 2, limits=QUICK) == 3
    await shutdown_workers()
    # A bot started again in the same loop gets a fresh pool.
    assert await run_in_worker(add, 2, 2, limits=QUICK) == 4
    await shutdown_workers()


def test_limits_must_be_positive() -> None:
    with pytest.raises(ValueError, match="positive"):
        Limits(cpu_s=0)


def test_the_bot_process_leaves_the_heavy_imports_to_the_workers() -> None:
    """Every cog loaded, as ``python -m bot`` does: matplotlib, networkx, yake and numpy
    (about 30 MB of the bot's memory) are imported only by the workers' forkserver."""
    import subprocess
    import sys

    code = (
        "import importlib, sys\n"
        "from bot.app import default_extensions\n"
        "for name in default_extensions(): importlib.import_module(name)\n"
        "print(' '.join(sorted(m for m in ('matplotlib', 'networkx', 'numpy', 'yake')"
        " if m in sys.modules)))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=120
    )
    assert done.stdout.strip() == ""
    preloaded = set(PRELOAD)
    assert {"bot.summaries.engine", "networkx", "yake", "matplotlib.figure"} <= preloaded
