"""The database file: migrations (numbered .sql files) applied in order, a database made
before the storage split still read, a newer schema refused, WAL."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from benchmarks.synthetic import generate_thread
from bot.inference.replies import infer_replies
from bot.sources.capture import parse_thread
from bot.sources.loading import ingest_files
from bot.storage import MIGRATIONS, Storage, StorageError
from bot.storage.sqlite import statements
from bot.text import shorten
from tests.conftest import SEEDS


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


FIXTURES = Path(__file__).parent / "fixtures"

OLD_DATA = """
INSERT INTO threads (id, guild_id, source, slug, content_hash, title, lede, body, tags, author,
    author_bio, url, published, comment_count, ingested_at, inference_version)
VALUES (1, 0, 'old.txt', 'old-thread', 'h1', 'Old Thread', 'Lede.', '["Body one."]', '["tag"]',
    'Poster', 'Bio.', 'https://example.org/old', '2007-01-01', 2, '2026-01-01T00:00:00+00:00', 3),
    (2, 77, 'mine.txt', 'mine', 'h2', 'Mine', '', '[]', '[]', '', '', NULL, NULL, 0,
    '2026-01-02T00:00:00+00:00', 3);
INSERT INTO authors (id, thread_id, name, folded, comment_count, word_count, first_seq, last_seq)
VALUES (1, 1, 'José', 'jose', 1, 3, 1, 1), (2, 1, 'Bit', 'bit', 1, 2, 2, 2);
INSERT INTO comments (id, thread_id, seq, number, author_id, posted, line)
VALUES (1, 1, 1, 1, 1, '2007-01-02', 10), (2, 1, 2, 2, 2, NULL, 14);
INSERT INTO paragraphs (comment_id, idx, text, quote_seq, quote_idx)
VALUES (1, 0, 'Hello old world', NULL, NULL), (2, 0, 'Hello old world', 1, 0),
    (2, 1, 'Agreed entirely', NULL, NULL);
INSERT INTO edges (thread_id, src_seq, dst_seq, via, snippet)
VALUES (1, 1, 0, 'article', ''), (1, 2, 1, 'quote', 'Hello old world');
INSERT INTO comment_fts (rowid, text, scope)
VALUES (1, 'Hello old world', 't1 a1'), (2, 'Agreed entirely', 't1 a2');
INSERT INTO summaries (thread_id, subject, engine, content_hash, payload, created_at)
VALUES (1, '', 'offline', 'h1', '{"x": 1}', '2026-01-01T00:00:00+00:00');
INSERT INTO guild_settings (guild_id, settings, left_at)
VALUES (77, '{"replay_max_running": 2}', NULL), (88, '{}', '2026-01-03T00:00:00+00:00');
INSERT INTO meta (key, value) VALUES ('commands', 'abc');
INSERT INTO replays (id, guild_id, channel_id, target_id, thread_id, first_seq, last_seq,
    next_seq, next_part, speed, mode, status, posted, started_by, started_at, updated_at, error)
VALUES (1, 77, 500, 501, 1, 0, 2, 2, 0, 60.0, 'webhook', 'running', 2, 9,
    '2026-01-01T00:00:00+00:00', '2026-01-01T00:01:00+00:00', NULL);
"""


def old_database(path: Path) -> None:
    """A database as the version before the storage split left it: schema 4 and some rows."""
    conn = sqlite3.connect(path)
    try:
        conn.executescript((FIXTURES / "schema_v4.sql").read_text(encoding="utf-8"))
        conn.executescript(OLD_DATA)
    finally:
        conn.close()


async def test_a_database_made_before_the_split_opens_and_reads(tmp_path: Path) -> None:
    path = tmp_path / "old.db"
    old_database(path)
    async with Storage(path) as db:
        assert await db.schema_version() == MIGRATIONS[-1][0]
        assert await db.integrity_check() == "ok"
        thread = await db.threads.find("old-thread")
        assert thread is not None
        assert (thread.id, thread.title, thread.body, thread.tags) == (
            1,
            "Old Thread",
            ("Body one.",),
            ("tag",),
        )
        assert [t.slug for t in await db.threads.visible(77)] == ["old-thread", "mine"]
        comments = await db.comments.all(1)
        assert [(c.number, c.author, c.own_text) for c in comments] == [
            (1, "José", "Hello old world"),
            (2, "Bit", "Agreed entirely"),
        ]
        assert comments[1].paragraphs[0].quote is not None
        assert await db.comments.find_author(1, "JOSE") == "José"
        assert [c.seq for c in await db.comments.by_author(1, "bit", query="agree")] == [2]
        assert await db.comments.count_by_author(1, "josé", query="hello") == 1
        edges = await db.edges.all(1)
        assert [(e.source, e.target, e.target_author, e.via) for e in edges] == [
            (1, 0, "Poster", "article"),
            (2, 1, "José", "quote"),
        ]
        assert await db.summaries.get(1, "", "offline", "h1") == '{"x": 1}'
        assert await db.guilds.settings(77) == {"replay_max_running": 2}
        assert list(await db.guilds.left()) == [88]
        assert await db.meta.get("commands") == "abc"
        (replay,) = await db.replays.all_running()
        assert (replay.id, replay.channel_id, replay.target_id, replay.posted) == (1, 500, 501, 2)
        assert await db.replays.end(1, "stopped")
        # and it takes new writes
        assert await db.threads.delete(2)
        assert await db.threads.count(77) == 1


def schema(path: Path) -> list[tuple[str, str, str]]:
    """Every table, index and trigger with its SQL, whitespace-normalised."""
    conn = sqlite3.connect(path)
    try:
        rows = conn.execute(
            "SELECT type, name, sql FROM sqlite_master WHERE name NOT LIKE 'sqlite_%' ORDER BY name"
        ).fetchall()
    finally:
        conn.close()
    return [(kind, name, " ".join((sql or "").split())) for kind, name, sql in rows]


def test_the_sql_files_rebuild_the_old_schema_exactly(tmp_path: Path) -> None:
    """Migrations 1-4, now .sql files read as package data, make the schema the old tuple made."""
    old_database(tmp_path / "frozen.db")
    conn = sqlite3.connect(tmp_path / "shipped.db")
    try:
        for version, script in MIGRATIONS[:4]:
            for statement in statements(script):
                conn.execute(statement)
            conn.execute(f"PRAGMA user_version = {version}")
        conn.commit()
    finally:
        conn.close()
    assert [v for v, _ in MIGRATIONS[:4]] == [1, 2, 3, 4]
    assert schema(tmp_path / "frozen.db") == schema(tmp_path / "shipped.db")


def test_statements_keep_trigger_bodies_whole() -> None:
    script = """
    -- a comment; with a semicolon
    CREATE TABLE a (x TEXT);
    CREATE TRIGGER a_ai AFTER INSERT ON a BEGIN
        INSERT INTO a (x) SELECT 'y;z' WHERE 0;
    END;
    """
    found = statements(script)
    assert len(found) == 2
    assert found[1].startswith("CREATE TRIGGER") and found[1].endswith("END;")
    with pytest.raises(StorageError, match="ends inside a statement"):
        statements("CREATE TABLE b (x")


def with_snippets(conn: sqlite3.Connection) -> None:
    """``temp.edges_with_snippets``: the attached ``new`` database's edges with every
    snippet written out, as versions before 9 kept them."""
    conn.create_function("shorten", 1, lambda text: None if text is None else shorten(text))
    conn.execute(
        "CREATE TEMP VIEW edges_with_snippets AS SELECT e.thread_id, e.src_seq, e.dst_seq, "
        "e.via, coalesce(e.snippet, shorten((SELECT pt.text FROM new.comments sc "
        "JOIN new.paragraph_texts pt ON pt.comment_id = sc.id WHERE sc.thread_id = e.thread_id "
        "AND sc.seq = e.src_seq AND pt.quote_seq = e.dst_seq ORDER BY pt.idx LIMIT 1))) "
        "AS snippet, e.confidence FROM new.edges e"
    )


def as_version_4(new: Path, old: Path) -> None:
    """Copy every row of a current database into one made by schema 4, the search index
    with its own copy of the text as version 4 wrote it."""
    old_db = sqlite3.connect(old)
    try:
        old_db.executescript((FIXTURES / "schema_v4.sql").read_text(encoding="utf-8"))
        old_db.execute("ATTACH DATABASE ? AS new", (str(new),))
        for table in ("threads", "authors", "comments", "summaries"):
            # The columns schema 4 had: later migrations add some (threads.quoted, 8).
            names = [r[1] for r in old_db.execute(f"PRAGMA main.table_info({table})")]
            columns = ", ".join(names)
            old_db.execute(
                f"INSERT INTO main.{table} ({columns}) SELECT {columns} FROM new.{table}"
            )
        old_db.execute(  # version 4 kept a copy of every quoted paragraph's words
            "INSERT INTO main.paragraphs (comment_id, idx, text, quote_seq, quote_idx) "
            "SELECT comment_id, idx, text, quote_seq, quote_idx FROM new.paragraph_texts"
        )
        with_snippets(old_db)
        old_db.execute(  # schema 4 knew neither confidences nor implicit answers
            "INSERT INTO main.edges SELECT thread_id, src_seq, dst_seq, via, snippet "
            "FROM temp.edges_with_snippets WHERE via != 'implicit'"
        )
        old_db.execute(
            "INSERT INTO main.comment_fts (rowid, text, scope) "
            "SELECT id, text, scope FROM new.comment_own_text"
        )
        old_db.commit()
    finally:
        old_db.close()


async def test_migration_5_drops_the_search_text_copy_and_keeps_every_answer(
    tmp_path: Path,
) -> None:
    async with Storage(tmp_path / "v5.db") as seeded:
        assert (await ingest_files(seeded, [SEEDS])).ok
        await migrated_v4_answers_like(seeded, tmp_path / "v4.db")


async def migrated_v4_answers_like(seeded: Storage, old: Path) -> None:
    as_version_4(seeded.path, old)
    conn = sqlite3.connect(old)
    assert conn.execute("SELECT count(*) FROM comment_fts_content").fetchone()[0] == 31
    conn.close()
    before = old.stat().st_size
    thread = await seeded.threads.find("iraq-cease-fire-over")
    assert thread is not None
    authors = [a.name for a in await seeded.comments.authors(thread.id)]
    queries = ["israel", "isra", "iran iraq", "the", "Checkpoint", "zzz", "Sadr*", "ÉGYPT"]

    async def answers(db: Storage) -> list[tuple[list[int], int]]:
        return [
            (
                [c.seq for c in await db.comments.by_author(thread.id, a, query=q, limit=100)],
                await db.comments.count_by_author(thread.id, a, query=q),
            )
            for a in authors
            for q in queries
        ]

    expected = await answers(seeded)
    assert any(seqs for seqs, _ in expected), "the queries find nothing: a useless check"
    async with Storage(old) as upgraded:
        assert await upgraded.schema_version() == MIGRATIONS[-1][0] >= 5
        assert await upgraded.integrity_check() == "ok"
        assert await answers(upgraded) == expected
    conn = sqlite3.connect(old)
    tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master")}
    conn.close()
    assert "comment_fts_content" not in tables and "comment_own_text" in tables
    assert old.stat().st_size < before, "the dropped copy went back to the disk"


async def test_integrity_check_sees_a_search_index_that_disagrees_with_the_text(
    tmp_path: Path,
) -> None:
    path = tmp_path / "db.sqlite"
    async with Storage(path) as db:
        assert (await ingest_files(db, [SEEDS])).ok
        assert await db.integrity_check() == "ok"
    conn = sqlite3.connect(path)
    conn.execute("DELETE FROM comment_fts WHERE rowid = 1")
    conn.execute("INSERT INTO comment_fts (rowid, text, scope) VALUES (1, 'other words', 't1 a1')")
    conn.commit()
    conn.close()
    async with Storage(path) as db:
        assert (await db.integrity_check()).startswith("search index:")


def as_version_8(new: Path, old: Path) -> None:
    """Copy every row of a current database into one made by migrations 1-8: every
    quoted paragraph with its own copy of the words, as version 8 wrote it."""
    conn = sqlite3.connect(old)
    try:
        for version, script in MIGRATIONS[:8]:
            for statement in statements(script):
                conn.execute(statement)
            conn.execute(f"PRAGMA user_version = {version}")
        conn.execute("ATTACH DATABASE ? AS new", (str(new),))
        for table in ("threads", "authors", "comments", "summaries"):
            conn.execute(f"INSERT INTO main.{table} SELECT * FROM new.{table}")
        conn.execute(
            "INSERT INTO main.paragraphs (comment_id, idx, text, quote_seq, quote_idx) "
            "SELECT comment_id, idx, text, quote_seq, quote_idx FROM new.paragraph_texts"
        )
        with_snippets(conn)
        conn.execute("INSERT INTO main.edges SELECT * FROM temp.edges_with_snippets")
        conn.execute("INSERT INTO main.comment_fts (comment_fts) VALUES ('rebuild')")
        conn.commit()
    finally:
        conn.close()


async def everything(db: Storage) -> list[object]:
    """Every thread's comments (paragraphs, quotes), edges, and search answers for every
    author with queries that find words in own text, in quotes only, and nowhere."""
    out: list[object] = []
    queries = ["the", "isra", "iran iraq", "zzz", "ÉGYPT", "a", "e"]
    for thread in await db.threads.all():
        comments = await db.comments.all(thread.id)
        out += [comments, await db.edges.all(thread.id)]
        for author in await db.comments.authors(thread.id):
            out.append([c.seq for c in await db.comments.by_author(thread.id, author.name)])
            for query in queries:
                found = await db.comments.by_author(thread.id, author.name, query=query)
                count = await db.comments.count_by_author(thread.id, author.name, query=query)
                out.append((author.name, query, [c.seq for c in found], count))
    return out


async def test_migrations_9_and_10_store_quotes_as_references_and_keep_every_answer(
    tmp_path: Path,
) -> None:
    made = generate_thread(400, seed=7)
    async with Storage(tmp_path / "current.db") as current:
        assert (await ingest_files(current, [SEEDS])).ok
        parsed = parse_thread(made.text, made.source)
        await current.ingest(parsed, infer_replies(parsed))
        expected = await everything(current)
        as_version_8(current.path, tmp_path / "old.db")
    before = (tmp_path / "old.db").stat().st_size
    async with Storage(tmp_path / "old.db") as upgraded:
        assert await upgraded.schema_version() == MIGRATIONS[-1][0] >= 10
        assert await upgraded.integrity_check() == "ok"
        assert await everything(upgraded) == expected
    assert (tmp_path / "old.db").stat().st_size < before

    def paragraphs(path: Path) -> list[tuple[object, ...]]:
        conn = sqlite3.connect(path)
        try:
            return conn.execute("SELECT * FROM paragraphs ORDER BY comment_id, idx").fetchall()
        finally:
            conn.close()

    converted = paragraphs(tmp_path / "old.db")
    # the migration stores each paragraph as ingest stores it today
    assert converted == paragraphs(tmp_path / "current.db")
    references = [p for p in converted if p[2] is None]
    copies = [p for p in converted if p[2] is not None and p[3] is not None]
    assert len(references) > 100 and copies, "both kinds of quote are in the test data"

    def edges(path: Path) -> list[tuple[object, ...]]:
        conn = sqlite3.connect(path)
        try:
            return conn.execute("SELECT * FROM edges ORDER BY 1, 2, 3, 4").fetchall()
        finally:
            conn.close()

    rebuilt = edges(tmp_path / "old.db")
    assert rebuilt == edges(tmp_path / "current.db")
    assert sum(e[4] is None for e in rebuilt) > 100, "snippets are made again on read"


async def test_a_slow_read_does_not_hold_up_the_reads_behind_it(tmp_path: Path) -> None:
    """Reads take the reader connections in turn, each a thread of its own: a quick read
    started while a slow one runs answers first (on one connection it would wait)."""
    import asyncio

    from bot.storage.sqlite import READERS, SqliteDatabase

    assert READERS >= 2
    db = SqliteDatabase(tmp_path / "readers.db")
    await db.open()
    try:
        done: list[str] = []

        async def read(name: str, sql: str) -> None:
            await db.read.all(sql)
            done.append(name)

        slow = (
            "WITH RECURSIVE n(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM n WHERE x < 3000000) "
            "SELECT count(*) FROM n"
        )
        first = asyncio.create_task(read("slow", slow))
        await asyncio.sleep(0)  # the slow read has taken its connection
        await read("quick", "SELECT 1")
        await first
        assert done == ["quick", "slow"]
    finally:
        await db.close()
