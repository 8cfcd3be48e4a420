"""The person-to-person reply graph: a counts table and a PNG of it.

Comments reply to comments; people answer people. ``pair_counts`` folds the stored
comment-level edges into "who answered whom, how often" (a comment counts once per
person it answers, however many of their paragraphs it quotes). ``render_png`` draws
that with networkx and matplotlib's Agg canvas (no pyplot, no display), at a fixed
size, with at most ``MAX_PEOPLE`` people, and with labels that never show a missing
glyph box: characters no installed font has are simplified or replaced.

Drawing takes up to a second or two of pure Python and C that holds the GIL (matplotlib),
so the bot never draws in its own interpreter: :func:`draw_in_worker` runs ``render_png``
in a child process of :mod:`bot.workers` (whose forkserver has matplotlib imported
already), and every other command keeps answering meanwhile.
"""

from __future__ import annotations

import io
import threading
import unicodedata
from collections import Counter
from collections.abc import Hashable, Sequence
from functools import lru_cache

import networkx as nx

from bot.models import ARTICLE, PairCount, StoredEdge
from bot.workers import Limits, run_in_worker

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


def person_graph(pairs: Sequence[PairCount]) -> nx.DiGraph:
    """A directed graph of people; edge weight is how often the source answered the target."""
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


def render_png(pairs: Sequence[PairCount], *, title: str = "") -> bytes:
    """A PNG of the reply graph: bounded size and people, deterministic layout."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    families, covered = _fonts()
    graph = person_graph(pairs)
    people = busiest(graph)
    shown = graph.subgraph(people).copy()
    shown.remove_edges_from(list(nx.selfloop_edges(shown)))
    hidden = graph.number_of_nodes() - len(people)

    with _render_lock:
        figure = Figure(figsize=FIGURE_INCHES, dpi=DPI)
        FigureCanvasAgg(figure)
        ax = figure.add_subplot()
        ax.set_axis_off()
        heading = label(title, covered) if title else "Who answered whom"
        if hidden:
            heading += f"  (busiest {len(people)} of {graph.number_of_nodes()} people)"
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
            degree = dict(graph.degree(weight="weight"))
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
    return await run_in_worker(render_png, list(pairs), title=title, limits=GRAPH_LIMITS, key=key)
