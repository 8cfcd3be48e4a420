"""``/thread summary`` and ``/author summary`` through their callbacks: defer only when the
summary is not cached, one answer per interaction, within Discord's limits, never pinging."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import cast

import pytest
from discord import app_commands

from bot.app import ThreadBot
from bot.errors import NotFound
from bot.models import StoredThread
from bot.sources.loading import ingest_thread
from cogs.authors import Authors
from cogs.threads import Threads
from tests.cogs.conftest import GUILD, MENTION, FakeInteraction, invoke, synthetic_thread


async def seed_thread(bot: ThreadBot) -> StoredThread:
    found = await bot.storage.threads.find("iraq-cease-fire-over", any_guild=True)
    assert found is not None
    return found


def cogs(bot: ThreadBot) -> tuple[Threads, Authors]:
    return cast(Threads, bot.get_cog("Threads")), cast(Authors, bot.get_cog("Authors"))


async def thread_summary(bot: ThreadBot, thread: StoredThread) -> FakeInteraction:
    threads, _ = cogs(bot)
    interaction = FakeInteraction(bot)
    await invoke(threads.summary, threads, interaction, thread)
    return interaction


async def author_summary(bot: ThreadBot, thread: StoredThread, name: str) -> FakeInteraction:
    _, authors = cogs(bot)
    interaction = FakeInteraction(bot, options={"thread": str(thread.id)})
    await invoke(authors.summary, authors, interaction, thread, name)
    return interaction


async def test_thread_summary_defers_once_then_answers_from_the_cache(bot: ThreadBot) -> None:
    thread = await seed_thread(bot)
    first = await thread_summary(bot, thread)
    assert [s.how for s in first.sent] == ["defer", "followup"]
    assert all(s.problems() == [] for s in first.sent)
    text = first.last.text()
    assert "Bithead ↔ Michael, 14 exchanges, #9–#31" in text
    assert "Sub-conversation" in text and "Participants" in text
    second = await thread_summary(bot, thread)
    assert [s.how for s in second.sent] == ["send"]
    assert second.last.problems() == [] and second.last.text() == text


@pytest.mark.parametrize(
    ("name", "expect"),
    [
        ("Bithead", "**14 comments** (#2–#30)"),
        ("james joyner", "Wrote the article"),
        ("tequila", "**1 comment** (#4)"),
    ],
)
async def test_author_summary(bot: ThreadBot, name: str, expect: str) -> None:
    thread = await seed_thread(bot)
    interaction = await author_summary(bot, thread, name)
    assert [s.how for s in interaction.sent] == ["defer", "followup"]
    sent = interaction.last
    assert sent.problems() == []
    assert expect in sent.text()
    assert "**Stance**" in sent.text()
    again = await author_summary(bot, thread, name.upper())
    assert [s.how for s in again.sent] == ["send"]


async def test_unknown_person_is_refused_before_any_work(bot: ThreadBot) -> None:
    thread = await seed_thread(bot)
    with pytest.raises(NotFound) as caught:
        await author_summary(bot, thread, "Bithaed")
    assert "Bithead" in caught.value.suggestions


async def test_autocomplete_offers_the_post_author(bot: ThreadBot) -> None:
    thread = await seed_thread(bot)
    _, authors = cogs(bot)
    interaction = FakeInteraction(bot, options={"thread": str(thread.id)})
    choices = await authors.summary_name(interaction, "joy")  # type: ignore[arg-type]
    assert [c.value for c in choices] == ["James Joyner"]
    everyone = await authors.summary_name(interaction, "")  # type: ignore[arg-type]
    assert len(everyone) == 9
    none = FakeInteraction(bot)
    assert await authors.summary_name(none, "") == []  # type: ignore[arg-type]


def test_commands_carry_the_llm_cooldown(bot: ThreadBot) -> None:
    threads, authors = cogs(bot)
    for command in (threads.summary, authors.summary):
        assert isinstance(command, app_commands.Command)
        assert command.checks, f"{command.qualified_name} has no cooldown check"


async def test_big_hostile_thread_stays_within_limits(bot: ThreadBot, tmp_path: Path) -> None:
    """500 comments, a 30,000-character one, mentions and markdown in names and text."""
    big = synthetic_thread()
    result = await ingest_thread(bot.storage, big, guild_id=GUILD)
    thread = await bot.storage.threads.get(result.thread_id, GUILD)
    assert thread is not None
    whole = await thread_summary(bot, thread)
    person = await author_summary(bot, thread, "Zoë @everyone <@123>")
    for sent in (whole.last, person.last):
        assert sent.problems() == []
        assert not MENTION.search(sent.text()), sent.text()[:500]


async def test_a_thread_without_comments(bot: ThreadBot) -> None:
    empty = replace(synthetic_thread(comments=1, long_at=0), comments=(), title="Nobody came")
    result = await ingest_thread(bot.storage, empty, guild_id=GUILD)
    thread = await bot.storage.threads.get(result.thread_id, GUILD)
    assert thread is not None
    interaction = await thread_summary(bot, thread)
    assert interaction.last.problems() == []
    assert "0 comments" in interaction.last.text()
    person = await author_summary(bot, thread, "Synthetic Author")
    assert person.last.problems() == [] and "Wrote the article" in person.last.text()
