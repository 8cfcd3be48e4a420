"""Summaries on demand: cached per thread version, computed off the event loop, LLM optional.

The offline summary (``bot.summaries.engine``) is always computed: its figures and sentences are
the ground truth, and the LLM answer, when ``SUMMARY_BACKEND=llm``, is shown on top of
it. Both are cached in storage under the thread's ``content_hash``, so a thread that is
re-imported with changes is summarised again and an unchanged one never is. Any LLM
failure (timeout, HTTP error, 429, a malformed answer) falls back to the offline
summary with a note saying so; failures are not cached.
"""

from __future__ import annotations

import asyncio
import functools
import logging
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

import discord
from discord import app_commands

from bot.errors import NotFound
from bot.models import StoredComment, StoredThread
from bot.settings import Settings
from bot.storage import Storage, fold
from bot.summaries.engine import (
    SUMMARY_VERSION,
    AuthorSummary,
    ThreadSummary,
    article_paragraphs,
    from_json,
    summarise_author,
    summarise_thread,
    to_json,
)
from bot.summaries.llm import ChatClient, LLMError, Message
from bot.ui.autocomplete import choice, suggest
from bot.ui.transformers import author_choices, resolve_author

log = logging.getLogger(__name__)
T = TypeVar("T")

NONE = discord.AllowedMentions.none()
THREAD_SUBJECT = "thread"
OFFLINE_ENGINE = f"offline/{SUMMARY_VERSION}"
PROMPT_VERSION = 1
PROMPT_MAX = 24_000
"""Characters of thread text sent to the model at most; later comments are left out."""
LLM_COOLDOWN_RATE = 2
LLM_COOLDOWN_PER = 60.0
"""Summaries one person may ask for per minute when they may call the model."""

AUTHOR_SYSTEM = (
    "You summarise what one person argued in a blog comment thread. You are given only "
    "their own words (text they quoted from others is removed), each part marked with "
    "its comment number. Write 3 to 6 short bullet points in English, in the order the "
    "points were made, each ending with the comment numbers it comes from, like (#12). "
    "Use only what the text says; do not judge, do not add facts, do not quote others."
)
THREAD_SYSTEM = (
    "You summarise a blog post and its comment thread. You are given the article and "
    "every comment's own words (quotes of others removed), each marked with its number "
    "and author. Write one short paragraph on the article, then 3 to 6 bullet points on "
    "the main lines of discussion, naming who argued what, with comment numbers like "
    "(#12). Use only what the text says; do not judge, do not add facts."
)


_Key = tuple[int, str, str, str]
_INFLIGHT: dict[_Key, asyncio.Task[Any]] = {}


def _forget(key: _Key, task: asyncio.Task[Any]) -> None:
    if _INFLIGHT.get(key) is task:
        del _INFLIGHT[key]
    if not task.cancelled():
        task.exception()  # retrieved: whoever awaited it has seen it already


async def _once(key: _Key, work: Callable[[], Awaitable[T]]) -> T:
    """Run ``work`` once for everyone asking for ``key`` at the same time.

    Two people asking for the same uncached summary share one computation (and one model
    call). Waiters get the result from the task itself, not from a re-read of the cache,
    and a caller that gives up (cancelled) does not cancel it for the others.
    """
    task = _INFLIGHT.get(key)
    if task is None or task.get_loop() is not asyncio.get_running_loop():
        task = asyncio.ensure_future(work())
        _INFLIGHT[key] = task
        task.add_done_callback(functools.partial(_forget, key))
    result: T = await asyncio.shield(task)
    return result


@dataclass(frozen=True, slots=True)
class SummaryView:
    """What the renderers show: the offline summary, and the model's answer or why not."""

    summary: AuthorSummary | ThreadSummary
    brief: str | None = None
    model: str | None = None
    note: str | None = None


def author_subject(name: str) -> str:
    return f"author:{fold(name)}"


def llm_engine(settings: Settings) -> str | None:
    """The cache key of the configured model, or ``None`` when summaries stay offline."""
    if settings.summary_backend != "llm" or not settings.llm_base_url or not settings.llm_model:
        return None
    return f"llm/{PROMPT_VERSION}:{settings.llm_model}"


def make_client(settings: Settings) -> ChatClient | None:
    if llm_engine(settings) is None or not settings.llm_base_url or not settings.llm_model:
        return None
    return ChatClient(settings.llm_base_url, settings.llm_model, settings.llm_api_key)


# ---- who can be summarised --------------------------------------------------------------


async def resolve_subject(storage: Storage, thread: StoredThread, name: str) -> str:
    """A commenter's stored name, or the post author's; ``NotFound`` with suggestions."""
    if thread.author and fold(name.strip()) == fold(thread.author):
        return thread.author
    try:
        return await resolve_author(storage, thread, name)
    except NotFound as exc:
        if thread.author:
            names = [p.name for p in await storage.authors(thread.id)] + [thread.author]
            raise NotFound("person", exc.query, suggest(exc.query, names)) from None
        raise


async def subject_choices(
    storage: Storage, thread: StoredThread | None, current: str
) -> list[app_commands.Choice[str]]:
    """Commenters as ``/author comments`` offers them, plus the post author (the article)."""
    choices = await author_choices(storage, thread, current)
    if thread is None or not thread.author:
        return choices
    known = {fold(c.value) for c in choices}
    typed = fold(current.strip())
    if fold(thread.author) not in known and (not typed or typed in fold(thread.author)):
        article = choice(f"{thread.author} · the article", thread.author)
        choices = [article, *choices] if typed else [*choices, article]
    return choices[:25]


async def subject_choices_for(
    interaction: discord.Interaction[Any], storage: Storage, current: str
) -> list[app_commands.Choice[str]]:
    """Autocomplete for ``name``, in the thread already chosen in the same command."""
    raw = getattr(interaction.namespace, "thread", None)
    if isinstance(raw, StoredThread):
        thread: StoredThread | None = raw
    elif raw:
        thread = await storage.find_thread(str(raw), interaction.guild_id)
    else:
        thread = None
    return await subject_choices(storage, thread, current)


# ---- offline summaries, cached --------------------------------------------------------------


async def _cached(
    storage: Storage, thread: StoredThread, subject: str, kind: type[Any]
) -> Any | None:
    payload = await storage.get_summary(thread.id, subject, OFFLINE_ENGINE, thread.content_hash)
    if payload is None:
        return None
    try:
        return from_json(kind, payload)
    except ValueError:
        log.warning("ignoring an unreadable cached summary of %s in thread %s", subject, thread.id)
        return None


async def offline_author(storage: Storage, thread: StoredThread, name: str) -> AuthorSummary:
    subject = author_subject(name)
    found: AuthorSummary | None = await _cached(storage, thread, subject, AuthorSummary)
    if found is not None:
        return found

    async def compute() -> AuthorSummary:
        comments = await storage.all_comments(thread.id)
        edges = await storage.edges(thread.id)
        summary = await asyncio.to_thread(summarise_author, thread, comments, edges, name)
        await storage.put_summary(
            thread.id, subject, OFFLINE_ENGINE, thread.content_hash, to_json(summary)
        )
        return summary

    return await _once((thread.id, subject, OFFLINE_ENGINE, thread.content_hash), compute)


async def offline_thread(storage: Storage, thread: StoredThread) -> ThreadSummary:
    found: ThreadSummary | None = await _cached(storage, thread, THREAD_SUBJECT, ThreadSummary)
    if found is not None:
        return found

    async def compute() -> ThreadSummary:
        comments = await storage.all_comments(thread.id)
        edges = await storage.edges(thread.id)
        summary = await asyncio.to_thread(summarise_thread, thread, comments, edges)
        await storage.put_summary(
            thread.id, THREAD_SUBJECT, OFFLINE_ENGINE, thread.content_hash, to_json(summary)
        )
        return summary

    return await _once((thread.id, THREAD_SUBJECT, OFFLINE_ENGINE, thread.content_hash), compute)


async def is_cached(
    storage: Storage, settings: Settings, thread: StoredThread, name: str | None
) -> bool:
    """Whether every part of this summary is already stored (no need to defer)."""
    subject = THREAD_SUBJECT if name is None else author_subject(name)
    engines = [OFFLINE_ENGINE]
    llm = llm_engine(settings)
    if llm is not None:
        engines.append(llm)
    for engine in engines:
        if await storage.get_summary(thread.id, subject, engine, thread.content_hash) is None:
            return False
    return True


# ---- prompts: only people's own words, with comment numbers ------------------------------------


def _fit(parts: Sequence[str], budget: int = PROMPT_MAX) -> str:
    out: list[str] = []
    used = 0
    for i, part in enumerate(parts):
        if used + len(part) > budget:
            out.append(f"[{len(parts) - i} more parts left out for length]")
            break
        out.append(part)
        used += len(part) + 2
    return "\n\n".join(out)


def author_prompt(
    thread: StoredThread, comments: Sequence[StoredComment], name: str
) -> list[Message]:
    """The person's own words only: quoted paragraphs are dropped before the prompt is built."""
    key = fold(name)
    parts: list[str] = []
    if thread.author and fold(thread.author) == key:
        parts.append("(article) " + "\n".join(article_paragraphs(thread)))
    parts += [
        f"#{c.number}: {c.own_text}" for c in comments if fold(c.author) == key and c.own_text
    ]
    user = f"Thread: {thread.title}\nPerson: {name}\n\n{_fit(parts)}"
    return [Message("system", AUTHOR_SYSTEM), Message("user", user)]


def thread_prompt(thread: StoredThread, comments: Sequence[StoredComment]) -> list[Message]:
    article = "\n".join(article_paragraphs(thread))
    parts = [f"#{c.number} {c.author}: {c.own_text}" for c in comments if c.own_text]
    user = (
        f"Title: {thread.title}\nArticle by {thread.author or 'unknown'}:\n{article}\n\n"
        f"Comments:\n\n{_fit(parts, max(2000, PROMPT_MAX - len(article)))}"
    )
    return [Message("system", THREAD_SYSTEM), Message("user", user)]


async def _brief(
    storage: Storage,
    settings: Settings,
    thread: StoredThread,
    subject: str,
    messages: list[Message],
    client: ChatClient | None,
) -> tuple[str | None, str | None]:
    """``(answer, note)``: the model's answer (cached per thread version), or why there is none."""
    engine = llm_engine(settings)
    if engine is None:
        return None, None
    cached = await storage.get_summary(thread.id, subject, engine, thread.content_hash)
    if cached is not None:
        return cached, None
    chat = client or make_client(settings)
    if chat is None:
        return None, None

    async def ask(chat: ChatClient = chat) -> tuple[str | None, str | None]:
        try:
            answer = await chat.chat(messages)
        except LLMError as exc:
            log.warning("LLM summary of %s in %s failed: %s", subject, thread.id, exc.reason)
            return None, f"The language model could not be used ({exc.reason}): offline summary."
        await storage.put_summary(thread.id, subject, engine, thread.content_hash, answer)
        return answer, None

    return await _once((thread.id, subject, engine, thread.content_hash), ask)


async def author_view(
    storage: Storage,
    settings: Settings,
    thread: StoredThread,
    name: str,
    *,
    client: ChatClient | None = None,
) -> SummaryView:
    """Everything ``/author summary`` shows for ``name`` (a resolved, stored name)."""
    summary = await offline_author(storage, thread, name)
    brief, note = None, None
    if llm_engine(settings) is not None:
        comments = await storage.all_comments(thread.id)
        messages = author_prompt(thread, comments, summary.name)
        brief, note = await _brief(
            storage, settings, thread, author_subject(name), messages, client
        )
    return SummaryView(summary, brief, settings.llm_model if brief else None, note)


async def thread_view(
    storage: Storage, settings: Settings, thread: StoredThread, *, client: ChatClient | None = None
) -> SummaryView:
    """Everything ``/thread summary`` shows."""
    summary = await offline_thread(storage, thread)
    brief, note = None, None
    if llm_engine(settings) is not None:
        messages = thread_prompt(thread, await storage.all_comments(thread.id))
        brief, note = await _brief(storage, settings, thread, THREAD_SUBJECT, messages, client)
    return SummaryView(summary, brief, settings.llm_model if brief else None, note)


# ---- Discord and CLI entry points ----------------------------------------------------------------


def llm_cooldown(interaction: discord.Interaction[Any]) -> app_commands.Cooldown | None:
    """A per-person cooldown only when summaries may call the model (it costs time and money)."""
    settings = getattr(interaction.client, "settings", None)
    if not isinstance(settings, Settings) or llm_engine(settings) is None:
        return None
    return app_commands.Cooldown(LLM_COOLDOWN_RATE, LLM_COOLDOWN_PER)


async def send_summary(
    interaction: discord.Interaction[Any],
    storage: Storage,
    settings: Settings,
    thread: StoredThread,
    name: str | None,
) -> None:
    """Answer with the summary: at once when cached, else defer first (it may take seconds)."""
    from bot.ui.summary_rendering import author_summary_embed, thread_summary_embed

    deferred = False
    if not await is_cached(storage, settings, thread, name):
        await interaction.response.defer(thinking=True)
        deferred = True
    if name is None:
        embed = thread_summary_embed(thread, await thread_view(storage, settings, thread))
    else:
        embed = author_summary_embed(thread, await author_view(storage, settings, thread, name))
    if deferred:
        await interaction.followup.send(embed=embed, allowed_mentions=NONE)
    else:
        await interaction.response.send_message(embed=embed, allowed_mentions=NONE)


async def summary_command(
    storage: Storage, settings: Settings, thread: StoredThread, author: str | None
) -> Any:
    """``python -m bot summary``: the same summary as plain text for a terminal."""
    from rich.text import Text

    from bot.ui.summary_rendering import author_summary_text, thread_summary_text

    if author is None:
        view = await thread_view(storage, settings, thread)
        return Text(thread_summary_text(thread, view))
    try:
        name = await resolve_subject(storage, thread, author)
    except NotFound as exc:
        from bot.cli import CliError

        raise CliError(exc.message) from None
    return Text(author_summary_text(thread, await author_view(storage, settings, thread, name)))
