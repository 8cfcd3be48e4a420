"""Words from outside the thread: what people paste from the news, a study or a book.

Reply inference finds quotes of the thread itself by matching text. What matches nothing
can still be somebody else's words, and a summary must not present it as the poster's.
These pure rules say which paragraphs are, from the text alone:

* a comment paragraph wholly inside quotation marks (a pasted passage the commenter set
  off, long enough not to be a phrase under discussion);
* reported copy: a long paragraph that attributes what it says ("according to a study
  by…", "researchers at Harvard say that…") and has no first or second person outside its
  quotation marks — the register of a news story, not of someone arguing in a thread;
* in the article, the excerpt around a ``[…]`` elision: the quoted story runs on from the
  elision, both ways, until a paragraph of the blogger's own (one that speaks in the first
  person); and any paragraph that is mostly an attributed quotation ("“…,” he says").

A source that knows better (HTML ``<blockquote>``) marks paragraphs itself
(:attr:`bot.models.Comment.quoted`); these rules only add to that.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Sequence

from bot.models import ELISION

MIN_PASTED_WORDS = 12
"""A paragraph in quotation marks shorter than this is a phrase being discussed, not a paste."""
MIN_REPORTED_WORDS = 20
QUOTED_SHARE = 0.4
"""Share of a paragraph's letters inside quotation marks that makes an attributed paragraph a
quotation."""

_OPEN = '“"«„‘'
_CLOSE = '”"»“’'
_QUOTED_SPAN = re.compile(r"“[^”]*”|\"[^\"]*\"|«[^»]*»|„[^“”]*[“”]")
_LETTER = re.compile(r"[^\W\d_]", re.UNICODE)
_PERSONAL = (
    *("me", "my", "mine", "myself", "let's"),
    *("we", "we're", "we've", "we'd", "we'll", "us", "our", "ours", "ourselves"),
    *("you", "you're", "you've", "you'd", "you'll", "your", "yours", "yourself"),
)
_FIRST_OR_SECOND_PERSON = re.compile(
    r"\b(?:I|I'm|I've|I'd|I'll|"
    + "|".join(re.escape(w) + "|" + re.escape(w.capitalize()) for w in _PERSONAL)
    + r")\b"
)
"""Case-sensitive: "US" is a country, "us" a person speaking."""
_ATTRIBUTION = re.compile(
    r"\baccording to\b|\b(?:say|says|said|adds|added|told|tells|writes|wrote|reports|reported|"
    r"notes|noted|explains|explained|argues|argued|claims|claimed|warns|warned)\b",
    re.IGNORECASE,
)
_REPORTING = re.compile(
    r"\baccording to\b|\b(?:say|says|said|reports|reported|found|find|finds) that\b",
    re.IGNORECASE,
)

_REPORTING_WORDS = ("according", "say", "said", "report", "found", "find")


def _plain(text: str) -> str:
    return text.replace("’", "'").replace("‘", "'")


def outside_quotes(text: str) -> str:
    """``text`` with every span in quotation marks removed."""
    return _QUOTED_SPAN.sub(" ", text)


def speaks_in_person(text: str) -> bool:
    """First or second person outside quotation marks: someone talking, not a report."""
    return _FIRST_OR_SECOND_PERSON.search(_plain(outside_quotes(text))) is not None


def in_quotation_marks(text: str) -> bool:
    """The whole paragraph is one quotation (a closing mark and punctuation may follow)."""
    flat = text.strip()
    if flat[:1] not in _OPEN or len(flat.split()) < MIN_PASTED_WORDS:
        return False
    inner = flat[1:].rstrip(" .,;:!?…")
    if not inner or inner[-1] not in _CLOSE:
        return False
    body = inner[:-1]
    # One quotation, not two quoted phrases with the commenter's words between them.
    return not any(mark in body for mark in '“”"«»')


def quoted_share(text: str) -> float:
    """Share of the paragraph's letters that sit inside quotation marks."""
    letters = len(_LETTER.findall(text))
    if not letters:
        return 0.0
    inside = sum(len(_LETTER.findall(m.group())) for m in _QUOTED_SPAN.finditer(text))
    return inside / letters


def attributed_quotation(text: str) -> bool:
    """Mostly a quotation, attributed to someone: “We believe…,” he says."""
    return quoted_share(text) >= QUOTED_SHARE and (
        _ATTRIBUTION.search(outside_quotes(text)) is not None
    )


def reported_copy(text: str, folded: str | None = None) -> bool:
    """A long paragraph in the register of a news report (see the module docstring).

    ``folded``: the paragraph case-folded (``str.casefold`` or
    :func:`bot.text.fold_chars`), if the caller has it."""
    if not _may_report(text.casefold() if folded is None else folded):
        return False
    if len(text.split()) < MIN_REPORTED_WORDS:
        return False
    return not speaks_in_person(text) and _REPORTING.search(outside_quotes(text)) is not None


def _may_report(folded: str) -> bool:
    """Whether a paragraph holds a word that every ``_REPORTING`` match holds whole (taking
    quotations out only ever puts a space in), in any case: a quick test that turns away
    nearly every paragraph. Case folding (and dropping accents after it) maps every letter
    the pattern's case-insensitive matching equates with ``a``–``z`` to that letter, but
    for ``İ`` and ``ı`` (``i``)."""
    if "ı" in folded or "i̇" in folded:
        return True
    return any(word in folded for word in _REPORTING_WORDS)


def comment_outside(
    paragraphs: Sequence[str],
    matched: Collection[int],
    folded: Sequence[str | None] | None = None,
) -> set[int]:
    """Paragraphs of one comment that are pasted from outside the thread.

    ``matched`` are the paragraphs already found to quote the thread; they are not looked
    at again. The first paragraph is never reported copy: a comment that opens with a news
    story and says nothing of its own is rare, and its author may be the reporter.
    ``folded``: the paragraphs case-folded, where the caller has them (see
    :func:`reported_copy`).
    """
    out: set[int] = set()
    for idx, text in enumerate(paragraphs):
        if idx in matched:
            continue
        fold = folded[idx] if folded is not None else None
        if in_quotation_marks(text) or (idx > 0 and reported_copy(text, fold)):
            out.add(idx)
    return out


def article_outside(lede: str, body: Sequence[str]) -> frozenset[int]:
    """Indices into the article's paragraphs (lede, then body without elisions) that are quoted.

    The lede is the blogger's own summary and never counts as quoted.
    """
    offset = 1 if lede else 0
    index: dict[int, int] = {}
    for i, paragraph in enumerate(body):
        if paragraph != ELISION:
            index[i] = offset + len(index)
    quoted: set[int] = set()
    elisions = [i for i, p in enumerate(body) if p == ELISION]
    for at in elisions:
        for step in (-1, 1):
            i = at + step
            while 0 <= i < len(body) and body[i] != ELISION and not speaks_in_person(body[i]):
                quoted.add(i)
                i += step
    for i, paragraph in enumerate(body):
        if paragraph != ELISION and attributed_quotation(paragraph):
            quoted.add(i)
    return frozenset(index[i] for i in quoted if i in index)


def article_body(
    lede: str, body: Sequence[str], marked: Collection[int] = ()
) -> list[tuple[str, bool]]:
    """The body's paragraphs, each with whether it is quoted: by these rules or by the
    source's own ``marked`` indices (numbered as :func:`article_outside` numbers them).
    An elision is never quoted. What every view of an article (Discord, terminal) shows."""
    quoted = article_outside(lede, body) | set(marked)
    index = 1 if lede else 0
    out: list[tuple[str, bool]] = []
    for paragraph in body:
        if paragraph.strip() == ELISION:
            out.append((paragraph, False))
            continue
        out.append((paragraph, index in quoted))
        index += 1
    return out
