"""Paging buttons live in their custom_ids: a message sent before a restart keeps working when a
new ThreadBot is started on the same database file."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from bot.sources.capture import parse_thread
from bot.sources.loading import ingest_thread
from tests.backends import MakeDb
from tests.e2e.conftest import run_bot
from tests.fakediscord import GENERAL_ID, GUILD_ID, FakeDiscord, StoredMessage
from tests.fakediscord.threadbot import (
    SEED_FILE,
    SEED_SLUG,
    button_id,
    buttons,
    make_threadbot,
    thread_file,
)

pytestmark = pytest.mark.e2e

SEED = parse_thread(SEED_FILE.read_text(encoding="utf-8"), SEED_FILE.name)
AUTHOR_OF = {c.number: c.author for c in SEED.comments}


def shown(message: StoredMessage | None) -> tuple[int, str]:
    assert message is not None
    [embed] = message.embeds
    return int(str(embed["title"]).split()[0].lstrip("#")), str(embed["author"]["name"])


async def command(fake: FakeDiscord, command: str, **options: object) -> StoredMessage:
    reply = await (await fake.send_slash_command(command, options)).response()
    assert reply.message is not None and not reply.ephemeral, reply.content
    return reply.message


async def press(fake: FakeDiscord, message: StoredMessage, label: str) -> StoredMessage:
    reply = await (await fake.press_button(message, button_id(message, label))).response()
    assert reply.type == 7 and reply.message is not None, reply.content
    assert reply.message.id == message.id
    return reply.message


async def test_buttons_work_after_a_restart_on_the_same_database(
    fake_discord: FakeDiscord, tmp_path: Path, make_db: MakeDb
) -> None:
    db = await make_db("bot.db")
    async with run_bot(make_threadbot(fake_discord, db), fake_discord) as first:
        seed_id = (await first.storage.threads.find(SEED_SLUG, GUILD_ID)).id  # type: ignore[union-attr]
        extra = parse_thread(
            thread_file("Short lived", [("Ann", ["One."]), ("Ben", ["Two."])]), "short.txt"
        )
        doomed = (await ingest_thread(first.storage, extra, guild_id=GUILD_ID)).thread_id
        comments = await command(fake_discord, "thread comments", thread=SEED_SLUG, start=3)
        comments = await press(fake_discord, comments, "▶")  # works before the restart
        assert shown(comments) == (4, AUTHOR_OF[4])
        searched = await command(
            fake_discord, "author comments", thread=SEED_SLUG, name="Bithead", query="iran"
        )
        jump_from = await command(fake_discord, "thread comments", thread=SEED_SLUG)
        short = await command(fake_discord, "thread comments", thread=str(doomed))
    assert first.is_closed()

    # Between the runs the imported thread is deleted; the seed thread stays as it was.
    async with run_bot(make_threadbot(fake_discord, db), fake_discord) as second:
        assert second is not first
        assert [t.id for t in await second.storage.threads.visible(None)] == [seed_id]
        assert await second.storage.threads.delete(doomed)

        after = await press(fake_discord, comments, "▶")  # a button sent by the first bot
        assert shown(after) == (5, AUTHOR_OF[5])
        after = await press(fake_discord, after, "⏭")
        assert shown(after) == (31, AUTHOR_OF[31])
        after = await press(fake_discord, after, "◀")
        assert shown(after) == (30, AUTHOR_OF[30])

        # The search rides in the custom_id: the next page is still a match.
        first_match = shown(searched)
        nxt = await press(fake_discord, searched, "▶")
        assert shown(nxt)[1] == "Bithead" and shown(nxt)[0] > first_match[0]
        assert "matching “iran”" in str(nxt.embeds[0]["footer"]["text"])
        assert "iran" in str(nxt.embeds[0]["description"]).lower()
        # Buttons sent before person buttons carried a name hash (``…:<seq>:<query>``) work.
        newer = button_id(nxt, "▶")
        older = re.sub(r":(\d+)\.[0-9a-f]{6}:iran$", r":\1:iran", newer)
        assert older != newer
        nxt.data["components"][0]["components"][3]["custom_id"] = older
        before = shown(nxt)[0]
        old_style = await press(fake_discord, nxt, "▶")
        assert shown(old_style)[1] == "Bithead" and shown(old_style)[0] > before

        # The jump button of an old message opens a modal the new bot answers.
        opened = await fake_discord.press_button(jump_from, button_id(jump_from, "1 / 31"))
        assert (await opened.response()).modal is not None
        jumped = await (
            await fake_discord.submit_modal(opened, {"Comment number (#)": "20"})
        ).response()
        assert jumped.type == 7 and shown(jumped.message) == (20, AUTHOR_OF[20])

        # A button for a thread that is gone is refused privately; the message is left alone.
        refused = await (await fake_discord.press_button(short, button_id(short, "▶"))).response()
        assert refused.ephemeral and "isn't available here" in refused.content
        assert shown(fake_discord.message(short.id)) == (1, "Ann")
    assert len(fake_discord.messages(GENERAL_ID)) == 4  # every press edited in place
    assert "▶" in buttons(fake_discord.message(comments.id))
