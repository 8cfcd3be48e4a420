"""Copy every stored row from one database to another (``python -m bot migrate-db``):
an SQLite file into a new PostgreSQL database when a bot outgrows one process.

Everything goes in one transaction on the target, thread by thread (memory stays
bounded by the biggest thread), with the same ids, so buttons and replays that name
a thread or a replay by id keep working. The search index is not copied but built
again from each comment's own paragraphs (those that quote nobody), which is what
ingest indexes. Before the transaction commits, the rows of every table are counted on
both sides; any difference rolls the whole copy back. The target must be empty.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from bot.storage.database import COLUMNS, Reader, SearchRow, Transaction
from bot.storage.store import Storage

_PER_THREAD = {
    "authors": "thread_id = ? ORDER BY id",
    "comments": "thread_id = ? ORDER BY id",
    "paragraphs": "comment_id IN (SELECT id FROM comments WHERE thread_id = ?) "
    "ORDER BY comment_id, idx",
    "edges": "thread_id = ?",
    "summaries": "thread_id = ?",
}


class CopyError(RuntimeError):
    """The copy cannot start (target not empty) or did not copy everything (rolled back)."""


@dataclass(slots=True)
class CopyReport:
    """Rows per table in the source and in the target after the copy (equal, or it failed)."""

    source: dict[str, int] = field(default_factory=dict)
    target: dict[str, int] = field(default_factory=dict)


async def _count(statements: Reader, table: str) -> int:
    return int(await statements.scalar(f"SELECT count(*) FROM {table}") or 0)


async def copy_database(source: Storage, target: Storage) -> CopyReport:
    """Copy every row of ``source`` into the empty ``target`` (both open); see the module."""
    report = CopyReport()
    read = source.database.read
    for table in COLUMNS:
        report.source[table] = await _count(read, table)
    report.source["search"] = report.source["comments"]
    async with target.database.write() as tx:
        for table in COLUMNS:
            if await _count(tx, table):
                raise CopyError(f"{target.name} already holds data ({table}): copy into a new one")
        thread_ids = [int(r[0]) for r in await read.all("SELECT id FROM threads ORDER BY id")]
        await _copy_rows(source, tx, "threads", "TRUE ORDER BY id", ())
        for thread_id in thread_ids:
            for table, where in _PER_THREAD.items():
                await _copy_rows(source, tx, table, where, (thread_id,))
            await _index(source, target, tx, thread_id)
        for table in ("guild_settings", "meta", "replays"):
            await _copy_rows(source, tx, table, "TRUE", ())
        await target.database.ids_follow_rows(tx)
        for table in COLUMNS:
            report.target[table] = await _count(tx, table)
        report.target["search"] = await target.database.search_rows(tx)
        if report.target != report.source:
            raise CopyError(
                "the copy does not match the source, nothing was kept: "
                + ", ".join(
                    f"{t} {report.source[t]} → {report.target.get(t)}"
                    for t in report.source
                    if report.source[t] != report.target.get(t)
                )
            )
    return report


async def _copy_rows(
    source: Storage, tx: Transaction, table: str, where: str, params: tuple[int, ...]
) -> None:
    columns = COLUMNS[table]
    rows = await source.database.read.all(
        f"SELECT {', '.join(columns)} FROM {table} WHERE {where}", params
    )
    await tx.insert_many(table, columns, [tuple(r) for r in rows])


async def _index(source: Storage, target: Storage, tx: Transaction, thread_id: int) -> None:
    """The thread's comments in the target's search index: own paragraphs, in order."""
    rows = await source.database.read.all(
        "SELECT c.id, c.author_id, p.text FROM comments c "
        "LEFT JOIN paragraphs p ON p.comment_id = c.id AND p.quote_seq IS NULL "
        "WHERE c.thread_id = ? ORDER BY c.id, p.idx",
        (thread_id,),
    )
    own: dict[int, tuple[int, list[str]]] = {}
    for row in rows:
        entry = own.setdefault(int(row[0]), (int(row[1]), []))
        if row[2] is not None:
            entry[1].append(str(row[2]))
    await target.database.index_comments(
        tx,
        [
            SearchRow(comment_id, thread_id, author_id, "\n\n".join(texts))
            for comment_id, (author_id, texts) in own.items()
        ],
    )
