"""Read a Disqus export (the XML file Disqus gives a site owner) into threads.

The export is flat: ``<thread dsq:id>`` elements (one per page of the site that ever
had the comment box) and ``<post dsq:id>`` elements, each naming its thread and, for a
reply, its ``<parent dsq:id>``. An export covers the whole site, so **every thread
with at least one kept post becomes a thread of ours**, as every post of a WordPress
export does; threads without posts (most of them, usually) are passed over silently.
Deleted and spam posts are left out, with a warning saying how many; a reply to a
left-out post is attached to its nearest kept ancestor.

Parsed with :func:`bot.sources.wxr.parse_xml` (defused, with line numbers); the only
error raised is :class:`ParseError`, naming the file and line.
"""

from __future__ import annotations

from collections.abc import Hashable
from xml.etree.ElementTree import Element

from bot.models import ParseError, ParseWarning, Thread
from bot.sources.html import html_line, html_text
from bot.sources.tree import RawComment, build_thread, number_comments
from bot.sources.wxr import parse_xml

NS = "{http://disqus.com}"
DSQ_ID = "{http://disqus.com/disqus-internals}id"


def _text(element: Element, name: str) -> str:
    return (element.findtext(f"{NS}{name}") or "").strip()


def _flag(element: Element, name: str) -> bool:
    return _text(element, name).lower() == "true"


def _ref(element: Element, name: str) -> str | None:
    """The ``dsq:id`` of a child such as ``<thread dsq:id="…"/>``."""
    child = element.find(f"{NS}{name}")
    value = child.get(DSQ_ID) if child is not None else None
    return value.strip() if value and value.strip() else None


def _date(raw: str) -> str | None:
    return raw.replace("T", " ").removesuffix("Z") or None


def _author(element: Element) -> str:
    author = element.find(f"{NS}author")
    if author is None:
        return ""
    return html_line(_text(author, "name")) or _text(author, "username")


def is_disqus(text: str) -> bool:
    """Whether an XML file's root element is ``<disqus>`` (checked on its first part)."""
    head = text[:4096]
    return "<disqus" in head and "http://disqus.com" in head


def parse_disqus(text: str, source: str) -> list[Thread]:
    """Threads of a Disqus export, in file order; :class:`ParseError` if none has posts."""
    doc = parse_xml(text, source)
    root = doc.root
    if root.tag != f"{NS}disqus":
        raise ParseError(source, doc.line(root) or 1, "expected a Disqus export (<disqus> root)")
    threads: dict[str, Element] = {}
    for element in root.findall(f"{NS}thread"):
        dsq = element.get(DSQ_ID)
        if not dsq:
            raise ParseError(source, doc.line(element), 'expected <thread dsq:id="…">')
        threads[dsq] = element
    posts: dict[str, list[RawComment]] = {}
    parents: dict[Hashable, Hashable | None] = {}
    left_out: dict[str, dict[str, int]] = {}
    for element in root.findall(f"{NS}post"):
        line = doc.line(element)
        dsq = element.get(DSQ_ID)
        thread_id = _ref(element, "thread")
        if not dsq or not thread_id:
            raise ParseError(source, line, 'expected <post dsq:id="…"> with a <thread dsq:id="…"/>')
        parent = _ref(element, "parent")
        parents[dsq] = parent
        if thread_id not in threads:
            raise ParseError(source, line, f"post {dsq} names thread {thread_id}, not in the file")
        reason = (
            "spam" if _flag(element, "isSpam") else "deleted" if _flag(element, "isDeleted") else ""
        )
        if reason:
            counts = left_out.setdefault(thread_id, {})
            counts[reason] = counts.get(reason, 0) + 1
            continue
        created = _text(element, "createdAt")
        texts, quoted = html_text(_text(element, "message"))
        posts.setdefault(thread_id, []).append(
            RawComment(
                id=dsq,
                parent=parent,
                author=_author(element) or "Anonymous",
                paragraphs=texts,
                posted=_date(created),
                order=(created, int(dsq) if dsq.isdigit() else 0),
                quoted=quoted,
            )
        )
    out: list[Thread] = []
    for dsq, element in threads.items():
        kept = posts.get(dsq)
        if not kept:
            continue
        out.append(
            _thread(doc.line(element), element, dsq, kept, parents, left_out.get(dsq), source)
        )
    if not out:
        raise ParseError(
            source, doc.line(root), "expected at least one thread with posts in this Disqus export"
        )
    return out


def _thread(
    line: int,
    element: Element,
    dsq: str,
    kept: list[RawComment],
    parents: dict[Hashable, Hashable | None],
    skipped: dict[str, int] | None,
    source: str,
) -> Thread:
    link = _text(element, "link") or None
    title = html_line(_text(element, "title")) or link or f"Disqus thread {dsq}"
    comments, notes = number_comments(kept, source, known_parents=parents)
    warnings: list[ParseWarning] = []
    if skipped:
        parts = [
            f"{count} {label}{'' if count == 1 else 's'}"
            for label, count in (("deleted post", skipped.get("deleted", 0)),
                                 ("spam post", skipped.get("spam", 0)))
            if count
        ]  # fmt: skip
        warnings.append(ParseWarning(source, line, f"“{title}”: left out " + ", ".join(parts)))
    article, article_quoted = html_text(_text(element, "message"))
    return build_thread(
        source=f"{source}#{dsq}",
        title=title,
        paragraphs=article,
        quoted=article_quoted,
        author=_author(element) or "Unknown author",
        comments=comments,
        url=link,
        published=_date(_text(element, "createdAt")),
        warnings=[*warnings, *notes],
    )
