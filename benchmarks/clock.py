"""An event loop whose clock runs ``scale`` times faster than real time.

Replay pacing is slow on purpose (about 30 messages a minute per channel), so measuring it
over 200 messages takes about six and a half minutes of real time. The quick benchmark
instead runs the same code on a loop where every timer fires ``scale`` times sooner: the
loop's ``time()`` advances ``scale`` seconds per real second and the selector waits
``timeout / scale``. Everything that waits on the loop (``asyncio.sleep``, ``wait_for``,
the replay's pacing and per-channel window, discord.py's rate-limit sleeps, the fake
Discord's rate-limit windows when given ``loop.time``) is scaled alike, so the pacing code
under test is the production code with production settings. What is not scaled is the
work between timers (HTTP, SQLite), which therefore weighs ``scale`` times more: a scaled
run can only understate how well the pacing keeps up.
"""

from __future__ import annotations

import asyncio
import selectors
import time
from collections.abc import Coroutine
from typing import Any, TypeVar

T = TypeVar("T")


class _ScaledSelector(selectors.DefaultSelector):  # type: ignore[misc,valid-type]
    def __init__(self, scale: float) -> None:
        super().__init__()
        self._scale = scale

    def select(self, timeout: float | None = None) -> list[tuple[selectors.SelectorKey, int]]:
        return super().select(None if timeout is None else timeout / self._scale)  # type: ignore[no-any-return]


class ScaledLoop(asyncio.SelectorEventLoop):
    """A selector event loop on a clock ``scale`` times faster than :func:`time.monotonic`."""

    def __init__(self, scale: float) -> None:
        super().__init__(_ScaledSelector(scale))
        self.scale = scale
        self._origin = time.monotonic()

    def time(self) -> float:
        return self._origin + (time.monotonic() - self._origin) * self.scale


def run_scaled(coro: Coroutine[Any, Any, T], scale: float = 1.0) -> T:
    """``asyncio.run(coro)``, on a :class:`ScaledLoop` when ``scale`` is not 1."""
    if scale == 1.0:
        return asyncio.run(coro)
    with asyncio.Runner(loop_factory=lambda: ScaledLoop(scale)) as runner:
        return runner.run(coro)
