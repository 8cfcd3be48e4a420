"""What only the PostgreSQL backend has: its migrations, placeholders, and several
processes (here: several ``Storage`` objects, each with its own pool) on one database."""

from __future__ import annotations

import asyncio

import asyncpg
import pytest

from benchmarks.synthetic import generate_thread
from bot.inference.replies import infer_replies
from bot.sources.capture import parse_thread
from bot.sources.loading import ingest_thread
from bot.storage import MIGRATIONS, Storage, StorageError
from bot.storage.postgresql import MIGRATIONS as PG_MIGRATIONS
from bot.storage.postgresql import redact, to_postgres
from tests.conftest import SEED_FILE


def test_placeholders_become_numbered_parameters() -> None:
    assert to_postgres("SELECT ? , ? WHERE x = '?' AND y IN (?)") == (
        "SELECT $1 , $2 WHERE x = '?' AND y IN ($3)"
    )
    assert to_postgres("SELECT ?2, ?1") == "SELECT $2, $1"


def test_redact_hides_the_password_only() -> None:
    assert redact("postgresql://bot:s3cret@db:5432/x") == "postgresql://bot:***@db:5432/x"
    assert redact("postgresql://bot@/x?host=/tmp/s") == "postgresql://bot@/x?host=/tmp/s"


def test_both_backends_have_the_same_schema_versions() -> None:
    assert [v for v, _ in PG_MIGRATIONS] == [v for v, _ in MIGRATIONS]


async def test_migrations_run_once_and_a_newer_schema_is_refused(postgres_url: str) -> None:
    async with Storage(postgres_url) as db:
        assert db.backend == "postgresql"
        assert await db.schema_version() == MIGRATIONS[-1][0]
        assert await db.integrity_check() == "ok"
    async with Storage(postgres_url) as db:
        assert await db.schema_version() == MIGRATIONS[-1][0]
    conn = await asyncpg.connect(postgres_url)
    try:
        assert await conn.fetchval("SELECT count(*) FROM schema_version") == 1
        await conn.execute("UPDATE schema_version SET version = 999")
    finally:
        await conn.close()
    with pytest.raises(StorageError, match="newer than this bot knows"):
        await Storage(postgres_url).open()


async def test_an_unreachable_server_is_one_clear_error() -> None:
    db = Storage("postgresql://nobody:pw@127.0.0.1:1/none")
    with pytest.raises(StorageError, match=r"cannot connect to postgresql://nobody:\*\*\*@"):
        await db.open()


async def test_processes_starting_together_migrate_once_and_ingest_once(
    postgres_url: str, seed_text: str
) -> None:
    """Two bots starting at the same moment both load the seeds: one adds the thread, the
    other finds it unchanged; neither fails on the other's half-done work."""
    first, second = Storage(postgres_url), Storage(postgres_url)
    await asyncio.gather(first.open(), second.open())
    try:
        thread = parse_thread(seed_text, SEED_FILE.name)
        results = await asyncio.gather(
            *(ingest_thread(db, thread) for db in (first, second, first, second))
        )
        assert sorted(r.status for r in results) == ["added", "unchanged", "unchanged", "unchanged"]
        assert len({r.thread_id for r in results}) == 1
        assert await second.schema_version() == MIGRATIONS[-1][0]
        found = await first.threads.find("iraq-cease-fire-over")
        assert found is not None and found.comment_count == 31
    finally:
        await asyncio.gather(first.close(), second.close())


async def test_migration_9_stores_existing_quoted_paragraphs_as_references(
    postgres_url: str,
) -> None:
    """Migration 9's UPDATE, run over paragraphs as version 8 stored them (every quoted
    paragraph's words written out), stores exactly what ingest stores today."""
    made = generate_thread(300, seed=8)
    parsed = parse_thread(made.text, made.source)
    async with Storage(postgres_url) as db:
        await db.ingest(parsed, infer_replies(parsed))
        (thread,) = await db.threads.all()
        expected = await db.comments.all(thread.id)
    conn = await asyncpg.connect(postgres_url)
    try:
        order = "SELECT * FROM paragraphs ORDER BY comment_id, idx"
        ingested = [tuple(r) for r in await conn.fetch(order)]
        assert sum(r[2] is None for r in ingested) > 50, "the thread has copied quotes"
        await conn.execute(
            "UPDATE paragraphs p SET text = t.text, quote_at = NULL, quote_len = NULL "
            "FROM paragraph_texts t WHERE t.comment_id = p.comment_id AND t.idx = p.idx "
            "AND p.text IS NULL"
        )
        assert await conn.fetchval("SELECT count(*) FROM paragraphs WHERE text IS NULL") == 0
        (update,) = [s for s in dict(PG_MIGRATIONS)[9].split(";") if s.strip().startswith("UPDATE")]
        await conn.execute(update)
        assert [tuple(r) for r in await conn.fetch(order)] == ingested
    finally:
        await conn.close()
    async with Storage(postgres_url) as db:
        assert await db.comments.all(thread.id) == expected
