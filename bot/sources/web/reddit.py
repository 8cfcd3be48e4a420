"""A Reddit thread (``…/comments/<id>/…``) with its comment tree, through Reddit's ``.json`` form.

``{REDDIT_BASE_URL}/comments/<id>.json`` gives the post and the first part of the
tree. Where Reddit cut the tree it leaves "more" stubs: a list of comment ids, read
through ``/api/morechildren.json`` 100 at a time, or (a stub with no ids: "continue
this thread") through the parent comment's own ``.json`` permalink. Stubs are
followed until the import limit; the ones left unread are counted in a warning.
Deleted and removed comments stay in the thread as ``[deleted]``/``[removed]``, so
the replies under them keep their place.

:func:`flatten` and :func:`reddit_thread` are pure (decoded JSON in);
:func:`read_reddit` does the requests.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import partial
from typing import Any
from urllib.parse import urlencode, urlsplit

from bot.models import ParseWarning, Thread
from bot.sources.tree import RawComment, Reading, build_thread, number_comments
from bot.sources.web.fetch import Fetcher, LinkRefused, decode_json

MORE_BATCH = 100
"""Ids per ``morechildren`` request (Reddit's own limit)."""
_POST_ID = re.compile(r"/comments/([a-z0-9]{1,16})(?:/|$)", re.IGNORECASE)
_SHORT_ID = re.compile(r"^/([a-z0-9]{1,16})/?$", re.IGNORECASE)
_QUOTE = re.compile(r"^\s{0,3}>\s?", re.MULTILINE)
_BLANK = re.compile(r"\n\s*\n")
GONE = ("[deleted]", "[removed]")


def post_id(url: str) -> str:
    """The base-36 id of the post a Reddit link points at (``…/comments/<id>/…``)."""
    parts = urlsplit(url)
    match = _POST_ID.search(parts.path)
    if match is None and (parts.hostname or "").lower() == "redd.it":
        match = _SHORT_ID.match(parts.path)
    if match is None:
        raise LinkRefused(
            "That Reddit link is not a thread: expected a link like "
            "https://www.reddit.com/r/<sub>/comments/<id>/<title>/."
        )
    return match[1].lower()


# ---- JSON → thread (pure) --------------------------------------------------------------


@dataclass(slots=True)
class Flat:
    """Comments of a listing (each with its ``parent_id``) and the "more" stubs in it."""

    comments: list[dict[str, Any]] = field(default_factory=list)
    more: list[dict[str, Any]] = field(default_factory=list)


def flatten(things: Any) -> Flat:
    """Walk a listing's children (or a ``morechildren`` answer's things), depth first."""
    out = Flat()
    stack = list(reversed(_children(things)))
    while stack:
        thing = stack.pop()
        if not isinstance(thing, dict) or not isinstance(thing.get("data"), dict):
            continue
        data = thing["data"]
        if thing.get("kind") == "more":
            out.more.append(data)
        elif thing.get("kind") == "t1" and isinstance(data.get("id"), str):
            out.comments.append(data)
            stack.extend(reversed(_children(data.get("replies"))))
    return out


def _children(listing: Any) -> list[Any]:
    if isinstance(listing, list):
        return listing
    if isinstance(listing, dict):
        data = listing.get("data")
        if isinstance(data, dict) and isinstance(data.get("children"), list):
            return list(data["children"])
    return []


def markdown_paragraphs(text: str) -> tuple[tuple[str, ...], frozenset[int]]:
    """Paragraphs of a Reddit body (blank-line separated) and which of them are ``>``
    quotations (shown without the markers)."""
    text = text.replace("\r\n", "\n")
    paragraphs: list[str] = []
    quoted: set[int] = set()
    for block in _BLANK.split(text):
        is_quote = bool(block.strip()) and all(
            _QUOTE.match(line) for line in block.split("\n") if line.strip()
        )
        cleaned = "\n".join(
            line.strip() for line in _QUOTE.sub("", block).split("\n") if line.strip()
        )
        if cleaned and cleaned != "&#x200B;":
            if is_quote:
                quoted.add(len(paragraphs))
            paragraphs.append(cleaned)
    return tuple(paragraphs), frozenset(quoted)


def _when(value: Any) -> tuple[str | None, str]:
    if not isinstance(value, int | float) or isinstance(value, bool):
        return None, ""
    stamp = datetime.fromtimestamp(value, UTC).strftime("%Y-%m-%d %H:%M:%S")
    return stamp, stamp


def _author(data: dict[str, Any]) -> str:
    author = data.get("author")
    return author if isinstance(author, str) and author else "[deleted]"


def reddit_thread(
    post: dict[str, Any],
    comments: Sequence[dict[str, Any]],
    *,
    base_url: str,
    left_out: int = 0,
) -> Thread:
    """The thread of a post (``t3`` data) and its comments (``t1`` data, any order)."""
    if not isinstance(post, dict) or not isinstance(post.get("id"), str):
        raise LinkRefused("Reddit did not give a post for this link.")
    permalink = post.get("permalink")
    url = base_url + permalink if isinstance(permalink, str) else None
    source = url or f"{base_url}/comments/{post['id']}"
    title = str(post.get("title") or "").strip() or f"Reddit post {post['id']}"
    paragraphs: tuple[str, ...] = ()
    quoted: frozenset[int] = frozenset()
    if isinstance(post.get("selftext"), str) and post["selftext"].strip():
        paragraphs, quoted = markdown_paragraphs(post["selftext"])
    elif isinstance(post.get("url"), str) and post.get("url") != url:
        paragraphs = (post["url"],)
    raw: list[RawComment] = []
    seen: set[str] = set()
    for data in comments:
        cid = data.get("id")
        if not isinstance(cid, str) or cid in seen:
            continue
        seen.add(cid)
        body = str(data["body"]) if isinstance(data.get("body"), str) else ""
        parent = data.get("parent_id")
        posted, order = _when(data.get("created_utc"))
        texts, quotes = (
            ((body.strip(),), frozenset()) if body.strip() in GONE else markdown_paragraphs(body)
        )
        raw.append(
            RawComment(
                id=cid,
                parent=parent[3:] if isinstance(parent, str) and parent.startswith("t1_") else None,
                author=_author(data),
                paragraphs=texts,
                quoted=quotes,
                posted=posted,
                order=(order, _base36(cid)),
            )
        )
    numbered, notes = number_comments(raw, source)
    warnings: list[ParseWarning] = []
    if left_out:
        warnings.append(
            ParseWarning(
                source,
                0,
                f"left out {left_out:,} comment(s) Reddit did not send at once "
                "(beyond the import limits: IMPORT_MAX_COMMENTS, or 16 × IMPORT_MAX_BYTES "
                "downloaded)",
            )
        )
    subreddit = post.get("subreddit_name_prefixed")
    return build_thread(
        source=source,
        title=title,
        paragraphs=paragraphs,
        quoted=quoted,
        author=_author(post),
        comments=numbered,
        url=url,
        published=_when(post.get("created_utc"))[0],
        tags=(subreddit,) if isinstance(subreddit, str) and subreddit else (),
        warnings=[*warnings, *notes],
    )


def _base36(value: str) -> int:
    try:
        return int(value, 36)
    except ValueError:
        return 0


# ---- requests --------------------------------------------------------------------------


async def read_reddit(fetcher: Fetcher, link: str, *, base_url: str, max_comments: int) -> Reading:
    """The post behind ``link``, its comments, and "more" stubs followed up to the limit."""
    pid = post_id(link)
    first = await _listing_pair(fetcher, f"{base_url}/comments/{pid}.json", _query())
    posts = flatten_posts(first[0])
    if not posts:
        raise LinkRefused("Not found: Reddit has no post at this link.")
    flat = flatten(first[1])
    comments = list(flat.comments)
    pending = list(flat.more)
    while pending and len(comments) < max_comments and fetcher.room_for_another():
        stub = pending.pop(0)
        ids = [c for c in stub.get("children") or [] if isinstance(c, str)]
        if not ids:
            parent = str(stub.get("parent_id") or "")
            if not parent.startswith("t1_"):
                continue
            pair = await _listing_pair(
                fetcher, f"{base_url}/comments/{pid}/_/{parent[3:]}.json", _query()
            )
            found = flatten(pair[1])
            # The permalink repeats the parent comment itself: keep only what is new.
            known = {c["id"] for c in comments}
            comments.extend(c for c in found.comments if c["id"] not in known)
            pending.extend(found.more)
            continue
        batch, rest = ids[:MORE_BATCH], ids[MORE_BATCH:]
        if rest:
            pending.insert(0, {**stub, "children": rest, "count": max(len(rest), 0)})
        query = _query(api_type="json", link_id=f"t3_{pid}", children=",".join(batch))
        resp = await fetcher.get(f"{base_url}/api/morechildren.json?{query}")
        value = decode_json(resp, "more comments of the thread")
        things = (((value or {}).get("json") or {}).get("data") or {}).get("things")
        found = flatten(things if isinstance(things, list) else [])
        comments.extend(found.comments)
        pending.extend(found.more)
    left_out = sum(_stub_count(stub) for stub in pending) + max(len(comments) - max_comments, 0)
    return partial(
        reddit_thread,
        posts[0],
        comments[:max_comments],
        base_url=base_url,
        left_out=left_out,
    )


def flatten_posts(listing: Any) -> list[dict[str, Any]]:
    """The ``t3`` data of a post listing."""
    return [
        t["data"]
        for t in _children(listing)
        if isinstance(t, dict) and t.get("kind") == "t3" and isinstance(t.get("data"), dict)
    ]


def _stub_count(stub: dict[str, Any]) -> int:
    count = stub.get("count")
    if isinstance(count, int) and count > 0:
        return count
    return len(stub.get("children") or []) or 1


def _query(**extra: str) -> str:
    return urlencode({"raw_json": "1", "limit": "500", "sort": "old", **extra})


async def _listing_pair(fetcher: Fetcher, url: str, query: str) -> list[Any]:
    resp = await fetcher.get(f"{url}?{query}")
    value = decode_json(resp, "the Reddit thread")
    if not isinstance(value, list) or len(value) != 2:
        raise LinkRefused("Reddit did not answer with a thread (a post and its comments).")
    return value
