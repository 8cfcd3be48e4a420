"""Which sentences to show: LexRank centrality, then MMR so the few shown say different things.

LexRank: TF-IDF cosine similarity between sentences (IDF from the whole thread, so words
everybody uses weigh less), PageRank over that graph. PageRank is a short power iteration
in numpy (``networkx.pagerank`` would pull in scipy for this one call); ``networkx`` finds
the topics (communities of the similarity graph).
"""

from __future__ import annotations

import math
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import networkx as nx
import numpy as np

from bot.models import ARTICLE, StoredComment, StoredThread
from bot.summaries.results import KeySentence
from bot.summaries.sentences import article_paragraphs, content_words, evenly, name_key

MAX_SENTENCES = 8
MAX_CANDIDATES = 1500
"""Sentences ranked per summary at most (the similarity matrix is this squared)."""
SIMILARITY_FLOOR = 0.08
"""Cosine similarity below which two sentences are not linked in the LexRank graph."""
DAMPING = 0.85
MMR_LAMBDA = 0.6
"""Weight of centrality against novelty when picking the next sentence."""
LEAD_PRIOR = 2.0
"""Teleport weight of a paragraph's first sentence (others 1): replies state their point first."""
ECHO_PRIOR = 1.0
"""Extra teleport weight per comment of someone else that quoted the sentence's paragraph:
what others answered is, by the thread's own judgement, a point that mattered."""
TOPIC_OVERLAP = 0.8
"""Repetition charged to a sentence on a topic (similarity community) already shown."""
IDF_SAMPLE = 4000
MIN_CONTENT_WORDS = 3
GREEDY_MAX = 120
LOUVAIN_MAX = 2000


@dataclass(frozen=True, slots=True)
class _Candidate:
    order: int
    sentence: KeySentence
    words: tuple[str, ...]


def idf_of(documents: Iterable[Sequence[str]]) -> dict[str, float]:
    df: Counter[str] = Counter()
    n = 0
    for words in documents:
        n += 1
        df.update(set(words))
    return {w: math.log((1 + n) / (1 + c)) + 1.0 for w, c in df.items()}


def _vectors(
    candidates: Sequence[_Candidate], idf: Mapping[str, float]
) -> np.ndarray[Any, np.dtype[np.float64]]:
    vocabulary: dict[str, int] = {}
    for c in candidates:
        for w in c.words:
            vocabulary.setdefault(w, len(vocabulary))
    matrix = np.zeros((len(candidates), max(1, len(vocabulary))))
    for i, c in enumerate(candidates):
        for w, tf in Counter(c.words).items():
            matrix[i, vocabulary[w]] = tf * idf.get(w, 1.0)
    norms = np.linalg.norm(matrix, axis=1, keepdims=True)
    norms[norms == 0] = 1.0
    result: np.ndarray[Any, np.dtype[np.float64]] = matrix / norms
    return result


def pagerank(
    similarity: np.ndarray[Any, np.dtype[np.float64]],
    prior: np.ndarray[Any, np.dtype[np.float64]] | None = None,
    *,
    iterations: int = 100,
) -> np.ndarray[Any, np.dtype[np.float64]]:
    """Weighted PageRank by power iteration, teleporting by ``prior`` (uniform if none);
    a sentence like no other spreads its rank by the prior too."""
    n = similarity.shape[0]
    teleport = np.full(n, 1.0 / n) if prior is None else prior / prior.sum()
    weights = similarity.copy()
    np.fill_diagonal(weights, 0.0)
    weights[weights < SIMILARITY_FLOOR] = 0.0
    out = weights.sum(axis=1, keepdims=True)
    dangling = out[:, 0] == 0
    transition = np.divide(weights, out, out=np.zeros_like(weights), where=out > 0)
    rank = np.full(n, 1.0 / n)
    for _ in range(iterations):
        spread = rank[dangling].sum() * teleport
        new = (1 - DAMPING) * teleport + DAMPING * (rank @ transition + spread)
        if np.abs(new - rank).sum() < 1e-10:
            rank = new
            break
        rank = new
    result: np.ndarray[Any, np.dtype[np.float64]] = rank
    return result


def central_sentences(
    sentences: Sequence[KeySentence],
    idf: Mapping[str, float],
    limit: int,
    echoes: Mapping[tuple[int, int], int] | None = None,
) -> tuple[KeySentence, ...]:
    """The ``limit`` most central sentences that say different things, in thread order.

    ``echoes`` counts, per ``(seq, paragraph)``, the comments of others that quoted it.
    """
    echoes = echoes or {}
    candidates = [_Candidate(i, s, tuple(content_words(s.text))) for i, s in enumerate(sentences)]
    seen: set[str] = set()
    unique = []
    for c in candidates:
        key = " ".join(c.sentence.text.casefold().split())
        if key not in seen:  # a sentence said twice is one candidate (the first)
            seen.add(key)
            unique.append(c)
    candidates = unique
    informative = [c for c in candidates if len(set(c.words)) >= MIN_CONTENT_WORDS]
    if len(informative) < limit:
        informative = [c for c in candidates if c.words] or candidates
    if len(informative) > MAX_CANDIDATES:
        # Keep the sentences with the most distinct words, still in thread order.
        keep = sorted(informative, key=lambda c: (-len(set(c.words)), c.order))[:MAX_CANDIDATES]
        informative = sorted(keep, key=lambda c: c.order)
    if not informative:
        return ()
    vectors = _vectors(informative, idf)
    similarity = vectors @ vectors.T
    prior = np.array(
        [
            (LEAD_PRIOR if c.sentence.lead else 1.0)
            * (1.0 + ECHO_PRIOR * echoes.get((c.sentence.seq, c.sentence.paragraph), 0))
            for c in informative
        ]
    )
    # Centrality times substance: a short aside that shares one common word with many
    # sentences should not beat a full sentence that states a point.
    substance = np.array([math.log1p(len(set(c.words))) for c in informative])
    rank = pagerank(similarity, prior) * substance
    score = rank / rank.max()
    chosen = _pick(
        similarity,
        score,
        topics(similarity),
        [c.sentence.seq for c in informative],
        [(c.sentence.seq, c.sentence.paragraph) for c in informative],
        limit,
    )
    return tuple(informative[i].sentence for i in sorted(chosen))


def communities(graph: nx.Graph, weight: str | None = None) -> list[set[int]]:
    """Communities of ``graph``, deterministically: greedy modularity (stable, and better on
    small graphs) up to :data:`GREEDY_MAX` nodes, Louvain with a fixed seed beyond (greedy
    modularity is quadratic-ish and takes seconds on a few hundred dense nodes), and label
    propagation beyond :data:`LOUVAIN_MAX` (Louvain takes seconds on 20,000 comments)."""
    if graph.number_of_nodes() <= GREEDY_MAX:
        found = nx.community.greedy_modularity_communities(graph, weight=weight)
    elif graph.number_of_nodes() <= LOUVAIN_MAX:
        found = nx.community.louvain_communities(graph, weight=weight, seed=0)
    else:
        found = nx.community.label_propagation_communities(graph)
    return sorted((set(c) for c in found), key=min)


def topics(similarity: np.ndarray[Any, np.dtype[np.float64]]) -> list[list[int]]:
    """Groups of sentences that talk about the same thing: communities of the similarity graph."""
    n = similarity.shape[0]
    graph = nx.Graph()
    graph.add_nodes_from(range(n))
    rows, cols = np.nonzero(np.triu(similarity, 1) >= SIMILARITY_FLOOR)
    graph.add_weighted_edges_from(
        (int(i), int(j), float(similarity[i, j])) for i, j in zip(rows, cols, strict=True)
    )
    groups = communities(graph, weight="weight")
    return [sorted(g) for g in groups]


def _pick(
    similarity: np.ndarray[Any, np.dtype[np.float64]],
    score: np.ndarray[Any, np.dtype[np.float64]],
    groups: Sequence[Sequence[int]],
    seqs: Sequence[int],
    paragraphs: Sequence[tuple[int, int]],
    limit: int,
) -> list[int]:
    """Greedy MMR with tiers: a comment not used yet first, then a paragraph not used yet;
    within a tier, centrality minus repetition (word overlap, or the same topic)."""
    topic = {i: k for k, g in enumerate(groups) for i in g}
    chosen: list[int] = []
    remaining = list(range(len(score)))
    while remaining and len(chosen) < limit:
        used_seqs = {seqs[j] for j in chosen}
        used_paragraphs = {paragraphs[j] for j in chosen}
        used_topics = {topic[j] for j in chosen}

        def value(
            i: int,
            used_seqs: set[int] = used_seqs,
            used_paragraphs: set[tuple[int, int]] = used_paragraphs,
            used_topics: set[int] = used_topics,
        ) -> tuple[bool, bool, float, int]:
            overlap = max((float(similarity[i, j]) for j in chosen), default=0.0)
            if topic[i] in used_topics:
                overlap = max(overlap, TOPIC_OVERLAP)
            return (
                seqs[i] not in used_seqs,
                paragraphs[i] not in used_paragraphs,
                MMR_LAMBDA * float(score[i]) - (1 - MMR_LAMBDA) * overlap,
                -i,
            )

        best = max(remaining, key=value)
        chosen.append(best)
        remaining.remove(best)
    return chosen


def sentence_budget(count: int) -> int:
    """How many sentences to show for someone who wrote ``count``: grows slowly, up to 8."""
    return max(min(count, 2), min(MAX_SENTENCES, round(1.2 * math.sqrt(count))))


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
