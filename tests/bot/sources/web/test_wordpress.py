"""WordPress through its REST API: discovery, slug and id lookup, comment paging, errors.

The fake site is built from ``../shared/data/wordpress-theme-unit-test.xml`` (counts
known from the file: see ``tests/bot/sources/test_wxr.py``) and from the hand-written
``tests/bot/sources/fixtures/wxr_small.xml``.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot.models import Thread
from bot.sources.web import LinkOptions, read_link
from bot.sources.web.fetch import FetchLimits, LinkRefused
from bot.sources.web.wordpress import (
    api_url,
    discovery_links,
    post_reference,
    wordpress_thread,
)
from tests.conftest import SHARED
from tests.fakesites.wordpress import FakeWordPress

THEME_TEST = SHARED / "data" / "wordpress-theme-unit-test.xml"
SMALL = Path(__file__).resolve().parents[1] / "fixtures" / "wxr_small.xml"
needs_theme_data = pytest.mark.skipif(
    not THEME_TEST.is_file(),
    reason=f"WordPress theme test data not found at {THEME_TEST} (../shared/data)",
)


async def read(
    url: str, *, max_comments: int = 20_000, seconds: float = 10.0, max_requests: int = 400
) -> Thread:
    """The thread behind ``url``, with private addresses allowed (the fake is on 127.0.0.1)."""
    limits = FetchLimits(2_000_000, seconds, allow_private=True, max_requests=max_requests)
    [(thread, _)] = await read_link(url, LinkOptions(limits=limits, max_comments=max_comments))
    return thread


def depth(thread: Thread, number: int) -> int:
    parents = {c.number: c.parent_number for c in thread.comments}
    level, current = 1, parents[number]
    while current is not None:
        level, current = level + 1, parents[current]
    return level


@pytest.fixture
async def small() -> AsyncIterator[FakeWordPress]:
    async with FakeWordPress(export=SMALL) as site:
        yield site


# ---- pure parts ------------------------------------------------------------------------


def test_discovery_from_the_link_header_and_from_the_html() -> None:
    header = (
        '<https://blog.example/wp-json/>; rel="https://api.w.org/", '
        '<https://blog.example/wp-json/wp/v2/posts/7>; rel="alternate"; type="application/json"'
    )
    assert discovery_links(header, "", "https://blog.example/p/") == (
        "https://blog.example/wp-json/",
        "https://blog.example/wp-json/wp/v2/posts/7",
    )
    html = (
        "<head><link rel='stylesheet' href='/s.css'>"
        '<LINK REL="https://api.w.org/" HREF="/index.php?rest_route=/">'
        '<link rel="alternate" type="application/json" href="/index.php?rest_route=/wp/v2/posts/9">'
    )
    assert discovery_links("", html, "https://blog.example/p/") == (
        "https://blog.example/index.php?rest_route=/",
        "https://blog.example/index.php?rest_route=/wp/v2/posts/9",
    )
    assert discovery_links("", "<p>no links</p>", "https://x.example/") == (None, None)


def test_api_urls_for_pretty_and_plain_permalinks() -> None:
    assert (
        api_url("https://b.example/wp-json/", "wp/v2/posts", {"slug": "a b"})
        == "https://b.example/wp-json/wp/v2/posts?slug=a+b"
    )
    assert (
        api_url("https://b.example/?rest_route=/", "wp/v2/comments", {"post": 5, "page": 2})
        == "https://b.example/?rest_route=%2Fwp%2Fv2%2Fcomments&post=5&page=2"
    )


def test_post_reference_by_id_or_slug() -> None:
    assert post_reference("https://b.example/?p=12") == ("id", "12")
    assert post_reference("https://b.example/?page_id=3") == ("id", "3")
    assert post_reference("https://b.example/2020/05/tea/") == ("slug", "tea")
    assert post_reference("https://b.example/2020/05/tea.html") == ("slug", "tea")
    assert post_reference("https://b.example/tea/comment-page-2/#comments") == ("slug", "tea")
    assert post_reference("https://b.example/tea/amp/") == ("slug", "tea")
    assert post_reference("https://b.example/%CF%84%CF%83%CE%AC%CE%B9/") == ("slug", "τσάι")
    for listing in ("https://b.example/", "https://b.example/2020/05/"):
        with pytest.raises(LinkRefused, match="not one post or page"):
            post_reference(listing)


def test_conversion_is_pure_and_keeps_parents_and_quotes() -> None:
    post = {
        "id": 1,
        "link": "https://b.example/tea/",
        "title": {"rendered": "Tea &amp; you"},
        "content": {"rendered": "<p>Lede.</p><p>Body.</p>"},
        "date": "2020-01-01T10:00:00",
    }
    comments = [
        {"id": 9, "parent": 8, "author_name": "Ben", "date_gmt": "2020-01-01T12:00:00",
         "content": {"rendered": "<blockquote>Tea is good.</blockquote><p>No.</p>"}},
        {"id": 8, "parent": 0, "author_name": "Ann", "date_gmt": "2020-01-01T11:00:00",
         "content": {"rendered": "<p>Tea is good.</p>"}},
        {"id": 10, "parent": 0, "author_name": "Spam", "status": "hold",
         "content": {"rendered": "buy"}},
    ]  # fmt: skip
    thread = wordpress_thread(post, comments, {"name": "Ed", "description": "<p>Bio</p>"},
                              link="https://b.example/tea/")  # fmt: skip
    assert thread.title == "Tea & you" and thread.lede == "Lede." and thread.body == ("Body.",)
    assert thread.author == "Ed" and thread.author_bio == "Bio"
    assert [(c.number, c.author, c.parent_number) for c in thread.comments] == [
        (1, "Ann", None),
        (2, "Ben", 1),
    ]
    assert thread.comments[1].paragraphs == ("Tea is good.", "No.")
    assert thread.comments[1].quoted == {0}  # the <blockquote> is not Ben's words
    assert any("not approved" in w.message for w in thread.warnings)
    assert thread == wordpress_thread(post, comments, {"name": "Ed", "description": "<p>Bio</p>"},
                                      link="https://b.example/tea/")  # fmt: skip


# ---- against the fake site -------------------------------------------------------------


async def test_small_site_post_with_nested_comments(small: FakeWordPress) -> None:
    thread = await read(small.page_url("tea-and-biscuits"))
    assert thread.title == "Tea & Biscuits: A “Debate”"
    assert thread.author == "Edith Editor"
    assert thread.url == thread.source == small.page_url("tea-and-biscuits")
    authors = [c.author for c in thread.comments]
    assert authors[:3] == ["Alice", "Γιάννης Discord Clyde", "Bob"]
    bob = thread.comments[2]
    assert bob.parent_number == 1 and bob.paragraphs[0] == "Never dunk."
    assert bob.quoted == {0}
    assert all(c.parent_number is None or c.parent_number < c.number for c in thread.comments)


@needs_theme_data
@pytest.mark.parametrize("discovery", ["header", "html", "none"])
async def test_template_comments_with_paging(discovery: str) -> None:
    site = FakeWordPress(export=THEME_TEST, discovery=discovery, max_per_page=5)  # type: ignore[arg-type]
    async with site:
        thread = await read(site.page_url("template-comments"))
        comment_pages = [r for r in site.requests if r.startswith("/wp-json/wp/v2/comments")]
    # 19 approved comments (the file's 20th awaits moderation), 5 a page: 4 pages.
    assert len(thread.comments) == 19
    assert len(comment_pages) == 4
    assert len([c for c in thread.comments if c.parent_number is not None]) == 9
    assert max(depth(thread, c.number) for c in thread.comments) == 10
    chain = [c.paragraphs[0][:16] for c in thread.comments if "Depth" in c.paragraphs[0]]
    assert chain == [f"Comment Depth {n:02d}" for n in range(1, 11)]
    greek = [c.author for c in thread.comments if any("α" <= ch <= "ω" for ch in c.author.lower())]
    assert "John Γιάννης Doe Κάποιος" in greek and len(greek) == 4
    assert thread.author == "Theme Buster"
    assert thread.title == "Template: Comments"


@needs_theme_data
async def test_page_by_slug_and_hidden_authors() -> None:
    async with FakeWordPress(export=THEME_TEST, hide_users=True) as site:
        thread = await read(site.page_url("page-with-comments"))
        assert any("/wp-json/wp/v2/pages?slug=page-with-comments" in r for r in site.requests)
    assert len(thread.comments) == 3  # the one reply is unapproved: the API never shows it
    assert all(c.parent_number is None for c in thread.comments)
    assert thread.author == "Unknown author"
    assert any("does not show who wrote" in w.message for w in thread.warnings)


async def test_only_the_head_of_a_huge_page_is_read(small: FakeWordPress) -> None:
    small.discovery = "html"
    small.page_padding = 5_000_000  # over IMPORT_MAX_BYTES: the head is all we need
    thread = await read(small.page_url("tea-and-biscuits"))
    assert thread.title.startswith("Tea & Biscuits")


async def test_a_post_by_id_link(small: FakeWordPress) -> None:
    post = small.post("tea-and-biscuits")
    small.redirect(f"/by-id-{post.id}/", f"{small.url}/tea-and-biscuits/?p={post.id}")
    thread = await read(f"{small.url}/by-id-{post.id}/")
    assert thread.title.startswith("Tea & Biscuits")
    assert f"/wp-json/wp/v2/posts/{post.id}" in small.requests


async def test_a_post_without_comments_is_refused_by_the_worker(small: FakeWordPress) -> None:
    small.redirect("/quiet/", f"{small.url}/tea-and-biscuits/?p=40")
    with pytest.raises(LinkRefused, match="“No comments here” has no comments to import"):
        await read(f"{small.url}/quiet/")


async def test_a_password_protected_post_keeps_no_article_text(small: FakeWordPress) -> None:
    small.redirect("/locked/", f"{small.url}/tea-and-biscuits/?p=30")
    thread = await read(f"{small.url}/locked/")
    assert thread.title == "Locked" and thread.article_paragraphs == ()
    assert any("password-protected" in w.message for w in thread.warnings)


async def test_the_comment_limit_stops_paging_and_warns(small: FakeWordPress) -> None:
    small.max_per_page = 2
    thread = await read(small.page_url("tea-and-biscuits"), max_comments=3)
    assert len(thread.comments) == 3
    total = len([c for c in small.post("tea-and-biscuits").comments if c["approved"] == "1"
                 and c["type"] in ("comment", "")])  # fmt: skip
    assert any(f"left out {total - 3:,} more" in w.message for w in thread.warnings)
    assert len([r for r in small.requests if "/comments?" in r]) == 2


async def test_paging_stops_with_a_warning_when_the_budget_is_spent(small: FakeWordPress) -> None:
    small.max_per_page = 1
    # The page, the post by slug, its author, then room for 2 pages of comments.
    thread = await read(small.page_url("tea-and-biscuits"), max_requests=5)
    assert len(thread.comments) == 2
    assert any("left out" in w.message and "16 × IMPORT_MAX_BYTES" in w.message
               for w in thread.warnings)  # fmt: skip
    comment_requests = [r for r in small.requests if r.startswith("/wp-json/wp/v2/comments")]
    assert len(comment_requests) == 2
    assert all("_fields=id" in r for r in comment_requests)


async def test_unknown_slug_and_missing_page_are_not_found(small: FakeWordPress) -> None:
    with pytest.raises(LinkRefused, match="Not found"):
        await read(f"{small.url}/no-such-post/")
    small.discovery = "none"
    small.fail("/wp-json/wp/v2/posts", 404)
    small.fail("/wp-json/wp/v2/pages", 404)
    with pytest.raises(LinkRefused, match="Not a supported site"):
        await read(small.page_url("tea-and-biscuits"))


@pytest.mark.parametrize(
    ("status", "says"),
    [
        (403, "refused to give me the post's comments"),
        (429, "limiting requests"),
        (500, "answered HTTP 500"),
    ],
)
async def test_site_errors_are_one_sentence(small: FakeWordPress, status: int, says: str) -> None:
    small.fail("/wp-json/wp/v2/comments", status)
    with pytest.raises(LinkRefused, match=says):
        await read(small.page_url("tea-and-biscuits"))


async def test_slow_and_huge_answers(small: FakeWordPress) -> None:
    small.slow("/wp-json/wp/v2/comments", 5.0)
    with pytest.raises(LinkRefused, match="too slow"):
        await read(small.page_url("tea-and-biscuits"), seconds=0.5)
    small.huge("/wp-json/wp/v2/comments", 3_000_000, declare=False)
    with pytest.raises(LinkRefused, match="larger than"):
        await read(small.page_url("tea-and-biscuits"))


async def test_the_fake_is_refused_without_allow_private(small: FakeWordPress) -> None:
    closed = LinkOptions(limits=FetchLimits(2_000_000, 5.0, allow_private=False), max_comments=10)
    with pytest.raises(LinkRefused, match="private or local address"):
        await read_link(small.page_url("tea-and-biscuits"), closed)
    assert small.requests == []
