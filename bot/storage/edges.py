"""Reply links between comments (and to the article), and who-answers-whom counts."""

from __future__ import annotations

from bot.models import ARTICLE, PairCount, StoredEdge, Via
from bot.storage.database import Row
from bot.storage.repository import Repository
from bot.text import shorten

EDGE_COLUMNS = (
    "SELECT e.src_seq, sa.name, e.dst_seq, coalesce(da.name, t.author), e.via, e.snippet, "
    "e.confidence, CASE WHEN e.snippet IS NULL THEN (SELECT pt.text FROM paragraph_texts pt "
    "WHERE pt.comment_id = sc.id AND pt.quote_seq = e.dst_seq ORDER BY pt.idx LIMIT 1) END "
    "FROM edges e JOIN threads t ON t.id = e.thread_id "
    "JOIN comments sc ON sc.thread_id = e.thread_id AND sc.seq = e.src_seq "
    "JOIN authors sa ON sa.id = sc.author_id "
    "LEFT JOIN comments dc ON dc.thread_id = e.thread_id AND dc.seq = e.dst_seq "
    "LEFT JOIN authors da ON da.id = dc.author_id "
)


def edge_from_row(row: Row) -> StoredEdge:
    """A ``StoredEdge`` from a row of :data:`EDGE_COLUMNS`.

    A quote edge's snippet is kept only when it is not :func:`~bot.text.shorten` of the
    first paragraph quoting the target (migration 10): else it is made again here."""
    via: Via = row[4]
    snippet = str(row[5]) if row[5] is not None else shorten(str(row[7] or ""))
    return StoredEdge(
        int(row[0]), str(row[1]), int(row[2]), str(row[3]), via, snippet, float(row[6])
    )


class EdgeRepository(Repository):
    async def all(self, thread_id: int) -> list[StoredEdge]:
        """Every reply edge of a thread, by replying comment."""
        rows = await self._db.read.all(
            EDGE_COLUMNS + "WHERE e.thread_id = ? ORDER BY e.src_seq, e.dst_seq", (thread_id,)
        )
        return [edge_from_row(r) for r in rows]

    async def of_comment(
        self, thread_id: int, seq: int
    ) -> tuple[list[StoredEdge], list[StoredEdge]]:
        """``(what comment seq replies to, what replies to it)``, in one statement so that
        both halves come from the same version of the thread."""
        rows = await self._db.read.all(
            EDGE_COLUMNS + "WHERE e.thread_id = ? AND (e.src_seq = ? OR e.dst_seq = ?) "
            "ORDER BY e.src_seq, e.dst_seq",
            (thread_id, seq, seq),
        )
        edges = [edge_from_row(r) for r in rows]
        return [e for e in edges if e.source == seq], [e for e in edges if e.target == seq]

    async def pair_counts(self, thread_id: int) -> list[PairCount]:
        """``bot.ui.graph.pair_counts(edges.all(thread_id))`` counted in SQL, in the same order.

        The person-to-person table of a big thread has thousands of edges; reading them all
        into Python to count them took most of ``/thread replies``. A comment counts once
        per person it answers (``count(DISTINCT src_seq)`` per source person, target name
        and article-or-not, as ``pair_counts`` dedupes); rows come in order of each pair's
        first edge, so the stable sort by ``PairCount.rank`` breaks ties as it does.
        """
        rows = await self._db.read.all(
            "SELECT sa.name, coalesce(da.name, t.author), e.dst_seq = ?2, "
            "count(DISTINCT e.src_seq), min(e.src_seq * 4294967296 + e.dst_seq) AS first "
            "FROM edges e JOIN threads t ON t.id = e.thread_id "
            "JOIN comments sc ON sc.thread_id = e.thread_id AND sc.seq = e.src_seq "
            "JOIN authors sa ON sa.id = sc.author_id "
            "LEFT JOIN comments dc ON dc.thread_id = e.thread_id AND dc.seq = e.dst_seq "
            "LEFT JOIN authors da ON da.id = dc.author_id "
            "WHERE e.thread_id = ?1 GROUP BY sa.id, 2, 3 ORDER BY first",
            (thread_id, ARTICLE),
        )
        pairs = [PairCount(str(r[0]), str(r[1]), int(r[3]), bool(r[2])) for r in rows]
        pairs.sort(key=PairCount.rank)
        return pairs
