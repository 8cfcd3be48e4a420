"""The one paginator: persistent page buttons whose whole state lives in their ``custom_id``.

A paginated message carries five buttons (first, previous, "page n/N" which opens a
jump modal, next, last). Each is a :class:`discord.ui.DynamicItem`, so a press is
understood from its ``custom_id`` alone, also after a restart, with no memory of the
message. The ``custom_id`` names the *target* of the button::

    tb:pg:<kind>:<action>:<thread_id>:<page>:<part>[:<extra>]

``kind`` is the page source (``t`` thread list, ``c`` a thread's comments, ``a`` one
person's comments, ``p`` a thread's participants), ``action`` one of ``f p n l`` (first,
previous, next, last) or ``j`` (jump: page and part are the current ones),
``thread_id`` is ``0`` for the thread list, ``page`` is 1-based, ``part`` is the
0-based piece of a long comment or ``L`` for its last piece, and ``extra`` is the
source's own state (for ``a``: the seq of the person's first comment, ``.`` and a short
hash of their name, then ``:`` and the search query when it fits in 100 characters).

Every press rebuilds its source from storage scoped to the presser's guild, so a
button (or a crafted ``custom_id``) for another server's thread is refused, and
answers exactly once: ``edit_message`` for a page, an ephemeral message for a
refusal, a modal for the jump button.
"""

from __future__ import annotations

import hashlib
import logging
import math
import re
from abc import ABC, abstractmethod
from dataclasses import dataclass, field
from typing import Any, ClassVar, Literal

import discord

from bot.errors import NotAllowed, NotFound, UserFacingError
from bot.models import StoredComment, StoredThread
from bot.storage import Storage
from bot.text import safe, truncate
from bot.ui import rendering
from bot.ui.autocomplete import suggest
from bot.ui.limits import BUTTON_LABEL_MAX, CUSTOM_ID_MAX
from bot.ui.rendering import Source

log = logging.getLogger(__name__)

Kind = Literal["t", "c", "a", "p"]
Action = Literal["f", "p", "n", "l", "j"]
KINDS: tuple[Kind, ...] = ("t", "c", "a", "p")
LAST = -1
"""``part`` value meaning "the last piece of this page"."""
PREFIX = "tb:pg"
_FIELDS = r"(?P<thread>[0-9]{1,20}):(?P<page>[0-9]{1,9}):(?P<part>[0-9]{1,4}|L)(?::(?P<extra>.*))?"
NAV_TEMPLATE = re.compile(rf"{PREFIX}:(?P<kind>[tcap]):(?P<action>[fpnl]):{_FIELDS}", re.DOTALL)
JUMP_TEMPLATE = re.compile(rf"{PREFIX}:(?P<kind>[tcap]):j:{_FIELDS}", re.DOTALL)
NONE = discord.AllowedMentions.none()


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
            await self.storage.count_threads(self.guild_id) / rendering.THREADS_PER_PAGE
        )

    async def render(self, page: int, part: int = 0) -> Page:
        total = await self.storage.count_threads(self.guild_id)
        pages = math.ceil(total / rendering.THREADS_PER_PAGE)
        page = _clamp(page, pages)
        per = rendering.THREADS_PER_PAGE
        threads = await self.storage.list_threads(self.guild_id, offset=(page - 1) * per, limit=per)
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
        """A comment (one piece of it when it is long) with its quotes folded into reply lines."""
        quoted = sorted({p.quote.seq for p in comment.paragraphs if p.quote and p.quote.seq})
        sources = {
            c.seq: Source(c.number, c.author)
            for c in await self.storage.comments_by_seq(self.thread.id, quoted)
        }
        pieces = rendering.comment_parts(comment, sources, self.thread.author)
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
        comment = await self.storage.get_comment(self.thread.id, page)
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
        seq = await self.storage.seq_for_number(self.thread.id, int(digits))
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
        people = {p.name: p.first_seq for p in await storage.authors(thread.id)}
        if author not in people:
            raise NotFound("person", author, suggest(author, list(people)))
        return cls(storage, thread, author, people[author], " ".join((query or "").split()))

    async def pages(self) -> int:
        return await self.storage.count_comments_by_author(
            self.thread.id, self.author, query=self.query or None
        )

    async def render(self, page: int, part: int = 0) -> Page:
        pages = await self.pages()
        if pages == 0:
            searched = f" matching “{safe(self.query)}”" if self.query else ""
            return self.empty(f"No comments by {safe(self.author)}{searched}.")
        page = _clamp(page, pages)
        found = await self.storage.comments_by_author(
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
            len(await self.storage.authors(self.thread.id)) / rendering.PARTICIPANTS_PER_PAGE
        )

    async def render(self, page: int, part: int = 0) -> Page:
        people = await self.storage.authors(self.thread.id)
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
    thread = await storage.get_thread(thread_id, guild_id)
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
            await storage.get_comment(thread.id, int(seq_text)) if seq_text.isdigit() else None
        )
        if comment is None or (tag and tag != name_tag(comment.author)):
            raise Refused("This list no longer matches the stored thread; run the command again.")
        return AuthorCommentsSource(storage, thread, comment.author, comment.seq, query)
    raise Refused("These buttons are not from this bot.")


# ---- the buttons ---------------------------------------------------------------------


_STYLE = discord.ButtonStyle.secondary
_LABELS: dict[str, str] = {"f": "⏮", "p": "◀", "n": "▶", "l": "⏭"}


class PageButton(discord.ui.DynamicItem[discord.ui.Button[discord.ui.View]], template=NAV_TEMPLATE):
    """First / previous / next / last: the custom_id names the page to show."""

    def __init__(self, custom_id: str, *, label: str, disabled: bool = False) -> None:
        super().__init__(
            discord.ui.Button(
                label=label, custom_id=custom_id, style=_STYLE, disabled=disabled, row=0
            )
        )

    @classmethod
    async def from_custom_id(
        cls,
        interaction: discord.Interaction[Any],
        item: discord.ui.Item[Any],
        match: re.Match[str],
        /,
    ) -> PageButton:
        label = getattr(item, "label", None) or _LABELS.get(match["action"], "?")
        return cls(match.string, label=str(label))

    async def callback(self, interaction: discord.Interaction[Any]) -> None:
        match = self.template.fullmatch(self.custom_id)
        if match is None:  # pragma: no cover - the template matched to get here
            return
        part = LAST if match["part"] == "L" else int(match["part"])
        await show(
            interaction,
            match["kind"],
            int(match["thread"]),
            match["extra"] or "",
            page=int(match["page"]),
            part=part,
        )


class JumpButton(
    discord.ui.DynamicItem[discord.ui.Button[discord.ui.View]], template=JUMP_TEMPLATE
):
    """The middle "page n/N" button: opens a modal asking where to go."""

    def __init__(self, custom_id: str, *, label: str, disabled: bool = False) -> None:
        super().__init__(
            discord.ui.Button(
                label=label,
                custom_id=custom_id,
                style=discord.ButtonStyle.primary,
                disabled=disabled,
                row=0,
            )
        )

    @classmethod
    async def from_custom_id(
        cls,
        interaction: discord.Interaction[Any],
        item: discord.ui.Item[Any],
        match: re.Match[str],
        /,
    ) -> JumpButton:
        return cls(match.string, label=str(getattr(item, "label", None) or "…"))

    async def callback(self, interaction: discord.Interaction[Any]) -> None:
        match = self.template.fullmatch(self.custom_id)
        if match is None:  # pragma: no cover
            return
        try:
            source = await open_source(
                storage_of(interaction),
                interaction.guild_id,
                match["kind"],
                int(match["thread"]),
                match["extra"] or "",
            )
            pages = await source.pages()
        except UserFacingError as exc:
            await _refuse(interaction, exc.message)
            return
        await interaction.response.send_modal(JumpModal(source, pages))


class JumpModal(discord.ui.Modal):
    """Asks for a page (or, for comments, a comment number) and shows it in the same message."""

    def __init__(self, source: PageSource, pages: int) -> None:
        super().__init__(title=source.jump_title, timeout=600)
        self.source = source
        self.pages = pages
        self.target: discord.ui.TextInput[JumpModal] = discord.ui.TextInput(
            label=source.jump_label,
            placeholder=truncate(f"a number from 1 to {pages}", 100),
            min_length=1,
            max_length=12,
        )
        self.add_item(self.target)

    async def on_submit(self, interaction: discord.Interaction[Any]) -> None:
        source = self.source
        try:
            # Re-check visibility: the modal may be submitted long after it was opened.
            source = await open_source(
                storage_of(interaction),
                interaction.guild_id,
                source.kind,
                source.thread_id,
                source.extra,
            )
            pages = await source.pages()
            page = await source.resolve_jump(self.target.value, pages)
        except UserFacingError as exc:
            await _refuse(interaction, exc.message)
            return
        if page is None:
            await _refuse(
                interaction, f"“{truncate(self.target.value, 20)}” is not a page from 1 to {pages}."
            )
            return
        rendered = await source.render(page, 0)
        await interaction.response.edit_message(
            content=rendered.content,
            embeds=rendered.embeds,
            view=build_view(source, rendered),
            allowed_mentions=NONE,
        )


async def _refuse(interaction: discord.Interaction[Any], message: str) -> None:
    await interaction.response.send_message(message, ephemeral=True, allowed_mentions=NONE)


@dataclass(slots=True)
class _Nav:
    """The targets of the four arrow buttons for one page."""

    targets: dict[str, tuple[int, int]] = field(default_factory=dict)
    disabled: set[str] = field(default_factory=set)


def navigation(page: int, pages: int, part: int, parts: int) -> _Nav:
    """Where first/previous/next/last lead from ``page`` (piece ``part`` of ``parts``)."""
    nav = _Nav()
    nav.targets["f"] = (1, 0)
    if page == 1 and part == 0:
        nav.disabled.add("f")
    if part > 0:
        nav.targets["p"] = (page, part - 1)
    elif page > 1:
        nav.targets["p"] = (page - 1, LAST)
    else:
        nav.targets["p"] = (1, 0)
        nav.disabled.add("p")
    if part < parts - 1:
        nav.targets["n"] = (page, part + 1)
    elif page < pages:
        nav.targets["n"] = (page + 1, 0)
    else:
        nav.targets["n"] = (pages, part)
        nav.disabled.add("n")
    nav.targets["l"] = (pages, 0)
    if page >= pages:
        nav.disabled.add("l")
    return nav


def build_view(source: PageSource, page: Page) -> discord.ui.View | None:
    """The five buttons for ``page``, or ``None`` when there is nowhere else to go."""
    if page.pages <= 1 and page.parts <= 1:
        return None
    if not source.fits(page.pages):
        return None
    nav = navigation(page.page, page.pages, page.part, page.parts)
    view = discord.ui.View(timeout=None)
    before: tuple[Action, ...] = ("f", "p")
    after: tuple[Action, ...] = ("n", "l")
    for action in before:
        target, part = nav.targets[action]
        view.add_item(
            PageButton(
                source.custom_id(action, target, part),
                label=_LABELS[action],
                disabled=action in nav.disabled,
            )
        )
    label = f"{page.page} / {page.pages}"
    if page.parts > 1:
        label += f" · part {page.part + 1}/{page.parts}"
    view.add_item(
        JumpButton(
            source.custom_id("j", page.page, page.part),
            label=truncate(label, BUTTON_LABEL_MAX),
            disabled=page.pages <= 1,
        )
    )
    for action in after:
        target, part = nav.targets[action]
        view.add_item(
            PageButton(
                source.custom_id(action, target, part),
                label=_LABELS[action],
                disabled=action in nav.disabled,
            )
        )
    return view


async def show(
    interaction: discord.Interaction[Any],
    kind: str,
    thread_id: int,
    extra: str,
    *,
    page: int,
    part: int,
) -> None:
    """Answer a press: re-check the thread from the presser's guild, then edit the message."""
    try:
        source = await open_source(
            storage_of(interaction), interaction.guild_id, kind, thread_id, extra
        )
        rendered = await source.render(page, part)
    except UserFacingError as exc:
        await _refuse(interaction, exc.message)
        return
    except Exception:
        log.exception("page %s:%s:%s failed", kind, thread_id, page)
        await _refuse(interaction, "Something went wrong on my side; it has been logged.")
        return
    await interaction.response.edit_message(
        content=rendered.content,
        embeds=rendered.embeds,
        view=build_view(source, rendered),
        allowed_mentions=NONE,
    )


async def start(
    interaction: discord.Interaction[Any],
    source: PageSource,
    *,
    page: int = 1,
    part: int = 0,
    note: str | None = None,
) -> Page:
    """Send the first page of ``source`` publicly (as a follow-up if the command deferred)."""
    rendered = await source.render(page, part)
    view = build_view(source, rendered)
    content = note if note is not None else rendered.content
    kwargs: dict[str, Any] = {"embeds": rendered.embeds, "allowed_mentions": NONE}
    if content:
        kwargs["content"] = content
    if view is not None:
        kwargs["view"] = view
    if interaction.response.is_done():
        await interaction.followup.send(**kwargs)
    else:
        await interaction.response.send_message(**kwargs)
    return rendered


DYNAMIC_ITEMS: tuple[type[discord.ui.DynamicItem[Any]], ...] = (PageButton, JumpButton)
"""Registered by ``ThreadBot.setup_hook`` so presses on old messages keep working."""

__all__ = [
    "DYNAMIC_ITEMS",
    "AuthorCommentsSource",
    "CommentsSource",
    "JumpButton",
    "JumpModal",
    "Page",
    "PageButton",
    "PageSource",
    "ParticipantsSource",
    "Refused",
    "ThreadListSource",
    "build_view",
    "name_tag",
    "navigation",
    "open_source",
    "show",
    "start",
]
