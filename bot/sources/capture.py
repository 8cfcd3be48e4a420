"""Turn a plain-text capture of a blog post and its comments into a :class:`Thread`.

The format (see ``seeds/``): a title line, a lede, body paragraphs (``[…]``
marks an elision), a ``FILED UNDER:`` line with tags, the post author's name,
``About NAME`` and a bio, then ``Comments`` and numbered comments::

      1. Name says:

        paragraph

Everything here is a pure function of the text: the only error it raises is
:class:`ParseError`, naming the file, the line and what was expected.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import NamedTuple

from bot.models import MAX_NAME, Comment, ParseError, ParseWarning, Thread, content_hash

BOM = "\ufeff"

# Every pattern here runs in time linear in the line: no two unbounded quantifiers may
# compete for the same characters (a lazy ``\S.*?`` before ``[ \t]+says`` cost 85 s on
# "1. x", 80,000 spaces, "y"). A header is therefore found in two linear steps: the
# number, then the first " says:" after it (see :func:`match_header`).
_HEADER_START = re.compile(r"[ \t]*(?P<number>\d{1,9})[.)][ \t]+(?=\S)")
_SAYS = re.compile(r"[ \t](?:says|said|wrote)[ \t]*:")
_COMMENTS_MARKER = re.compile(
    r"[ \t]*(?:\d+[ \t]+)?(?:comments|responses|replies)[ \t]*(?:\(\d+\)[ \t]*)?(?::[ \t]*)?$",
    re.IGNORECASE,
)
_MAX_MARKER_LINE = 60
_FILED_UNDER = re.compile(r"^[ \t]*(?:filed under|tags)[ \t]*:(?P<tags>.*)$", re.IGNORECASE)
_ABOUT = re.compile(r"[ \t]*About[ \t]+(?P<name>\S.*)")
_MAX_ABOUT_LINE = 120
_MONTHS = (
    "jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec|january|february|march|april|june|"
    "july|august|september|october|november|december"
)
_DATE = re.compile(
    r"^(?:(?:mon|tue|wed|thu|fri|sat|sun)[a-z]*,?\s+)?"
    r"(?:"
    rf"(?:{_MONTHS})\.?\s+\d{{1,2}}(?:st|nd|rd|th)?,?\s+\d{{4}}"
    rf"|\d{{1,2}}(?:st|nd|rd|th)?\s+(?:{_MONTHS})\.?,?\s+\d{{4}}"
    r"|\d{4}-\d{2}-\d{2}"
    r"|\d{1,2}/\d{1,2}/\d{2,4}"
    r")"
    r"(?:\s*(?:at|,|@|-|–|T)?\s*\d{1,2}[:.]\d{2}(?::\d{2})?\s*(?:am|pm|a\.m\.|p\.m\.)?"
    r"(?:\s*[A-Z]{2,5}|\s*[+-]\d{2}:?\d{2}|Z)?)?\s*$",
    re.IGNORECASE,
)
_MAX_AUTHOR_LINE = 80


@dataclass(frozen=True, slots=True)
class _Line:
    number: int
    text: str


class Header(NamedTuple):
    """A comment header line such as ``  12. Name says: March 25, 2008 at 10:14 am`` (a
    named tuple: one is made per comment, and a tuple is the cheapest to make)."""

    number: int
    name: str
    rest: str
    """What follows the colon on the same line (a date, or the first words), stripped."""
    indent: int


def match_header(text: str) -> Header | None:
    """The comment header on this line, or None. Linear in the line's length."""
    start = _HEADER_START.match(text)
    if start is None:
        return None
    says = _SAYS.search(text, start.end())
    if says is None:
        return None
    return Header(
        number=int(start.group("number")),
        name=text[start.end() : says.start()].rstrip(" \t"),
        rest=text[says.end() :].strip(" \t"),
        indent=_indent(text),
    )


def _is_comments_marker(text: str) -> bool:
    return len(text) <= _MAX_MARKER_LINE and _COMMENTS_MARKER.match(text) is not None


def _about_name(text: str) -> str | None:
    if len(text) > _MAX_ABOUT_LINE:
        return None
    match = _ABOUT.match(text)
    return match.group("name").rstrip(" \t") if match is not None else None


def decode(data: bytes, source: str) -> str:
    """Decode a thread file: UTF-8 (with or without BOM), else cp1252; refuse binary."""
    if b"\x00" in data:
        line = data[: data.index(b"\x00")].count(b"\n") + 1
        raise ParseError(source, line, "expected a text file, found a NUL byte (binary data?)")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("cp1252")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise ParseError(
            source, line, "expected text in UTF-8 or Windows-1252, found undecodable bytes"
        ) from None


def normalise(text: str) -> str:
    """Drop a BOM and turn CRLF / CR line ends into LF; nothing else changes."""
    if text.startswith(BOM):
        text = text[1:]
    if "\r" not in text:  # the usual case: one scan instead of two copies
        return text
    return text.replace("\r\n", "\n").replace("\r", "\n")


def is_date_line(text: str) -> bool:
    """True for a comment's date/time line such as ``March 25, 2008 at 10:14 am``."""
    return len(text) <= 60 and _DATE.match(text.strip()) is not None


def parse_thread(text: str, source: str) -> Thread:
    """Parse one thread file's text. ``source`` names the file in errors and warnings.

    The comments (most of a file) are read in one pass over plain strings: the cost of
    parsing is part of every ingest, so the per-line work is a few string operations."""
    text = normalise(text)
    try:
        encoded = text.encode("utf-8")
    except UnicodeEncodeError as exc:
        # Only a str built in Python can hold a lone surrogate (decoded bytes never do); it
        # could be neither hashed nor stored, so it is refused like any other bad input.
        line = text.count("\n", 0, exc.start) + 1
        raise ParseError(
            source, line, "expected Unicode text, found a lone surrogate code point"
        ) from None
    lines = [raw.rstrip() for raw in text.split("\n")]
    marker = _find_comments_marker(lines)
    end = len(lines) if marker is None else marker
    head = [_Line(i + 1, lines[i]) for i in range(end)]
    title, lede, body, tags, author, bio, warnings = _parse_head(head, source)
    comments: tuple[Comment, ...] = ()
    if marker is not None:
        comments, comment_warnings = _parse_comments(lines, marker + 1, source)
        warnings = warnings + comment_warnings
    return Thread(
        source=source,
        title=title,
        lede=lede,
        body=body,
        tags=tags,
        author=author,
        author_bio=bio,
        comments=comments,
        warnings=warnings,
        content_hash=content_hash(encoded),
    )


def _find_comments_marker(lines: list[str]) -> int | None:
    """Index of the ``Comments`` line that opens the comment section, if any.

    A line only counts when the next non-blank line is a comment header (or
    nothing follows), so a body paragraph that says "Comments" is left alone.
    The first line that counts is the one; looking for the next non-blank line never
    passes the next candidate, so the scan stays linear however many there are.
    """
    count = len(lines)
    for i, text in enumerate(lines):
        if text and _is_comments_marker(text):
            following = i + 1
            while following < count and not lines[following]:
                following += 1
            if following == count or match_header(lines[following]) is not None:
                return i
    return None


def _paragraphs(lines: list[_Line]) -> list[list[_Line]]:
    """Group lines into blank-line separated paragraphs."""
    paras: list[list[_Line]] = []
    current: list[_Line] = []
    for line in lines:
        if line.text.strip():
            current.append(line)
        elif current:
            paras.append(current)
            current = []
    if current:
        paras.append(current)
    return paras


def _join(lines: list[_Line]) -> str:
    return "\n".join(line.text.strip() for line in lines)


def _parse_head(
    lines: list[_Line], source: str
) -> tuple[str, str, tuple[str, ...], tuple[str, ...], str, str, tuple[ParseWarning, ...]]:
    content = [ln for ln in lines if ln.text.strip()]
    if not content:
        raise ParseError(source, 1, "expected a title line, found an empty file")
    first = content[0]
    if match_header(first.text) is not None:
        raise ParseError(
            source, first.number, "expected a title line, found a comment header before any article"
        )
    warnings: list[ParseWarning] = []
    start = lines.index(first)
    title = first.text.strip()
    rest = lines[start + 1 :]

    # Locate the tail: FILED UNDER line, author line, "About NAME" line and bio.
    filed = next((i for i, ln in enumerate(rest) if _FILED_UNDER.match(ln.text)), None)
    about = next(
        (
            i
            for i, ln in enumerate(rest)
            if (filed is None or i > filed) and _about_name(ln.text) is not None
        ),
        None,
    )
    tags: tuple[str, ...] = ()
    author = ""
    bio = ""
    body_end = len(rest)
    if filed is not None:
        match = _FILED_UNDER.match(rest[filed].text)
        assert match is not None
        tags = tuple(t.strip() for t in match.group("tags").split(",") if t.strip())
        body_end = filed
    if about is not None:
        author = _about_name(rest[about].text) or ""
        prev = next((i for i in range(about - 1, -1, -1) if rest[i].text.strip()), None)
        if (
            prev is not None
            and rest[prev].text.strip() == author
            and (filed is None or prev > filed)
        ):
            if filed is None:
                body_end = prev
        elif filed is None:
            body_end = about
        bio = "\n\n".join(_join(p) for p in _paragraphs(rest[about + 1 :]))
    elif filed is not None:
        after = [ln for ln in rest[filed + 1 :] if ln.text.strip()]
        if after:
            author = after[0].text.strip()
            if len(author) > MAX_NAME:
                raise ParseError(
                    source,
                    after[0].number,
                    f"expected the post author's name (at most {MAX_NAME} characters) after "
                    f"the FILED UNDER line, found a line of {len(author):,}",
                )
            bio = "\n\n".join(_join(p) for p in _paragraphs(rest[rest.index(after[0]) + 1 :]))
    paras = _paragraphs(rest[:body_end])
    if filed is None and about is None and len(paras) >= 3:
        last = paras[-1]
        candidate = last[0].text.strip()
        if len(last) == 1 and len(candidate) <= _MAX_AUTHOR_LINE and candidate[-1] not in ".!?:;…":
            author = candidate
            paras = paras[:-1]
    if not author:
        warnings.append(ParseWarning(source, first.number, "no post author found"))
    lede = _join(paras[0]) if paras else ""
    body = tuple(_join(p) for p in paras[1:])
    return title, lede, body, tags, author, bio, tuple(warnings)


def _parse_comments(
    lines: list[str], start: int, source: str
) -> tuple[tuple[Comment, ...], tuple[ParseWarning, ...]]:
    """The comments in ``lines[start:]`` (lines without trailing whitespace; a blank line
    is empty), in one pass: each comment's paragraphs are gathered as its lines come."""
    comments: list[Comment] = []
    warnings: list[ParseWarning] = []
    header: Header | None = None
    header_line = 0
    paras: list[str] = []
    para: list[str] = []

    def flush() -> None:
        if header is None:
            return
        if para:
            paras.append("\n".join(para))
        posted: str | None = None
        rest = header.rest
        if rest:
            if is_date_line(rest):
                posted = rest
            else:
                paras.insert(0, rest)
        if paras and posted is None and is_date_line(paras[0]):
            posted = paras.pop(0)
        number = header.number
        if not paras:
            warnings.append(ParseWarning(source, header_line, f"comment {number} has no text"))
        comments.append(
            Comment(
                seq=len(comments) + 1,
                number=number,
                author=header.name,
                paragraphs=tuple(paras),
                line=header_line,
                posted=posted,
            )
        )

    for index in range(start, len(lines)):
        text = lines[index]
        if not text:
            if para:
                paras.append("\n".join(para))
                para = []
            continue
        stripped = text.lstrip()
        # Only a line whose first word starts with a digit can be a header.
        match = match_header(text) if stripped[0].isdecimal() else None
        if match is not None and (header is None or match.indent <= header.indent):
            if len(match.name) > MAX_NAME:
                raise ParseError(
                    source,
                    index + 1,
                    f"expected a commenter's name of at most {MAX_NAME} characters in this "
                    f"comment header, found {len(match.name):,}",
                )
            flush()
            header, header_line, paras, para = match, index + 1, [], []
            continue
        if header is None:
            raise ParseError(
                source,
                index + 1,
                "expected a numbered comment header like '  1. Name says:' after 'Comments'",
            )
        if text[0] != " " and text[0] != "\t":
            raise ParseError(
                source,
                index + 1,
                "expected an indented comment paragraph or a comment header like "
                f"'  {len(comments) + 2}. Name says:'",
            )
        para.append(stripped)
    flush()
    warnings.extend(_number_warnings(comments, source))
    return tuple(comments), tuple(warnings)


def _indent(text: str) -> int:
    return len(text) - len(text.lstrip(" \t"))


def _number_warnings(comments: list[Comment], source: str) -> list[ParseWarning]:
    warnings: list[ParseWarning] = []
    seen: dict[int, int] = {}
    previous: int | None = None
    for comment in comments:
        if comment.number in seen:
            warnings.append(
                ParseWarning(
                    source,
                    comment.line,
                    f"comment number {comment.number} repeats "
                    f"(first at line {seen[comment.number]})",
                )
            )
        elif previous is not None and comment.number != previous + 1:
            warnings.append(
                ParseWarning(
                    source,
                    comment.line,
                    f"comment number {comment.number} follows {previous} (expected {previous + 1})",
                )
            )
        seen.setdefault(comment.number, comment.line)
        previous = comment.number
    return warnings
