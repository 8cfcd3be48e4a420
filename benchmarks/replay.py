"""Replay pacing: messages per second against the fake Discord with its rate limits on.

Measured only when both ``bot/replay.py`` (the replay) and ``tests/fakediscord/`` (the
fake Discord server) are there; otherwise the row says what is missing.
"""

from __future__ import annotations

from pathlib import Path

from benchmarks.common import Figure, Sizes, not_measured

ROOT = Path(__file__).resolve().parent.parent
TARGET = 0.9
TITLE = "replay pacing vs the fake Discord's announced rate limit"
TARGET_TEXT = f"≥ {TARGET} of the limit, no extra 429"


def missing() -> list[str]:
    """What the measurement needs and is not there yet."""
    out: list[str] = []
    if not (ROOT / "bot" / "replay.py").exists():
        out.append("bot/replay.py does not exist")
    fake = ROOT / "tests" / "fakediscord"
    if not (fake / "__init__.py").exists() or not (fake / "server.py").exists():
        out.append("the fake Discord (tests/fakediscord/ with a server) is not there")
    return out


def measure(sizes: Sizes) -> list[Figure]:
    gaps = missing()
    if gaps:
        return [not_measured("replay", TITLE, TARGET_TEXT, "; ".join(gaps))]
    return [
        not_measured(
            "replay",
            TITLE,
            TARGET_TEXT,
            "bot/replay.py and the fake Discord exist, but this harness does not drive them yet",
        )
    ]
