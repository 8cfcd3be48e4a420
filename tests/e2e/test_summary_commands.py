"""``/thread summary`` and ``/author summary`` through the real discord.py client: deferred
the first time, instant from the cache after, the post author offered, and with
``SUMMARY_BACKEND=llm`` the model's answer, its fallback note and the per-person cooldown."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot.app import ThreadBot
from tests.backends import MakeDb
from tests.bot.summaries.fake_llm import FakeLLM, fake_llm
from tests.e2e.conftest import run_bot
from tests.fakediscord import FakeDiscord, StoredMessage
from tests.fakediscord.models import InteractionReply
from tests.fakediscord.threadbot import SEED_SLUG, make_threadbot, message_text

pytestmark = pytest.mark.e2e
__all__ = ["fake_llm"]

CB_MESSAGE = 4
CB_DEFERRED = 5


@pytest.fixture
async def bot(
    fake_discord: FakeDiscord, tmp_path: Path, make_db: MakeDb
) -> AsyncIterator[ThreadBot]:
    async with run_bot(make_threadbot(fake_discord, await make_db("bot.db")), fake_discord) as bot:
        yield bot


def shown(reply: InteractionReply) -> StoredMessage:
    """The message the user sees: the followup after a defer, else the response itself."""
    message = reply.followups[-1] if reply.followups else reply.message
    assert message is not None
    return message


async def test_thread_summary(fake_discord: FakeDiscord, bot: ThreadBot) -> None:
    first = await (
        await fake_discord.send_slash_command("thread summary", {"thread": SEED_SLUG})
    ).response()
    assert first.type == CB_DEFERRED
    text = message_text(shown(first))
    assert "Summary: Iraq Cease-Fire Over" in text
    assert "Bithead ↔ Michael, 14 exchanges, #9–#31" in text
    assert "#1–31 (31 comments)" in text
    again = await (
        await fake_discord.send_slash_command("thread summary", {"thread": SEED_SLUG})
    ).response()
    assert again.type == CB_MESSAGE and message_text(shown(again)) == text


async def test_author_summary_and_post_author(fake_discord: FakeDiscord, bot: ThreadBot) -> None:
    handle = await fake_discord.send_autocomplete(
        "author summary", {"thread": SEED_SLUG, "name": "jam"}, focused="name"
    )
    choices = (await handle.response()).choices
    assert choices is not None and choices[0]["value"] == "James Joyner"
    for name, expect in (
        ("Michael", "**7 comments** (#9–#31)"),
        ("James Joyner", "Wrote the article"),
    ):
        reply = await (
            await fake_discord.send_slash_command(
                "author summary", {"thread": SEED_SLUG, "name": name}
            )
        ).response()
        text = message_text(shown(reply))
        assert expect in text and "**Stance**" in text, text
    unknown = await (
        await fake_discord.send_slash_command(
            "author summary", {"thread": SEED_SLUG, "name": "Bithed"}
        )
    ).response()
    assert unknown.ephemeral and "“Bithead”" in unknown.content


async def test_llm_backend_answer_fallback_and_cooldown(
    fake_discord: FakeDiscord, tmp_path: Path, fake_llm: FakeLLM, make_db: MakeDb
) -> None:
    configured = make_threadbot(
        fake_discord,
        await make_db("llm.db"),
        summary_backend="llm",
        llm_base_url=fake_llm.url,
        llm_model="tiny",
    )
    async with run_bot(configured, fake_discord):

        async def ask(name: str) -> InteractionReply:
            options = {"thread": SEED_SLUG, "name": name}
            handle = await fake_discord.send_slash_command("author summary", options)
            return await handle.response(timeout=30)

        fake_llm.mode = "429"
        text = message_text(shown(await ask("Bithead")))
        assert "could not be used (the model is rate limited)" in text
        assert "**Stance**" in text
        fake_llm.mode = "ok"
        fake_llm.answer = (
            "STANCE: Iran already holds the real power over Iraq's government [#9]\n"
            "- “A US pullout would only remove the facade of US control.” [#9]\n"
            "- Michael says Iran is behind the violence [#2]"
        )
        text = message_text(shown(await ask("Michael")))
        assert "In brief" in text and "facade of US control" in text
        assert "behind the violence" not in text, "#2 is Bithead's, not Michael's"
        assert "1 of 3 lines" in text
        assert "Person: Michael" in fake_llm.user_prompt
        limited = await ask("tequila")  # the third within a minute
        assert limited.ephemeral and "Slow down" in limited.content
        assert len(fake_llm.requests) == 2
