"""A Hacker News item (``news.ycombinator.com/item?id=N``) through the Algolia items API.

``{HN_API_BASE_URL}/items/N`` answers with the whole item in one response: the
story (or comment) and its nested ``children``. Deleted comments come back without
author or text; they stay in the thread as ``[deleted]`` so their replies keep their
place.

:func:`hackernews_thread` is pure (decoded JSON in); :func:`read_hackernews` does the
request.
"""

from __future__ import annotations

from functools import partial
from typing import Any
from urllib.parse import parse_qs, urlsplit

from bot.models import ParseWarning, Thread
from bot.sources.html import html_blocks, html_line
from bot.sources.tree import RawComment, Reading, build_thread, number_comments
from bot.sources.web.fetch import Fetcher, LinkRefused, decode_json


def item_id(url: str) -> int:
    """The ``id`` of an ``…/item?id=N`` link."""
    parts = urlsplit(url)
    value = (parse_qs(parts.query).get("id") or [""])[0]
    if not parts.path.rstrip("/").endswith("/item") or not value.isdigit():
        raise LinkRefused(
            "That Hacker News link is not an item: expected a link like "
            "https://news.ycombinator.com/item?id=12345."
        )
    return int(value)


def hn_text(fragment: str) -> tuple[tuple[str, ...], frozenset[int]]:
    """Paragraphs of an HN comment; one that starts with ``>`` (how HN people quote, the
    site has no quote markup) is a quotation, shown without the marker."""
    texts: list[str] = []
    quoted: set[int] = set()
    for index, block in enumerate(html_blocks(fragment)):
        if block.text.startswith(">") and block.text[1:].strip():
            quoted.add(index)
            texts.append(block.text[1:].strip())
        else:
            if block.quoted:
                quoted.add(index)
            texts.append(block.text)
    return tuple(texts), frozenset(quoted)


def _when(item: dict[str, Any]) -> str | None:
    value = item.get("created_at")
    if not isinstance(value, str) or not value:
        return None
    return value.replace("T", " ").removesuffix("Z").split(".")[0]


def hackernews_thread(item: dict[str, Any], *, link: str, max_comments: int) -> Thread:
    """The item (usually a story) as the article and every descendant as a comment."""
    if not isinstance(item, dict) or not isinstance(item.get("id"), int):
        raise LinkRefused("Hacker News did not give an item for this link.")
    raw: list[RawComment] = []
    left_out = 0
    stack = [(child, item["id"]) for child in reversed(_children(item))]
    while stack:
        child, parent = stack.pop()
        if not isinstance(child, dict) or not isinstance(child.get("id"), int):
            continue
        if len(raw) >= max_comments:
            left_out += 1
        else:
            author = child.get("author")
            text = child.get("text")
            gone = not isinstance(author, str) or not author
            texts, quotes = hn_text(text if isinstance(text, str) else "")
            raw.append(
                RawComment(
                    id=child["id"],
                    parent=None if parent == item["id"] else parent,
                    author="[deleted]" if gone else html_line(str(author)),
                    paragraphs=("[deleted]",) if gone and not text else texts,
                    quoted=quotes,
                    posted=_when(child),
                    order=(_when(child) or "", child["id"]),
                )
            )
        stack.extend((grandchild, child["id"]) for grandchild in reversed(_children(child)))
    numbered, notes = number_comments(raw, link)
    title = html_line(str(item.get("title") or ""))
    if not title:
        by = item.get("author") or "someone"
        title = f"{str(item.get('type') or 'item').capitalize()} by {by} (HN {item['id']})"
    text = item.get("text")
    paragraphs: tuple[str, ...] = ()
    quoted: frozenset[int] = frozenset()
    if isinstance(text, str) and text.strip():
        paragraphs, quoted = hn_text(text)
    elif isinstance(item.get("url"), str):
        paragraphs = (item["url"],)
    warnings: list[ParseWarning] = []
    if left_out:
        warnings.append(
            ParseWarning(
                link,
                0,
                f"left out {left_out:,} comment(s) beyond the import limit (IMPORT_MAX_COMMENTS)",
            )
        )
    author = item.get("author")
    return build_thread(
        source=link,
        title=title,
        paragraphs=paragraphs,
        quoted=quoted,
        author=html_line(author) if isinstance(author, str) and author else "[deleted]",
        comments=numbered,
        url=link,
        published=_when(item),
        warnings=[*warnings, *notes],
    )


def _children(item: dict[str, Any]) -> list[Any]:
    children = item.get("children")
    return children if isinstance(children, list) else []


async def read_hackernews(
    fetcher: Fetcher, link: str, *, base_url: str, api_base_url: str, max_comments: int
) -> Reading:
    """The item behind ``link`` with all its comments, in one API request."""
    number = item_id(link)
    resp = await fetcher.get(f"{api_base_url}/items/{number}")
    if resp.status == 404:
        raise LinkRefused(f"Not found: Hacker News has no item {number}.")
    item = decode_json(resp, "the Hacker News item")
    if not isinstance(item, dict):
        raise LinkRefused("Hacker News did not give an item for this link.")
    return partial(
        hackernews_thread, item, link=f"{base_url}/item?id={number}", max_comments=max_comments
    )
