"""Every kind of reply link is said wherever a comment is shown (issue 15): WordPress's own
"Template: Comments" post, whose comments nest ten deep through threaded replies, read on
a comment page and replayed into a channel."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from bot.app import ThreadBot
from bot.settings import Settings
from bot.storage import Storage
from tests.conftest import SHARED
from tests.e2e.conftest import run_bot
from tests.e2e.test_replay import moderator, replay_messages, wait_finished
from tests.fakediscord import FakeDiscord
from tests.fakediscord.threadbot import message_text

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.skipif(
        not (SHARED / "data" / "wordpress-theme-unit-test.xml").is_file(),
        reason="WordPress theme unit test data not found in ../shared/data/",
    ),
]

TITLE = "Template: Comments"
DEPTH_02 = "↪ replying to #6 (John Κώστας Doe Τάδε) · threaded reply"


def theme_bot(fake: FakeDiscord, tmp_path: Path) -> ThreadBot:
    """A bot whose shipped threads are the WordPress theme unit test export."""
    seeds = tmp_path / "seeds"
    seeds.mkdir()
    shutil.copy(SHARED / "data" / "wordpress-theme-unit-test.xml", seeds / "theme.xml")
    db = tmp_path / "theme.db"
    settings = Settings(token=fake.token, database_path=db, seeds_dir=seeds, replay_interval=0.002)
    return ThreadBot(
        settings=settings, storage=Storage(db), extensions=["cogs.replay", "cogs.threads"]
    )


async def test_the_comment_page_says_that_depth_02_answers_depth_01(
    fake_discord: FakeDiscord, tmp_path: Path
) -> None:
    async with run_bot(theme_bot(fake_discord, tmp_path), fake_discord):
        handle = await fake_discord.send_slash_command(
            "thread comments", {"thread": TITLE, "start": 7}
        )
        page = await handle.response()
        text = message_text(page)
        assert "Comment Depth 02" in text
        assert DEPTH_02 in text, text
        top = await (
            await fake_discord.send_slash_command("thread comments", {"thread": TITLE, "start": 6})
        ).response()
        assert "replying to" not in message_text(top), "Depth 01 answers the post itself"


async def test_the_replay_says_that_depth_02_answers_depth_01(
    fake_discord: FakeDiscord, tmp_path: Path
) -> None:
    fake = fake_discord
    general = fake.seed.general_id
    async with run_bot(theme_bot(fake, tmp_path), fake) as bot:
        handle = await fake.send_slash_command(
            "replay start", {"thread": TITLE, "from": 6, "to": 8}, user=moderator(fake)
        )
        await handle.response()
        await wait_finished(fake, bot)
        (thread,) = fake.threads(general)
        messages = replay_messages(fake, int(thread["id"]))
        depth = {m.content.split(" · ")[0]: m.content for m in messages if "Depth" in m.content}
        assert set(depth) == {"-# #6", "-# #7", "-# #8"}, list(depth)
        assert depth["-# #7"].split("\n")[1] == DEPTH_02
        assert "Comment Depth 02" in depth["-# #7"]
        assert depth["-# #8"].split("\n")[1] == "↪ replying to #7 (Jane Bloggs) · threaded reply"
        assert "replying to" not in depth["-# #6"]
