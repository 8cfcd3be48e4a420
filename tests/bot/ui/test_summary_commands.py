"""Discord glue shared by the two summary commands: who can be summarised, the cooldown."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

import pytest

from bot.errors import NotFound
from bot.models import StoredThread
from bot.settings import Settings
from bot.storage import Storage
from bot.ui.summary_commands import llm_cooldown
from bot.ui.transformers import resolve_subject, subject_choices

OFFLINE = Settings(token="t")


@pytest.fixture
async def thread(seeded: Storage) -> StoredThread:
    found = await seeded.threads.find("iraq-cease-fire-over", any_guild=True)
    assert found is not None
    return found


async def test_post_author_and_unknown_names(seeded: Storage, thread: StoredThread) -> None:
    assert await resolve_subject(seeded, thread, " james JOYNER ") == "James Joyner"
    assert await resolve_subject(seeded, thread, "dc loser") == "DC Loser"
    with pytest.raises(NotFound) as caught:
        await resolve_subject(seeded, thread, "Bithed")
    assert "Bithead" in caught.value.suggestions
    names = [c.value for c in await subject_choices(seeded, thread, "")]
    assert "James Joyner" in names and "Bithead" in names
    assert [c.value for c in await subject_choices(seeded, thread, "jam")] == ["James Joyner"]


def test_cooldown_only_on_the_llm_path() -> None:
    def interaction(settings: Settings) -> Any:
        return SimpleNamespace(client=SimpleNamespace(settings=settings))

    llm = Settings(
        token="t", summary_backend="llm", llm_base_url="http://127.0.0.1:1/v1", llm_model="m"
    )
    assert llm_cooldown(interaction(OFFLINE)) is None
    cooldown = llm_cooldown(interaction(llm))
    assert cooldown is not None and cooldown.rate >= 1 and cooldown.per > 0
    assert llm_cooldown(SimpleNamespace(client=object())) is None  # type: ignore[arg-type]
