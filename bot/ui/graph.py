"""The person-to-person reply graph: a counts table and a PNG of it.

Comments reply to comments; people answer people. ``pair_counts`` folds the stored
comment-level edges into "who answered whom, how often" (a comment counts once per
person it answers, however many of their paragraphs it quotes). ``render_png`` draws
that with networkx and matplotlib's Agg canvas (no pyplot, no display), at a fixed
size, with at most ``MAX_PEOPLE`` people, and with labels that never show a missing
glyph box: characters no installed font has are simplified or replaced.

Drawing takes up to a second or two of pure Python and C that holds the GIL (matplotlib),
so the bot never draws in its own interpreter: :func:`draw_in_worker` runs ``render_png``
in a child process of :mod:`bot.workers` (whose forkserver has matplotlib and networkx
imported already; the bot process imports neither), and every other command keeps
answering meanwhile. What it sends is a :class:`Drawing`, only what the picture shows:
a 20,000-comment thread has 20,000 pairs, whose pickling alone took the bot 0.1 s of CPU.
"""

from __future__ import annotations

import io
import threading
import unicodedata
from collections import Counter
from collections.abc import Hashable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING

from bot.models import ARTICLE, PairCount, StoredEdge
from bot.workers import Limits, run_in_worker

if TYPE_CHECKING:  # imported where used: only workers draw
    import networkx as nx

MAX_PEOPLE = 25
LABEL_MAX = 24
FIGURE_INCHES = (10.0, 7.5)
DPI = 100
FALLBACK_FAMILIES = (
    "Noto Sans CJK JP",
    "Noto Sans CJK SC",
    "Noto Sans",
    "Droid Sans Fallback",
    "WenQuanYi Zen Hei",
    "Noto Sans Symbols 2",
)

GRAPH_LIMITS = Limits(cpu_s=15.0, memory_mb=200, wall_s=30.0)
"""A drawing of 600 people and 5,000 pairs allocates under 50 MB beyond the preloaded
matplotlib and takes about a second; the limits only stop a runaway, the input is bounded."""

_render_lock = threading.Lock()


def pair_counts(edges: Sequence[StoredEdge]) -> list[PairCount]:
    """People-level reply counts from comment-level edges, busiest pairs first."""
    seen: set[tuple[int, str, bool]] = set()
    counts: Counter[tuple[str, str, bool]] = Counter()
    for edge in edges:
        to_article = edge.target == ARTICLE
        key = (edge.source, edge.target_author, to_article)
        if key in seen:
            continue
        seen.add(key)
        counts[(edge.source_author, edge.target_author, to_article)] += 1
    pairs = [PairCount(s, t, n, a) for (s, t, a), n in counts.items()]
    pairs.sort(key=PairCount.rank)
    return pairs


@dataclass(frozen=True, slots=True)
class Drawing:
    """What the picture shows: the busiest ``people`` (busiest first) with their replies
    given and received (``degree``, counted over everyone), the replies among them
    (``edges``: indexes into ``people`` and a count, no self-replies), and how many people
    the thread has in all (the heading says "busiest 25 of ``total``")."""

    people: tuple[str, ...]
    degree: tuple[int, ...]
    edges: tuple[tuple[int, int, int], ...]
    total: int


def drawing(pairs: Sequence[PairCount], limit: int = MAX_PEOPLE) -> Drawing:
    """The :class:`Drawing` of ``pairs``: ``busiest(person_graph(pairs), limit)`` and the
    edges among those people, in plain Python (cheap enough for the bot process)."""
    weight: dict[tuple[str, str], int] = {}
    degree: dict[str, int] = {}
    for pair in pairs:
        ends = (pair.source, pair.target)
        weight[ends] = weight.get(ends, 0) + pair.count
        degree[pair.source] = degree.get(pair.source, 0) + pair.count
        degree[pair.target] = degree.get(pair.target, 0) + pair.count
    people = sorted(degree, key=lambda n: (-degree[n], n.casefold()))[:limit]
    index = {name: i for i, name in enumerate(people)}
    edges = tuple(
        (index[s], index[t], w)
        for (s, t), w in weight.items()
        if s != t and s in index and t in index
    )
    return Drawing(tuple(people), tuple(degree[n] for n in people), edges, len(degree))


def person_graph(pairs: Sequence[PairCount]) -> nx.DiGraph:
    """A directed graph of people; edge weight is how often the source answered the target."""
    import networkx as nx

    graph = nx.DiGraph()
    for pair in pairs:
        if graph.has_edge(pair.source, pair.target):
            graph[pair.source][pair.target]["weight"] += pair.count
        else:
            graph.add_edge(pair.source, pair.target, weight=pair.count)
    return graph


def busiest(graph: nx.DiGraph, limit: int = MAX_PEOPLE) -> list[str]:
    """The ``limit`` people with the most replies given and received, busiest first."""
    degree = dict(graph.degree(weight="weight"))
    return sorted(degree, key=lambda n: (-degree[n], str(n).casefold()))[:limit]


# ---- fonts and labels ----------------------------------------------------------------


@lru_cache(maxsize=1)
def _fonts() -> tuple[tuple[str, ...], frozenset[int]]:
    """Font families to use (DejaVu Sans, then installed fallbacks) and the code points covered."""
    from matplotlib import font_manager
    from matplotlib.ft2font import FT2Font

    installed = {f.name: f.fname for f in font_manager.fontManager.ttflist}
    families = ["DejaVu Sans"] + [f for f in FALLBACK_FAMILIES if f in installed]
    covered: set[int] = set()
    for family in families:
        path = installed.get(family) or font_manager.findfont(family, fallback_to_default=True)
        try:
            covered.update(FT2Font(path).get_charmap())
        except (OSError, RuntimeError):
            continue
    return tuple(families), frozenset(covered)


def label(name: str, covered: frozenset[int] | None = None) -> str:
    """``name`` shortened, with characters no font can draw simplified (é→e) or shown as ``?``."""
    if covered is None:
        covered = _fonts()[1]
    out: list[str] = []
    for ch in " ".join(name.split()):
        if ord(ch) in covered:
            out.append(ch)
            continue
        base = "".join(c for c in unicodedata.normalize("NFKD", ch) if not unicodedata.combining(c))
        out.append(base if base and all(ord(c) in covered for c in base) else "?")
    text = "".join(out) or "?"
    return text if len(text) <= LABEL_MAX else text[: LABEL_MAX - 1] + "…"


# ---- drawing -------------------------------------------------------------------------


def render_png(pairs: Sequence[PairCount] | Drawing, *, title: str = "") -> bytes:
    """A PNG of the reply graph: bounded size and people, deterministic layout."""
    import networkx as nx
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    families, covered = _fonts()
    drawn = pairs if isinstance(pairs, Drawing) else drawing(pairs)
    people = list(drawn.people)
    shown = nx.DiGraph()
    shown.add_nodes_from(people)
    shown.add_weighted_edges_from((people[u], people[v], w) for u, v, w in drawn.edges)
    degree = dict(zip(people, drawn.degree, strict=True))
    hidden = drawn.total - len(people)

    with _render_lock:
        figure = Figure(figsize=FIGURE_INCHES, dpi=DPI)
        FigureCanvasAgg(figure)
        ax = figure.add_subplot()
        ax.set_axis_off()
        heading = label(title, covered) if title else "Who answered whom"
        if hidden:
            heading += f"  (busiest {len(people)} of {drawn.total} people)"
        ax.set_title(heading, fontfamily=list(families), fontsize=13, parse_math=False)
        if shown.number_of_nodes() == 0:
            ax.text(
                0.5,
                0.5,
                "No replies found",
                ha="center",
                va="center",
                fontfamily=list(families),
                parse_math=False,
            )
        else:
            order = [n for n in people if n in shown]
            positions = (
                nx.circular_layout(order)
                if len(order) > 2
                else {n: (float(i), 0.0) for i, n in enumerate(order)}
            )
            top = max(degree[n] for n in shown.nodes) or 1
            sizes = [300 + 1500 * degree[n] / top for n in shown.nodes]
            weights = [shown[u][v]["weight"] for u, v in shown.edges]
            heaviest = max(weights, default=1)
            nx.draw_networkx_nodes(
                shown,
                positions,
                ax=ax,
                node_size=sizes,
                node_color="#9cc3e6",
                edgecolors="#2f5d8a",
            )
            nx.draw_networkx_edges(
                shown,
                positions,
                ax=ax,
                node_size=sizes,
                arrows=True,
                arrowsize=14,
                width=[0.8 + 4.0 * w / heaviest for w in weights],
                edge_color="#5a6b7d",
                alpha=0.7,
                connectionstyle="arc3,rad=0.12",
            )
            for node, (x, y) in positions.items():
                ax.text(
                    x,
                    y,
                    label(str(node), covered),
                    ha="center",
                    va="center",
                    fontsize=10,
                    fontfamily=list(families),
                    parse_math=False,
                    bbox={"boxstyle": "round,pad=0.2", "fc": "white", "ec": "none", "alpha": 0.75},
                )
        ax.margins(0.12)
        buffer = io.BytesIO()
        figure.savefig(buffer, format="png", dpi=DPI)
    return buffer.getvalue()


async def draw_in_worker(
    pairs: Sequence[PairCount], *, title: str = "", key: Hashable | None = None
) -> bytes:
    """``render_png`` in a worker process (see the module docstring); raises
    :class:`bot.workers.WorkerError` when the drawing did not finish."""
    shown = drawing(pairs)
    return await run_in_worker(render_png, shown, title=title, limits=GRAPH_LIMITS, key=key)
