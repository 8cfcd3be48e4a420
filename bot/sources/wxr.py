"""Read a WordPress export (WXR) into threads: one per post or page with approved comments.

WXR is RSS 2.0 with a ``wp`` namespace whose URI changed over the years
(``http://wordpress.org/export/1.0/`` … ``https://wordpress.org/export/1.2/``),
so elements are matched by a namespace *kind* rather than one exact URI.

The XML is parsed with :mod:`defusedxml` (entity declarations and external
references are refused, never resolved); post and comment bodies are HTML,
turned into plain paragraphs by :mod:`bot.sources.html` (which also says which of them
are quotations: ``<blockquote>``, ``<q>``, ``<cite>``). Like
:func:`bot.sources.capture.parse_thread`, the only error raised is :class:`ParseError`,
naming the file and line.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from dataclasses import dataclass, replace
from typing import Any
from xml.etree.ElementTree import Element, TreeBuilder

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import DefusedXMLParser
from defusedxml.ElementTree import ParseError as XMLParseError

from bot.models import MAX_NAME, Comment, ParseError, ParseWarning, Thread, content_hash
from bot.sources.html import html_blocks, html_line

_WP = re.compile(r"^https?://wordpress\.org/export/\d+(?:\.\d+)*/$")
_EXCERPT = re.compile(r"^https?://wordpress\.org/export/\d+(?:\.\d+)*/excerpt/$")
_CONTENT = "http://purl.org/rss/1.0/modules/content/"
_DC = "http://purl.org/dc/elements/1.1/"

POST_TYPES = ("post", "page")
"""Item types that become threads; attachments, menu items and the like never do."""

PEOPLE_COMMENT_TYPES = ("", "comment")
"""``wp:comment_type`` values written by people; pingbacks and trackbacks are left out."""

_NO_DATE = "0000-00-00 00:00:00"
_ID = re.compile(r"[0-9]{1,18}")


# ---- XML with line numbers -------------------------------------------------------------


class _LineTreeBuilder(TreeBuilder):
    """A tree builder that remembers the source line of every element it starts."""

    def __init__(self) -> None:
        super().__init__()
        self.lines: dict[int, int] = {}
        self.expat: Any = None

    def start(self, tag: Any, attrs: dict[Any, Any]) -> Element:
        element = super().start(tag, attrs)
        if self.expat is not None:
            self.lines[id(element)] = int(self.expat.CurrentLineNumber)
        return element


@dataclass(slots=True)
class XmlDoc:
    """A parsed XML file and the line each element started on, for errors and warnings."""

    root: Element
    lines: dict[int, int]

    def line(self, element: Element) -> int:
        return self.lines.get(id(element), 0)


def parse_xml(text: str, source: str) -> XmlDoc:
    """A defused parse that remembers each element's line (WXR and Disqus exports)."""
    builder = _LineTreeBuilder()
    parser = DefusedXMLParser(target=builder, forbid_dtd=False)
    expat = parser.parser
    builder.expat = expat
    try:
        parser.feed(text)
        root = parser.close()
    except XMLParseError as exc:
        line = exc.position[0] if getattr(exc, "position", None) else 0
        reason = str(exc).split(":", 1)[0]
        raise ParseError(source, line, f"expected well-formed XML ({reason})") from None
    except DefusedXmlException:
        raise ParseError(
            source,
            int(expat.CurrentLineNumber),
            "expected XML without entity declarations or external references "
            "(a WordPress export has none)",
        ) from None
    return XmlDoc(root, builder.lines)


def _kind(tag: str) -> tuple[str, str]:
    """``(namespace kind, local name)`` of an ElementTree tag such as ``{uri}name``."""
    if not tag.startswith("{"):
        return "", tag
    uri, _, local = tag[1:].partition("}")
    if _WP.match(uri):
        return "wp", local
    if _EXCERPT.match(uri):
        return "excerpt", local
    if uri == _CONTENT:
        return "content", local
    if uri == _DC:
        return "dc", local
    return uri, local


def _children(element: Element, kind: str, local: str) -> Iterable[Element]:
    return (child for child in element if _kind(child.tag) == (kind, local))


def _text(element: Element, kind: str, local: str) -> str:
    """The text of the first such child, or ``""``."""
    child = next(iter(_children(element, kind, local)), None)
    return (child.text or "") if child is not None else ""


# ---- export → threads ------------------------------------------------------------------


@dataclass(slots=True)
class _RawComment:
    id: int
    parent: int
    author: str
    paragraphs: tuple[str, ...]
    quoted: frozenset[int]
    posted: str | None
    sort_key: tuple[str, int]
    line: int


def parse_wxr(text: str, source: str) -> list[Thread]:
    """Threads of a WordPress export, in file order; raises :class:`ParseError` if there are none.

    Each thread's ``source`` is ``FILE#POST_ID``, so importing the same export
    again replaces (or leaves alone) the same threads.
    """
    doc = parse_xml(text, source)
    root = doc.root
    if _kind(root.tag) != ("", "rss") or root.find("channel") is None:
        raise ParseError(
            source,
            doc.line(root) or 1,
            f"expected a WordPress export (<rss> with a <channel>), found <{_kind(root.tag)[1]}>",
        )
    channel = root.find("channel")
    assert channel is not None
    if not any(kind == "wp" for kind, _ in (_kind(el.tag) for el in channel.iter())):
        raise ParseError(
            source,
            doc.line(channel),
            "expected a WordPress export (WXR) with the wp namespace "
            "http(s)://wordpress.org/export/1.x/, found a plain RSS feed",
        )
    authors = _author_names(channel)
    threads: list[Thread] = []
    notes: list[ParseWarning] = []
    for item in channel.findall("item"):
        thread = _thread(doc, item, source, authors, notes)
        if thread is not None:
            threads.append(thread)
    if not threads:
        raise ParseError(
            source,
            doc.line(channel),
            "expected at least one published post or page with approved comments "
            "in this WordPress export",
        )
    if notes:
        first = threads[0]
        threads[0] = replace(first, warnings=(*notes, *first.warnings))
    return threads


def _author_names(channel: Element) -> dict[str, str]:
    """Login → display name, from the export's ``wp:author`` entries."""
    names: dict[str, str] = {}
    for author in _children(channel, "wp", "author"):
        login = _text(author, "wp", "author_login").strip()
        display = html_line(_text(author, "wp", "author_display_name"))
        if login and display:
            names[login] = display
    return names


def _thread(
    doc: XmlDoc, item: Element, source: str, authors: dict[str, str], notes: list[ParseWarning]
) -> Thread | None:
    line = doc.line(item)
    post_type = _text(item, "wp", "post_type").strip() or "post"
    if post_type not in POST_TYPES:
        return None
    raw_comments = list(_children(item, "wp", "comment"))
    if not raw_comments:
        return None
    post_id = _text(item, "wp", "post_id").strip()
    title = html_line(item.findtext("title") or "") or _text(item, "wp", "post_name").strip()
    title = title or f"Post {post_id or line}"
    status = _text(item, "wp", "status").strip() or "publish"
    if status != "publish":
        notes.append(ParseWarning(source, line, f"skipped “{title}”: its status is {status}"))
        return None
    if _text(item, "wp", "post_password").strip():
        notes.append(ParseWarning(source, line, f"skipped “{title}”: it is password-protected"))
        return None

    warnings: list[ParseWarning] = []
    comments, skipped = _comments(doc, raw_comments, source, warnings)
    if not comments:
        return None
    if skipped:
        warnings.insert(
            0,
            ParseWarning(source, line, f"“{title}”: left out " + ", ".join(_counts(skipped))),
        )
    blocks = html_blocks(_text(item, "content", "encoded"))
    paragraphs = tuple(b.text for b in blocks)
    quoted = frozenset(i for i, b in enumerate(blocks) if b.quoted)
    login = _text(item, "dc", "creator").strip()
    author = authors.get(login) or html_line(login)
    _check_name(author, "post author (<dc:creator>)", source, line)
    tags = _tags(item)
    url = (item.findtext("link") or "").strip() or None
    published = _date(_text(item, "wp", "post_date_gmt")) or _date(_text(item, "wp", "post_date"))
    published = published or (item.findtext("pubDate") or "").strip() or None
    thread_source = f"{source}#{post_id}" if post_id else f"{source}#line{line}"
    identity = json.dumps(
        [
            title,
            paragraphs,
            tags,
            author,
            url,
            published,
            [(c.number, c.author, c.paragraphs, c.posted, c.parent_number) for c in comments],
            # Which paragraphs are quotations: a changed reading of the markup is a new version.
            sorted(quoted),
            [sorted(c.quoted) for c in comments],
        ],
        ensure_ascii=False,
    )
    return Thread(
        source=thread_source,
        title=title,
        lede=paragraphs[0] if paragraphs else "",
        body=paragraphs[1:],
        tags=tags,
        author=author,
        author_bio="",
        comments=comments,
        url=url,
        published=published,
        quoted=quoted,
        warnings=tuple(warnings),
        content_hash=content_hash(identity),
    )


def _check_name(name: str, what: str, source: str, line: int) -> None:
    if len(name) > MAX_NAME:
        raise ParseError(
            source,
            line,
            f"expected a {what} of at most {MAX_NAME} characters, found {len(name):,}",
        )


def _counts(skipped: dict[str, int]) -> list[str]:
    labels = {
        "pingback": ("pingback", "pingbacks"),
        "trackback": ("trackback", "trackbacks"),
        "unapproved": ("unapproved comment", "unapproved comments"),
        "spam": ("spam comment", "spam comments"),
        "trash": ("deleted comment", "deleted comments"),
    }
    out = []
    for key, count in skipped.items():
        one, many = labels.get(key, (f"{key} comment", f"{key} comments"))
        out.append(f"{count} {one if count == 1 else many}")
    return out


def _tags(item: Element) -> tuple[str, ...]:
    """Categories then tags, each once, in file order."""
    tags: list[str] = []
    seen: set[str] = set()
    for category in item.findall("category"):
        if category.get("domain", "category") not in ("category", "post_tag"):
            continue
        name = html_line(category.text or "")
        if name and name.casefold() not in seen:
            seen.add(name.casefold())
            tags.append(name)
    return tuple(tags)


def _date(raw: str) -> str | None:
    raw = raw.strip()
    return raw if raw and raw != _NO_DATE else None


def _comments(
    doc: XmlDoc, elements: list[Element], source: str, warnings: list[ParseWarning]
) -> tuple[tuple[Comment, ...], dict[str, int]]:
    """People's approved comments in order, numbered 1…n, with parents mapped to numbers.

    A reply whose parent was left out (unapproved, spam) is attached to the nearest
    kept ancestor, so a thread keeps its shape when a moderator removed a link of it.
    """
    parents: dict[int, int] = {}
    first_line: dict[int, int] = {}
    kept: list[_RawComment] = []
    skipped: dict[str, int] = {}
    for element in elements:
        line = doc.line(element)
        raw_id = _text(element, "wp", "comment_id").strip()
        raw_parent = _text(element, "wp", "comment_parent").strip() or "0"
        if not _ID.fullmatch(raw_id) or not _ID.fullmatch(raw_parent):
            raise ParseError(
                source, line, "expected a numeric <wp:comment_id> and <wp:comment_parent>"
            )
        comment_id, parent = int(raw_id), int(raw_parent)
        if comment_id in first_line:
            warnings.append(
                ParseWarning(
                    source,
                    line,
                    f"comment id {comment_id} appears again (first at line "
                    f"{first_line[comment_id]}): kept once",
                )
            )
            continue
        first_line[comment_id] = line
        parents[comment_id] = parent
        kind = _text(element, "wp", "comment_type").strip().lower()
        approved = _text(element, "wp", "comment_approved").strip().lower()
        if kind not in PEOPLE_COMMENT_TYPES:
            skipped[kind] = skipped.get(kind, 0) + 1
            continue
        if approved != "1":
            key = approved if approved in ("spam", "trash") else "unapproved"
            skipped[key] = skipped.get(key, 0) + 1
            continue
        blocks = html_blocks(_text(element, "wp", "comment_content"))
        local = _date(_text(element, "wp", "comment_date"))
        gmt = _date(_text(element, "wp", "comment_date_gmt"))
        author = html_line(_text(element, "wp", "comment_author")) or "Anonymous"
        _check_name(author, "<wp:comment_author>", source, line)
        kept.append(
            _RawComment(
                id=comment_id,
                parent=parent,
                author=author,
                paragraphs=tuple(b.text for b in blocks),
                quoted=frozenset(i for i, b in enumerate(blocks) if b.quoted),
                posted=local or gmt,
                sort_key=(gmt or local or "", comment_id),
                line=line,
            )
        )
    kept.sort(key=lambda c: c.sort_key)
    numbers = {c.id: n for n, c in enumerate(kept, start=1)}
    ancestors: dict[int, int | None] = {}
    comments: list[Comment] = []
    for number, raw in enumerate(kept, start=1):
        parent_number = _kept_ancestor(raw.parent, parents, numbers, ancestors)
        if raw.parent and raw.parent not in parents:
            warnings.append(
                ParseWarning(
                    source,
                    raw.line,
                    f"comment {number} replies to comment id {raw.parent}, "
                    "which is not in the export",
                )
            )
        if not raw.paragraphs:
            warnings.append(ParseWarning(source, raw.line, f"comment {number} has no text"))
        comments.append(
            Comment(
                seq=number,
                number=number,
                author=raw.author,
                paragraphs=raw.paragraphs,
                quoted=raw.quoted,
                line=raw.line,
                posted=raw.posted,
                parent_number=parent_number,
            )
        )
    return tuple(comments), skipped


def _kept_ancestor(
    parent: int,
    parents: dict[int, int],
    numbers: dict[int, int],
    known: dict[int, int | None],
) -> int | None:
    """Number of the nearest kept comment up the parent chain from ``parent`` (None: none).

    ``known`` remembers the answer for every id walked through, so a long chain of
    left-out comments is walked once, not once per reply hanging below it.
    """
    path: list[int] = []
    seen: set[int] = set()
    found: int | None = None
    while parent and parent not in seen:
        if parent in known:
            found = known[parent]
            break
        if parent in numbers:
            found = numbers[parent]
            break
        seen.add(parent)
        path.append(parent)
        parent = parents.get(parent, 0)
    for walked in path:
        known[walked] = found
    return found
