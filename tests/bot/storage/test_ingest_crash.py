"""Ingest atomicity under SIGKILL: the database holds the whole old version or the whole new one.

A database already holds ``big.txt`` (a small synthetic thread). A separate
Python process then ingests a new, much larger ``big.txt`` (thousands of
comments) into it and is killed with SIGKILL at several moments: right as it
starts the write, after various delays, and once the write-ahead log has
grown past a size (so the transaction is certainly half written). After each
kill the database is reopened and must pass ``PRAGMA integrity_check`` and
FTS5's own integrity check, and every table must equal, row for row, either
the untouched old database or the database a run that was not killed left.

The child reads and parses the file through the real ``bot.sources.loading.load_file``
and writes through ``Storage.ingest``; the reply structure is the one the
synthetic generator built the thread with (pickled by the parent), because
running reply inference in every child would cost seconds and happens before
the transaction anyway.
"""

from __future__ import annotations

import asyncio
import os
import pickle
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from benchmarks.synthetic import generate_thread
from bot.sources.capture import parse_thread
from bot.sources.loading import ingest_files
from bot.storage import Storage
from tests.conftest import ROOT

pytestmark = pytest.mark.slow  # kills ingest subprocesses

NEW_COMMENTS = 3000
OLD_COMMENTS = 120
SOURCE = "big.txt"

CHILD = r"""
import asyncio, pickle, sys
from pathlib import Path

from bot.sources.loading import load_file
from bot.storage import Storage


async def main(db: str, thread_file: str, replies_file: str) -> None:
    (thread,) = load_file(Path(thread_file))
    replies = pickle.loads(Path(replies_file).read_bytes())
    async with Storage(db) as storage:
        print("ingesting", flush=True)
        result = await storage.ingest(thread, replies)
        print("committed", result.status, result.comment_count, flush=True)


asyncio.run(main(*sys.argv[1:4]))
"""


@dataclass(frozen=True)
class Versions:
    """The database before the ingest, the one a completed ingest leaves, and the inputs."""

    folder: Path
    old_db: Path
    new_db: Path
    thread_file: Path
    replies_file: Path
    old_hash: str
    new_hash: str


def snapshot(path: Path) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of every table (the FTS table by its visible columns), read with plain sqlite3.

    ``threads.ingested_at`` is left out: it is the only value two ingests of the same
    file may differ in.
    """
    conn = sqlite3.connect(path)
    try:
        tables = [
            r[0]
            for r in conn.execute(
                "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' "
                "AND name NOT LIKE 'comment_fts_%'"
            )
        ]
        out: dict[str, list[tuple[Any, ...]]] = {}
        for table in tables:
            if table == "threads":
                sql = "SELECT id, guild_id, source, slug, content_hash, comment_count FROM threads"
            elif table == "comment_fts":
                sql = "SELECT rowid, text, scope FROM comment_fts"
            else:
                sql = f"SELECT * FROM {table}"
            out[table] = sorted(conn.execute(sql).fetchall(), key=repr)
        return out
    finally:
        conn.close()


def check_consistent(path: Path) -> str:
    """Integrity checks on a reopened database; returns the stored ``big.txt`` hash."""
    conn = sqlite3.connect(path)
    try:
        assert conn.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
        # Raises sqlite3.DatabaseError ("database disk image is malformed") on a bad index.
        conn.execute("INSERT INTO comment_fts (comment_fts) VALUES ('integrity-check')")
        ((content_hash, stored_count, thread_id),) = conn.execute(
            "SELECT content_hash, comment_count, id FROM threads WHERE source = ?", (SOURCE,)
        ).fetchall()
        comments = conn.execute(
            "SELECT count(*) FROM comments WHERE thread_id = ?", (thread_id,)
        ).fetchone()[0]
        by_authors = conn.execute(
            "SELECT sum(comment_count) FROM authors WHERE thread_id = ?", (thread_id,)
        ).fetchone()[0]
        fts_ids = {r[0] for r in conn.execute("SELECT rowid FROM comment_fts")}
        comment_ids = {r[0] for r in conn.execute("SELECT id FROM comments")}
        assert comments == stored_count == by_authors
        assert fts_ids == comment_ids
        return str(content_hash)
    finally:
        conn.close()


@pytest.fixture(scope="module")
def versions(tmp_path_factory: pytest.TempPathFactory) -> Versions:
    folder = tmp_path_factory.mktemp("crash")
    old_file = folder / "old" / SOURCE
    old_file.parent.mkdir()
    old_file.write_text(generate_thread(OLD_COMMENTS, 1).text, encoding="utf-8")
    new = generate_thread(NEW_COMMENTS, 2)
    thread_file = folder / SOURCE
    thread_file.write_text(new.text, encoding="utf-8")
    replies_file = folder / "replies.pickle"
    replies_file.write_bytes(pickle.dumps(new.expected))

    async def load_old() -> None:
        async with Storage(folder / "old.db") as storage:
            report = await ingest_files(storage, [old_file])
            assert report.ok and report.results[0].comment_count == OLD_COMMENTS

    asyncio.run(load_old())
    old_hash = check_consistent(folder / "old.db")
    new_db = folder / "new.db"
    shutil.copy(folder / "old.db", new_db)
    completed = run_child(
        Versions(folder, folder / "old.db", new_db, thread_file, replies_file, old_hash, ""),
        new_db,
        kill=None,
    )
    assert completed.finished, completed
    new_hash = parse_thread(new.text, SOURCE).content_hash
    assert check_consistent(new_db) == new_hash != old_hash
    return Versions(
        folder, folder / "old.db", new_db, thread_file, replies_file, old_hash, new_hash
    )


@dataclass(frozen=True)
class Run:
    started: bool
    """The child printed that it was about to write."""
    finished: bool
    """The child printed that the transaction committed (so it was not killed before that)."""
    wal_at_kill: int
    killed: bool


AFTER_COMMIT = "after commit"


def run_child(versions: Versions, db: Path, *, kill: float | int | str | None) -> Run:
    """Run the child on ``db``. ``kill``: ``None`` never, a float = seconds after it starts
    writing, an int = once the WAL file holds at least that many bytes, ``AFTER_COMMIT`` =
    as soon as it reports the commit (before it closes the database)."""
    proc = subprocess.Popen(
        [
            sys.executable,
            "-c",
            CHILD,
            str(db),
            str(versions.thread_file),
            str(versions.replies_file),
        ],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert proc.stdout is not None
    wal = db.with_name(db.name + "-wal")
    killed = False
    wal_at_kill = 0
    first_line = ""
    try:
        started = proc.stdout.readline().strip() == "ingesting"
        if kill is not None and started:
            deadline = time.monotonic() + 15
            if kill == AFTER_COMMIT:
                first_line = proc.stdout.readline()
            elif isinstance(kill, float):
                time.sleep(kill)
            else:
                while proc.poll() is None and time.monotonic() < deadline:
                    if wal.exists() and wal.stat().st_size >= kill:
                        break
                    time.sleep(0.001)
            wal_at_kill = wal.stat().st_size if wal.exists() else 0
            if proc.poll() is None:
                os.kill(proc.pid, signal.SIGKILL)
                killed = True
        out, err = proc.communicate(timeout=30)
        out = first_line + out
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    if not killed:
        assert proc.returncode == 0, err
    finished = out.startswith("committed")
    return Run(started, finished, wal_at_kill, killed)


KILL_POINTS: list[float | int | str] = [
    0.0,
    0.05,
    0.15,
    0.3,
    256 * 1024,
    1024 * 1024,
    4 * 1024 * 1024,
    AFTER_COMMIT,
]


def test_sigkill_leaves_old_or_new_never_a_mix(versions: Versions, tmp_path: Path) -> None:
    old = snapshot(versions.old_db)
    new = snapshot(versions.new_db)
    assert old != new
    outcomes: list[tuple[float | int | str, str, Run]] = []
    for number, kill in enumerate(KILL_POINTS):
        db = tmp_path / f"kill-{number}.db"
        shutil.copy(versions.old_db, db)
        run = run_child(versions, db, kill=kill)
        assert run.started, f"child never started writing ({kill})"
        stored = check_consistent(db)  # reopens: recovery of the killed transaction happens here
        state = snapshot(db)
        if stored == versions.old_hash:
            assert state == old, f"kill at {kill}: old hash but not the old rows"
            assert not run.finished
            outcomes.append((kill, "old", run))
        else:
            assert stored == versions.new_hash
            assert state == new, f"kill at {kill}: new hash but not the new rows"
            outcomes.append((kill, "new", run))
        asyncio.run(reopen_and_read(db, stored, versions))
    # The test means something only if some kills landed inside the transaction: the WAL
    # had grown (pages of the new version were on disk) and yet the old version survived.
    mid_write = [o for o in outcomes if o[1] == "old" and o[2].killed and o[2].wal_at_kill > 0]
    assert mid_write, outcomes
    after = [o for o in outcomes if o[0] == AFTER_COMMIT]
    assert [(o[1], o[2].finished, o[2].killed) for o in after] == [("new", True, True)]


async def reopen_and_read(db: Path, stored_hash: str, versions: Versions) -> None:
    """The bot's own code reopens the database and reads a consistent thread."""
    async with Storage(db) as storage:
        assert await storage.integrity_check() == "ok"
        thread = await storage.threads.find(SOURCE)
        assert thread is not None and thread.content_hash == stored_hash
        comments = await storage.comments.all(thread.id)
        assert len(comments) == thread.comment_count
        authors = await storage.comments.authors(thread.id)
        assert sum(a.comment_count for a in authors) == thread.comment_count
        first = authors[0].name
        hits = await storage.comments.by_author(thread.id, first, limit=1000)
        assert len(hits) == await storage.comments.count_by_author(thread.id, first)
