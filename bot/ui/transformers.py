"""Slash-command arguments that name a thread, a person or a comment, resolved through storage.

Both resolve within the caller's guild (a DM sees only shipped threads), offer
autocomplete ranked by :mod:`bot.ui.autocomplete`, and raise :class:`bot.errors.NotFound`
with up to five suggestions for a name that matches nothing; the tree's ``on_error``
turns that into an ephemeral message, so cogs never handle it.
"""

from __future__ import annotations

from typing import Any

import discord
from discord import app_commands

from bot.errors import NotFound
from bot.models import StoredThread
from bot.storage import Storage
from bot.text import fold
from bot.ui.autocomplete import choice, rank, suggest
from bot.ui.limits import AUTOCOMPLETE_CHOICES_MAX, CHOICE_VALUE_MAX
from bot.ui.pages import storage_of


async def resolve_thread(storage: Storage, value: str, guild_id: int | None) -> StoredThread:
    """A visible thread by id, slug, file name or exact title; ``NotFound`` with suggestions."""
    value = value.strip()
    thread = await storage.threads.find(value, guild_id) if value else None
    if thread is None:
        titles = [title for _, _, title in await storage.threads.choices(guild_id)]
        raise NotFound("thread", value, suggest(value, titles))
    return thread


async def resolve_author(storage: Storage, thread: StoredThread, value: str) -> str:
    """A participant's stored name, matched case- and accent-insensitively."""
    value = value.strip()
    name = await storage.comments.find_author(thread.id, value) if value else None
    if name is not None:
        return name
    names = [p.name for p in await storage.comments.authors(thread.id)]
    if len(value) == CHOICE_VALUE_MAX:
        # An autocomplete value is cut at 100 characters: accept an unambiguous prefix.
        longer = [n for n in names if n.startswith(value)]
        if len(longer) == 1:
            return longer[0]
    raise NotFound("person", value, suggest(value, names))


COMMENT_NUMBER = app_commands.Range[int, 1, 10_000_000]
"""A ``comment`` option: the number printed on a comment (see :func:`comment_seq`)."""


async def comment_seq(storage: Storage, thread: StoredThread, number: int) -> int:
    """The position of comment ``#number``; a position is accepted when no comment prints it."""
    seq = await storage.comments.seq_for_number(thread.id, number)
    if seq is None and 1 <= number <= thread.comment_count:
        seq = number
    if seq is None:
        last = await storage.comments.get(thread.id, thread.comment_count)
        raise NotFound("comment", f"#{number}", [f"#{last.number}"] if last else [])
    return seq


async def thread_choices(
    storage: Storage, guild_id: int | None, current: str
) -> list[app_commands.Choice[str]]:
    """Autocomplete for a thread: titles shown, ids sent (ids are short and unambiguous)."""
    rows = await storage.threads.choices(guild_id)
    titles = [title for _, _, title in rows]
    seen: dict[str, int] = {}
    for title in titles:
        seen[title] = seen.get(title, 0) + 1
    order = rank(current, titles, aliases=[(slug, str(tid)) for tid, slug, _ in rows])
    out = []
    for i in order:
        tid, slug, title = rows[i]
        name = f"{title} · {slug}" if seen[title] > 1 else title
        out.append(choice(name, str(tid)))
    return out


async def author_choices(
    storage: Storage, thread: StoredThread | None, current: str
) -> list[app_commands.Choice[str]]:
    """Autocomplete for a person in ``thread``: most active first when nothing is typed."""
    if thread is None:
        return []
    people = await storage.comments.authors(thread.id)
    people.sort(key=lambda p: (-p.comment_count, p.first_seq))
    order = rank(current, [p.name for p in people])
    return [
        choice(
            f"{people[i].name} · {people[i].comment_count} "
            f"comment{'s' if people[i].comment_count != 1 else ''}",
            people[i].name,
        )
        for i in order
    ]


async def resolve_subject(storage: Storage, thread: StoredThread, name: str) -> str:
    """Who a summary can be of: a commenter's stored name, or the post author's (the
    article counts as their words); ``NotFound`` with suggestions from both."""
    if thread.author and fold(name.strip()) == fold(thread.author):
        return thread.author
    try:
        return await resolve_author(storage, thread, name)
    except NotFound as exc:
        if thread.author:
            names = [p.name for p in await storage.comments.authors(thread.id)] + [thread.author]
            raise NotFound("person", exc.query, suggest(exc.query, names)) from None
        raise


async def subject_choices(
    storage: Storage, thread: StoredThread | None, current: str
) -> list[app_commands.Choice[str]]:
    """Commenters as :func:`author_choices` offers them, plus the post author (the article)."""
    choices = await author_choices(storage, thread, current)
    if thread is None or not thread.author:
        return choices
    known = {fold(c.value) for c in choices}
    typed = fold(current.strip())
    if fold(thread.author) not in known and (not typed or typed in fold(thread.author)):
        article = choice(f"{thread.author} · the article", thread.author)
        choices = [article, *choices] if typed else [*choices, article]
    return choices[:AUTOCOMPLETE_CHOICES_MAX]


def _chosen_thread(interaction: discord.Interaction[Any]) -> str | None:
    """The raw ``thread`` option already filled in, read from the interaction's namespace."""
    raw = getattr(interaction.namespace, "thread", None)
    if raw is None:
        return None
    if isinstance(raw, StoredThread):
        return str(raw.id)
    return str(raw)


class ThreadTransformer(app_commands.Transformer):
    """``thread`` options: a thread visible here, by autocomplete id, slug or title."""

    async def transform(self, interaction: discord.Interaction[Any], value: str, /) -> StoredThread:
        return await resolve_thread(storage_of(interaction), str(value), interaction.guild_id)

    async def autocomplete(  # type: ignore[override]
        self, interaction: discord.Interaction[Any], value: str, /
    ) -> list[app_commands.Choice[str]]:
        return await thread_choices(storage_of(interaction), interaction.guild_id, str(value))


class AuthorTransformer(app_commands.Transformer):
    """``name`` options: a person who commented on the thread chosen in the same command."""

    async def _thread(self, interaction: discord.Interaction[Any]) -> StoredThread | None:
        raw = _chosen_thread(interaction)
        if raw is None:
            return None
        return await storage_of(interaction).threads.find(raw, interaction.guild_id)

    async def transform(self, interaction: discord.Interaction[Any], value: str, /) -> str:
        storage = storage_of(interaction)
        raw = _chosen_thread(interaction) or ""
        thread = await resolve_thread(storage, raw, interaction.guild_id)
        return await resolve_author(storage, thread, str(value))

    async def autocomplete(  # type: ignore[override]
        self, interaction: discord.Interaction[Any], value: str, /
    ) -> list[app_commands.Choice[str]]:
        return await author_choices(
            storage_of(interaction), await self._thread(interaction), str(value)
        )


async def subject_choices_for(
    interaction: discord.Interaction[Any], current: str
) -> list[app_commands.Choice[str]]:
    """Autocomplete for a summary's ``name``, in the thread already chosen in the command."""
    raw = _chosen_thread(interaction)
    storage = storage_of(interaction)
    thread = await storage.threads.find(raw, interaction.guild_id) if raw else None
    return await subject_choices(storage, thread, current)


ThreadArg = app_commands.Transform[StoredThread, ThreadTransformer]
AuthorArg = app_commands.Transform[str, AuthorTransformer]
