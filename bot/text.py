"""Thread text made safe for Discord: literal markdown, inert mentions, limit-sized pieces.

Blog comments are plain text. Discord would read some of it as markdown (``*a*``,
``__a__``, ``> quote`` at a line start, ``[text](url)``) or as mentions (``@everyone``,
``<@123>``); both would change what the commenter wrote. ``safe`` keeps the words
and only touches what Discord would otherwise interpret. ``split_text`` cuts long
text where a reader expects a break and marks every cut with ``…``.

``fold`` is the one normalisation for comparing text: names matched by inference,
names and slugs looked up in storage, autocomplete, summaries' word counts.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable

ELLIPSIS = "…"
ZWSP = "\u200b"
"""Zero-width space: breaks a mention token without changing what a reader sees."""

_URL = re.compile(r"https?://[^\s<>]+")
_MASS_MENTION = re.compile(r"@(everyone|here)\b")
_ANGLE_TOKEN = re.compile(r"<(?=@|#|/|a?:\w|t:|id:)")
_MASKED_LINK = re.compile(r"\[(?=[^\]\n]*\]\()")
_LINE_START = re.compile(r"(?m)^([ \t]*)(>|#{1,3}(?=\s)|-#|[-+](?=\s))")
_ORDERED_ITEM = re.compile(r"(?m)^([ \t]*\d+)\.(?=\s)")

_SLUG_JUNK = re.compile(r"[^a-z0-9]+")
_SENTENCE_END = re.compile(r"[.!?…][\"'”’)\]]*(?=\s)")


def fold(text: str) -> str:
    """Case-, accent- and spacing-insensitive key: ``" José  DA Silva "`` → ``"jose da silva"``.

    Casefolded, NFKD-decomposed (compatibility forms too: ``ﬁ`` → ``fi``, ``№`` → ``no``),
    every combining mark dropped (Latin accents, Hebrew niqqud, Arabic harakat), runs of
    whitespace collapsed to one space and the ends stripped. Cheap for ASCII.
    """
    return " ".join(fold_chars(text).split())


def fold_chars(text: str) -> str:
    """:func:`fold` but for the spacing: every character folded on its own, whitespace kept
    as it is (enough when only the words matter, and cheaper)."""
    text = text.casefold()
    if text.isascii():
        return text
    if ELLIPSIS in text:
        text = text.replace(ELLIPSIS, "...")  # its decomposition, as the table would give
    try:
        encoded = text.encode(_BYTE_CODEC)
    except UnicodeEncodeError:
        return text.translate(_UNMARKED).casefold()
    if encoded.translate(None, _BYTE_SIMPLE):
        return text.translate(_UNMARKED).casefold()
    return encoded.translate(_BYTE_TABLE).decode(_BYTE_CODEC).casefold()


class _Unmarked(dict[int, str]):
    """``str.translate`` table: a character → its NFKD decomposition without combining marks.

    Decomposing character by character gives what decomposing the whole text gives once
    the marks are dropped (only the order of marks differs), and the table makes it one
    C-level pass instead of a Python loop per character (reply inference folds every
    paragraph). Filled lazily; at most ``LIMIT`` characters are kept, so hostile text
    cannot grow it without bound.
    """

    LIMIT = 20_000

    def __missing__(self, code: int) -> str:
        decomposed = unicodedata.normalize("NFKD", chr(code))
        out = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
        if len(self) < self.LIMIT:
            self[code] = out
        return out


_UNMARKED = _Unmarked()


_BYTE_CODEC = "cp1252"
"""Latin-1 letters plus the punctuation of typed text (’ “ ” – — …): one byte a character."""


def _byte_tables() -> tuple[bytes, bytes]:
    """``bytes.translate`` tables that do what ``_UNMARKED`` does to text of one byte a
    character (``_BYTE_CODEC``) where each character becomes one such character (``é`` →
    ``e``, ``ª`` → ``a``, ``’`` stays): a byte per character instead of a dictionary
    look-up. The bytes to delete leave the others (``½``, ``µ``), for which the text goes
    the general way."""
    table = bytearray(range(256))
    simple = bytearray(range(128))
    for code in range(128, 256):
        try:
            char = bytes([code]).decode(_BYTE_CODEC)
            image = _UNMARKED[ord(char)].encode(_BYTE_CODEC)
        except UnicodeError:
            continue
        if len(image) == 1:
            table[code] = image[0]
            simple.append(code)
    return bytes(table), bytes(simple)


_BYTE_TABLE, _BYTE_SIMPLE = _byte_tables()


def slugify(title: str) -> str:
    """A short ASCII slug for a title: ``Iraq Cease-Fire Over`` → ``iraq-cease-fire-over``."""
    ascii_title = fold(title).encode("ascii", "ignore").decode()
    slug = _SLUG_JUNK.sub("-", ascii_title).strip("-")[:60].rstrip("-")
    return slug or "thread"


def word_count(paragraphs: Iterable[str]) -> int:
    """Whitespace-separated words in all of ``paragraphs`` (authors' own-word totals)."""
    return sum(len(p.split()) for p in paragraphs)


def neutralise_mentions(text: str) -> str:
    """``@everyone``, ``@here``, ``<@1>``, ``<@&2>``, ``<#3>``, ``</cmd:4>``, ``<:e:5>`` as text.

    A zero-width space after the ``@`` or ``<`` stops Discord from parsing the token,
    while the reader still sees exactly what was written.
    """
    text = _MASS_MENTION.sub(lambda m: f"@{ZWSP}{m.group(1)}", text)
    return _ANGLE_TOKEN.sub("<" + ZWSP, text)


def _escape_span(span: str) -> str:
    """Escape inline markdown in text that holds no URL."""
    out: list[str] = []
    n = len(span)
    for i, ch in enumerate(span):
        prev = span[i - 1] if i > 0 else ""
        nxt = span[i + 1] if i + 1 < n else ""
        if ch in "*`" or (ch == "\\" and nxt and not nxt.isalnum() and not nxt.isspace()):
            out.append("\\" + ch)
        elif ch == "_":
            inside_word = prev.isalnum() and nxt.isalnum()
            out.append("_" if inside_word else "\\_")
        elif ch in "~|":
            out.append("\\" + ch if ch in (prev, nxt) else ch)
        elif ch == "[" and _MASKED_LINK.match(span, i):
            out.append("\\[")
        else:
            out.append(ch)
    return "".join(out)


def escape_markdown(text: str) -> str:
    """Make markdown in ``text`` show literally; URLs are left whole so they stay links."""
    pieces: list[str] = []
    last = 0
    for match in _URL.finditer(text):
        pieces.append(_escape_span(text[last : match.start()]))
        pieces.append(match.group(0))
        last = match.end()
    pieces.append(_escape_span(text[last:]))
    escaped = "".join(pieces)
    escaped = _LINE_START.sub(lambda m: f"{m.group(1)}\\{m.group(2)}", escaped)
    return _ORDERED_ITEM.sub(lambda m: f"{m.group(1)}\\.", escaped)


def safe(text: str) -> str:
    """Thread text as Discord should show it: literal markdown and inert mentions."""
    return neutralise_mentions(escape_markdown(text))


def collapse_whitespace(text: str) -> str:
    return " ".join(text.split())


def truncate(text: str, limit: int, *, marker: str = ELLIPSIS) -> str:
    """``text`` cut to ``limit`` characters at a word boundary, with ``marker`` when cut."""
    if limit <= 0:
        return ""
    if len(text) <= limit:
        return text
    if limit <= len(marker):
        return marker[:limit]
    budget = limit - len(marker)
    cut = _hard_cut(text, budget)
    space = text.rfind(" ", 0, budget + 1)
    if space > budget // 2:
        cut = space
    return text[:cut].rstrip() + marker


def snippet(text: str, limit: int = 100) -> str:
    """One line of at most ``limit`` characters, for "replying to" lines and tables."""
    return truncate(collapse_whitespace(text), limit)


QUOTE_SNIPPET = 80
"""Longest snippet of a quote edge, in characters, ``…`` included."""


def shorten(text: str, limit: int = QUOTE_SNIPPET) -> str:
    """One line of at most ``limit`` characters, cut at a word with ``…`` if it is longer:
    a quote edge's snippet (inference makes it; storage rebuilds it instead of keeping it).

    Only the first ``limit`` characters of the flattened text matter, so a long text is
    flattened from its first ``2 * limit`` characters (a prefix of the whole flattened);
    the whole text only when that prefix turns out too short (runs of whitespace)."""
    flat = " ".join(text[: 2 * limit].split())
    if len(flat) <= limit:
        if len(text) > 2 * limit:
            flat = " ".join(text.split())
        if len(flat) <= limit:
            return flat
    cut = flat[: limit - 1]
    space = cut.rfind(" ")
    if flat[limit - 1] != " " and space > limit // 2:
        cut = cut[:space]
    return cut.rstrip(" ,;:.–—-") + "…"


def _hard_cut(text: str, budget: int) -> int:
    """A cut at ``budget`` that splits neither a backslash escape nor a combining mark."""
    cut = max(1, min(budget, len(text)))
    while 1 < cut < len(text) and unicodedata.combining(text[cut]):
        cut -= 1
    backslashes = 0
    while cut - backslashes - 1 >= 0 and text[cut - backslashes - 1] == "\\":
        backslashes += 1
    if backslashes % 2 == 1 and cut > 1:
        cut -= 1
    return cut


def _find_cut(text: str, budget: int) -> tuple[int, bool]:
    """Where to cut ``text`` so the head fits ``budget``; and whether that is mid-paragraph.

    Prefers, in order, a paragraph break, a line break, a sentence end, a space (each
    of the first three only if it keeps at least half the budget), then a hard cut.
    """
    window = text[: budget + 1]
    half = budget // 2
    para = window.rfind("\n\n")
    if para >= half:
        return para, False
    line = window.rfind("\n")
    if line >= half:
        return line, False
    sentence = -1
    for match in _SENTENCE_END.finditer(window):
        if match.end() <= budget:
            sentence = match.end()
    if sentence >= half:
        return sentence, True
    space = max(window.rfind(" "), window.rfind("\t"), window.rfind("\n"))
    if space > 0:
        return space, True
    return _hard_cut(text, budget), True


def split_text(text: str, limit: int, *, marker: str = ELLIPSIS) -> list[str]:
    """``text`` in pieces of at most ``limit`` characters, cut at natural boundaries.

    Every piece but the last ends with `` …``; a piece that continues a cut paragraph
    starts with ``… ``. Words are only cut when one is longer than a piece can hold.
    Blank text gives no pieces.
    """
    text = text.strip()
    if not text:
        return []
    tail_mark = " " + marker
    head_mark = marker + " "
    if limit <= len(tail_mark) + len(head_mark) + 1:
        raise ValueError(f"limit {limit} is too small to split text with markers")
    pieces: list[str] = []
    continued = False
    rest = text
    while rest:
        prefix = head_mark if continued else ""
        if len(prefix) + len(rest) <= limit:
            pieces.append(prefix + rest)
            break
        budget = limit - len(prefix) - len(tail_mark)
        cut, continued = _find_cut(rest, budget)
        head = rest[:cut].rstrip()
        pieces.append(prefix + head + tail_mark)
        rest = rest[cut:].lstrip()
    return pieces
