"""Comments, their authors, and search in own words with any user input."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from bot.storage import Storage, fts_query
from tests.conftest import SEED_FILE


async def test_reads(seeded: Storage) -> None:
    thread = await seeded.threads.find("iraq-cease-fire-over")
    assert thread is not None
    assert await seeded.threads.find(str(thread.id)) == thread
    assert await seeded.threads.find(SEED_FILE.name) == thread
    assert await seeded.threads.find("IRAQ CEASE-FIRE OVER") == thread
    page = await seeded.comments.page(thread.id, start=5, limit=2)
    assert [(c.number, c.author) for c in page] == [(5, "Juho§"), (6, "Bithead")]
    authors = await seeded.comments.authors(thread.id)
    assert [a.name for a in authors][:3] == ["glasnost", "Bithead", "tequila"]
    assert sum(a.comment_count for a in authors) == 31
    assert await seeded.comments.find_author(thread.id, "juho§") == "Juho§"
    assert await seeded.comments.find_author(thread.id, "dc loser") == "DC Loser"
    bithead = await seeded.comments.by_author(thread.id, "bithead", limit=100)
    assert len(bithead) == 14 == await seeded.comments.count_by_author(thread.id, "Bithead")
    assert all(c.author == "Bithead" for c in bithead)
    assert await seeded.comments.seq_for_number(thread.id, 12) == 12
    edges = await seeded.edges.all(thread.id)
    assert {e.source for e in edges} == set(range(1, 32))


def test_fts_query_quotes_every_word() -> None:
    assert fts_query('NEAR(a b) "x') == '"NEAR" "a" "b" "x"*'
    assert fts_query("-* :: ((") is None


@given(st.text(max_size=60))
def test_fts_query_is_always_quoted(text: str) -> None:
    query = fts_query(text)
    if query is not None:
        assert query.count('"') % 2 == 0


async def test_search_input_never_raises(seeded: Storage) -> None:
    thread = await seeded.threads.find("iraq-cease-fire-over")
    assert thread is not None
    nasty = [
        '"',
        "NEAR(",
        "*",
        "-Iran",
        "text: Iran",
        "scope : a1",
        "((",
        ")",
        "AND OR NOT",
        "^Iran",
        "Iran*",
        "'; DROP TABLE comments; --",
        "a" * 500,
        "\x00",
        "Israel",
    ]
    for query in nasty:
        await seeded.comments.by_author(thread.id, "Michael", query=query)
        await seeded.comments.count_by_author(thread.id, "Michael", query=query)
    hits = await seeded.comments.by_author(thread.id, "Michael", query="israel")
    assert [c.number for c in hits] == [27, 29, 31]
    assert await seeded.comments.count_by_author(thread.id, "Michael", query="isra") == 3
