"""Pacing: the interval and its floor, stops that end a wait at once, the per-channel window."""

from __future__ import annotations

import asyncio
import itertools

from bot.replay.pacing import MIN_INTERVAL, Pacing, interval_for, pacing_floor
from bot.replay.plan import Post
from bot.replay.runner import run_replay
from bot.storage import Storage
from tests.bot.replay.conftest import RecordingSender, new_replay, seed_thread


def test_pace_speed_two_is_twice_as_fast_but_never_past_the_floor() -> None:
    assert interval_for(1.0, 3.0) == 3.0
    assert interval_for(2.0, 3.0) == 1.5
    assert interval_for(0.5, 3.0) == 6.0
    assert interval_for(4.0, 1.5) == MIN_INTERVAL
    assert interval_for(100.0, 3.0, minimum=0) == 0.75  # clamped to the top speed, 4


def test_the_pacing_floor_follows_a_lower_configured_interval() -> None:
    # The 1 s floors hold for the production interval; a lower REPLAY_INTERVAL lowers them.
    assert pacing_floor(1.5) == (MIN_INTERVAL, 1.0)
    assert pacing_floor(0.01) == (0.01, 0.01)


async def test_pacing_waits_the_interval_and_stops_at_once() -> None:
    pacing = Pacing(interval=600)
    waiter = asyncio.create_task(pacing.wait(600))
    await asyncio.sleep(0)
    assert not waiter.done()
    pacing.stop.set()
    # A guard, not a measurement: without the stop this wait would last ten minutes.
    assert await asyncio.wait_for(waiter, timeout=30) is True
    assert await Pacing(interval=0).wait(0.01) is False


async def test_the_loop_stays_free_while_a_replay_paces(seeded: Storage) -> None:
    """Another coroutine keeps running between replayed comments (no blocking sleeps)."""
    thread = await seed_thread(seeded)
    record = await new_replay(seeded, thread, first=1, last=3)
    ticks = 0
    seen: list[int] = []

    async def ticker() -> None:
        nonlocal ticks
        while True:
            ticks += 1
            await asyncio.sleep(0)

    class TickSender(RecordingSender):
        async def send(self, post: Post) -> None:
            seen.append(ticks)
            await super().send(post)

    tick_task = asyncio.create_task(ticker())
    await run_replay(seeded, record, TickSender(), Pacing(interval=0.01, part_gap=0.01))
    tick_task.cancel()
    # The other coroutine ran in every pause between two messages.
    assert len(seen) >= 4 and all(b > a for a, b in itertools.pairwise(seen))


async def test_no_more_than_the_window_in_any_span(seeded: Storage) -> None:
    """Discord's ~30 webhook messages a minute per channel: at most ``window`` messages in
    any ``window_seconds``, whatever the interval (a fake clock, no real waiting)."""
    thread = await seed_thread(seeded)
    record = await new_replay(seeded, thread, first=1, last=8)
    now = [0.0]
    sent: list[float] = []

    class ClockPacing(Pacing):
        async def wait(self, seconds: float) -> bool:
            now[0] += max(seconds, 0.0)
            return False

    class TimedSender(RecordingSender):
        async def send(self, post: Post) -> None:
            sent.append(now[0])
            now[0] += 0.5  # each request takes half a second
            await super().send(post)

    pacing = ClockPacing(interval=1.0, part_gap=1.0, window=4, window_seconds=20.0)
    pacing.clock = lambda: now[0]
    assert await run_replay(seeded, record, TimedSender(), pacing) == "finished"
    assert len(sent) > 8
    assert all(later - first >= 20.0 for first, later in zip(sent, sent[4:], strict=False))
    assert sent[3] - sent[0] < 20.0, "the first four go at the plain interval"
