"""Storage: migrations, idempotent and atomic ingest, guild scoping, safe search."""

from __future__ import annotations

import sqlite3
from dataclasses import replace
from pathlib import Path
from typing import Any, cast

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.models import ReplyEdge, ReplyStructure
from bot.sources.capture import parse_thread
from bot.sources.loading import ingest_thread
from bot.storage.database import MIGRATIONS, Storage, StorageError, fold, fts_query, slugify
from tests.conftest import SEED_FILE


def snapshot(path: Path) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of every table, read with plain sqlite3 (outside the code under test)."""
    conn = sqlite3.connect(path)
    try:
        tables = [
            r[0]
            for r in conn.execute(
                "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' "
                "AND name NOT LIKE 'comment_fts_%'"
            )
        ]
        return {t: sorted(conn.execute(f"SELECT * FROM {t}").fetchall(), key=repr) for t in tables}
    finally:
        conn.close()


async def test_migrations_run_and_reopen(tmp_path: Path) -> None:
    path = tmp_path / "db.sqlite"
    async with Storage(path) as db:
        assert await db.schema_version() == MIGRATIONS[-1][0]
        assert await db.integrity_check() == "ok"
    async with Storage(path) as db:
        assert await db.schema_version() == MIGRATIONS[-1][0]
    conn = sqlite3.connect(path)
    assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    conn.execute("PRAGMA user_version = 999")
    conn.commit()
    conn.close()
    with pytest.raises(StorageError, match="newer than this bot knows"):
        await Storage(path).open()


async def test_seed_ingest_is_idempotent(seeded: Storage, seed_text: str) -> None:
    before = snapshot(seeded.path)
    thread = parse_thread(seed_text, SEED_FILE.name)
    result = await ingest_thread(seeded, thread)
    assert result.status == "unchanged"
    assert result.comment_count == 31 and result.authors == 8
    assert snapshot(seeded.path) == before


async def test_changed_file_replaces_in_place(seeded: Storage, seed_text: str) -> None:
    old = await seeded.find_thread("iraq-cease-fire-over")
    assert old is not None
    changed = parse_thread(
        seed_text.replace("Ever heard of Checkpoint Charlie?", "Ever heard of it?"), SEED_FILE.name
    )
    result = await ingest_thread(seeded, changed)
    assert result.status == "replaced" and result.thread_id == old.id
    threads = await seeded.list_threads(None)
    assert len(threads) == 1 and threads[0].content_hash == changed.content_hash
    texts = [p.text for c in await seeded.all_comments(old.id) for p in c.paragraphs]
    assert "Ever heard of it?" in texts
    assert "Ever heard of Checkpoint Charlie?" not in texts
    # the FTS index was rebuilt too: no orphan rows
    hits = await seeded.comments_by_author(old.id, "DC Loser", query="Charlie")
    assert [c.number for c in hits] == [21]


async def test_newer_inference_rederives_an_unchanged_file(
    seeded: Storage, seed_text: str
) -> None:
    """Upgrading the inference re-derives stored threads from the same file in place;
    only the same text inferred by the same version is left alone."""
    from bot.inference.replies import INFERENCE_VERSION, infer_replies

    old = await seeded.find_thread("iraq-cease-fire-over")
    assert old is not None
    thread = parse_thread(seed_text, SEED_FILE.name)
    only_article = ReplyStructure(
        quotes={}, edges=(ReplyEdge(source=1, target=0, via="article", snippet=""),)
    )
    stale = await seeded.ingest(thread, only_article, inference_version=INFERENCE_VERSION - 1)
    assert stale.status == "replaced" and stale.thread_id == old.id
    assert len(await seeded.edges(old.id)) == 1
    current = await seeded.ingest(
        thread, infer_replies(thread), inference_version=INFERENCE_VERSION
    )
    assert current.status == "replaced" and current.thread_id == old.id
    assert len(await seeded.edges(old.id)) == 34
    assert (await ingest_thread(seeded, thread)).status == "unchanged"
    assert await seeded.integrity_check() == "ok"


async def test_failed_ingest_leaves_database_unchanged(seeded: Storage, seed_text: str) -> None:
    before = snapshot(seeded.path)
    changed = parse_thread(seed_text.replace("Iraq Cease-Fire Over", "Changed"), SEED_FILE.name)
    bad = ReplyStructure(edges=(ReplyEdge(1, 0, cast(Any, "bogus")),))
    with pytest.raises(sqlite3.IntegrityError):
        await seeded.ingest(changed, bad)
    assert snapshot(seeded.path) == before
    other = replace(changed, source="other.txt")
    with pytest.raises(sqlite3.IntegrityError):
        await seeded.ingest(other, bad)
    assert snapshot(seeded.path) == before
    assert await seeded.integrity_check() == "ok"


async def test_reads(seeded: Storage) -> None:
    thread = await seeded.find_thread("iraq-cease-fire-over")
    assert thread is not None
    assert await seeded.find_thread(str(thread.id)) == thread
    assert await seeded.find_thread(SEED_FILE.name) == thread
    assert await seeded.find_thread("IRAQ CEASE-FIRE OVER") == thread
    page = await seeded.page_comments(thread.id, start=5, limit=2)
    assert [(c.number, c.author) for c in page] == [(5, "Juho§"), (6, "Bithead")]
    authors = await seeded.authors(thread.id)
    assert [a.name for a in authors][:3] == ["glasnost", "Bithead", "tequila"]
    assert sum(a.comment_count for a in authors) == 31
    assert await seeded.find_author(thread.id, "juho§") == "Juho§"
    assert await seeded.find_author(thread.id, "dc loser") == "DC Loser"
    bithead = await seeded.comments_by_author(thread.id, "bithead", limit=100)
    assert len(bithead) == 14 == await seeded.count_comments_by_author(thread.id, "Bithead")
    assert all(c.author == "Bithead" for c in bithead)
    assert await seeded.seq_for_number(thread.id, 12) == 12
    edges = await seeded.edges(thread.id)
    assert {e.source for e in edges} == set(range(1, 32))


async def test_guild_scoping(seeded: Storage, seed_text: str) -> None:
    mine = replace(parse_thread(seed_text.replace("Iraq", "Guild"), "mine.txt"))
    result = await ingest_thread(seeded, mine, guild_id=111)
    assert result.status == "added"
    assert await seeded.count_threads(111) == 2
    assert await seeded.count_threads(222) == 1
    assert await seeded.count_threads(None) == 1
    assert await seeded.get_thread(result.thread_id, 222) is None
    assert await seeded.get_thread(result.thread_id, None) is None
    assert await seeded.get_thread(result.thread_id, 111) is not None
    assert await seeded.find_thread(result.slug, 222) is None
    assert [c[0] for c in await seeded.thread_choices(222)] == [1]
    # the same content imported in two guilds is two threads
    again = await ingest_thread(seeded, mine, guild_id=222)
    assert again.status == "added" and again.thread_id != result.thread_id
    assert await seeded.delete_thread(result.thread_id)
    assert await seeded.get_thread(result.thread_id, 111) is None
    assert await seeded.count_threads(222) == 2


async def test_slugs_stay_unique(storage: Storage) -> None:
    text = "Same Title\n\nLede.\n\nBody.\n"
    first = await ingest_thread(storage, parse_thread(text, "a.txt"))
    second = await ingest_thread(storage, parse_thread(text + "\nMore.\n", "b.txt"))
    assert (first.slug, second.slug) == ("same-title", "same-title-2")


async def test_delete_removes_everything(seeded: Storage) -> None:
    thread = await seeded.find_thread("iraq-cease-fire-over")
    assert thread is not None
    await seeded.put_summary(thread.id, "", "offline", thread.content_hash, "{}")
    assert await seeded.delete_thread(thread.id)
    rows = snapshot(seeded.path)
    for table in ("threads", "authors", "comments", "paragraphs", "edges", "summaries"):
        assert rows[table] == [], table
    conn = sqlite3.connect(seeded.path)
    assert conn.execute("SELECT count(*) FROM comment_fts").fetchone()[0] == 0
    conn.close()


def test_helpers() -> None:
    assert slugify("Iraq Cease-Fire Over") == "iraq-cease-fire-over"
    assert slugify("Ἀθῆναι!!") == "thread"
    assert fold("Juho§") == "juho§" and fold("Ömer") == "omer"
    assert fts_query('NEAR(a b) "x') == '"NEAR" "a" "b" "x"*'
    assert fts_query("-* :: ((") is None


@given(st.text(max_size=60))
def test_fts_query_is_always_quoted(text: str) -> None:
    query = fts_query(text)
    if query is not None:
        assert query.count('"') % 2 == 0


async def test_search_input_never_raises(seeded: Storage) -> None:
    thread = await seeded.find_thread("iraq-cease-fire-over")
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
        await seeded.comments_by_author(thread.id, "Michael", query=query)
        await seeded.count_comments_by_author(thread.id, "Michael", query=query)
    hits = await seeded.comments_by_author(thread.id, "Michael", query="israel")
    assert [c.number for c in hits] == [27, 29, 31]
    assert await seeded.count_comments_by_author(thread.id, "Michael", query="isra") == 3
