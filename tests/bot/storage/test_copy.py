"""``python -m bot migrate-db``: an SQLite database copied into PostgreSQL, row for row."""

from __future__ import annotations

import asyncio
import sqlite3
from datetime import UTC, datetime
from pathlib import Path

import pytest

from bot import cli
from bot.sources.capture import parse_thread
from bot.sources.loading import ingest_files, ingest_thread
from bot.storage import Storage
from bot.storage.database import COLUMNS
from tests.backends import snapshot
from tests.conftest import SEEDS

IMPORTED = (
    "Guild Thread\n\nA lede.\n\nThe body.\n\nComments\n\n  1. Ana says:\n\n    Naïve words here.\n"
)


async def _fill(path: Path) -> None:
    """Every kind of row: shipped and imported threads, a summary, settings, a guild that
    left, a meta value, a running and a finished replay."""
    async with Storage(path) as db:
        assert (await ingest_files(db, [SEEDS])).ok
        imported = await ingest_thread(db, parse_thread(IMPORTED, "g.txt"), guild_id=42)
        seed = await db.threads.find("iraq-cease-fire-over")
        assert seed is not None
        await db.summaries.put(seed.id, "", "offline", seed.content_hash, '{"x": 1}')
        await db.guilds.put_settings(42, {"replay_max_running": 2})
        await db.guilds.mark_left(43, datetime(2026, 1, 2, tzinfo=UTC))
        await db.meta.set("global_command_hash", "abc")
        for channel, thread_id in ((500, seed.id), (501, imported.thread_id)):
            replay = await db.replays.start(
                guild_id=42,
                channel_id=channel,
                thread_id=thread_id,
                first_seq=1,
                last_seq=3,
                speed=0.3,
                mode="webhook",
                started_by=9,
            )
            assert replay is not None
            await db.replays.record_progress(replay.id, 2, 1)
        assert await db.replays.end(replay.id, "finished")


def migrate(source: Path, url: str, tmp_path: Path) -> int:
    return cli.main(["--env-file", str(tmp_path / "none.env"), "migrate-db", "--to", url,
                     "--from", str(source)])  # fmt: skip


def test_sqlite_to_postgresql_copies_every_row(
    postgres_url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    source = tmp_path / "old.db"
    asyncio.run(_fill(source))
    assert migrate(source, postgres_url, tmp_path) == 0
    out = capsys.readouterr().out
    assert "same number of rows" in out and "paragraphs" in out

    async def check() -> None:
        async with Storage(source) as old, Storage(postgres_url) as new:
            before, after = await snapshot(old), await snapshot(new)
            assert {t: v for t, v in after.items() if t != "search"} == {
                t: v for t, v in before.items() if t != "search"
            }
            assert [r[0] for r in after["search"]] == [r[0] for r in before["search"]]
            seed = await new.threads.find("iraq-cease-fire-over")
            assert seed is not None
            hits = await new.comments.by_author(seed.id, "Michael", query="israel")
            assert [c.number for c in hits] == [27, 29, 31]
            guild = await new.threads.find("guild-thread", 42)
            assert guild is not None
            assert await new.comments.count_by_author(guild.id, "ana", query="naive") == 1
            # New rows get new ids after the copied ones.
            added = await ingest_thread(new, parse_thread(IMPORTED, "h.txt"), guild_id=44)
            assert added.status == "added" and added.thread_id > guild.id
            replay = await new.replays.start(
                guild_id=44,
                channel_id=900,
                thread_id=added.thread_id,
                first_seq=1,
                last_seq=1,
                speed=1,
                mode="embed",
                started_by=1,
            )
            assert replay is not None and replay.id == 3
            assert (await new.replays.get(1)).speed == 0.3  # type: ignore[union-attr]

    asyncio.run(check())


def test_a_target_with_data_is_refused_and_left_alone(
    postgres_url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    source = tmp_path / "old.db"
    asyncio.run(_fill(source))
    assert migrate(source, postgres_url, tmp_path) == 0
    capsys.readouterr()
    assert migrate(source, postgres_url, tmp_path) == 1
    assert "already holds data" in capsys.readouterr().err
    assert migrate(tmp_path / "missing.db", postgres_url, tmp_path) == 1
    assert "no SQLite database there" in capsys.readouterr().err
    assert migrate(source, str(tmp_path / "x.db"), tmp_path) == 1
    assert "must be a postgresql:// URL" in capsys.readouterr().err


def test_the_copy_names_every_column_of_every_table(tmp_path: Path) -> None:
    """A migration that adds a column must add it to the copy too, or migrate-db would
    quietly drop its values."""
    path = tmp_path / "schema.db"
    asyncio.run(_open(path))
    conn = sqlite3.connect(path)
    try:
        tables = {
            r[0]
            for r in conn.execute(
                "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' "
                "AND name NOT LIKE 'comment_fts%'"
            )
        }
        assert tables - set(COLUMNS) == {"leases"}, "every table with data is copied"
        for table, columns in COLUMNS.items():
            stored = {r[1] for r in conn.execute(f"PRAGMA table_info({table})")}
            assert stored == set(columns), table
    finally:
        conn.close()


async def _open(path: Path) -> None:
    async with Storage(path):
        pass
