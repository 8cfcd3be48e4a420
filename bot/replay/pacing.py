"""Pacing a replay: the gap between messages, its floor, and the per-channel window.

Discord limits webhook messages to about 5 per 5 s per channel, 5 per 2 s per webhook
and about 30 a minute per channel; a replay stays under all three by design, so it
never has to wait out 429s (though :mod:`bot.replay.runner` does if one comes).
"""

from __future__ import annotations

import asyncio
import contextlib
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field

MIN_INTERVAL = 1.0
"""Seconds between two comments, whatever the speed: one channel never sees more than
about one message a second from a replay (Discord's limits are ~5 per 5 s per channel
and 5 per 2 s per webhook; discord.py still honours any 429 ``retry_after``)."""

PART_GAP = 1.0
"""Seconds between the parts of one long comment."""

WINDOW_MESSAGES, WINDOW_SECONDS = 30, 60.0
"""At most 30 messages a minute into one channel: Discord also limits webhook messages per
channel to about 30 a minute, which a replay of more than 30 messages at the 1 s floor would
otherwise run into (and then wait out as 429s)."""

SPEED_MIN, SPEED_MAX = 0.25, 4.0
"""The widest speeds ``/replay start`` offers (a guild's limits may be narrower)."""


@dataclass(slots=True)
class Pacing:
    """How long to wait between messages; ``stop`` ends any wait at once.

    Besides the gap before each message, at most ``window`` messages go out in any
    ``window_seconds`` (0: no window), measured on ``clock``: by default the running event
    loop's, the clock its sleeps use too (so a loop with a scaled clock, as the benchmark
    runs one, scales the window and the gaps alike).
    """

    interval: float
    part_gap: float = PART_GAP
    stop: asyncio.Event = field(default_factory=asyncio.Event)
    window: int = 0
    window_seconds: float = 0.0
    clock: Callable[[], float] | None = None
    sent_at: deque[float] = field(default_factory=deque)

    async def wait(self, seconds: float) -> bool:
        """Sleep up to ``seconds``; ``True`` if stopping was requested meanwhile."""
        if self.stop.is_set():
            return True
        if seconds > 0:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self.stop.wait(), timeout=seconds)
        return self.stop.is_set()

    def window_wait(self) -> float:
        """Seconds until one more message fits in the window."""
        if self.window <= 0 or self.window_seconds <= 0:
            return 0.0
        now = self._now()
        while self.sent_at and self.sent_at[0] <= now - self.window_seconds:
            self.sent_at.popleft()
        if len(self.sent_at) < self.window:
            return 0.0
        return self.sent_at[0] + self.window_seconds - now

    def record_sent(self) -> None:
        """A message went out now (counts towards the window)."""
        if self.window > 0:
            self.sent_at.append(self._now())

    def _now(self) -> float:
        return self.clock() if self.clock is not None else asyncio.get_running_loop().time()


def interval_for(speed: float, base: float, minimum: float = MIN_INTERVAL) -> float:
    """Seconds between comments: ``base / speed`` (speed 2 = twice as fast), never below minimum."""
    speed = min(max(speed, SPEED_MIN), SPEED_MAX)
    return max(minimum, base / speed)


def pacing_floor(base_interval: float) -> tuple[float, float]:
    """``(min_interval, part_gap)`` for a configured ``REPLAY_INTERVAL``.

    The 1 s floors hold unless the operator deliberately set the interval itself
    lower (a private server, or tests): then that value is the floor.
    """
    return min(MIN_INTERVAL, base_interval), min(PART_GAP, base_interval)
