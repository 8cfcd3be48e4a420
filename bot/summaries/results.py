"""What a summary is: frozen dataclasses, and their JSON form for the cache.

The service stores summaries as JSON text per thread version; :func:`from_json` reads them
back strictly (a payload that does not fit raises ``ValueError`` and is recomputed).
"""

from __future__ import annotations

import dataclasses
import json
import types
import typing
from dataclasses import dataclass
from typing import Any, TypeVar

SUMMARY_VERSION = 3
"""Bumped whenever the output changes, so cached payloads of older versions are ignored."""


@dataclass(frozen=True, slots=True)
class KeySentence:
    """A sentence someone wrote, with where: printed comment ``number`` (0: the article)."""

    number: int
    seq: int
    text: str
    paragraph: int = 0
    """Index of its paragraph in the comment (or the article)."""
    lead: bool = False
    """The first sentence of its paragraph."""


@dataclass(frozen=True, slots=True)
class Count:
    name: str
    count: int


@dataclass(frozen=True, slots=True)
class Exchange:
    """Two people answering each other: ``exchanges`` replies between them, ``#start``–``#end``."""

    first: str
    second: str
    exchanges: int
    start: int
    end: int


@dataclass(frozen=True, slots=True)
class Point:
    """One of a person's points: a sentence of theirs, and what it answers when it needs that.

    ``context`` is set when the sentence only makes sense with what it replies to ("How
    exactly?", "Those countries…"): ``↪ to Michael (#25): “…”``, their words, not ours."""

    sentence: KeySentence
    context: str = ""


@dataclass(frozen=True, slots=True)
class Stance:
    """A person's position in one line: their most central sentence of their own, and whom
    they mostly answered (``leaning``: ``against``, ``with``, or ``""`` when unclear)."""

    sentence: KeySentence | None
    partner: str | None = None
    exchanges: int = 0
    leaning: str = ""


@dataclass(frozen=True, slots=True)
class AuthorSummary:
    """One person in one thread: figures, partners, and what they said in their own words."""

    name: str
    wrote_article: bool
    comments: int
    words: int
    """Words of their own: quoted paragraphs excluded (the article's words for its author)."""
    first: int | None
    last: int | None
    comment_share: float
    word_share: float
    """Share of all commenters' own words (0 for a post author who did not comment)."""
    answered: tuple[Count, ...]
    answered_by: tuple[Count, ...]
    exchange: Exchange | None
    stance: Stance
    points: tuple[Point, ...]
    cites: tuple[KeySentence, ...]
    """Passages they pasted from outside the thread (a study, a news story): shown as quoted."""
    phrases: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Participant:
    name: str
    comments: int
    words: int
    word_share: float


@dataclass(frozen=True, slots=True)
class Side:
    """One main participant of a sub-conversation and what they argued in it."""

    name: str
    comments: int
    points: tuple[KeySentence, ...]


@dataclass(frozen=True, slots=True)
class Relation:
    """``source`` answered ``target`` ``count`` times in a sub-conversation, ``leaning``
    ``against`` or ``with`` them (agreement and disagreement cues in the replies)."""

    source: str
    target: str
    leaning: str
    count: int


@dataclass(frozen=True, slots=True)
class Conversation:
    """A connected part of the reply graph: who, which comments, the sides and how they met."""

    people: tuple[Count, ...]
    numbers: tuple[int, ...]
    phrases: tuple[str, ...]
    sides: tuple[Side, ...] = ()
    relations: tuple[Relation, ...] = ()


@dataclass(frozen=True, slots=True)
class Answered:
    """A comment others replied to, with how many replying comments."""

    number: int
    author: str
    replies: int
    text: str


@dataclass(frozen=True, slots=True)
class ThreadSummary:
    title: str
    post_author: str
    lede: str
    claim: tuple[KeySentence, ...]
    """The article's point in the post author's own words (quoted news copy left out)."""
    comments: int
    words: int
    participants: tuple[Participant, ...]
    conversations: tuple[Conversation, ...]
    more_conversations: int
    """Sub-conversations left out of :attr:`conversations` (the list is capped)."""
    most_answered: tuple[Answered, ...]
    article_replies: int
    exchanges: tuple[Exchange, ...]
    phrases: tuple[str, ...]


Summary = AuthorSummary | ThreadSummary
T = TypeVar("T")


# ---- JSON round trip (the cache stores payloads as text) -------------------------------


def to_json(summary: Summary) -> str:
    return json.dumps(dataclasses.asdict(summary), ensure_ascii=False, sort_keys=True)


def _decode(kind: Any, value: Any) -> Any:
    origin = typing.get_origin(kind)
    if origin in (typing.Union, types.UnionType):
        if value is None:
            return None
        options = [a for a in typing.get_args(kind) if a is not type(None)]
        return _decode(options[0], value)
    if origin is tuple:
        item = typing.get_args(kind)[0]
        return tuple(_decode(item, v) for v in value)
    if isinstance(kind, type) and dataclasses.is_dataclass(kind):
        hints = typing.get_type_hints(kind)
        return kind(
            **{f.name: _decode(hints[f.name], value[f.name]) for f in dataclasses.fields(kind)}
        )
    if kind is float:
        return float(value)
    if kind in (int, str, bool) and not isinstance(value, kind):
        raise TypeError(f"expected {kind.__name__}, got {value!r}")
    return value


def from_json(kind: type[T], payload: str) -> T:
    """The summary stored by :func:`to_json`; ``ValueError`` when it does not fit ``kind``."""
    try:
        value: T = _decode(kind, json.loads(payload))
    except (KeyError, TypeError, IndexError, AttributeError) as exc:
        raise ValueError(f"cached summary does not fit {kind.__name__}: {exc}") from exc
    return value
