"""``/thread import url:`` end to end: the real bot, the fake Discord, and fake sites on
127.0.0.1 (so the bot runs with ``allow_private_urls``; one test shows the refusal
without it). Each source imports with its reply structure (``via: parent``)."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from bot.app import ThreadBot
from tests.backends import MakeDb
from tests.e2e.conftest import run_bot
from tests.fakediscord import (
    ADMIN_ID,
    GUILD_ID,
    MODERATOR_ROLE_ID,
    Attachment,
    FakeDiscord,
    InteractionReply,
)
from tests.fakediscord.threadbot import ROOT, make_threadbot, message_text
from tests.fakesites.hackernews import FakeHackerNews, sample_story
from tests.fakesites.reddit import FakeReddit, sample_items
from tests.fakesites.wordpress import FakeWordPress

pytestmark = pytest.mark.e2e

SMALL_WXR = ROOT / "tests" / "bot" / "sources" / "fixtures" / "wxr_small.xml"
MODERATORS = [ADMIN_ID, *range(110, 116)]


@pytest.fixture
async def wordpress() -> AsyncIterator[FakeWordPress]:
    async with FakeWordPress(export=SMALL_WXR) as site:
        yield site


@pytest.fixture
async def reddit() -> AsyncIterator[FakeReddit]:
    async with FakeReddit(items=sample_items(), top_level_shown=2, depth_shown=2) as site:
        yield site


@pytest.fixture
async def hn() -> AsyncIterator[FakeHackerNews]:
    async with FakeHackerNews(items={8863: sample_story()}) as site:
        yield site


@pytest.fixture
async def bot(
    fake_discord: FakeDiscord,
    make_db: MakeDb,
    wordpress: FakeWordPress,
    reddit: FakeReddit,
    hn: FakeHackerNews,
) -> AsyncIterator[ThreadBot]:
    for user_id in MODERATORS[1:]:
        fake_discord.add_member(GUILD_ID, user_id, f"mod{user_id}", roles=[MODERATOR_ROLE_ID])
    made = make_threadbot(
        fake_discord,
        await make_db("bot.db"),
        allow_private_urls=True,
        reddit_base_url=reddit.url,
        hn_base_url=hn.url,
        hn_api_base_url=hn.api,
    )
    async with run_bot(made, fake_discord) as running:
        yield running


async def import_url(fake: FakeDiscord, url: str, **options: object) -> InteractionReply:
    """``/thread import url:…`` by the next moderator (one import per person per 30 s)."""
    used = {r.user_id for r in fake.interactions.values()}
    user = next(m for m in MODERATORS if m not in used)
    handle = await fake.send_slash_command("thread import", {"url": url, **options}, user=user)
    return await handle.response()


async def replies_of(fake: FakeDiscord, thread: str, comment: int) -> str:
    handle = await fake.send_slash_command("thread replies", {"thread": thread, "comment": comment})
    return message_text(await handle.response())


async def test_wordpress_post_imports_with_threaded_replies(
    fake_discord: FakeDiscord, bot: ThreadBot, wordpress: FakeWordPress
) -> None:
    link = wordpress.page_url("tea-and-biscuits")
    reply = await import_url(fake_discord, link)
    assert reply.ephemeral and "added" in reply.content, reply.content
    assert "Tea & Biscuits" in reply.content
    # Comment 3 (Bob) answers comment 1 (Alice) through WordPress's own parent link.
    text = await replies_of(fake_discord, "Tea & Biscuits: A “Debate”", 3)
    assert "#1" in text and "threaded reply" in text, text
    stored = [t for t in await bot.storage.threads.visible(GUILD_ID) if t.url == link]
    assert len(stored) == 1 and stored[0].source == link
    read = await (
        await fake_discord.send_slash_command("thread read", {"thread": stored[0].slug})
    ).response()
    assert read.embeds[0]["url"] == link  # the title links the source
    again = await import_url(fake_discord, link)
    assert "already here, unchanged" in again.content


async def test_reddit_thread_imports_its_tree(
    fake_discord: FakeDiscord, bot: ThreadBot, reddit: FakeReddit
) -> None:
    reply = await import_url(fake_discord, reddit.link())
    assert "12 comments by" in reply.content and "added" in reply.content, reply.content
    assert any(r.startswith("/api/morechildren.json") for r in reddit.requests)
    # Carol (#5) answers the deleted comment #4: the tree survives the deletion.
    text = await replies_of(fake_discord, "What is the best tea?", 5)
    assert "#4" in text and "[deleted]" in text and "threaded reply" in text, text


async def test_hacker_news_item_imports_its_tree(
    fake_discord: FakeDiscord, bot: ThreadBot, hn: FakeHackerNews
) -> None:
    reply = await import_url(fake_discord, hn.item_link(8863))
    assert "9 comments by" in reply.content and "added" in reply.content, reply.content
    title = "My YC app: Dropbox - Throw away your USB drive"
    text = await replies_of(fake_discord, title, 2)  # dhouston answers BrandonM's #1
    assert "#1" in text and "BrandonM" in text and "threaded reply" in text, text


async def test_disqus_export_imports_each_thread(fake_discord: FakeDiscord, bot: ThreadBot) -> None:
    data = (ROOT / "tests" / "bot" / "sources" / "fixtures" / "disqus_small.xml").read_bytes()
    handle = await fake_discord.send_slash_command(
        "thread import", {"file": Attachment("disqus.xml", data)}, user=ADMIN_ID
    )
    reply = await handle.response()
    assert "2 threads, 4 comments" in reply.content, reply.content
    assert "1 deleted post, 1 spam post" in reply.content
    text = await replies_of(fake_discord, 'Milk first? A "modest" proposal', 3)
    assert "#2" in text and "threaded reply" in text, text


async def test_file_and_url_together_or_neither_are_refused(
    fake_discord: FakeDiscord, bot: ThreadBot
) -> None:
    neither = await (
        await fake_discord.send_slash_command("thread import", {}, user=ADMIN_ID)
    ).response()
    assert neither.ephemeral and "either a `file` or a `url`" in neither.content
    both = await (
        await fake_discord.send_slash_command(
            "thread import",
            {"file": Attachment("a.txt", b"x"), "url": "https://blog.example/a/"},
            user=MODERATORS[1],
        )
    ).response()
    assert both.ephemeral and "not both" in both.content


async def test_private_address_refused_without_allow_private_urls(
    fake_discord: FakeDiscord, make_db: MakeDb, wordpress: FakeWordPress
) -> None:
    strict = make_threadbot(fake_discord, await make_db("strict.db"))
    async with run_bot(strict, fake_discord) as running:
        before = await running.storage.threads.all()
        reply = await import_url(fake_discord, wordpress.page_url("tea-and-biscuits"))
        assert reply.ephemeral and "private or local address" in reply.content, reply.content
        assert await running.storage.threads.all() == before
    assert wordpress.requests == []
