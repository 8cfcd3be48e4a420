"""Summaries on demand: cached per thread version, computed once however many ask (in a worker
process), LLM optional.

The offline summary (``bot.summaries.engine``) is always computed: its figures and sentences are
the ground truth, and the LLM answer, when ``SUMMARY_BACKEND=llm``, is shown on top of
it. Both are cached in storage under the thread's ``content_hash``, so a thread that is
re-imported with changes is summarised again and an unchanged one never is. The model's
answer is checked against the thread before it is shown (:mod:`bot.summaries.verify`):
lines citing the wrong comments or misquoting them are dropped, with a note. Any LLM
failure (timeout, HTTP error, 429, a malformed answer, nothing that holds up) falls back
to the offline summary with a note saying so; failures are not cached.
"""

from __future__ import annotations

import asyncio
import functools
import logging
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

from bot.errors import Busy
from bot.models import StoredComment, StoredThread
from bot.settings import Settings
from bot.storage import Storage
from bot.summaries.llm import ChatClient, LLMError, Message
from bot.summaries.offload import pack, stored_summary_json, summary_json
from bot.summaries.prompts import PROMPT_VERSION, author_prompt, thread_prompt
from bot.summaries.results import SUMMARY_VERSION, AuthorSummary, ThreadSummary, from_json
from bot.summaries.verify import check_answer
from bot.text import fold
from bot.workers import Limits, WorkerError, WorkerTimeout, run_in_worker

log = logging.getLogger(__name__)
T = TypeVar("T")
S = TypeVar("S", AuthorSummary, ThreadSummary)

THREAD_SUBJECT = "thread"
OFFLINE_ENGINE = f"offline/{SUMMARY_VERSION}"
SUMMARY_LIMITS = Limits(cpu_s=30.0, memory_mb=400, wall_s=60.0)
"""A 20,000-comment thread takes about a second and under 150 MB; the limits stop a runaway."""

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


# ---- offline summaries, cached --------------------------------------------------------------


async def _cached(
    storage: Storage, thread: StoredThread, subject: str, kind: type[Any]
) -> Any | None:
    payload = await storage.summaries.get(thread.id, subject, OFFLINE_ENGINE, thread.content_hash)
    if payload is None:
        return None
    try:
        return from_json(kind, payload)
    except ValueError:
        log.warning("ignoring an unreadable cached summary of %s in thread %s", subject, thread.id)
        return None


async def _compute(storage: Storage, thread: StoredThread, name: str | None) -> str:
    """The summary's JSON, computed in a worker process that reads the thread itself (see
    :mod:`bot.summaries.offload`)."""
    target = storage.target
    work: Callable[[StoredThread, Any, str | None], str]
    source: Any
    if target is not None:
        work, source = stored_summary_json, target
    else:
        work = summary_json
        source = pack(await storage.comments.all(thread.id), await storage.edges.all(thread.id))
    try:
        return await run_in_worker(
            work, thread, source, name, limits=SUMMARY_LIMITS, key=("summary", thread.id)
        )
    except WorkerTimeout:
        raise Busy("This summary took too long to compute; try again in a minute.") from None
    except WorkerError as exc:
        log.warning("summary of %s in thread %s failed in its worker: %s", name, thread.id, exc)
        raise Busy("This summary could not be computed right now; try again later.") from None


async def _offline(storage: Storage, thread: StoredThread, name: str | None, kind: type[S]) -> S:
    """The cached summary of ``name`` (the thread's for ``None``), else computed once however
    many people ask at the same time, and stored for this version of the thread."""
    subject = THREAD_SUBJECT if name is None else author_subject(name)
    found: S | None = await _cached(storage, thread, subject, kind)
    if found is not None:
        return found

    async def compute() -> S:
        payload = await _compute(storage, thread, name)
        await storage.summaries.put(
            thread.id, subject, OFFLINE_ENGINE, thread.content_hash, payload
        )
        return from_json(kind, payload)

    return await _once((thread.id, subject, OFFLINE_ENGINE, thread.content_hash), compute)


async def offline_author(storage: Storage, thread: StoredThread, name: str) -> AuthorSummary:
    return await _offline(storage, thread, name, AuthorSummary)


async def offline_thread(storage: Storage, thread: StoredThread) -> ThreadSummary:
    return await _offline(storage, thread, None, ThreadSummary)


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
        if await storage.summaries.get(thread.id, subject, engine, thread.content_hash) is None:
            return False
    return True


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
    cached = await storage.summaries.get(thread.id, subject, engine, thread.content_hash)
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
        await storage.summaries.put(thread.id, subject, engine, thread.content_hash, answer)
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
        comments = await storage.comments.all(thread.id)
        edges = await storage.edges.all(thread.id)
        messages = author_prompt(thread, comments, summary.name, edges)
        answer, note = await _brief(
            storage, settings, thread, author_subject(name), messages, client
        )
        if answer is not None:
            brief, note = checked(answer, thread, comments, summary.name)
    return SummaryView(summary, brief, settings.llm_model if brief else None, note)


async def thread_view(
    storage: Storage, settings: Settings, thread: StoredThread, *, client: ChatClient | None = None
) -> SummaryView:
    """Everything ``/thread summary`` shows."""
    summary = await offline_thread(storage, thread)
    brief, note = None, None
    if llm_engine(settings) is not None:
        comments = await storage.comments.all(thread.id)
        messages = thread_prompt(thread, comments, await storage.edges.all(thread.id))
        answer, note = await _brief(storage, settings, thread, THREAD_SUBJECT, messages, client)
        if answer is not None:
            brief, note = checked(answer, thread, comments, None)
    return SummaryView(summary, brief, settings.llm_model if brief else None, note)


def checked(
    answer: str, thread: StoredThread, comments: Sequence[StoredComment], person: str | None
) -> tuple[str | None, str | None]:
    """``(brief, note)``: the lines of the model's answer that hold up against the thread
    (:mod:`bot.summaries.verify`), and what was left out; nothing shown if none holds."""
    result = check_answer(answer, thread, comments, person)
    whose = f"{person}'s" if person else "the named people's"
    why = f"they cited comments that are not {whose} or quoted words that are not in them"
    if not result.kept:
        return None, (
            f"The language model's answer did not hold up ({result.total} lines, {why}): "
            "offline summary."
        )
    if result.dropped:
        return "\n".join(result.kept), (
            f"{result.dropped} of {result.total} lines of the language model's answer were "
            f"left out: {why}."
        )
    return "\n".join(result.kept), None
