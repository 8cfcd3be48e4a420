"""A post or page of a WordPress site, with its approved comments, through the REST API.

Discovery, as WordPress documents it: the page's ``Link: <…/wp-json/>;
rel="https://api.w.org/"`` header, else ``<link rel="https://api.w.org/">`` in its HTML,
else ``/wp-json/`` at the site's root. The post is found by the page's own
``rel="alternate" type="application/json"`` link when it has one, else by id
(``?p=N``/``?page_id=N`` links) or by slug (``posts?slug=…`` then ``pages?slug=…``).
Comments are read 100 a page (``X-WP-TotalPages``); the public API returns approved
comments only, and anything else that shows up is left out all the same.

:func:`wordpress_thread` is the pure part (decoded JSON in, :class:`Thread` out);
:func:`read_wordpress` does the requests.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from functools import partial
from typing import Any
from urllib.parse import parse_qs, unquote, urlencode, urljoin, urlsplit, urlunsplit

from bot.models import ParseWarning, Thread
from bot.sources.html import html_line, html_paragraphs, html_text
from bot.sources.tree import RawComment, Reading, build_thread, number_comments
from bot.sources.web.fetch import Fetcher, LinkRefused, Response, decode_json, refuse_status

API_REL = "https://api.w.org/"
PER_PAGE = 100
COMMENT_FIELDS = "id,parent,author_name,date,date_gmt,content,status,type"
"""Only what a comment needs (``_fields``): a third of WordPress's full comment JSON."""
_HEAD_BYTES = 256 * 1024
"""Discovery links are in the page's head: only this much of the HTML is searched."""
_LINK_TAG = re.compile(r"<link\b[^<>]{0,2000}>", re.IGNORECASE)
_ATTR = re.compile(r"""([a-zA-Z-]+)\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s"'>]+))""")
_LINK_HEADER = re.compile(r"<([^<>]*)>((?:\s*;\s*[a-zA-Z-]+\s*=\s*(?:\"[^\"]*\"|[^;,]*))*)")
_NOT_SLUG = re.compile(r"^(?:comment-page-\d+|amp|feed|embed|page|\d+)$", re.IGNORECASE)
_PARAM = re.compile(r"""([a-zA-Z-]+)\s*=\s*(?:"([^"]*)"|([^;,\s]*))""")


# ---- discovery (pure) ------------------------------------------------------------------


def discovery_links(link_header: str, html: str, base: str) -> tuple[str | None, str | None]:
    """``(API root, this post's JSON URL)`` from the ``Link`` header and the page's HTML."""
    api: str | None = None
    post: str | None = None
    candidates: list[dict[str, str]] = []
    for match in _LINK_HEADER.finditer(link_header):
        candidates.append({**_attributes(_PARAM, match[2]), "href": match[1]})
    for tag in _LINK_TAG.findall(html[:_HEAD_BYTES]):
        candidates.append(_attributes(_ATTR, tag))
    for attrs in candidates:
        href = attrs.get("href", "").strip()
        rels = attrs.get("rel", "").split()
        if not href:
            continue
        if API_REL in rels and api is None:
            api = urljoin(base, href)
        elif "alternate" in rels and attrs.get("type") == "application/json" and post is None:
            post = urljoin(base, href)
    return api, post


def _attributes(pattern: re.Pattern[str], text: str) -> dict[str, str]:
    """``name=value`` pairs (value quoted or bare), names lower-cased."""
    return {
        m[1].lower(): next((v for v in m.groups()[1:] if v is not None), "")
        for m in pattern.finditer(text)
    }


def api_url(root: str, route: str, params: dict[str, str | int] | None = None) -> str:
    """``route`` (e.g. ``wp/v2/posts``) under an API root, pretty (``/wp-json/``) or not
    (``?rest_route=/``)."""
    parts = urlsplit(root)
    query = parse_qs(parts.query)
    if "rest_route" in query:
        query["rest_route"] = ["/" + route]
        flat = {k: v[0] for k, v in query.items()}
        flat.update({k: str(v) for k, v in (params or {}).items()})
        return urlunsplit((parts.scheme, parts.netloc, parts.path, urlencode(flat), ""))
    base = root if root.endswith("/") else root + "/"
    url = urljoin(base, route)
    return f"{url}?{urlencode(params)}" if params else url


def post_reference(url: str) -> tuple[str, str]:
    """``("id", "123")`` for ``?p=123``/``?page_id=123`` links, else ``("slug", last segment)``."""
    parts = urlsplit(url)
    query = parse_qs(parts.query)
    for name in ("p", "page_id"):
        value = (query.get(name) or [""])[0]
        if value.isdigit():
            return "id", value
    segments = [s for s in parts.path.split("/") if s]
    while segments and _NOT_SLUG.match(segments[-1]):
        segments.pop()  # …/slug/comment-page-2/, …/slug/amp/, …/slug/feed/
    if not segments:
        raise LinkRefused(
            "That link is not one post or page: expected a link like "
            "https://blog.example.com/2024/05/a-post/."
        )
    # Permalinks may end in .html; a slug with non-ASCII letters arrives percent-encoded
    # and is sent decoded (WordPress encodes it again as it stores it).
    slug = unquote(re.sub(r"\.(?:html?|php)$", "", segments[-1], flags=re.IGNORECASE))
    return "slug", slug


# ---- JSON → thread (pure) --------------------------------------------------------------


def _rendered(value: Any) -> str:
    if isinstance(value, dict):
        value = value.get("rendered")
    return value if isinstance(value, str) else ""


def _date(value: Any) -> str | None:
    return value.replace("T", " ") if isinstance(value, str) and value else None


def wordpress_thread(
    post: dict[str, Any],
    comments: Sequence[dict[str, Any]],
    author: dict[str, Any] | None,
    *,
    link: str,
    left_out: int = 0,
) -> Thread:
    """The thread of a REST API post (or page), its comments and its author's user record.

    ``left_out`` counts comments beyond the import limit that were not read.
    """
    if not isinstance(post, dict) or "id" not in post:
        raise LinkRefused("The site's API did not give a WordPress post for this link.")
    url = post.get("link") if isinstance(post.get("link"), str) else link
    source = url or link
    title = html_line(_rendered(post.get("title"))) or str(post.get("slug") or "") or source
    warnings: list[ParseWarning] = []
    content = post.get("content")
    if isinstance(content, dict) and content.get("protected"):
        warnings.append(ParseWarning(source, 0, "the post is password-protected: no article text"))
        paragraphs: tuple[str, ...] = ()
        quoted: frozenset[int] = frozenset()
    else:
        paragraphs, quoted = html_text(_rendered(content))
    name = ""
    bio = ""
    if isinstance(author, dict):
        name = html_line(str(author.get("name") or ""))
        bio = " ".join(html_paragraphs(str(author.get("description") or "")))
    if not name:
        warnings.append(ParseWarning(source, 0, "the site does not show who wrote the post"))
    raw: list[RawComment] = []
    skipped = 0
    for item in comments:
        if not isinstance(item, dict) or not isinstance(item.get("id"), int):
            raise LinkRefused("The site's API gave comments I could not read (no numeric id).")
        if item.get("status", "approved") != "approved" or item.get("type", "comment") not in (
            "comment",
            "",
        ):
            skipped += 1
            continue
        parent = item.get("parent")
        texts, quotes = html_text(_rendered(item.get("content")))
        raw.append(
            RawComment(
                id=item["id"],
                parent=parent if isinstance(parent, int) and parent else None,
                author=html_line(str(item.get("author_name") or "")) or "Anonymous",
                paragraphs=texts,
                quoted=quotes,
                posted=_date(item.get("date")) or _date(item.get("date_gmt")),
                order=(str(item.get("date_gmt") or item.get("date") or ""), item["id"]),
            )
        )
    numbered, notes = number_comments(raw, source)
    if skipped:
        warnings.append(
            ParseWarning(source, 0, f"left out {skipped} comment(s) not approved for the public")
        )
    if left_out:
        warnings.append(
            ParseWarning(
                source,
                0,
                f"left out {left_out:,} more comment(s) beyond the import limits "
                "(IMPORT_MAX_COMMENTS, or 16 × IMPORT_MAX_BYTES downloaded)",
            )
        )
    return build_thread(
        source=source,
        title=title,
        paragraphs=paragraphs,
        quoted=quoted,
        author=name or "Unknown author",
        author_bio=bio,
        comments=numbered,
        url=url,
        published=_date(post.get("date")) or _date(post.get("date_gmt")),
        warnings=[*warnings, *notes],
    )


# ---- requests --------------------------------------------------------------------------


async def read_wordpress(fetcher: Fetcher, link: str, *, max_comments: int) -> Reading:
    """Discover the API behind ``link``, read the post, its author and approved comments."""
    page = await fetcher.get(link, accept="text/html,application/xhtml+xml", first=_HEAD_BYTES)
    if page.status in (404, 410):
        raise refuse_status(page, "page at this link")
    html = page.body[:_HEAD_BYTES].decode("utf-8", "replace")
    api, post_json = discovery_links(page.header("link"), html, page.url)
    root = api or urljoin(page.url, "/wp-json/")
    post = await _find_post(fetcher, root, post_json, page.url)
    author = await _author(fetcher, root, post.get("author"))
    comments, left_out = await _comments(fetcher, root, post["id"], max_comments)
    return partial(wordpress_thread, post, comments, author, link=page.url, left_out=left_out)


def _not_wordpress(url: str) -> LinkRefused:
    return LinkRefused(
        f"Not a supported site: {url} is not a WordPress site with its REST API open, "
        "nor a Reddit or Hacker News link."
    )


async def _find_post(
    fetcher: Fetcher, root: str, post_json: str | None, page_url: str
) -> dict[str, Any]:
    if post_json is not None:
        found = await fetcher.get(post_json)
        if found.status == 200:
            post = _json_object(found, page_url)
            if "id" in post:
                return post
    kind, value = post_reference(page_url)
    for route in ("wp/v2/posts", "wp/v2/pages"):
        if kind == "id":
            resp = await fetcher.get(api_url(root, f"{route}/{value}"))
            if resp.status == 404 and _is_api_error(resp):
                continue
            listing = [_json_object(resp, page_url)]
        else:
            resp = await fetcher.get(api_url(root, route, {"slug": value}))
            listing = _json_list(resp, page_url)
        if listing and isinstance(listing[0], dict) and "id" in listing[0]:
            return listing[0]
    raise LinkRefused(f"Not found: this WordPress site has no public post or page “{value}”.")


def _is_api_error(resp: Response) -> bool:
    return resp.header("content-type").startswith("application/json")


def _json_object(resp: Response, page_url: str) -> dict[str, Any]:
    if resp.status in (401, 403, 429) or resp.status >= 500:
        raise refuse_status(resp, "the post")
    if resp.status != 200:
        raise _not_wordpress(page_url)
    try:
        value = decode_json(resp, "a WordPress post")
    except LinkRefused:
        raise _not_wordpress(page_url) from None
    if not isinstance(value, dict):
        raise _not_wordpress(page_url)
    return value


def _json_list(resp: Response, page_url: str) -> list[Any]:
    if resp.status in (401, 403, 429) or resp.status >= 500:
        raise refuse_status(resp, "the post")
    if resp.status != 200:
        raise _not_wordpress(page_url)
    try:
        value = decode_json(resp, "a list of WordPress posts")
    except LinkRefused:
        raise _not_wordpress(page_url) from None
    if not isinstance(value, list):
        raise _not_wordpress(page_url)
    return value


async def _author(fetcher: Fetcher, root: str, author_id: Any) -> dict[str, Any] | None:
    """The post author's public user record; many sites hide it (then: unknown author)."""
    if not isinstance(author_id, int) or author_id <= 0:
        return None
    resp = await fetcher.get(api_url(root, f"wp/v2/users/{author_id}"))
    if resp.status != 200:
        return None
    try:
        value = decode_json(resp, "the post's author")
    except LinkRefused:
        return None
    return value if isinstance(value, dict) else None


async def _comments(
    fetcher: Fetcher, root: str, post_id: Any, max_comments: int
) -> tuple[list[dict[str, Any]], int]:
    """Every approved comment, page by page, stopping at ``max_comments`` or when the
    import's download budget has no room for another page; and how many were left out
    (from ``X-WP-Total``)."""
    comments: list[dict[str, Any]] = []
    page, pages, total = 1, 1, 0
    while page <= pages and len(comments) < max_comments:
        if page > 1 and not fetcher.room_for_another():
            break
        params: dict[str, str | int] = {
            "post": str(post_id),
            "per_page": PER_PAGE,
            "page": page,
            "order": "asc",
            "orderby": "date_gmt",
            "_fields": COMMENT_FIELDS,
        }
        resp = await fetcher.get(api_url(root, "wp/v2/comments", params))
        if resp.status == 400 and page > 1:
            break  # past the last page (comments were deleted while we read)
        value = decode_json(resp, "the post's comments")
        if not isinstance(value, list):
            raise LinkRefused("The site's API did not give a list of comments.")
        comments.extend(value)
        pages = _int_header(resp, "x-wp-totalpages", pages)
        total = _int_header(resp, "x-wp-total", total)
        page += 1
    kept = comments[:max_comments]
    return kept, max(total - len(kept), 0)


def _int_header(resp: Response, name: str, default: int) -> int:
    raw = resp.header(name).strip()
    return int(raw) if raw.isdigit() else default
