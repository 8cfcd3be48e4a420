"""Reddit threads through the ``.json`` form: tree, parents, deleted comments, "more" stubs."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from bot.models import Thread
from bot.sources.web import LinkOptions, read_link, site_for
from bot.sources.web.fetch import FetchLimits, LinkRefused
from bot.sources.web.reddit import flatten, markdown_paragraphs, post_id, reddit_thread
from tests.fakesites.reddit import FakeReddit, Item, sample_items


def options(site: FakeReddit, max_comments: int = 20_000, max_requests: int = 400) -> LinkOptions:
    limits = FetchLimits(2_000_000, 10.0, allow_private=True, max_requests=max_requests)
    return LinkOptions(limits=limits, max_comments=max_comments, reddit_base_url=site.url)


async def read(site: FakeReddit, max_comments: int = 20_000) -> Thread:
    [(thread, _)] = await read_link(site.link(), options(site, max_comments))
    return thread


@pytest.fixture
async def reddit() -> AsyncIterator[FakeReddit]:
    async with FakeReddit(items=sample_items()) as site:
        yield site


def by_author_text(thread: Thread) -> dict[str, int]:
    return {f"{c.author}: {c.paragraphs[-1]}": c.number for c in thread.comments}


def test_post_ids_and_hosts() -> None:
    assert post_id("https://www.reddit.com/r/tea/comments/1AbC9z/why_tea/") == "1abc9z"
    assert post_id("https://old.reddit.com/comments/xyz12") == "xyz12"
    assert post_id("https://redd.it/xyz12") == "xyz12"
    with pytest.raises(LinkRefused, match="not a thread"):
        post_id("https://www.reddit.com/r/tea/")
    default = LinkOptions(limits=FetchLimits(1, 1.0), max_comments=1)
    for url in (
        "https://old.reddit.com/r/a/comments/x/",
        "https://reddit.com/x",
        "https://redd.it/x",
    ):
        assert site_for(url, default) == "reddit"
    assert site_for("https://notreddit.com/r/a/comments/x/", default) == "wordpress"
    assert site_for("https://news.ycombinator.com/item?id=1", default) == "hackernews"


def test_markdown_quotes_lose_their_markers() -> None:
    assert markdown_paragraphs("> quoted\n> more\n\nmine\r\n\r\n&#x200B;") == (
        ("quoted\nmore", "mine"),
        {0},
    )
    assert markdown_paragraphs("mine\n> not all quoted") == (("mine\nnot all quoted",), set())


def test_conversion_is_pure_and_orders_replies_after_parents() -> None:
    post = {"id": "p1", "title": "T", "selftext": "", "author": "op", "created_utc": 100}
    comments = [
        {"id": "b", "parent_id": "t1_a", "author": "x", "body": "reply", "created_utc": 50},
        {"id": "a", "parent_id": "t3_p1", "author": "y", "body": "root", "created_utc": 90},
        {"id": "a", "parent_id": "t3_p1", "author": "y", "body": "root", "created_utc": 90},
    ]
    thread = reddit_thread(post, comments, base_url="https://www.reddit.com")
    # The reply's clock says it came first; it still follows its parent. Duplicates go.
    assert [(c.author, c.parent_number) for c in thread.comments] == [("y", None), ("x", 1)]
    assert flatten({"data": {"children": [{"kind": "more", "data": {"children": ["z"]}}]}}).more


async def test_thread_with_nesting_and_deleted_comments(reddit: FakeReddit) -> None:
    thread = await read(reddit)
    assert thread.title == "What is the best tea?" and thread.author == "op_person"
    assert thread.lede == "Asking for a friend." and thread.body == ("a quoted line", "Thanks.")
    assert thread.quoted == {1}
    assert thread.tags == ("r/tea",)
    assert thread.url == thread.source == reddit.link()
    assert len(thread.comments) == 12
    numbers = by_author_text(thread)
    deleted = numbers["[deleted]: [deleted]"]
    assert thread.comments[numbers["carol: " + sample_items()[4].body] - 1].parent_number == deleted
    removed = numbers["erin: [removed]"]
    assert (
        thread.comments[numbers["dave: Shame that got removed, it was funny."] - 1].parent_number
        == removed
    )
    bob = thread.comments[numbers["bob: Too bitter for me, Alice."] - 1]
    assert bob.paragraphs == ("Green tea, always.", "Too bitter for me, Alice.")
    assert bob.quoted == {0}
    assert bob.parent_number == numbers["alice: Green tea, always."]
    assert not thread.warnings


async def test_more_stubs_are_followed(reddit: FakeReddit) -> None:
    reddit.top_level_shown = 1
    reddit.depth_shown = 2
    thread = await read(reddit)
    assert len(thread.comments) == 12 and not thread.warnings
    assert any(r.startswith("/api/morechildren.json") for r in reddit.requests)
    assert any("/_/" in r for r in reddit.requests)  # "continue this thread"
    parents = {c.number: c.parent_number for c in thread.comments}
    assert sum(p is not None for p in parents.values()) == 8


async def test_the_limit_leaves_stubs_unread_and_says_how_many(reddit: FakeReddit) -> None:
    reddit.top_level_shown = 1
    thread = await read(reddit, max_comments=5)
    # The first top-level comment and its 4 replies fit; 7 comments stay behind the stub.
    assert len(thread.comments) == 5
    assert any("left out 7 comment(s)" in w.message for w in thread.warnings), thread.warnings
    assert not any(r.startswith("/api/morechildren.json") for r in reddit.requests)


async def test_many_more_ids_are_asked_100_at_a_time() -> None:
    items = [Item(f"k{n:03d}", None, f"user{n}", f"Comment number {n}.", 1_700_000_000 + n)
             for n in range(150)]  # fmt: skip
    async with FakeReddit(items=items, top_level_shown=10) as site:
        thread = await read(site)
        more = [r for r in site.requests if r.startswith("/api/morechildren.json")]
    assert len(thread.comments) == 150
    assert len(more) == 2
    async with FakeReddit(items=items, top_level_shown=10) as site:
        # Room for the thread and one batch of 100: the other 40 are left out and said.
        [(thread, _)] = await read_link(site.link(), options(site, max_requests=2))
    assert len(thread.comments) == 110
    assert any("left out 40 comment(s)" in w.message for w in thread.warnings)


async def test_unknown_post_and_errors(reddit: FakeReddit) -> None:
    reddit.post_id = "other"
    with pytest.raises(LinkRefused, match="Not found"):
        await read_link(reddit.link().replace("other", "abc123"), options(reddit))
    reddit.post_id = "abc123"
    reddit.fail("/comments/abc123.json", 429)
    with pytest.raises(LinkRefused, match="limiting requests"):
        await read(reddit)
