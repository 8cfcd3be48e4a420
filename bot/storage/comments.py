"""Comments with their paragraphs, the people who wrote them, and search in their own words.

Search runs on a full-text index of each comment's own paragraphs (quotes of others
left out), scoped by author: FTS5 on SQLite, a ``tsvector`` on PostgreSQL (each
backend's ``search_condition``); free user input becomes a query through
:mod:`bot.storage.search`, which never lets query syntax through.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from bot.models import AuthorStats, QuoteRef, StoredComment, StoredParagraph
from bot.storage.database import Row
from bot.storage.repository import Repository
from bot.text import fold


def _comment(r: Row) -> StoredComment:
    return StoredComment(
        thread_id=int(r[1]),
        seq=int(r[2]),
        number=int(r[3]),
        author=str(r[4]),
        paragraphs=tuple(
            StoredParagraph(p[1], None if p[2] is None else QuoteRef(int(p[2]), int(p[3])))
            for p in sorted(json.loads(r[6]), key=lambda p: int(p[0]))
        ),
        posted=r[5],
    )


class CommentRepository(Repository):
    async def _select(self, where: str, params: Sequence[Any]) -> list[StoredComment]:
        """Comments matching ``where``: heads plus their paragraphs as JSON.

        One statement, so one committed state: read as two statements, an ingest
        committing in between (a replaced thread reuses comment ids) paired one
        version's comment heads with the other version's paragraphs.
        """
        sql = (
            f"SELECT c.id, c.thread_id, c.seq, c.number, a.name, c.posted, "
            f"{self._db.paragraphs_json} "
            f"FROM comments c JOIN authors a ON a.id = c.author_id {where}"
        )
        return [_comment(r) for r in await self._db.read.all(sql, params)]

    async def get(self, thread_id: int, seq: int) -> StoredComment | None:
        rows = await self._select("WHERE c.thread_id = ? AND c.seq = ?", (thread_id, seq))
        return rows[0] if rows else None

    async def page(self, thread_id: int, *, start: int = 1, limit: int = 1) -> list[StoredComment]:
        """``limit`` comments from position ``start`` (1-based seq) on, in thread order."""
        return await self._select(
            "WHERE c.thread_id = ? AND c.seq >= ? ORDER BY c.seq LIMIT ?",
            (thread_id, start, limit),
        )

    async def by_seq(self, thread_id: int, seqs: Sequence[int]) -> list[StoredComment]:
        """The comments at positions ``seqs``, in thread order."""
        if not seqs:
            return []
        return await self._select(
            f"WHERE c.thread_id = ? AND c.seq IN ({','.join('?' * len(seqs))}) ORDER BY c.seq",
            (thread_id, *seqs),
        )

    async def all(self, thread_id: int) -> list[StoredComment]:
        """Every comment of one thread, in order (export, summaries, replay)."""
        return await self._select("WHERE c.thread_id = ? ORDER BY c.seq", (thread_id,))

    async def seq_for_number(self, thread_id: int, number: int) -> int | None:
        """The position of the first comment printed with ``number``."""
        seq = await self._db.read.scalar(
            "SELECT seq FROM comments WHERE thread_id = ? AND number = ? ORDER BY seq LIMIT 1",
            (thread_id, number),
        )
        return None if seq is None else int(seq)

    async def heads(self, thread_id: int) -> dict[int, tuple[int, str]]:
        """``seq -> (number, author)`` of every comment: what quote headers need, no text."""
        rows = await self._db.read.all(
            "SELECT c.seq, c.number, a.name FROM comments c JOIN authors a ON a.id = c.author_id "
            "WHERE c.thread_id = ?",
            (thread_id,),
        )
        return {int(r[0]): (int(r[1]), str(r[2])) for r in rows}

    # ---- people ----------------------------------------------------------------------

    async def authors(self, thread_id: int) -> list[AuthorStats]:
        """Participants of a thread, by first appearance."""
        rows = await self._db.read.all(
            "SELECT name, comment_count, word_count, first_seq, last_seq FROM authors "
            "WHERE thread_id = ? ORDER BY first_seq",
            (thread_id,),
        )
        return [AuthorStats(r[0], r[1], r[2], r[3], r[4]) for r in rows]

    async def _author(self, thread_id: int, name: str) -> Row | None:
        """``(id, name)`` of the participant called ``name``: the exact spelling first, else
        the one whose :func:`~bot.text.fold` matches."""
        return await self._db.read.one(
            "SELECT id, name FROM authors WHERE thread_id = ? AND (name = ? OR folded = ?) "
            "ORDER BY name = ? DESC LIMIT 1",
            (thread_id, name, fold(name), name),
        )

    async def find_author(self, thread_id: int, name: str) -> str | None:
        """The stored spelling of a participant's name, matched case- and accent-insensitively."""
        row = await self._author(thread_id, name)
        return None if row is None else str(row["name"])

    # ---- one person's comments, optionally searched -----------------------------------

    async def by_author(
        self,
        thread_id: int,
        author: str,
        *,
        query: str | None = None,
        offset: int = 0,
        limit: int = 25,
    ) -> list[StoredComment]:
        """One person's comments in order; with ``query``, only those whose own words match it."""
        row = await self._author(thread_id, author)
        if row is None:
            return []
        author_id = int(row["id"])
        if query is None or not query.strip():
            return await self._select(
                "WHERE c.author_id = ? ORDER BY c.seq LIMIT ? OFFSET ?",
                (author_id, limit, offset),
            )
        search = self._db.search_condition(author_id, query)
        if search is None:
            return []
        condition, params = search
        return await self._select(
            f"WHERE {condition} ORDER BY c.seq LIMIT ? OFFSET ?", (*params, limit, offset)
        )

    async def count_by_author(
        self, thread_id: int, author: str, *, query: str | None = None
    ) -> int:
        """How many comments :meth:`by_author` would list without ``offset``/``limit``."""
        row = await self._author(thread_id, author)
        if row is None:
            return 0
        author_id = int(row["id"])
        if query is None or not query.strip():
            n = await self._db.read.scalar(
                "SELECT count(*) FROM comments WHERE author_id = ?", (author_id,)
            )
            return int(n or 0)
        search = self._db.search_count(author_id, query)
        if search is None:
            return 0
        n = await self._db.read.scalar(*search)
        return int(n or 0)
