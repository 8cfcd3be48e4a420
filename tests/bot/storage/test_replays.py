"""The replays table: one running replay per channel and target, the guild limit, progress."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from bot.storage import MIGRATIONS, ReplayRecord, Storage
from tests.backends import INTEGRITY_ERRORS
from tests.bot.replay.conftest import CHANNEL, GUILD, new_replay, seed_thread

# ---- the replays table ---------------------------------------------------------------------------


async def test_one_running_replay_per_channel_and_per_target(seeded: Storage) -> None:
    thread = await seed_thread(seeded)
    first = await new_replay(seeded, thread)
    assert first.status == "running" and (first.next_seq, first.next_part) == (0, 0)
    assert (
        await seeded.replays.start(
            guild_id=GUILD,
            channel_id=CHANNEL,
            thread_id=thread.id,
            first_seq=1,
            last_seq=2,
            speed=1,
            mode="embed",
            started_by=1,
        )
        is None
    )
    await seeded.replays.set_target(first.id, 2000)
    # Starting from inside the thread the first replay posts into is busy too.
    inside = await seeded.replays.start(
        guild_id=GUILD,
        channel_id=2000,
        thread_id=thread.id,
        first_seq=1,
        last_seq=2,
        speed=1,
        mode="embed",
        started_by=1,
    )
    assert inside is None
    assert (await seeded.replays.running(2000)) == (await seeded.replays.running(CHANNEL))
    assert await seeded.replays.end(first.id, "stopped")
    assert not await seeded.replays.end(first.id, "finished")  # only a running one ends
    assert (await seeded.replays.latest(CHANNEL)).status == "stopped"  # type: ignore[union-attr]
    again = await new_replay(seeded, thread)
    assert again.id != first.id
    assert [r.id for r in await seeded.replays.all_running()] == [again.id]


async def test_the_index_enforces_one_running_replay_per_channel(seeded: Storage) -> None:
    thread = await seed_thread(seeded)
    await new_replay(seeded, thread)
    with pytest.raises(INTEGRITY_ERRORS):
        await seeded.database.execute_write(
            "INSERT INTO replays (guild_id, channel_id, thread_id, first_seq, last_seq, speed, "
            "mode, status, started_by, started_at, updated_at) "
            "VALUES (1, ?, ?, 1, 1, 1, 'embed', 'running', 1, '', '')",
            (CHANNEL, thread.id),
        )


async def test_progress_mode_and_cascade(seeded: Storage) -> None:
    thread = await seed_thread(seeded)
    record = await new_replay(seeded, thread)
    await seeded.replays.record_progress(record.id, 3, 1)
    await seeded.replays.record_progress(record.id, 4, 0)
    await seeded.replays.set_mode(record.id, "embed")
    stored = await seeded.replays.get(record.id)
    assert stored is not None
    assert (stored.next_seq, stored.next_part, stored.posted, stored.mode) == (4, 0, 2, "embed")
    with pytest.raises(ValueError):
        await seeded.replays.end(record.id, "running")
    assert await seeded.threads.delete(thread.id)
    assert await seeded.replays.get(record.id) is None


async def test_migration_three_upgrades_a_version_two_database(tmp_path: Path) -> None:
    path = tmp_path / "old.db"
    conn = sqlite3.connect(path)
    for version, script in MIGRATIONS:
        if version <= 2:
            conn.executescript(script)
    conn.execute("PRAGMA user_version = 2")
    conn.commit()
    conn.close()
    async with Storage(path) as db:
        assert await db.schema_version() == MIGRATIONS[-1][0] >= 3
        assert await db.replays.all_running() == []


async def test_the_guild_limit_is_checked_with_the_insert(seeded: Storage) -> None:
    thread = await seed_thread(seeded)

    async def start(channel: int, guild: int = GUILD) -> ReplayRecord | None:
        return await seeded.replays.start(
            guild_id=guild,
            channel_id=channel,
            thread_id=thread.id,
            first_seq=1,
            last_seq=2,
            speed=1,
            mode="webhook",
            started_by=1,
            guild_limit=2,
        )

    first = await start(1)
    assert first is not None and await start(2) is not None
    assert await start(3) is None
    assert await seeded.replays.running(3) is None, "refused for the guild, not the channel"
    assert await start(4, guild=GUILD + 1) is not None, "other guilds are not affected"
    assert await seeded.replays.count_running(GUILD) == 2
    await seeded.replays.end(first.id, "finished")
    assert await start(3) is not None
    assert await seeded.replays.count_running(GUILD) == 2
