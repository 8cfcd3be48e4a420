"""Hostile search input: whatever FTS5 syntax a user types, search answers and never raises.

Both backends: SQLite's FTS5 and PostgreSQL's ``tsquery`` (whose own operators — ``&``,
``|``, ``!``, ``<->``, ``:*`` — are among the generated fragments too).

``/author comments`` passes the user's free text to
``Storage.comments.by_author(query=...)``; FTS5 has its own query language
(phrases, ``NEAR``, prefixes, ``-``, ``^``, column filters, parentheses, AND/OR/NOT)
whose syntax errors surface as ``sqlite3.OperationalError``. These tests throw
generated fragments of that language (and unicode) at the storage API and
check that real words still find the comments that contain them.
"""

from __future__ import annotations

import asyncio
import re
import sqlite3
import uuid
from collections.abc import Awaitable, Iterator
from pathlib import Path
from typing import TypeVar

import asyncpg
import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from bot.models import StoredComment
from bot.sources.loading import ingest_files
from bot.storage import Storage
from bot.text import fold
from tests.backends import BACKENDS
from tests.conftest import SEEDS
from tests.postgres import with_search_path

T = TypeVar("T")

FTS_SYNTAX = [
    '"',
    "'",
    "*",
    "-",
    "^",
    "+",
    ":",
    "(",
    ")",
    "{",
    "}",
    ",",
    ".",
    "AND",
    "OR",
    "NOT",
    "NEAR",
    "NEAR(",
    "NEAR/2",
    "text:",
    "text :",
    "scope:",
    "{text scope}:",
    "-text:",
    "rowid",
    "comment_fts",
    "a1",
    "t1",
    "\x00",
    "\\",
    ";",
    "--",
    "/*",
    "%",
    "_",
    "\u0301",
    "\u200b",
    "\ufeff",
    "İ",
    "ß",
    "ﬁ",
    "Ⅻ",
    "²",
    "𝟘",
    "💥",
    "Ирак",
    "العراق",
    "\t",
    "\n",
    " ",
    "\u3000",
    "&",
    "|",
    "!",
    "<->",
    "<2>",
    ":*",
    ":A",
    "comment_search",
]

TOKENS = st.one_of(
    st.sampled_from(FTS_SYNTAX),
    st.text(max_size=12),
    st.from_regex(r"[A-Za-z]{1,10}\*?", fullmatch=True),
)
QUERIES = st.one_of(
    st.lists(TOKENS, max_size=12).map("".join),
    st.lists(TOKENS, max_size=12).map(" ".join),
    st.text(max_size=80),
)

AUTHOR = "Michael"
WORD = re.compile(r"\w+")


class SeededDatabase:
    """The seed thread in a database, built once per module and driven from plain tests.

    Hypothesis runs hundreds of examples per test; with pytest-asyncio's
    function-scoped loop and fixtures the database would have to be rebuilt (or
    shared unsafely) for each, so the module keeps its own loop and storage.
    """

    def __init__(self, target: Path | str) -> None:
        self.loop = asyncio.new_event_loop()
        self.storage = Storage(target)
        self.run(self.storage.open())
        report = self.run(ingest_files(self.storage, [SEEDS]))
        assert report.ok, report.errors
        thread = self.run(self.storage.threads.find("iraq-cease-fire-over"))
        assert thread is not None
        self.thread_id = thread.id
        self.authors = [a.name for a in self.run(self.storage.comments.authors(thread.id))]
        self.comments = self.run(self.storage.comments.all(thread.id))

    def run(self, awaitable: Awaitable[T]) -> T:
        async def wrapped() -> T:
            return await awaitable

        return self.loop.run_until_complete(wrapped())

    def search(self, author: str, query: str) -> tuple[list[StoredComment], int]:
        """Both calls the command makes: one page of hits and the total."""
        hits = self.run(
            self.storage.comments.by_author(self.thread_id, author, query=query, limit=100)
        )
        total = self.run(self.storage.comments.count_by_author(self.thread_id, author, query=query))
        return hits, total

    def close(self) -> None:
        self.run(self.storage.close())
        self.loop.close()


async def _schema(server: str, sql: str) -> None:
    conn = await asyncpg.connect(server)
    try:
        await conn.execute(sql)
    finally:
        await conn.close()


@pytest.fixture(scope="module", params=BACKENDS)
def db(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[SeededDatabase]:
    if request.param == "sqlite":
        database = SeededDatabase(tmp_path_factory.mktemp("search") / "threadbot.db")
        yield database
        database.close()
        return
    server: str = request.getfixturevalue("postgres_server")
    schema = f"t_{uuid.uuid4().hex[:16]}"
    asyncio.run(_schema(server, f"CREATE SCHEMA {schema}"))
    database = SeededDatabase(with_search_path(server, schema))
    try:
        yield database
    finally:
        database.close()
        asyncio.run(_schema(server, f"DROP SCHEMA {schema} CASCADE"))


def folded_words(text: str) -> list[str]:
    """Words as FTS5's unicode61 tokenizer with diacritics removed roughly sees them."""
    return [fold(w) for w in WORD.findall(text)]


@given(query=QUERIES)
@example(query='"unbalanced')
@example(query="NEAR(Iran Iraq, 2")
@example(query="text:Iran OR scope:a1")
@example(query="((((Iran)")
@example(query="Iran) AND (")
@example(query="-Iran NOT ^Sadr*")
@example(query="ab\ud800cd")
@example(query="\udfff")
@example(query=" \t\n ")
@example(query="")
@example(query="x" * 5000)
@example(query=" ".join(["w"] * 200))
def test_hostile_query_never_raises(db: SeededDatabase, query: str) -> None:
    for author in (AUTHOR, "juho§", "nobody at all"):
        try:
            hits, total = db.search(author, query)
        except (sqlite3.Error, asyncpg.PostgresError) as exc:
            pytest.fail(f"query {query!r} raised {exc!r}")
        assert len(hits) == min(total, 100)
        assert [c.seq for c in hits] == sorted({c.seq for c in hits})
        assert {c.author for c in hits} <= {a for a in db.authors if fold(a) == fold(author)}
        if author == "nobody at all":
            assert (hits, total) == ([], 0)


PUNCTUATION = st.text(alphabet='"*-^+:(){}., \t', max_size=4)


@given(data=st.data(), before=PUNCTUATION, after=PUNCTUATION, upper=st.booleans())
def test_plain_words_still_find_their_comments(
    db: SeededDatabase, data: st.DataObject, before: str, after: str, upper: bool
) -> None:
    comment = data.draw(st.sampled_from([c for c in db.comments if WORD.search(c.own_text)]))
    word = data.draw(st.sampled_from(WORD.findall(comment.own_text)), label="word")
    query = before + (word.upper() if upper else word) + after
    hits, total = db.search(comment.author, query)
    assert comment.seq in [c.seq for c in hits], (query, comment.seq)
    assert total == len(hits)
    key = fold(word)
    for hit in hits:
        assert hit.author == comment.author
        # The last word is a prefix: every hit has a word of its own starting with it.
        assert any(w.startswith(key) for w in folded_words(hit.own_text)), (query, hit.seq)


def test_known_words_find_exactly_the_seed_comments(db: SeededDatabase) -> None:
    """Hand-checked answers, with and without syntax around the words."""
    for query in ("israel", "ISRAEL", '"israel"', "(israel", "israel)", "-israel", "^isra*"):
        hits, total = db.search(AUTHOR, query)
        assert [c.number for c in hits] == [27, 29, 31], query
        assert total == 3
    hits, total = db.search("Juho§", "Sadr")
    assert hits and total == len(hits)
    assert all("sadr" in fold(c.own_text) for c in hits)
    # Words AND together; a word nobody wrote finds nothing rather than failing.
    assert db.search(AUTHOR, "israel zzzzqqq") == ([], 0)
