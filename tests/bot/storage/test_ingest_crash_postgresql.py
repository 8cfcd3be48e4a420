"""Ingest atomicity under SIGKILL on PostgreSQL: the old version or the new one, never a mix.

As ``test_ingest_crash.py`` does for SQLite: a separate process ingests a much larger
``big.txt`` over a stored small one and is killed with SIGKILL at several moments,
among them while it certainly holds the write transaction open (its advisory lock is
granted and the server shows it inside a transaction). Afterwards every table holds
exactly the rows it held before, or exactly the rows a run that was not killed leaves.
"""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path
from typing import Any

import asyncpg
import pytest

from bot.sources.capture import parse_thread
from bot.sources.loading import ingest_files
from bot.storage import Storage
from tests.backends import snapshot
from tests.bot.storage.test_ingest_crash import (
    CHILD,
    NEW_COMMENTS,
    OLD_COMMENTS,
    SOURCE,
    Versions,
    versions,  # noqa: F401  (the module's fixture: the thread files and replies)
)
from tests.conftest import ROOT
from tests.postgres import with_search_path

pytestmark = pytest.mark.slow  # kills ingest subprocesses

IN_TRANSACTION = "in transaction"


async def _sql(server: str, sql: str) -> Any:
    conn = await asyncpg.connect(server)
    try:
        return await conn.fetchval(sql)
    finally:
        await conn.close()


def _old_schema(server: str, old_file: Path, made: list[str]) -> str:
    """A new schema holding the old version of ``big.txt`` (noted in ``made``); its URL."""
    schema = f"t_{uuid.uuid4().hex[:16]}"
    asyncio.run(_sql(server, f"CREATE SCHEMA {schema}"))
    made.append(schema)
    url = with_search_path(server, schema)

    async def load() -> None:
        async with Storage(url) as storage:
            report = await ingest_files(storage, [old_file])
            assert report.ok and report.results[0].comment_count == OLD_COMMENTS

    asyncio.run(load())
    return url


async def _state(url: str) -> dict[str, list[tuple[Any, ...]]]:
    async with Storage(url) as storage:
        assert await storage.integrity_check() == "ok"
        rows = await snapshot(storage)
    # When a thread was stored is not part of what it holds.
    rows["threads"] = [r[:14] + r[15:] for r in rows["threads"]]
    return rows


def _writing(server: str) -> bool:
    """Whether some session holds an advisory lock inside an open transaction."""
    return bool(
        asyncio.run(
            _sql(
                server,
                "SELECT count(*) FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid "
                "WHERE l.locktype = 'advisory' AND l.granted AND a.xact_start IS NOT NULL",
            )
        )
    )


def _run_child(server: str, url: str, v: Versions, kill: float | str | None) -> tuple[bool, bool]:
    """``(killed, committed)`` of one child ingest into ``url``."""
    proc = subprocess.Popen(
        [sys.executable, "-c", CHILD, url, str(v.thread_file), str(v.replies_file)],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert proc.stdout is not None
    killed = False
    try:
        assert proc.stdout.readline().strip() == "ingesting"
        if kill == IN_TRANSACTION:
            deadline = time.monotonic() + 15
            while proc.poll() is None and time.monotonic() < deadline and not _writing(server):
                time.sleep(0.005)
            time.sleep(0.05)
        elif isinstance(kill, float):
            time.sleep(kill)
        if kill is not None and proc.poll() is None:
            os.kill(proc.pid, signal.SIGKILL)
            killed = True
        out, err = proc.communicate(timeout=60)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    if not killed:
        assert proc.returncode == 0, err
    return killed, out.startswith("committed")


def test_sigkill_on_postgresql_leaves_old_or_new_never_a_mix(
    versions: Versions,  # noqa: F811
    postgres_server: str,
) -> None:
    made: list[str] = []
    try:
        _kill_points(versions, postgres_server, made)
    finally:
        for schema in made:
            asyncio.run(_sql(postgres_server, f"DROP SCHEMA {schema} CASCADE"))


def _kill_points(versions: Versions, postgres_server: str, made: list[str]) -> None:  # noqa: F811
    old_file = versions.folder / "old" / SOURCE
    reference = _old_schema(postgres_server, old_file, made)
    old = asyncio.run(_state(reference))
    assert _run_child(postgres_server, reference, versions, None) == (False, True)
    new = asyncio.run(_state(reference))
    assert len(new["comments"]) == NEW_COMMENTS and old != new
    new_hash = parse_thread(versions.thread_file.read_text(encoding="utf-8"), SOURCE).content_hash
    outcomes = []
    for kill in (0.0, 0.1, IN_TRANSACTION, IN_TRANSACTION, 0.4):
        url = _old_schema(postgres_server, old_file, made)
        killed, committed = _run_child(postgres_server, url, versions, kill)
        state = asyncio.run(_state(url))
        if state == old:
            assert not committed, kill
            outcomes.append((kill, "old", killed))
        else:
            assert state == new, f"kill at {kill}: neither the old rows nor the new ones"
            assert [r[4] for r in state["threads"]] == [new_hash]
            outcomes.append((kill, "new", killed))
    mid = [o for o in outcomes if o[0] == IN_TRANSACTION and o[2]]
    assert mid and all(o[1] == "old" for o in mid), outcomes
