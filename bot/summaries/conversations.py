"""The reply graph as a reader sees it: who answered whom, back-and-forths, sub-conversations."""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # imported where used: the bot process builds prompts, never graphs
    import networkx as nx

from bot.models import ARTICLE, StoredComment, StoredEdge
from bot.summaries.results import Count, Exchange
from bot.summaries.sentences import name_key
from bot.summaries.statistics import communities

SPLIT_CONVERSATION_AT = 40
"""A connected part of the reply graph bigger than this is split into its communities."""
MIN_PIECE = 4
TREES_FROM = 2000
"""From this many comments on, a debate is split along its reply trees (see _reply_trees)."""
"""A community smaller than this is not a sub-conversation of its own."""


def replies(edges: Sequence[StoredEdge]) -> list[StoredEdge]:
    """One edge per (replying comment, replied-to person): a comment quoting two paragraphs
    of the same person answered them once."""
    seen: set[tuple[int, int | str]] = set()
    out = []
    for edge in edges:
        key: tuple[int, int | str] = (
            edge.source,
            edge.target if edge.target == ARTICLE else edge.target_author,
        )
        if key not in seen:
            seen.add(key)
            out.append(edge)
    return out


def counts(counter: Counter[str]) -> tuple[Count, ...]:
    return tuple(
        Count(n, c) for n, c in sorted(counter.items(), key=lambda kv: (-kv[1], name_key(kv[0])))
    )


def exchanges(edges: Sequence[StoredEdge], numbers: Mapping[int, int]) -> list[Exchange]:
    """People who answered each other (both ways), most replies between them first."""
    between: dict[tuple[str, str], set[int]] = defaultdict(set)
    directions: dict[tuple[str, str], set[str]] = defaultdict(set)
    for edge in replies(edges):
        if edge.target == ARTICLE or edge.source_author == edge.target_author:
            continue
        pair = tuple(sorted((edge.source_author, edge.target_author), key=name_key))
        key = (pair[0], pair[1])
        between[key].add(edge.source)
        directions[key].add(edge.source_author)
    out = []
    for (a, b), seqs in between.items():
        if len(directions[(a, b)]) < 2:
            continue
        nums = [numbers.get(s, s) for s in seqs]
        out.append(Exchange(a, b, len(seqs), min(nums), max(nums)))
    out.sort(key=lambda e: (-e.exchanges, e.start, name_key(e.first), name_key(e.second)))
    return out


def reply_targets(edges: Sequence[StoredEdge]) -> dict[int, int]:
    """The comment each comment mainly answers: a comment over the article, then a quote
    over a threaded reply over a mention over an implicit answer."""
    rank = {"quote": 0, "parent": 1, "mention": 2, "implicit": 3}
    best: dict[int, tuple[int, int]] = {}
    for e in edges:
        key = (rank.get(e.via, 4) + (10 if e.target == ARTICLE else 0), e.target)
        if e.source not in best or key < best[e.source]:
            best[e.source] = key
    return {source: target for source, (_, target) in best.items()}


def conversations(
    comments: Sequence[StoredComment], edges: Sequence[StoredEdge]
) -> list[list[StoredComment]]:
    """Sub-conversations: connected parts of the comment reply graph (the article left out),
    each at least two comments, biggest first.

    A part is one debate and stays whole up to :data:`SPLIT_CONVERSATION_AT` comments; a
    bigger one is split into its communities, except a chain (one reply after another,
    however deep), which is never cut. Pieces smaller than :data:`MIN_PIECE` join the
    piece they share most replies with, so a split leaves no crumbs.
    """
    import networkx as nx

    by_seq = {c.seq: c for c in comments}
    graph = nx.Graph()
    graph.add_nodes_from(sorted(by_seq))
    for edge in sorted(edges, key=lambda e: (e.source, e.target)):
        ends = (edge.source, edge.target)
        if edge.target != ARTICLE and edge.source != edge.target and all(s in by_seq for s in ends):
            graph.add_edge(edge.source, edge.target)
    parts: list[set[int]] = []
    for component in sorted(nx.connected_components(graph), key=min):
        if len(component) < 2:
            continue
        sub = graph.subgraph(sorted(component))
        if len(component) <= SPLIT_CONVERSATION_AT or max(d for _, d in sub.degree) <= 2:
            parts.append(set(component))
            continue
        pieces = _reply_trees(sub, edges) if len(component) > TREES_FROM else communities(sub)
        parts.extend(_merge_small(pieces, sub))
    parts.sort(key=lambda p: (-len(p), min(p)))
    return [[by_seq[s] for s in sorted(p)] for p in parts]


def _reply_trees(graph: nx.Graph, edges: Sequence[StoredEdge]) -> list[set[int]]:
    """A very big debate cut along its reply trees: each comment joined only to the comment
    it answers most directly (a quote before a threaded reply before a mention). Linear,
    where community detection takes seconds on 20,000 comments; a chain stays whole."""
    rank = {"quote": 0, "parent": 1, "mention": 2}
    best: dict[int, tuple[int, int]] = {}
    for e in edges:
        if e.source in graph and e.target in graph and e.source != e.target:
            key = (rank.get(e.via, 3), -e.target)
            if e.source not in best or key < best[e.source]:
                best[e.source] = key
    root = {node: node for node in graph}

    def find(node: int) -> int:
        while root[node] != node:
            root[node] = root[root[node]]
            node = root[node]
        return node

    for source, (_, negative_target) in sorted(best.items()):
        a, b = find(source), find(-negative_target)
        if a != b:
            root[max(a, b)] = min(a, b)
    trees: dict[int, set[int]] = defaultdict(set)
    for node in graph:
        trees[find(node)].add(node)
    return [trees[k] for k in sorted(trees)]


def _merge_small(pieces: list[set[int]], graph: nx.Graph) -> list[set[int]]:
    """Pieces under :data:`MIN_PIECE` comments merged into their best-connected neighbour
    (smallest first; a piece with no link out joins the biggest)."""
    owner = {node: k for k, piece in enumerate(pieces) for node in piece}
    members = {k: set(piece) for k, piece in enumerate(pieces)}
    for k in sorted(members, key=lambda k: (len(members[k]), min(members[k]))):
        if len(members) == 1 or len(members[k]) >= MIN_PIECE:
            continue
        links: Counter[int] = Counter(
            owner[b] for a in members[k] for b in graph[a] if owner[b] != k
        )
        if links:
            target = max(links, key=lambda t: (links[t], -min(members[t])))
        else:
            target = max((t for t in members if t != k), key=lambda t: (len(members[t]), -t))
        for node in members[k]:
            owner[node] = target
        members[target] |= members.pop(k)
    return list(members.values())
