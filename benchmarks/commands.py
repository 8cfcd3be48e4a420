"""The core call behind each slash command, as the latency and memory measurements run it.

Each command runs what its cog runs before it sends: the transformers that resolve the
``thread``/``person`` options (``bot.ui.transformers``), the page source the paginator
renders (``bot.ui.paginator``) or the cog's own storage calls, and the pure renderers into
``discord.Embed`` objects. Discord itself (sending) is left out.

Arguments are drawn once, before timing, from random comments of the stored corpus:
a comment's thread, its position and printed number, its author, one word of the
author's own text (the search query) and a prefix of a title word and of the author's
name (what autocomplete sees while someone types).
"""

from __future__ import annotations

import asyncio
import math
import random
import re
import sqlite3
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path

from benchmarks.common import Sizes
from bot.settings import Settings
from bot.storage import Storage
from bot.summaries import engine as summaries
from bot.summaries import service as summary_service
from bot.ui import rendering
from bot.ui.pages import (
    AuthorCommentsSource,
    CommentsSource,
    ParticipantsSource,
    ThreadListSource,
)
from bot.ui.rendering import Source
from bot.ui.summary_rendering import author_summary_embed, thread_summary_embed
from bot.ui.transformers import (
    author_choices,
    resolve_author,
    resolve_subject,
    resolve_thread,
    thread_choices,
)

GUILD = 1234
"""The guild the commands run in: it sees the shipped (guild 0) threads of the corpus."""
THREADS_PER_PAGE = rendering.THREADS_PER_PAGE

_WORD = re.compile(r"[^\W\d_]{3,}")


@dataclass(frozen=True, slots=True)
class Args:
    comment_id: int
    thread_id: int
    seq: int
    number: int
    author: str
    word: str
    typed: str
    """A prefix of a thread-title word (thread autocomplete)."""
    typed_author: str
    """A prefix of the author's name (person autocomplete)."""
    page: int
    """A page of the thread list."""


CommandFn = Callable[[Storage, Args], Awaitable[object]]


@dataclass(frozen=True, slots=True)
class Command:
    name: str
    what: str
    run: CommandFn
    max_samples: int | None = None
    """Stop timing this one after so many calls (``None``: every argument set)."""
    warm: CommandFn | None = None
    """Run once per argument set this command will be timed with, before any timing (fills
    the cache the command reads)."""
    first: bool = False
    """An uncached first request that defers: its own target, reported as information."""


def sample_args(db: Path, n: int, seed: int) -> list[Args]:
    """``n`` argument sets, each from a uniformly random stored comment."""
    rng = random.Random(seed)
    conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    try:
        max_id = int(conn.execute("SELECT max(id) FROM comments").fetchone()[0])
        titles = [str(r[0]) for r in conn.execute("SELECT title FROM threads")]
        out: list[Args] = []
        while len(out) < n:
            row = conn.execute(
                "SELECT c.id, c.thread_id, c.seq, c.number, a.name, f.text FROM comments c "
                "JOIN authors a ON a.id = c.author_id JOIN comment_fts f ON f.rowid = c.id "
                "WHERE c.id = ?",
                (rng.randint(1, max_id),),
            ).fetchone()
            if row is None:
                continue
            words = _WORD.findall(str(row[5])) or ["the"]
            title_words = _WORD.findall(rng.choice(titles)) or ["a"]
            typed = rng.choice(title_words)[: rng.randint(1, 4)]
            author = str(row[4])
            out.append(
                Args(
                    comment_id=int(row[0]),
                    thread_id=int(row[1]),
                    seq=int(row[2]),
                    number=int(row[3]),
                    author=author,
                    word=rng.choice(words),
                    typed=typed,
                    typed_author=author[: rng.randint(1, 3)],
                    page=rng.randint(1, max(1, math.ceil(len(titles) / THREADS_PER_PAGE))),
                )
            )
        return out
    finally:
        conn.close()


def heavy_args(db: Path) -> Args:
    """Worst-case arguments: the biggest thread, its most prolific author, its most-answered
    comment, the author's most frequent word (for the memory probe)."""
    conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    try:
        thread_id = int(
            conn.execute("SELECT id FROM threads ORDER BY comment_count DESC LIMIT 1").fetchone()[0]
        )
        author_id, author = conn.execute(
            "SELECT id, name FROM authors WHERE thread_id = ? ORDER BY comment_count DESC LIMIT 1",
            (thread_id,),
        ).fetchone()
        seq_row = conn.execute(
            "SELECT dst_seq FROM edges WHERE thread_id = ? AND dst_seq > 0 "
            "GROUP BY dst_seq ORDER BY count(*) DESC LIMIT 1",
            (thread_id,),
        ).fetchone()
        seq = int(seq_row[0]) if seq_row else 1
        counts: dict[str, int] = {}
        for (text,) in conn.execute(
            "SELECT f.text FROM comment_fts f JOIN comments c ON c.id = f.rowid "
            "WHERE c.author_id = ?",
            (author_id,),
        ):
            for w in _WORD.findall(str(text).casefold()):
                counts[w] = counts.get(w, 0) + 1
        word = max(counts, key=lambda w: counts[w]) if counts else "the"
        comment_id, number = conn.execute(
            "SELECT id, number FROM comments WHERE thread_id = ? AND seq = ?", (thread_id, seq)
        ).fetchone()
        return Args(
            comment_id=int(comment_id),
            thread_id=thread_id,
            seq=seq,
            number=int(number),
            author=str(author),
            word=word,
            typed="t",
            typed_author=str(author)[:1],
            page=1,
        )
    finally:
        conn.close()


# ---- the core calls ---------------------------------------------------------------------


async def thread_list(storage: Storage, a: Args) -> object:
    """``/thread list``: one page of the threads visible here."""
    return await ThreadListSource(storage, GUILD).render(a.page)


async def page(storage: Storage, a: Args) -> object:
    """``/thread comments thread start``: resolve both options, render that comment's page."""
    thread = await resolve_thread(storage, str(a.thread_id), GUILD)
    seq = await storage.comments.seq_for_number(thread.id, a.number) or a.seq
    return await CommentsSource(storage, thread).render(seq)


async def _person(storage: Storage, a: Args, query: str | None) -> object:
    thread = await resolve_thread(storage, str(a.thread_id), GUILD)
    name = await resolve_author(storage, thread, a.author)
    source = await AuthorCommentsSource.create(storage, thread, name, query)
    pages = await source.pages()
    return await source.render(random.Random(a.comment_id).randint(1, max(pages, 1)))


async def person(storage: Storage, a: Args) -> object:
    """``/author comments thread person``: a random page of that person's comments."""
    return await _person(storage, a, None)


async def person_search(storage: Storage, a: Args) -> object:
    """``/author comments thread person query``: the same, only comments matching a word."""
    return await _person(storage, a, a.word)


async def replies(storage: Storage, a: Args) -> object:
    """``/thread replies thread comment``: what the comment answers and what answers it."""
    thread = await resolve_thread(storage, str(a.thread_id), GUILD)
    seq = await storage.comments.seq_for_number(thread.id, a.number) or a.seq
    stored = await storage.comments.get(thread.id, seq)
    assert stored is not None
    outgoing, incoming = await storage.edges.of_comment(thread.id, seq)
    seqs = sorted({e.target for e in outgoing} | {e.source for e in incoming})
    sources = {
        c.seq: Source(c.number, c.author) for c in await storage.comments.by_seq(thread.id, seqs)
    }
    return rendering.comment_replies_embed(thread, stored, outgoing, incoming, sources)


async def reply_table(storage: Storage, a: Args) -> object:
    """``/thread replies thread`` (deferred): replies counted per pair of people (no PNG)."""
    thread = await resolve_thread(storage, str(a.thread_id), GUILD)
    pairs = await storage.edges.pair_counts(thread.id)
    return rendering.reply_table_embed(thread, pairs)


async def participants(storage: Storage, a: Args) -> object:
    """``/author list thread``: the first page of participants, most comments first."""
    thread = await resolve_thread(storage, str(a.thread_id), GUILD)
    return await ParticipantsSource(storage, thread).render(1)


async def thread_autocomplete(storage: Storage, a: Args) -> object:
    """Autocomplete of a ``thread`` option: visible threads ranked against what is typed."""
    return await thread_choices(storage, GUILD, a.typed)


async def person_autocomplete(storage: Storage, a: Args) -> object:
    """Autocomplete of a ``person`` option once the thread is chosen."""
    thread = await resolve_thread(storage, str(a.thread_id), GUILD)
    return await author_choices(storage, thread, a.typed_author)


SETTINGS = Settings(token="")
"""Offline summaries (the default backend): no model is called."""


async def author_summary(storage: Storage, a: Args) -> object:
    """``/author summary`` as ``send_summary`` runs it, the summary being cached already.

    Resolve both options, check the cache (``is_cached``: no defer), read the cached
    summary (``author_view`` → ``offline_author`` → one primary-key read) and render. The
    measurement warms the cache first with :func:`warm_author_summary`.
    """
    thread = await resolve_thread(storage, str(a.thread_id), GUILD)
    name = await resolve_subject(storage, thread, a.author)
    if not await summary_service.is_cached(storage, SETTINGS, thread, name):
        raise RuntimeError(f"author summary of {name!r} in thread {thread.id} is not cached")
    view = await summary_service.author_view(storage, SETTINGS, thread, name)
    return author_summary_embed(thread, view)


async def warm_author_summary(storage: Storage, a: Args) -> object:
    """What the first ``/author summary`` of this person leaves behind: the cached row."""
    thread = await resolve_thread(storage, str(a.thread_id), GUILD)
    name = await resolve_subject(storage, thread, a.author)
    return await summary_service.offline_author(storage, thread, name)


async def author_summary_first(storage: Storage, a: Args) -> object:
    """``/author summary`` when not cached yet: what ``offline_author`` computes, and the embed.

    The same steps as ``bot.summaries.service.offline_author`` minus its ``put_summary``, so
    every call pays the full cost. ``send_summary`` defers such a call before computing it.
    """
    thread = await resolve_thread(storage, str(a.thread_id), GUILD)
    name = await resolve_subject(storage, thread, a.author)
    comments = await storage.comments.all(thread.id)
    edges = await storage.edges.all(thread.id)
    summary = await asyncio.to_thread(summaries.summarise_author, thread, comments, edges, name)
    return author_summary_embed(thread, summary_service.SummaryView(summary))


async def thread_summary(storage: Storage, a: Args) -> object:
    """``/thread summary`` as ``send_summary`` runs it, the summary being cached already."""
    thread = await resolve_thread(storage, str(a.thread_id), GUILD)
    if not await summary_service.is_cached(storage, SETTINGS, thread, None):
        raise RuntimeError(f"thread summary of thread {thread.id} is not cached")
    view = await summary_service.thread_view(storage, SETTINGS, thread)
    return thread_summary_embed(thread, view)


async def warm_thread_summary(storage: Storage, a: Args) -> object:
    """What the first ``/thread summary`` of this thread leaves behind: the cached row."""
    thread = await resolve_thread(storage, str(a.thread_id), GUILD)
    return await summary_service.offline_thread(storage, thread)


async def thread_summary_first(storage: Storage, a: Args) -> object:
    """``/thread summary`` when not cached yet (deferred): ``offline_thread`` minus its write."""
    thread = await resolve_thread(storage, str(a.thread_id), GUILD)
    comments = await storage.comments.all(thread.id)
    edges = await storage.edges.all(thread.id)
    summary = await asyncio.to_thread(summaries.summarise_thread, thread, comments, edges)
    return thread_summary_embed(thread, summary_service.SummaryView(summary))


def commands(sizes: Sizes | None = None) -> tuple[list[Command], list[str]]:
    """The commands to measure (the summaries at most as often as ``sizes`` says; without
    ``sizes`` every command once), and notes on those that could not be measured."""
    found = [
        Command("thread_list", "/thread list: ThreadListSource.render", thread_list),
        Command(
            "page",
            "/thread comments: resolve_thread + seq_for_number + CommentsSource.render",
            page,
        ),
        Command(
            "person",
            "/author comments: resolve thread, person + AuthorCommentsSource pages + render",
            person,
        ),
        Command(
            "person_search",
            "/author comments with query: the same through the FTS index",
            person_search,
        ),
        Command(
            "replies",
            "/thread replies comment: get_comment + edges_of + comments_by_seq + embed",
            replies,
        ),
        Command(
            "reply_table",
            "/thread replies (deferred): edges + pair_counts + embed, no PNG",
            reply_table,
        ),
        Command("participants", "/author list: ParticipantsSource.render", participants),
        Command(
            "thread_autocomplete", "thread option: transformers.thread_choices", thread_autocomplete
        ),
        Command(
            "person_autocomplete",
            "person option: resolve_thread + transformers.author_choices",
            person_autocomplete,
        ),
        Command(
            "author_summary",
            "/author summary, cached: resolve + is_cached + author_view (one primary-key "
            "read) + embed",
            author_summary,
            sizes.cached_summary_samples if sizes else None,
            warm=warm_author_summary,
        ),
        Command(
            "author_summary_first",
            "/author summary, not cached yet (deferred): resolve + all_comments + edges + "
            "summarise_author in a worker thread + embed",
            author_summary_first,
            sizes.summary_samples if sizes else None,
            first=True,
        ),
        Command(
            "thread_summary",
            "/thread summary, cached: resolve + is_cached + thread_view (one primary-key "
            "read) + embed",
            thread_summary,
            sizes.cached_thread_summary_samples if sizes else None,
            warm=warm_thread_summary,
        ),
        Command(
            "thread_summary_first",
            "/thread summary, not cached yet (deferred): all_comments + edges + "
            "summarise_thread in a worker thread + embed",
            thread_summary_first,
            sizes.thread_summary_samples if sizes else None,
            first=True,
        ),
    ]
    return found, []
