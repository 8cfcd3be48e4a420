"""What the paginator pages through: one :class:`PageSource` per kind of list.

A source fetches one page from storage and renders it with the pure functions of
:mod:`bot.ui.rendering`; it also names itself in a button's ``custom_id`` (``kind``,
thread, page, part and its own ``extra`` state), so :func:`open_source` can rebuild it
from a press alone, scoped to the presser's server.
"""

from __future__ import annotations

import hashlib
import math
from abc import ABC, abstractmethod
from dataclasses import dataclass
from typing import Any, ClassVar, Literal

import discord

from bot.errors import NotAllowed, NotFound
from bot.models import StoredComment, StoredThread
from bot.storage import Storage
from bot.text import safe, truncate
from bot.ui import rendering
from bot.ui.autocomplete import suggest
from bot.ui.limits import CUSTOM_ID_MAX
from bot.ui.rendering import Source

Kind = Literal["t", "c", "a", "p"]
Action = Literal["f", "p", "n", "l", "j"]
KINDS: tuple[Kind, ...] = ("t", "c", "a", "p")
LAST = -1
"""``part`` value meaning "the last piece of this page"."""
PREFIX = "tb:pg"


class Refused(NotAllowed):
    """A press that must be answered with an ephemeral explanation instead of a page."""


def storage_of(interaction: discord.Interaction[Any]) -> Storage:
    """The bot's storage, reached through the interaction's client."""
    storage = getattr(interaction.client, "storage", None)
    if not isinstance(storage, Storage):
        raise RuntimeError("the client has no storage")
    return storage


@dataclass(frozen=True, slots=True)
class Page:
    """One rendered page and where it sits: 1-based ``page`` of ``pages``, ``part`` of ``parts``."""

    embeds: list[discord.Embed]
    page: int
    pages: int
    part: int = 0
    parts: int = 1
    content: str | None = None


# ---- page sources --------------------------------------------------------------------


class PageSource(ABC):
    """Fetches one page from storage and renders it; knows how to name itself in a custom_id."""

    kind: ClassVar[Kind]
    jump_title: ClassVar[str] = "Go to page"
    jump_label: ClassVar[str] = "Page number"

    def __init__(self, storage: Storage, thread_id: int = 0, extra: str = "") -> None:
        self.storage = storage
        self.thread_id = thread_id
        self.extra = extra

    @abstractmethod
    async def pages(self) -> int:
        """How many pages there are now (0 when there is nothing to show)."""

    @abstractmethod
    async def render(self, page: int, part: int = 0) -> Page:
        """Page ``page`` (clamped into range), piece ``part`` (``LAST`` for the last one)."""

    async def resolve_jump(self, text: str, pages: int) -> int | None:
        """The page a jump-modal answer names, or ``None`` when it names none."""
        digits = text.strip().lstrip("#").strip()
        if not digits.isdigit():
            return None
        page = int(digits)
        return page if 1 <= page <= pages else None

    def custom_id(self, action: Action, page: int, part: int) -> str:
        part_text = "L" if part == LAST else str(part)
        base = f"{PREFIX}:{self.kind}:{action}:{self.thread_id}:{page}:{part_text}"
        return f"{base}:{self.extra}" if self.extra else base

    def fits(self, pages: int, max_part: int = 99) -> bool:
        """Whether every custom_id this source can produce stays within 100 characters."""
        return len(self.custom_id("n", max(pages, 1), max_part)) <= CUSTOM_ID_MAX


def name_tag(name: str) -> str:
    """Six hex digits of a person's name: enough to notice that a seq changed hands."""
    return hashlib.blake2s(name.encode("utf-8"), digest_size=3).hexdigest()


def _clamp(page: int, pages: int) -> int:
    return min(max(page, 1), max(pages, 1))


class ThreadListSource(PageSource):
    """The threads visible from one guild (or a DM), ten to a page."""

    kind = "t"

    def __init__(self, storage: Storage, guild_id: int | None) -> None:
        super().__init__(storage)
        self.guild_id = guild_id

    async def pages(self) -> int:
        return math.ceil(
            await self.storage.threads.count(self.guild_id) / rendering.THREADS_PER_PAGE
        )

    async def render(self, page: int, part: int = 0) -> Page:
        total = await self.storage.threads.count(self.guild_id)
        pages = math.ceil(total / rendering.THREADS_PER_PAGE)
        page = _clamp(page, pages)
        per = rendering.THREADS_PER_PAGE
        threads = await self.storage.threads.visible(
            self.guild_id, offset=(page - 1) * per, limit=per
        )
        embed = rendering.thread_list_embed(
            threads, page=page, pages=pages, total=total, in_dm=self.guild_id is None
        )
        return Page([embed], page, pages)


class ThreadSource(PageSource):
    """A source about one thread, already checked to be visible from the caller's guild."""

    def __init__(self, storage: Storage, thread: StoredThread, extra: str = "") -> None:
        super().__init__(storage, thread.id, extra)
        self.thread = thread

    async def comment_page(
        self, comment: StoredComment, part: int, *, page: int, pages: int, position: str
    ) -> Page:
        """A comment (one piece of it when it is long) with its quotes folded into reply lines
        and a line for each other comment it answers."""
        answers, _ = await self.storage.edges.of_comment(self.thread.id, comment.seq)
        linked = {p.quote.seq for p in comment.paragraphs if p.quote and p.quote.seq > 0}
        linked.update(e.target for e in answers if e.target)
        sources = {
            c.seq: Source(c.number, c.author)
            for c in await self.storage.comments.by_seq(self.thread.id, sorted(linked))
        }
        pieces = rendering.comment_parts(comment, sources, self.thread.author, answers)
        part = len(pieces) - 1 if part == LAST else min(max(part, 0), len(pieces) - 1)
        embed = rendering.comment_embed(
            comment,
            thread=self.thread,
            part_text=pieces[part],
            part=part,
            parts=len(pieces),
            position=position,
        )
        return Page([embed], page, pages, part, len(pieces))

    def empty(self, text: str) -> Page:
        embed = discord.Embed(
            title=truncate(self.thread.title, 256), description=text, colour=rendering.COLOUR
        )
        return Page([embed], 1, 0)


class CommentsSource(ThreadSource):
    """A thread's comments, one to a page: page ``n`` is the ``n``-th comment of the file."""

    kind = "c"
    jump_title = "Jump to a comment"
    jump_label = "Comment number (#)"

    async def pages(self) -> int:
        return self.thread.comment_count

    async def render(self, page: int, part: int = 0) -> Page:
        pages = self.thread.comment_count
        if pages == 0:
            return self.empty("This thread has no comments.")
        page = _clamp(page, pages)
        comment = await self.storage.comments.get(self.thread.id, page)
        if comment is None:
            return self.empty("This comment is no longer stored; run the command again.")
        return await self.comment_page(
            comment, part, page=page, pages=pages, position=f"comment {page} of {pages}"
        )

    async def resolve_jump(self, text: str, pages: int) -> int | None:
        """A printed comment number (``#12`` or ``12``); failing that, a position in the file."""
        digits = text.strip().lstrip("#").strip()
        if not digits.isdigit():
            return None
        seq = await self.storage.comments.seq_for_number(self.thread.id, int(digits))
        if seq is not None:
            return seq
        return await super().resolve_jump(digits, pages)


class AuthorCommentsSource(ThreadSource):
    """One person's comments in a thread, one to a page, optionally only those matching a query.

    ``extra`` is ``<seq of their first comment>.<name tag>`` or that plus ``:<query>``: the
    seq names the person in a few digits whatever their name, the tag notices when a
    re-imported thread put someone else at that seq, and the query rides along only if it
    fits.
    """

    kind = "a"

    def __init__(
        self, storage: Storage, thread: StoredThread, author: str, author_seq: int, query: str
    ) -> None:
        person = f"{author_seq}.{name_tag(author)}"
        extra = f"{person}:{query}" if query else person
        super().__init__(storage, thread, extra)
        self.author = author
        self.author_seq = author_seq
        self.query = query

    @classmethod
    async def create(
        cls, storage: Storage, thread: StoredThread, author: str, query: str | None = None
    ) -> AuthorCommentsSource:
        """The source for a stored author name; raises ``NotFound`` if they did not comment."""
        people = {p.name: p.first_seq for p in await storage.comments.authors(thread.id)}
        if author not in people:
            raise NotFound("person", author, suggest(author, list(people)))
        return cls(storage, thread, author, people[author], " ".join((query or "").split()))

    async def pages(self) -> int:
        return await self.storage.comments.count_by_author(
            self.thread.id, self.author, query=self.query or None
        )

    async def render(self, page: int, part: int = 0) -> Page:
        pages = await self.pages()
        if pages == 0:
            searched = f" matching “{safe(self.query)}”" if self.query else ""
            return self.empty(f"No comments by {safe(self.author)}{searched}.")
        page = _clamp(page, pages)
        found = await self.storage.comments.by_author(
            self.thread.id, self.author, query=self.query or None, offset=page - 1, limit=1
        )
        if not found:
            return self.empty("That comment is no longer stored; run the command again.")
        searched = f" matching “{truncate(self.query, 60)}”" if self.query else ""
        position = f"{self.author}'s comment {page} of {pages}{searched}"
        return await self.comment_page(found[0], part, page=page, pages=pages, position=position)


class ParticipantsSource(ThreadSource):
    """Who commented on a thread, most comments first, twenty to a page."""

    kind = "p"

    async def pages(self) -> int:
        return math.ceil(
            len(await self.storage.comments.authors(self.thread.id))
            / rendering.PARTICIPANTS_PER_PAGE
        )

    async def render(self, page: int, part: int = 0) -> Page:
        people = await self.storage.comments.authors(self.thread.id)
        people.sort(key=lambda p: (-p.comment_count, p.first_seq))
        per = rendering.PARTICIPANTS_PER_PAGE
        pages = math.ceil(len(people) / per)
        page = _clamp(page, pages)
        embed = rendering.participants_embed(
            self.thread,
            people[(page - 1) * per : page * per],
            page=page,
            pages=pages,
            total=len(people),
        )
        return Page([embed], page, pages)


async def open_source(
    storage: Storage, guild_id: int | None, kind: str, thread_id: int, extra: str
) -> PageSource:
    """Rebuild a page source from a custom_id, scoped to the guild the press came from."""
    if kind == "t":
        return ThreadListSource(storage, guild_id)
    thread = await storage.threads.get(thread_id, guild_id)
    if thread is None:
        raise Refused("That thread isn't available here, so these buttons can't show it.")
    if kind == "c":
        return CommentsSource(storage, thread)
    if kind == "p":
        return ParticipantsSource(storage, thread)
    if kind == "a":
        person, _, query = extra.partition(":")
        seq_text, _, tag = person.partition(".")
        comment = (
            await storage.comments.get(thread.id, int(seq_text)) if seq_text.isdigit() else None
        )
        if comment is None or (tag and tag != name_tag(comment.author)):
            raise Refused("This list no longer matches the stored thread; run the command again.")
        return AuthorCommentsSource(storage, thread, comment.author, comment.seq, query)
    raise Refused("These buttons are not from this bot.")
