"""Comments that name their parent by id (web APIs, Disqus) → numbered comments of a thread.

Every source that records "this answers that" by an id of its own goes through here,
so ordering, numbering and parent links behave the same for all of them: comments in
the order they were written, numbered 1…n, each ``parent`` id mapped to the parent's
number (the ``parent`` reply edge of inference). A reply whose parent is not in the
thread (left out, deleted, beyond the import limit) is attached to its nearest kept
ancestor, or to nothing.
"""

from __future__ import annotations

import json
from collections.abc import Hashable, Sequence
from dataclasses import dataclass
from functools import partial

from bot.models import Comment, ParseWarning, Thread, content_hash

Reading = partial[Thread]
"""A pure conversion bound to the data a source gave (``partial(wordpress_thread, post,
…)``): picklable, so it runs in the sandboxed parsing worker, not in the bot."""


@dataclass(frozen=True, slots=True)
class RawComment:
    """A comment as a source gave it: its own id, its parent's id (``None`` at top level)."""

    id: Hashable
    parent: Hashable | None
    author: str
    paragraphs: tuple[str, ...]
    posted: str | None
    order: tuple[str, int]
    """Sort key: a sortable timestamp, then a tiebreak (the source's numeric id)."""
    quoted: frozenset[int] = frozenset()
    """Paragraphs the source marks as quotations (``<blockquote>``, a markdown ``>``)."""


def number_comments(
    raw: Sequence[RawComment],
    source: str,
    *,
    known_parents: dict[Hashable, Hashable | None] | None = None,
) -> tuple[tuple[Comment, ...], list[ParseWarning]]:
    """Numbered comments in writing order; a reply always comes after what it answers.

    ``known_parents`` adds parent links of comments that were left out, so that a
    reply to one of them is attached to the nearest kept ancestor.
    """
    by_id = {c.id: c for c in raw}
    parents: dict[Hashable, Hashable | None] = dict(known_parents or {})
    parents.update({c.id: c.parent for c in raw})
    order: dict[Hashable, tuple[str, int, int]] = {}

    def key(comment: RawComment) -> tuple[str, int, int]:
        # A reply sorts after its parent even when clocks disagree: its key is at least
        # one generation past the parent's.
        chain = []
        node: RawComment | None = comment
        while node is not None and node.id not in order and node.id not in chain:
            chain.append(node.id)
            node = by_id.get(node.parent) if node.parent is not None else None
        floor = order.get(node.id) if node is not None else None
        for cid in reversed(chain):
            own = (*by_id[cid].order, 0)
            floor = own if floor is None else max(own, (floor[0], floor[1], floor[2] + 1))
            order[cid] = floor
        return order[comment.id]

    kept = sorted(raw, key=key)
    numbers = {c.id: n for n, c in enumerate(kept, start=1)}
    comments: list[Comment] = []
    warnings: list[ParseWarning] = []
    for number, item in enumerate(kept, start=1):
        parent_number = _kept_ancestor(item.parent, parents, numbers)
        if parent_number is not None and parent_number >= number:
            parent_number = None
        if not item.paragraphs:
            warnings.append(ParseWarning(source, 0, f"comment {number} has no text"))
        comments.append(
            Comment(
                seq=number,
                number=number,
                author=item.author,
                paragraphs=item.paragraphs,
                posted=item.posted,
                parent_number=parent_number,
                quoted=item.quoted,
            )
        )
    return tuple(comments), warnings


def _kept_ancestor(
    parent: Hashable | None,
    parents: dict[Hashable, Hashable | None],
    numbers: dict[Hashable, int],
) -> int | None:
    seen: set[Hashable] = set()
    while parent is not None and parent not in seen:
        if parent in numbers:
            return numbers[parent]
        seen.add(parent)
        parent = parents.get(parent)
    return None


def build_thread(
    *,
    source: str,
    title: str,
    paragraphs: Sequence[str],
    quoted: frozenset[int] = frozenset(),
    author: str,
    author_bio: str = "",
    comments: tuple[Comment, ...],
    url: str | None,
    published: str | None,
    tags: tuple[str, ...] = (),
    warnings: Sequence[ParseWarning] = (),
) -> Thread:
    """A :class:`Thread` whose ``content_hash`` covers everything shown, like WXR threads.

    ``quoted`` indexes ``paragraphs`` (the lede is paragraph 0), as
    :attr:`Thread.quoted` indexes :attr:`Thread.article_paragraphs`."""
    identity = json.dumps(
        [
            title,
            list(paragraphs),
            sorted(quoted),
            tags,
            author,
            author_bio,
            url,
            published,
            [
                (c.number, c.author, c.paragraphs, sorted(c.quoted), c.posted, c.parent_number)
                for c in comments
            ],
        ],
        ensure_ascii=False,
    )
    return Thread(
        source=source,
        title=title,
        lede=paragraphs[0] if paragraphs else "",
        body=tuple(paragraphs[1:]),
        tags=tags,
        author=author,
        author_bio=author_bio,
        comments=comments,
        url=url,
        published=published,
        quoted=quoted,
        warnings=tuple(warnings),
        content_hash=content_hash(identity),
    )
