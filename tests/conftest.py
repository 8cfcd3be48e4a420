"""Shared fixtures: the seed thread, a temporary database, hypothesis profiles."""

from __future__ import annotations

import os
import sqlite3
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from hypothesis import HealthCheck, settings

from bot.sources.loading import ingest_files
from bot.storage import Storage

pytest_plugins = ["tests.postgres", "tests.backends"]

ROOT = Path(__file__).resolve().parent.parent
SEEDS = ROOT / "seeds"
SEED_FILE = SEEDS / "000_f0163f8d9acaa1b0.txt"
SHARED = next(
    (p for p in (ROOT.parent / "shared", ROOT.parent.parent / "shared") if p.is_dir()),
    ROOT.parent / "shared",
)
"""``../shared`` next to the checkout (one level further up from a git worktree in ``wt/``)."""

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


def row_counts(path: Path) -> dict[str, int]:
    """Rows in every table, read with plain sqlite3 outside the code under test. The
    full-text index counts through its virtual table: its shadow tables keep
    merged-away segments a while."""
    conn = sqlite3.connect(path)
    try:
        tables = [
            r[0]
            for r in conn.execute(
                "SELECT name FROM sqlite_master WHERE type = 'table' "
                "AND name NOT LIKE 'sqlite_%' AND name NOT LIKE 'comment_fts_%'"
            )
        ]
        return {t: conn.execute(f'SELECT count(*) FROM "{t}"').fetchone()[0] for t in tables}
    finally:
        conn.close()


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Every test that drives the real client through the fake Discord is ``e2e``, wherever
    it lives, so ``pytest -m "not slow and not e2e"`` is the quick inner loop."""
    for item in items:
        fixtures = getattr(item, "fixturenames", ())
        if "fake_discord" in fixtures or "e2e" in item.path.parts:
            item.add_marker(pytest.mark.e2e)
