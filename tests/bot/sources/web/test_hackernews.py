"""Hacker News items through the Algolia items API: the story and its nested comments."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from bot.sources.web import LinkOptions, read_link
from bot.sources.web.fetch import FetchLimits, LinkRefused
from bot.sources.web.hackernews import hackernews_thread, item_id
from tests.fakesites.hackernews import FakeHackerNews, sample_story


def options(site: FakeHackerNews, max_comments: int = 20_000) -> LinkOptions:
    limits = FetchLimits(max_bytes=2_000_000, timeout=10.0, allow_private=True)
    return LinkOptions(
        limits=limits, max_comments=max_comments, hn_base_url=site.url, hn_api_base_url=site.api
    )


@pytest.fixture
async def hn() -> AsyncIterator[FakeHackerNews]:
    async with FakeHackerNews(items={8863: sample_story()}) as site:
        yield site


def test_item_ids() -> None:
    assert item_id("https://news.ycombinator.com/item?id=8863") == 8863
    for bad in ("https://news.ycombinator.com/news", "https://news.ycombinator.com/item?id=x"):
        with pytest.raises(LinkRefused, match="not an item"):
            item_id(bad)


def test_conversion_keeps_the_tree_and_deleted_comments() -> None:
    thread = hackernews_thread(sample_story(), link="https://hn/item?id=8863", max_comments=100)
    assert thread.title.startswith("My YC app: Dropbox") and thread.author == "dhouston"
    assert thread.lede == "http://www.getdropbox.com/u/2/screencast.html"
    assert len(thread.comments) == 9
    by_id = {c.paragraphs[0][:20]: c for c in thread.comments}
    deleted = next(c for c in thread.comments if c.author == "[deleted]")
    assert deleted.paragraphs == ("[deleted]",)
    assert by_id["What did they say?"].parent_number == deleted.number
    chain = [c for c in thread.comments if c.author in ("BrandonM", "dhouston", "pg")]
    assert [c.parent_number for c in chain] == [
        None,
        chain[0].number,
        chain[1].number,
        chain[2].number,
    ]
    first = chain[0]
    assert first.paragraphs == (
        "For a Linux user, you can already build such a system yourself quite trivially by "
        "getting an FTP account.",
        "It does not seem very useful.",
    )
    tptacek = next(c for c in thread.comments if c.author == "tptacek")
    assert tptacek.paragraphs == ("Throw away your USB drive", "Not yet.")
    assert tptacek.quoted == {0} and first.quoted == frozenset()


def test_the_limit_cuts_and_warns() -> None:
    thread = hackernews_thread(sample_story(), link="https://hn/item?id=8863", max_comments=4)
    assert len(thread.comments) == 4
    assert any("left out 5 comment(s)" in w.message for w in thread.warnings)


async def test_story_through_the_fake_api(hn: FakeHackerNews) -> None:
    [(thread, _)] = await read_link(hn.item_link(8863), options(hn))
    assert hn.requests == ["/api/v1/items/8863"]
    assert thread.url == thread.source == hn.item_link(8863)
    assert len(thread.comments) == 9
    assert sum(c.parent_number is not None for c in thread.comments) == 5


async def test_unknown_item_and_server_errors(hn: FakeHackerNews) -> None:
    with pytest.raises(LinkRefused, match="Not found: Hacker News has no item 1"):
        await read_link(hn.item_link(1), options(hn))
    hn.fail("/api/v1/items/8863", 500)
    with pytest.raises(LinkRefused, match="answered HTTP 500"):
        await read_link(hn.item_link(8863), options(hn))
