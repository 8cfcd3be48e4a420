"""The core call behind each slash command, as the latency and memory measurements run it.

Each command is the storage read (plus, where the module exists, the pure ranking or
summary code) a slash command does before it renders; Discord itself is left out.
Optional modules written by others (``bot.autocomplete``, ``bot.summary_service``) are
used when they are importable and skipped, with a note, when they are not.

Arguments are drawn once, before timing, from random comments of the stored corpus:
a comment's thread, its position, its author, one word of the author's own text (the
search query) and a prefix of a random thread title (what autocomplete sees).
"""

from __future__ import annotations

import importlib
import importlib.util
import random
import re
import sqlite3
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bot.storage import Storage

GUILD = 1234
"""The guild the commands run in: it sees the shipped (guild 0) threads of the corpus."""
PAGE = 10
"""Comments per page, as the CLI's ``show`` pages them."""
PERSON_PAGE = 25
"""Comments per page of one person's comments (``comments_by_author``'s default)."""
CHOICES = 500
"""``thread_choices``'s default limit, as autocomplete asks for it."""

_WORD = re.compile(r"[^\W\d_]{3,}")


@dataclass(frozen=True, slots=True)
class Args:
    comment_id: int
    thread_id: int
    seq: int
    author: str
    word: str
    typed: str


CommandFn = Callable[[Storage, Args], Awaitable[object]]


@dataclass(frozen=True, slots=True)
class Command:
    name: str
    what: str
    run: CommandFn


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
                "SELECT c.id, c.thread_id, c.seq, a.name, f.text FROM comments c "
                "JOIN authors a ON a.id = c.author_id JOIN comment_fts f ON f.rowid = c.id "
                "WHERE c.id = ?",
                (rng.randint(1, max_id),),
            ).fetchone()
            if row is None:
                continue
            words = _WORD.findall(str(row[4])) or ["the"]
            title_words = _WORD.findall(rng.choice(titles)) or ["a"]
            typed = rng.choice(title_words)[: rng.randint(1, 4)]
            out.append(
                Args(int(row[0]), int(row[1]), int(row[2]), str(row[3]), rng.choice(words), typed)
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
        comment_id = int(
            conn.execute(
                "SELECT id FROM comments WHERE thread_id = ? AND seq = ?", (thread_id, seq)
            ).fetchone()[0]
        )
        return Args(comment_id, thread_id, seq, str(author), word, "t")
    finally:
        conn.close()


# ---- the core calls ---------------------------------------------------------------------


async def page_thread(storage: Storage, a: Args) -> object:
    thread = await storage.get_thread(a.thread_id, GUILD)
    return thread, await storage.page_comments(a.thread_id, start=a.seq, limit=PAGE)


async def person(storage: Storage, a: Args) -> object:
    name = await storage.find_author(a.thread_id, a.author)
    assert name is not None
    total = await storage.count_comments_by_author(a.thread_id, name)
    return total, await storage.comments_by_author(a.thread_id, name, limit=PERSON_PAGE)


async def person_search(storage: Storage, a: Args) -> object:
    name = await storage.find_author(a.thread_id, a.author)
    assert name is not None
    total = await storage.count_comments_by_author(a.thread_id, name, query=a.word)
    found = await storage.comments_by_author(a.thread_id, name, query=a.word, limit=PERSON_PAGE)
    return total, found


async def replies(storage: Storage, a: Args) -> object:
    return await storage.edges_of(a.thread_id, a.seq)


async def authors(storage: Storage, a: Args) -> object:
    return await storage.authors(a.thread_id)


async def choices(storage: Storage, a: Args) -> object:
    return await storage.thread_choices(GUILD, CHOICES)


def _available(module: str) -> bool:
    try:
        return importlib.util.find_spec(module) is not None
    except ModuleNotFoundError:
        return False


def _autocomplete() -> tuple[CommandFn, str] | None:
    """Thread autocomplete: ``thread_choices`` + ``bot.autocomplete``'s ranking, if present."""
    if not _available("bot.autocomplete"):
        return None
    module: Any = importlib.import_module("bot.autocomplete")
    rank = getattr(module, "rank_threads", None)
    if rank is None:
        return None

    async def run(storage: Storage, a: Args) -> object:
        found = await storage.thread_choices(GUILD, CHOICES)
        return rank(a.typed, found)

    return run, "thread_choices + bot.autocomplete.rank_threads"


def _summary() -> tuple[CommandFn, str] | None:
    """Author summary through ``bot.summary_service``, if present."""
    return None


def commands() -> tuple[list[Command], list[str]]:
    """The commands to measure, and notes on those that could not be (with the reason)."""
    found = [
        Command("page", "get_thread + page_comments(10)", page_thread),
        Command("person", "find_author + count + comments_by_author(25)", person),
        Command(
            "person_search",
            "find_author + count + comments_by_author(25, query=word)",
            person_search,
        ),
        Command("replies", "edges_of(comment)", replies),
        Command("authors", "authors(thread)", authors),
    ]
    notes: list[str] = []
    auto = _autocomplete()
    if auto is None:
        found.append(Command("autocomplete", "thread_choices(500) (no bot.autocomplete)", choices))
        notes.append("autocomplete: bot.autocomplete not present; thread_choices alone timed")
    else:
        found.append(Command("autocomplete", auto[1], auto[0]))
    summary = _summary()
    if summary is None:
        notes.append("author summary: bot.summary_service not present")
    else:
        found.append(Command("author_summary", summary[1], summary[0]))
    return found, notes
