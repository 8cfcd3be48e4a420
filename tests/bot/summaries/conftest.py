"""The seed thread as the summariser reads it: the thread, its comments and its reply links."""

from __future__ import annotations

import pytest

from bot.storage import Storage
from tests.bot.summaries.quality import Seed


@pytest.fixture
async def seed(seeded: Storage) -> Seed:
    thread = await seeded.threads.find("iraq-cease-fire-over", any_guild=True)
    assert thread is not None
    return thread, await seeded.comments.all(thread.id), await seeded.edges.all(thread.id)
