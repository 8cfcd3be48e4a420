"""Shared fixtures: the seed thread, a temporary database, hypothesis profiles."""

from __future__ import annotations

import os
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from hypothesis import HealthCheck, settings

from bot.ingest import ingest_files
from bot.storage import Storage

ROOT = Path(__file__).resolve().parent.parent
SEEDS = ROOT / "seeds"
SEED_FILE = SEEDS / "000_f0163f8d9acaa1b0.txt"
SHARED = ROOT.parent / "shared"

settings.register_profile("dev", max_examples=200, deadline=None)
settings.register_profile(
    "ci", max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
settings.register_profile(
    "full", max_examples=10_000, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci" if os.environ.get("CI") else "dev"))


@pytest.fixture
def seed_text() -> str:
    return SEED_FILE.read_text(encoding="utf-8")


@pytest.fixture
async def storage(tmp_path: Path) -> AsyncIterator[Storage]:
    async with Storage(tmp_path / "threadbot.db") as db:
        yield db


@pytest.fixture
async def seeded(storage: Storage) -> Storage:
    """A database holding the seed thread (through the real ingest path)."""
    report = await ingest_files(storage, [SEEDS])
    assert report.ok, report.errors
    return storage
