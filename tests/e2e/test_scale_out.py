"""Scale out: two bot processes (shards 0 and 1 of 2) on one PostgreSQL database.

Real processes (``tests/fakediscord/bot_process.py``) against the fake Discord of this
test. A replay is run by exactly one of them; when that one is killed (SIGKILL, no
goodbye) in the middle, the other takes it over after the lease lapses, reads the
thread back and carries on: every comment is posted exactly once.
"""

from __future__ import annotations

import asyncio
import logging
import os
import signal
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from bot.models import StoredThread
from bot.replay.plan import Post, article_posts, comment_posts
from bot.storage import Storage
from tests.conftest import ROOT, SEEDS
from tests.e2e.conftest import run_bot
from tests.e2e.test_replay import (
    answers_of,
    assert_posted_exactly,
    only_thread,
    replay_messages,
    start,
)
from tests.fakediscord import FakeDiscord
from tests.fakediscord.threadbot import make_threadbot

pytestmark = [pytest.mark.e2e, pytest.mark.slow]

LEASE = 1.0


async def spawn(fake: FakeDiscord, url: str, shard: int, log: Path) -> asyncio.subprocess.Process:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DISCORD_", "DATABASE_"))}
    env.update(
        FAKE_DISCORD_API=fake.api_base,
        FAKE_DISCORD_GATEWAY=str(fake.gateway_url),
        FAKE_DISCORD_TOKEN=fake.token,
        DATABASE_URL=url,
        SHARD_COUNT="2",
        SHARD_IDS=str(shard),
        SEEDS_DIR=str(SEEDS),
        REPLAY_INTERVAL="0.05",
        REPLAY_LEASE=str(LEASE),
        LOG_LEVEL="INFO",
    )
    return await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "tests.fakediscord.bot_process",
        cwd=ROOT,
        env=env,
        stdout=log.open("wb"),
        stderr=asyncio.subprocess.STDOUT,
    )


async def seed_plan(db: Storage) -> tuple[StoredThread, list[Post]]:
    thread = await db.threads.find("iraq-cease-fire-over")
    assert thread is not None
    heads = await db.comments.heads(thread.id)
    answers = await answers_of(db, thread.id)
    posts = article_posts(thread)
    for comment in await db.comments.all(thread.id):
        posts += comment_posts(comment, heads, thread.author, answers.get(comment.seq, []))
    return thread, posts


async def test_two_processes_run_a_replay_once_even_when_its_owner_is_killed(
    fake_discord: FakeDiscord, postgres_url: str, tmp_path: Path
) -> None:
    fake = fake_discord
    logs = [tmp_path / f"shard{n}.log" for n in (0, 1)]
    procs = [await spawn(fake, postgres_url, n, logs[n]) for n in (0, 1)]
    try:
        await fake.wait_until(
            lambda: fake.gateway.stats.identifies >= 2 and bool(fake.global_commands),
            60,
            what="both processes connected and the commands synced",
        )
        async with Storage(postgres_url) as db:
            for _ in range(200):  # the seeds are loaded before the gateway connects
                if await db.threads.find("iraq-cease-fire-over") is not None:
                    break
                await asyncio.sleep(0.05)
            _, plan = await seed_plan(db)
            await start(fake)
            target = int(only_thread(fake, fake.seed.general_id)["id"])
            await fake.wait_until(lambda: len(replay_messages(fake, target)) >= 8, 30)
            (record,) = await db.replays.all_running()
            owner = await db.database.read.scalar(
                "SELECT owner FROM replays WHERE id = ?", (record.id,)
            )
            pids = {p.pid: p for p in procs}
            victim = pids[int(str(owner).split(":")[1])]
            victim.send_signal(signal.SIGKILL)
            await victim.wait()
            survivor = next(p for p in procs if p is not victim)

            async def finished() -> bool:
                replay = await db.replays.get(record.id)
                return replay is not None and replay.status == "finished"

            for _ in range(600):
                if await finished():
                    break
                await asyncio.sleep(0.05)
            assert await finished(), [log.read_text()[-3000:] for log in logs]
            new_owner = await db.database.read.scalar(
                "SELECT owner FROM replays WHERE id = ?", (record.id,)
            )
            assert int(str(new_owner).split(":")[1]) == survivor.pid
        assert_posted_exactly(replay_messages(fake, target), plan)
        syncs = [r for r in fake.requests if r.method == "PUT" and r.path.endswith("/commands")]
        assert len(syncs) == 1, "commands are synced by the shard-0 process only"
    finally:
        for proc in procs:
            if proc.returncode is None:
                proc.send_signal(signal.SIGTERM)
        for proc in procs:
            try:
                await asyncio.wait_for(proc.wait(), 20)
            except TimeoutError:
                proc.kill()
                await proc.wait()


async def test_housekeeping_runs_in_one_process_of_two(
    fake_discord: FakeDiscord, postgres_url: str, caplog: pytest.LogCaptureFixture
) -> None:
    """Two bots start on one database where a server's grace period is over: it is purged
    once, by whichever takes the round's lease; the other skips the round."""
    gone = 7777
    async with Storage(postgres_url) as db:
        await db.guilds.put_settings(gone, {"replay_max_running": 1})
        await db.guilds.mark_left(gone, datetime.now(UTC) - timedelta(days=8))
    caplog.set_level(logging.INFO)
    first = make_threadbot(fake_discord, postgres_url, extensions=["cogs.housekeeping"])
    second = make_threadbot(fake_discord, postgres_url, extensions=["cogs.housekeeping"])
    async with run_bot(first, fake_discord), run_bot(second, fake_discord):
        for _ in range(250):
            skipped = [r for r in caplog.records if "another process does" in r.getMessage()]
            if skipped and await first.storage.guilds.settings(gone) == {}:
                break
            await asyncio.sleep(0.02)
    purges = [r for r in caplog.records if r.getMessage().startswith(f"purged server {gone}")]
    skips = [r for r in caplog.records if "another process does this round" in r.getMessage()]
    assert (len(purges), len(skips)) == (1, 1)
