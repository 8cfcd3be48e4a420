"""Statistics of a whole thread that summaries weigh sentences with.

Word rarity (IDF, one document per own paragraph), how often others quoted each paragraph,
and communities of a graph (for splitting a big debate). Bounded however long the thread:
beyond a few thousand paragraphs an even sample stands for the rest.
"""

from __future__ import annotations

import math
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # imported where used: the bot process needs none of networkx
    import networkx as nx

from bot.models import ARTICLE, StoredComment, StoredThread
from bot.summaries.sentences import article_paragraphs, content_words, evenly, name_key

IDF_SAMPLE = 4000
GREEDY_MAX = 120
LOUVAIN_MAX = 2000


def idf_of(documents: Iterable[Sequence[str]]) -> dict[str, float]:
    df: Counter[str] = Counter()
    n = 0
    for words in documents:
        n += 1
        df.update(set(words))
    return {w: math.log((1 + n) / (1 + c)) + 1.0 for w, c in df.items()}


def communities(graph: nx.Graph, weight: str | None = None) -> list[set[int]]:
    """Communities of ``graph``, deterministically: greedy modularity (stable, and better on
    small graphs) up to :data:`GREEDY_MAX` nodes, Louvain with a fixed seed beyond (greedy
    modularity is quadratic-ish and takes seconds on a few hundred dense nodes), and label
    propagation beyond :data:`LOUVAIN_MAX` (Louvain takes seconds on 20,000 comments)."""
    import networkx as nx

    if graph.number_of_nodes() <= GREEDY_MAX:
        found = nx.community.greedy_modularity_communities(graph, weight=weight)
    elif graph.number_of_nodes() <= LOUVAIN_MAX:
        found = nx.community.louvain_communities(graph, weight=weight, seed=0)
    else:
        found = nx.community.label_propagation_communities(graph)
    return sorted((set(c) for c in found), key=min)


def echo_counts(
    thread: StoredThread, comments: Sequence[StoredComment]
) -> dict[tuple[int, int], int]:
    """How many comments of other people quoted each ``(seq, paragraph)``."""
    authors = {c.seq: name_key(c.author) for c in comments}
    authors[ARTICLE] = name_key(thread.author)
    quoting: dict[tuple[int, int], set[int]] = defaultdict(set)
    for c in comments:
        for p in c.paragraphs:
            if p.quote is not None and authors.get(p.quote.seq) != name_key(c.author):
                quoting[(p.quote.seq, p.quote.paragraph)].add(c.seq)
    return {key: len(seqs) for key, seqs in quoting.items()}


def thread_idf(thread: StoredThread, comments: Sequence[StoredComment]) -> dict[str, float]:
    """Word rarity over the thread, one document per own paragraph.

    Paragraphs, not sentences: splitting every paragraph of a big thread into sentences
    (pysbd) took seconds for one person's summary, and rarity barely changes. Beyond
    :data:`IDF_SAMPLE` paragraphs an even sample stands for the rest (rarity estimated from
    4,000 paragraphs is as good, and a 20,000-comment thread stays well under a second).
    """
    own = [p.text for c in comments for p in c.paragraphs if p.own]
    docs = [content_words(p) for p in article_paragraphs(thread)]
    docs += [content_words(p) for p in evenly(own, IDF_SAMPLE)]
    return idf_of(docs)
