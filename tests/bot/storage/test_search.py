"""The PostgreSQL query and document builders mean what the FTS5 query means."""

from __future__ import annotations

import re

from hypothesis import given
from hypothesis import strategies as st

from bot.storage.search import fts_query, tokens, ts_document, ts_query


def test_ts_query_ands_words_and_prefixes_the_last() -> None:
    assert ts_query("Israel attack") == "'israel' & 'attack':*"
    assert ts_query("NAÏVE Ирак") == "'naive' & 'ирак':*"
    assert ts_query("foo_bar baz") == "('foo' <-> 'bar') & 'baz':*"
    assert ts_query("a & !b | c <-> d:*") == "'a' & 'b' & 'c' & 'd':*"
    assert ts_query("_ ___") is None and fts_query("_ ___") is not None
    assert ts_query("-* :: ((") is None and fts_query("-* :: ((") is None


def test_ts_document_keeps_positions_and_folds() -> None:
    assert ts_document("Hello, hello World! Café") == "'hello':1,2 'world':3 'cafe':4"
    assert ts_document("") == ""
    long_word = "x" * 5000
    assert ts_document(long_word) == f"'{'x' * 255}':1"


@given(st.text(max_size=80))
def test_ts_query_is_only_quoted_letters_and_digits(text: str) -> None:
    query = ts_query(text)
    if query is None:
        assert not any(tokens(w) for w in re.findall(r"\w+", text)[:32])
        return
    stripped = query
    for token in set(tokens(text)):
        stripped = stripped.replace(f"'{token}'", "")
    assert set(stripped) <= set(" &()<->:*")
