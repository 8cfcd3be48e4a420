"""HTML bodies (WordPress exports, the WordPress REST API) as our plain paragraphs.

One converter for every HTML source, so that they agree on two things: where a paragraph
ends, and which paragraphs are somebody else's words. WordPress stores bodies
"pre-autop": a blank line is a paragraph and a single newline a line break, mixed freely
with block tags; both become paragraph breaks here.

Quoted text is what the markup says is quoted:

* anything inside ``<blockquote>``;
* a paragraph that is mostly ``<q>`` text (``<q>Developers…</q> --Steve Ballmer``);
  ``<q>`` text keeps the quotation marks a browser would draw around it, so an inline
  quote inside someone's own sentence still reads as one;
* a paragraph that cites its source with ``<cite>`` as an attribution: the cite opens the
  paragraph, follows a dash (``"Code is poetry." --<cite>Automattic</cite>``), or sits in a
  ``<pre>``/``<blockquote>`` whose whole text is then the cited work's.

A quoted paragraph is kept and shown as a quotation; reply inference decides whether it
quotes someone in the thread or a source outside it.

Markup is read by one regular expression (:data:`_TOKEN`) rather than ``html.parser``, which
rescans the rest of the input for every unclosed ``<!--`` or ``<a`` (8,000 of them, 56 kB,
cost 10 s of CPU). Every branch consumes what it scans: a comment runs to ``-->`` (an
unclosed one to the end, as in a browser), a tag to its ``>`` (a ``>`` inside a quoted
value included) or up to the next ``<``, and anything else is text, whose entities
:func:`html.unescape` decodes. For the markup WordPress writes the result is what an HTML
parser gives; malformed markup gives readable text in linear time instead of a stall.
"""

from __future__ import annotations

import html
import re
from bisect import bisect_left
from dataclasses import dataclass

_SHORTCODE = re.compile(
    r"\[/?(?:caption|wp_caption|gallery|embed|audio|video|playlist|youtube|vimeo|"
    r"soundcloud|code|sourcecode)\b[^\[\]\n]*\]",
    re.IGNORECASE,
)
_BR_NEWLINE = re.compile(r"(<br\s*/?>)[ \t]*\n", re.IGNORECASE)
_SPACES = re.compile(r"[ \t\r\f\v\u00a0]+")
_BLANK_LINES = re.compile(r"\n[ \t\r\f\v\u00a0]*\n")
_LETTER = re.compile(r"[^\W\d_]", re.UNICODE)
_DASH_BEFORE = re.compile(r"(?:--|[-–—―])\s*$")
_TOKEN = re.compile(
    r"<!--(?:.*?-->|.*)"  # a comment
    r"|<(?P<end>/?)(?P<tag>[a-zA-Z][a-zA-Z0-9:-]*)"  # a start or end tag...
    r"(?P<attrs>(?:[^<>\"']|\"[^\"<]*\"|'[^'<]*'|[\"'])*)>?"  # ...attributes and >
    r"|<[!?][^<>]*>?",  # a doctype, a CDATA opener, a processing instruction
    re.DOTALL,
)

_BLOCK_TAGS = frozenset(
    (
        "address", "article", "aside", "blockquote", "caption", "dd", "div", "dl", "dt",
        "figcaption", "figure", "footer", "form", "h1", "h2", "h3", "h4", "h5", "h6", "header",
        "hr", "li", "main", "nav", "ol", "p", "pre", "section", "table", "tbody", "tfoot",
        "thead", "tr", "ul",
    )
)  # fmt: skip
_SKIP_TAGS = frozenset({"script", "style", "template", "noscript"})

_OWN, _BLOCK, _Q, _CITE = 0, 1, 2, 3
"""What each character of the extracted text is: own, inside a quoting block, in ``<q>``,
in ``<cite>``."""

Q_SHARE = 0.5
"""A paragraph with at least this share of its letters inside ``<q>`` is a quotation."""


@dataclass(frozen=True, slots=True)
class HtmlParagraph:
    text: str
    quoted: bool = False
    """The markup says these are somebody else's words (see the module docstring)."""


class _TextExtractor:
    """Text with paragraph breaks as blank lines, and a kind per character."""

    def __init__(self) -> None:
        self.parts: list[str] = []
        self.kinds: list[int] = []
        self._size = 0
        self._skipping = 0
        self._blockquote = 0
        self._q = 0
        self._cite = 0
        self._pre: list[tuple[int, bool]] = []
        """Open ``<pre>``/``<blockquote>``: where each began, and whether a cite was seen."""
        self.attributed: list[tuple[int, int]] = []
        """Spans whose whole text is a cited work (a ``<pre>`` holding a ``<cite>``)."""
        self.cites: list[int] = []
        """Where each ``<cite>`` begins."""

    def feed(self, fragment: str) -> None:
        """Read the whole fragment: one pass over its tokens (see :data:`_TOKEN`)."""
        position = 0
        for token in _TOKEN.finditer(fragment):
            if token.start() > position:
                self.handle_data(html.unescape(fragment[position : token.start()]))
            position = token.end()
            tag = token.group("tag")
            if tag is None:
                continue  # a comment, a doctype or the like
            tag = tag.lower()
            if token.group("end"):
                self.handle_endtag(tag)
            elif token.group("attrs").rstrip().endswith("/"):
                self.handle_startendtag(tag)
            else:
                self.handle_starttag(tag)
        if position < len(fragment):
            self.handle_data(html.unescape(fragment[position:]))

    def _emit(self, text: str, kind: int | None = None) -> None:
        if not text:
            return
        if kind is None:
            kind = _CITE if self._cite else _Q if self._q else _BLOCK if self._blockquote else _OWN
        self.parts.append(text)
        self.kinds.append(kind)
        self._size += len(text)

    def handle_starttag(self, tag: str) -> None:
        if tag in _SKIP_TAGS:
            self._skipping += 1
            return
        if self._skipping:
            return
        if tag == "br":
            self._emit("\n")
        elif tag == "li":
            self._emit("\n\n• ")
        elif tag in ("td", "th"):
            self._emit(" ")
        elif tag in _BLOCK_TAGS:
            self._emit("\n\n")
        if tag == "blockquote":
            self._blockquote += 1
        if tag in ("pre", "blockquote"):
            self._pre.append((self._size, False))
        elif tag == "q":
            self._emit("“", _Q)
            self._q += 1
        elif tag == "cite":
            self.cites.append(self._size)
            self._cite += 1
            if self._pre:
                self._pre[-1] = (self._pre[-1][0], True)

    def handle_startendtag(self, tag: str) -> None:
        if tag not in _SKIP_TAGS and tag not in ("q", "cite", "pre", "blockquote"):
            self.handle_starttag(tag)

    def handle_endtag(self, tag: str) -> None:
        if tag in _SKIP_TAGS:
            self._skipping = max(0, self._skipping - 1)
            return
        if self._skipping:
            return
        if tag == "q" and self._q:
            self._q -= 1
            self._emit("”", _Q)
        elif tag == "cite" and self._cite:
            self._cite -= 1
        elif tag in ("pre", "blockquote") and self._pre:
            start, cited = self._pre.pop()
            if cited:
                self.attributed.append((start, self._size))
            if tag == "blockquote" and self._blockquote:
                self._blockquote -= 1
        if tag in _BLOCK_TAGS:
            self._emit("\n\n")

    def handle_data(self, data: str) -> None:
        if not self._skipping:
            self._emit(data)

    def text_and_kinds(self) -> tuple[str, bytearray]:
        text = "".join(self.parts)
        kinds = bytearray()
        for part, kind in zip(self.parts, self.kinds, strict=True):
            kinds.extend(bytes((kind,)) * len(part))
        for start, end in self.attributed:
            kinds[start:end] = bytes((_BLOCK,)) * (end - start)
        return text, kinds


def _quoted(text: str, kinds: bytearray, start: int, end: int, cites: list[int]) -> bool:
    """Whether the paragraph ``text[start:end]`` is somebody else's words."""
    counts = [0, 0, 0, 0]
    for i in range(start, end):
        if _LETTER.match(text[i]):
            counts[kinds[i]] += 1
    letters = sum(counts)
    if not letters:
        return False
    if counts[_BLOCK] * 2 >= letters:
        return True
    if counts[_Q] >= Q_SHARE * letters:
        return True
    # ``cites`` is in text order: only the ones inside this paragraph are looked at.
    for index in range(bisect_left(cites, start), len(cites)):
        cite = cites[index]
        if cite >= end:
            break
        before = text[start:cite]
        if not _LETTER.search(before) or _DASH_BEFORE.search(before):
            return True
    return False


def html_blocks(fragment: str) -> tuple[HtmlParagraph, ...]:
    """Paragraphs of an HTML fragment, each saying whether the markup quotes it.

    Tags stripped, entities decoded, whitespace tidied; lines inside one paragraph are
    kept (joined with ``\\n``) as the text parser does.
    """
    extractor = _TextExtractor()
    fragment = fragment.replace("\r\n", "\n").replace("\r", "\n")
    extractor.feed(_SHORTCODE.sub("", _BR_NEWLINE.sub(r"\1", fragment)))
    text, kinds = extractor.text_and_kinds()
    paragraphs: list[HtmlParagraph] = []
    start = 0
    for brk in [*_BLANK_LINES.finditer(text), None]:
        end = brk.start() if brk is not None else len(text)
        block = text[start:end]
        lines = [_SPACES.sub(" ", line).strip() for line in block.split("\n")]
        joined = "\n".join(line for line in lines if line)
        if joined and joined != "•":
            quoted = _quoted(text, kinds, start, end, extractor.cites)
            paragraphs.append(HtmlParagraph(joined, quoted))
        if brk is not None:
            start = brk.end()
    return tuple(paragraphs)


def html_paragraphs(fragment: str) -> tuple[str, ...]:
    """The text of :func:`html_blocks` (whether each is quoted left out)."""
    return tuple(p.text for p in html_blocks(fragment))


def html_line(fragment: str) -> str:
    """A title or name: tags stripped, entities decoded, all whitespace collapsed to one space."""
    return " ".join(" ".join(html_paragraphs(fragment)).split())


def html_text(fragment: str) -> tuple[tuple[str, ...], frozenset[int]]:
    """:func:`html_blocks` as a comment or article holds it: the paragraphs, and the
    indices of the quoted ones (``Comment.quoted``, ``Thread.quoted``)."""
    blocks = html_blocks(fragment)
    return tuple(b.text for b in blocks), frozenset(i for i, b in enumerate(blocks) if b.quoted)
