"""Typed values shared by the parser, reply inference, storage and renderers.

Everything here is a plain frozen dataclass so that the pure functions that
produce and consume them can be tested without Discord or a database.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from typing import Literal

ARTICLE = 0
"""The ``seq`` that stands for the article itself in quotes and reply edges."""

OUTSIDE = -1
"""The ``seq`` of a :class:`QuoteRef` to words from outside the thread: a pasted news story,
a ``<blockquote>`` of a book. Nobody in the thread wrote them, and nothing replies to them."""

ELISION = "[…]"
"""The marker a capture uses where the blog post elided part of its body."""

MAX_NAME = 200
"""Longest name of a person (commenter, post author) a thread file may give: a longer one
is refused with the line, since names are matched and indexed in many ways downstream."""

Via = Literal["quote", "parent", "mention", "implicit", "article"]
"""How we know a comment replies to another one, strongest evidence first: it pastes a
quote; the source recorded a threaded reply; it names the person (an address or a
reference such as "DC has it right"); it is a short answer right after the other side of
an exchange (``implicit``); or nothing points anywhere, so it answers the article."""

VIA_LABELS: dict[str, str] = {
    "quote": "quote",
    "parent": "threaded reply",
    "mention": "by name",
    "implicit": "implicit",
    "article": "on the article",
}
"""How a reader is told the way a link was found: ``↪ replying to #6 (Name) · threaded reply``."""


def replying_to(target: int, number: int, name: str, via: str) -> str:
    """``↪ replying to #6 (Name) · threaded reply`` (``target`` 0: the article, by ``name``).

    ``name`` is used as given: each medium escapes it its own way first.
    """
    who = f"the article ({name})" if target == ARTICLE else f"#{number} ({name})"
    return f"↪ replying to {who} · {VIA_LABELS.get(via, via)}"


@dataclass(frozen=True, slots=True)
class ParseWarning:
    """Something odd but survivable in a thread file, with where it was."""

    file: str
    line: int
    message: str

    def __str__(self) -> str:
        return f"{self.file}:{self.line}: {self.message}"


class ParseError(ValueError):
    """A thread file that cannot be read: names the file, the line and what was expected."""

    def __init__(self, file: str, line: int, expected: str) -> None:
        self.file = file
        self.line = line
        self.expected = expected
        super().__init__(f"{file}:{line}: {expected}" if line else f"{file}: {expected}")

    def __reduce__(self) -> tuple[type[ParseError], tuple[str, int, str]]:
        # Rebuilt from its three fields when it comes back from a worker process.
        return (type(self), (self.file, self.line, self.expected))


@dataclass(frozen=True, slots=True)
class Comment:
    """One numbered comment as written in the file.

    ``seq`` is the 1-based position in the file; ``number`` is what the file
    printed (it may repeat or skip, see the parser's warnings).
    """

    seq: int
    number: int
    author: str
    paragraphs: tuple[str, ...]
    line: int = 0
    posted: str | None = None
    parent_number: int | None = None
    """A reply link that the source itself recorded (WordPress ``comment_parent``)."""
    quoted: frozenset[int] = frozenset()
    """Paragraphs the source marks as quotations (``<blockquote>``…): not the author's words."""


@dataclass(frozen=True, slots=True)
class Thread:
    """A parsed blog post with its comments, before it is stored."""

    source: str
    title: str
    lede: str
    body: tuple[str, ...]
    tags: tuple[str, ...]
    author: str
    author_bio: str
    comments: tuple[Comment, ...]
    url: str | None = None
    published: str | None = None
    quoted: frozenset[int] = frozenset()
    """Indices into :attr:`article_paragraphs` that the source marks as quotations."""
    warnings: tuple[ParseWarning, ...] = ()
    content_hash: str = ""

    @property
    def article_paragraphs(self) -> tuple[str, ...]:
        """The article text that commenters may quote: lede then body, elisions left out."""
        paras = [self.lede] if self.lede else []
        paras.extend(p for p in self.body if p != ELISION)
        return tuple(paras)


def content_hash(text: str | bytes) -> str:
    """Identity of a thread version: SHA-256 of its normalised text (given as ``bytes``:
    that text in UTF-8, for a caller that has encoded it already)."""
    data = text.encode("utf-8") if isinstance(text, str) else text
    return hashlib.sha256(data).hexdigest()


@dataclass(frozen=True, slots=True)
class QuoteRef:
    """Where a quoted paragraph came from: comment ``seq`` (0 = article) and paragraph index."""

    seq: int
    paragraph: int

    @property
    def outside(self) -> bool:
        """Words from outside the thread (see :data:`OUTSIDE`)."""
        return self.seq == OUTSIDE


QUOTED_FROM_OUTSIDE = QuoteRef(OUTSIDE, 0)


@dataclass(frozen=True, slots=True)
class ReplyEdge:
    """``source`` (a comment seq) replies to ``target`` (a comment seq, 0 = the article)."""

    source: int
    target: int
    via: Via
    snippet: str = ""
    confidence: float = 1.0
    """How sure inference is of the link, 0–1: a source's threaded reply 1.0, a near-exact
    quote about 0.9–1.0, a name lower, an implicit answer lower still."""


@dataclass(frozen=True, slots=True)
class ReplyStructure:
    """What reply inference found for a whole thread.

    ``quotes`` maps ``(comment seq, paragraph index)`` of every quoted paragraph
    to its source; paragraphs not in it are the commenter's own words.
    """

    quotes: dict[tuple[int, int], QuoteRef] = field(default_factory=dict)
    edges: tuple[ReplyEdge, ...] = ()


# ---- values read back from storage -------------------------------------------------


@dataclass(frozen=True, slots=True)
class StoredThread:
    """A thread row: enough to list, resolve and render the article."""

    id: int
    guild_id: int
    source: str
    slug: str
    content_hash: str
    title: str
    lede: str
    body: tuple[str, ...]
    tags: tuple[str, ...]
    author: str
    author_bio: str
    url: str | None
    published: str | None
    comment_count: int
    ingested_at: str
    quoted: tuple[int, ...] = ()
    """Indices into the article's paragraphs (lede, then body without elisions) that its
    source marks as quotations (a WordPress ``<blockquote>``)."""

    @property
    def shipped(self) -> bool:
        """Shipped threads (from ``seeds/``) belong to no guild and are visible everywhere."""
        return self.guild_id == 0


@dataclass(frozen=True, slots=True)
class StoredParagraph:
    text: str
    quote: QuoteRef | None = None

    @property
    def own(self) -> bool:
        return self.quote is None


@dataclass(frozen=True, slots=True)
class StoredComment:
    thread_id: int
    seq: int
    number: int
    author: str
    paragraphs: tuple[StoredParagraph, ...]
    posted: str | None = None

    @property
    def own_text(self) -> str:
        return "\n\n".join(p.text for p in self.paragraphs if p.own)

    @property
    def text(self) -> str:
        return "\n\n".join(p.text for p in self.paragraphs)


@dataclass(frozen=True, slots=True)
class AuthorStats:
    name: str
    comment_count: int
    word_count: int
    first_seq: int
    last_seq: int


@dataclass(frozen=True, slots=True)
class StoredEdge:
    source: int
    source_author: str
    target: int
    target_author: str
    """The post author for target 0."""
    via: Via
    snippet: str
    confidence: float = 1.0


@dataclass(frozen=True, slots=True)
class PairCount:
    """``source`` answered ``target`` in ``count`` comments (``to_article``: via the post).

    Built from edges by ``bot.ui.graph.pair_counts`` or read aggregated by
    ``Storage.edges.pair_counts``; both order the pairs by ``rank``.
    """

    source: str
    target: str
    count: int
    to_article: bool = False

    def rank(self) -> tuple[int, bool, str, str]:
        """Sort key: busiest pairs first, then people's names, case-insensitively."""
        return (-self.count, self.to_article, self.source.casefold(), self.target.casefold())


@dataclass(frozen=True, slots=True)
class IngestResult:
    """What one ingest did: ``status`` is ``added``, ``replaced`` or ``unchanged``."""

    thread_id: int
    slug: str
    title: str
    status: Literal["added", "replaced", "unchanged"]
    comment_count: int
    authors: int
    warnings: tuple[ParseWarning, ...] = ()


ReplayMode = Literal["webhook", "embed"]
"""How a replay posts: as each author through a channel webhook, or as embeds by the bot."""

ReplayStatus = Literal["running", "stopped", "finished", "failed"]


@dataclass(frozen=True, slots=True)
class ReplayRecord:
    """One replay's row. ``(next_seq, next_part)`` is the next message to post (seq 0 = article)."""

    id: int
    guild_id: int
    channel_id: int
    """Where ``/replay start`` ran: the key for "one replay per channel"."""
    target_id: int | None
    """The channel or Discord thread the messages go to, once known."""
    thread_id: int
    first_seq: int
    last_seq: int
    next_seq: int
    next_part: int
    speed: float
    mode: ReplayMode
    status: ReplayStatus
    posted: int
    started_by: int
    started_at: str
    updated_at: str
    error: str | None
