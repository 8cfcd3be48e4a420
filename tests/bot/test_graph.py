"""The person-to-person reply graph: counts, bounded PNG, labels that always render."""

from __future__ import annotations

import struct
import time
import warnings

from bot.graph import MAX_PEOPLE, PairCount, busiest, label, pair_counts, person_graph, render_png
from bot.models import StoredEdge
from bot.storage import Storage


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


async def test_the_seed_graph_renders_a_bounded_png(seeded: Storage) -> None:
    thread = (await seeded.list_threads(None))[0]
    pairs = pair_counts(await seeded.edges(thread.id))
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
