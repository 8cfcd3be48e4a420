"""The person-to-person reply graph: counts, bounded PNG, labels that always render."""

from __future__ import annotations

import io
import struct
import time
import warnings
from dataclasses import replace

from matplotlib.image import imread

from benchmarks.synthetic import generate_thread
from bot.models import ReplyEdge, ReplyStructure, StoredEdge
from bot.sources.capture import parse_thread
from bot.storage import Storage
from bot.ui.graph import (
    MAX_PEOPLE,
    PairCount,
    busiest,
    draw_in_worker,
    drawing,
    label,
    pair_counts,
    person_graph,
    render_png,
)
from bot.workers import shutdown_workers
from tests.conftest import SEED_FILE


def edge(src: int, sa: str, dst: int, da: str, via: str = "quote") -> StoredEdge:
    return StoredEdge(src, sa, dst, da, via, "")  # type: ignore[arg-type]


def png_size(data: bytes) -> tuple[int, int]:
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    width, height = struct.unpack(">II", data[16:24])
    return width, height


def test_a_comment_counts_once_per_person_it_answers() -> None:
    edges = [
        edge(5, "Bob", 2, "Al"),
        edge(5, "Bob", 2, "Al", "mention"),  # same comment pair, another way of knowing
        edge(5, "Bob", 3, "Al"),  # same person answered in another comment of theirs
        edge(6, "Bob", 2, "Al"),
        edge(6, "Bob", 0, "Jane"),
        edge(7, "Al", 5, "Bob"),
    ]
    pairs = pair_counts(edges)
    assert pairs == [
        PairCount("Bob", "Al", 2),
        PairCount("Al", "Bob", 1),
        PairCount("Bob", "Jane", 1, to_article=True),
    ]


def test_person_graph_weights_and_busiest() -> None:
    pairs = [PairCount("A", "B", 3), PairCount("B", "A", 1), PairCount("C", "A", 1, True)]
    graph = person_graph(pairs)
    assert graph["A"]["B"]["weight"] == 3
    assert busiest(graph, 2) == ["A", "B"]


async def test_storage_counts_pairs_like_pair_counts_on_the_seed(seeded: Storage) -> None:
    thread = (await seeded.threads.visible(None))[0]
    expected = pair_counts(await seeded.edges.all(thread.id))
    assert any(p.to_article for p in expected) and any(not p.to_article for p in expected)
    assert await seeded.edges.pair_counts(thread.id) == expected


async def test_storage_counts_pairs_like_pair_counts_on_a_synthetic_thread(
    storage: Storage,
) -> None:
    synthetic = generate_thread(400, 5)
    thread = parse_thread(synthetic.text, synthetic.source)
    stored = await storage.ingest(thread, synthetic.expected)
    expected = pair_counts(await storage.edges.all(stored.thread_id))
    counts = [p.count for p in expected]
    assert len(expected) > 50 and max(counts) > 1
    assert len(set(counts)) < len(counts)  # ties: the order among equal counts is compared too
    assert await storage.edges.pair_counts(stored.thread_id) == expected
    assert await storage.edges.pair_counts(stored.thread_id + 1) == []


async def test_storage_pair_counts_edge_cases(storage: Storage, seed_text: str) -> None:
    """Names equal but for case stay apart; the post author as commenter and as the article
    are two pairs; a comment counts once per person, however many ways it answers them."""
    seed = parse_thread(seed_text, SEED_FILE.name)
    names = ["Bob", "bob", seed.author, "Al", "Al", "Cy", "Cy", "Bob"]
    comments = tuple(
        replace(c, author=names[i] if i < len(names) else "Dee")
        for i, c in enumerate(seed.comments)
    )
    thread = replace(seed, comments=comments)
    edges = (
        ReplyEdge(4, 3, "quote"),
        ReplyEdge(4, 3, "mention"),
        ReplyEdge(4, 0, "article"),
        ReplyEdge(5, 3, "quote"),
        ReplyEdge(5, 2, "quote"),
        ReplyEdge(5, 1, "quote"),
        ReplyEdge(5, 8, "mention"),  # Bob again, in another comment: still once
        ReplyEdge(6, 2, "quote"),  # Cy answers bob first, then Bob: a tie kept in that order
        ReplyEdge(7, 1, "quote"),
        ReplyEdge(7, 6, "parent"),
        ReplyEdge(8, 0, "article"),
        ReplyEdge(9, 8, "quote"),
    )
    stored = await storage.ingest(thread, ReplyStructure(edges=edges))
    expected = pair_counts(await storage.edges.all(stored.thread_id))
    assert PairCount("Al", seed.author, 2) in expected
    assert PairCount("Al", seed.author, 1, to_article=True) in expected
    assert PairCount("Al", "Bob", 1) in expected and PairCount("Al", "bob", 1) in expected
    cy = [p.target for p in expected if p.source == "Cy" and p.target.casefold() == "bob"]
    assert cy == ["bob", "Bob"]
    assert await storage.edges.pair_counts(stored.thread_id) == expected


async def test_the_seed_graph_renders_a_bounded_png(seeded: Storage) -> None:
    thread = (await seeded.threads.visible(None))[0]
    pairs = pair_counts(await seeded.edges.all(thread.id))
    assert pairs and sum(p.count for p in pairs) >= thread.comment_count - 1
    start = time.perf_counter()
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # a missing glyph would warn
        data = render_png(pairs, title=thread.title)
    assert time.perf_counter() - start < 10
    assert png_size(data) == (1000, 750)
    assert len(data) < 1_000_000


def test_many_people_are_capped_and_still_fast() -> None:
    pairs = [PairCount(f"Person {i}", f"Person {(i * 7 + 1) % 200}", i % 5 + 1) for i in range(400)]
    assert len(busiest(person_graph(pairs))) == MAX_PEOPLE
    render_png(pairs[:3])  # warm up imports and fonts
    start = time.perf_counter()
    data = render_png(pairs, title="Big")
    assert time.perf_counter() - start < 5
    assert png_size(data) == (1000, 750)


def test_no_pairs_still_gives_an_image() -> None:
    assert png_size(render_png([])) == (1000, 750)


def test_labels_keep_what_a_font_can_draw_and_replace_the_rest() -> None:
    covered = frozenset(map(ord, "Zoe §Juh?…"))
    assert label("Zoë", covered) == "Zoe"  # decomposed to a drawable base letter
    assert label("Juho§", covered) == "Juho§"
    assert label("李", covered) == "?"
    assert label("Z" * 50, covered).endswith("…") and len(label("Z" * 50, covered)) == 24


def test_hostile_names_draw_without_mathtext_or_warnings() -> None:
    pairs = [PairCount("$\\frac{a$", "Zoë Ånström", 2), PairCount("李小龍 🙂", "$x$", 1)]
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        data = render_png(pairs, title="$broken")
    assert png_size(data) == (1000, 750)


async def test_the_bot_draws_in_a_worker_process_the_same_picture() -> None:
    pairs = [PairCount(f"Person {i}", f"Person {(i * 3 + 1) % 40}", i % 4 + 1) for i in range(80)]
    try:
        drawn = await draw_in_worker(pairs, title="Worker", key=("graph", 1))
    finally:
        await shutdown_workers()
    assert png_size(drawn) == (1000, 750)
    # The layout is deterministic; only anti-aliasing of a few glyph edges may differ.
    here = imread(io.BytesIO(render_png(pairs, title="Worker")))
    there = imread(io.BytesIO(drawn))
    assert here.shape == there.shape
    assert (here != there).mean() < 0.01


def test_the_drawing_keeps_the_busiest_people_and_their_replies_among_themselves() -> None:
    """What the bot sends the worker equals what ``busiest(person_graph(…))`` picks, with the
    degrees counted over everyone, self-replies dropped and the total for the heading."""
    pairs = [PairCount(f"P{i}", f"P{(i * 7 + 1) % 60}", i % 5 + 1) for i in range(300)]
    pairs += [PairCount("P3", "P3", 4, to_article=True), PairCount("P1", "P3", 2, True)]
    graph = person_graph(pairs)
    shown = drawing(pairs)
    assert list(shown.people) == busiest(graph) and len(shown.people) == MAX_PEOPLE
    assert shown.total == graph.number_of_nodes() == 300
    assert shown.degree == tuple(graph.degree(n, weight="weight") for n in shown.people)
    expected = {
        (u, v, graph[u][v]["weight"])
        for u, v in graph.subgraph(shown.people).edges
        if u != v
    }
    assert {(shown.people[u], shown.people[v], w) for u, v, w in shown.edges} == expected
    assert drawing(pairs, limit=3).people == shown.people[:3]
    assert render_png(shown, title="Big") == render_png(pairs, title="Big")


def test_a_small_thread_draws_everyone() -> None:
    pairs = [PairCount("A", "B", 3), PairCount("B", "A", 1), PairCount("C", "A", 1, True)]
    shown = drawing(pairs)
    assert shown.people == ("A", "B", "C") and shown.total == 3
    assert sorted(shown.edges) == [(0, 1, 3), (1, 0, 1), (2, 0, 1)]
