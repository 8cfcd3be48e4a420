"""Running a replay: the posting loop, its progress, and the exactly-once read-back.

:func:`run_replay` posts the planned messages through a
:class:`~bot.replay.senders.Sender`, paced and interruptible, writing progress to
SQLite after every post.

Exactly-once: progress ``(next_seq, next_part)`` is recorded right after Discord
acknowledged each message (``wait=True``), shielded from cancellation, and stops
and shutdowns are cooperative (never cancelling a send in flight). The one
window left is a crash of the process between Discord's acknowledgement and the
SQLite write: on resume :func:`skip_if_posted` reads the target's newest messages
back and, if the next planned message is already there, records it instead of
posting it again (without Read Message History it would be posted twice).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from typing import Any

import discord

from bot.models import ARTICLE, StoredEdge
from bot.replay.pacing import Pacing
from bot.replay.plan import Post, article_posts, comment_posts, next_position
from bot.replay.senders import Sender, WebhookSender
from bot.storage import ReplayMode, ReplayRecord, ReplayStatus, Storage

log = logging.getLogger(__name__)


class ReplayFailed(Exception):
    """A replay that cannot continue (target gone, no permission left)."""


SwitchToEmbeds = Callable[[], Awaitable[Sender]]
"""Called when the webhook stops working: returns an embed sender (and says so once)."""

StillOurs = Callable[[], Awaitable[bool]]
"""Asked before every post: may this process still post for the replay (its lease
renewed)? With several processes on one database only the lease holder posts."""

_RECENT = 20
"""Messages read back on resume to find one posted just before a crash."""

_RETRIES = 3
"""Retries of one message after Discord's 5xx (which may or may not have posted it)."""
_RATE_LIMITED_ROUNDS = 20
"""Times one message may come back 429 after discord.py's own retries (5 each) before the
replay gives up: a 429 means nothing was posted, so waiting and retrying is always safe."""


def _why(exc: discord.HTTPException) -> str:
    """``403: Missing Permissions``: Discord's status and reason, for ``/replay status``."""
    return f"{exc.status}: {exc.text}" if exc.text else str(exc.status)


def retry_after(exc: discord.HTTPException, default: float = 1.0) -> float:
    """Seconds a 429 asks to wait, from its headers (discord.py keeps no body for it)."""
    headers = getattr(exc.response, "headers", None) or {}
    for name in ("X-RateLimit-Reset-After", "Retry-After"):
        try:
            value = float(headers.get(name, ""))
        except (TypeError, ValueError):
            continue
        if value >= 0:
            return min(value, 60.0)
    return default


async def run_replay(
    storage: Storage,
    replay: ReplayRecord,
    sender: Sender,
    pacing: Pacing,
    *,
    switch_to_embeds: SwitchToEmbeds | None = None,
    still_ours: StillOurs | None = None,
    page_size: int = 50,
) -> ReplayStatus:
    """Post the rest of ``replay`` from its recorded position; returns how it ended.

    Returns ``"running"`` when asked to stop (by ``/replay stop``, a shutdown, or
    ``still_ours`` answering ``False`` before a post: another process runs it now):
    the caller decides whether that is final. Records progress after every post.
    """
    thread = await storage.threads.get(replay.thread_id, replay.guild_id)
    if thread is None:
        raise ReplayFailed("the thread was deleted")
    heads = await storage.comments.heads(thread.id)
    answers = _answers(await storage.edges.all(thread.id))
    seq, part = replay.next_seq, replay.next_part
    state = _RunState(storage, replay.id, sender, pacing, switch_to_embeds, still_ours)

    if seq == ARTICLE:
        if not await state.emit(article_posts(thread)[part:]):
            return "running"
        seq, part = replay.first_seq, 0
    seq = max(seq, replay.first_seq)
    while seq <= replay.last_seq:
        page = await storage.comments.page(thread.id, start=seq, limit=page_size)
        page = [c for c in page if c.seq <= replay.last_seq]
        if not page:
            break
        for comment in page:
            posts = comment_posts(comment, heads, thread.author, answers.get(comment.seq, ()))
            if comment.seq == seq and part:
                posts = posts[part:]
            if not await state.emit(posts):
                return "running"
            part = 0
        seq = page[-1].seq + 1
    return "finished"


async def planned_post(storage: Storage, replay: ReplayRecord) -> Post | None:
    """The message ``replay`` posts next, by the same rules as :func:`run_replay`."""
    thread = await storage.threads.get(replay.thread_id, replay.guild_id)
    if thread is None:
        return None
    seq, part = replay.next_seq, replay.next_part
    if seq == ARTICLE:
        article = article_posts(thread)
        if part < len(article):
            return article[part]
        seq, part = replay.first_seq, 0
    seq = max(seq, replay.first_seq)
    page = await storage.comments.page(thread.id, start=seq, limit=1)
    if not page or page[0].seq > replay.last_seq:
        return None
    comment = page[0]
    outgoing, _ = await storage.edges.of_comment(thread.id, comment.seq)
    heads = await storage.comments.heads(thread.id)
    posts = comment_posts(comment, heads, thread.author, [(e.target, e.via) for e in outgoing])
    part = part if comment.seq == seq else 0
    return posts[part] if part < len(posts) else None


def _answers(edges: Sequence[StoredEdge]) -> dict[int, list[tuple[int, str]]]:
    """Each comment's ``(target seq, via)`` links, as :func:`comment_posts` takes them."""
    answers: dict[int, list[tuple[int, str]]] = {}
    for edge in edges:
        answers.setdefault(edge.source, []).append((edge.target, edge.via))
    return answers


def shows(message: discord.Message, post: Post, mode: ReplayMode) -> bool:
    """Whether ``message`` is ``post`` as this replay would have posted it."""
    if mode == "webhook":
        return message.content.strip() == post.content.strip()
    return bool(message.embeds) and (message.embeds[0].description or "").strip() == (
        post.body.strip()
    )


async def skip_if_posted(
    storage: Storage,
    record: ReplayRecord,
    target: Any,
    sender: Sender,
    me: discord.abc.Snowflake | None,
) -> None:
    """Close the one gap progress records leave: a crash after Discord accepted a
    message but before SQLite recorded it. If the newest replay message in the
    target already is the next planned one, record it instead of posting it again.

    ``me`` is the bot's user (its embeds are ours). Best effort: without Read
    Message History the message may be posted twice.
    """
    post = await planned_post(storage, record)
    if post is None or not hasattr(target, "history"):
        return
    hook_id = sender.webhook.id if isinstance(sender, WebhookSender) else None
    try:
        async for message in target.history(limit=_RECENT):
            ours = (
                message.webhook_id == hook_id
                if hook_id is not None
                else me is not None and message.author.id == me.id and bool(message.embeds)
            )
            if not ours:
                continue
            if shows(message, post, sender.mode):
                log.info("replay %s: %s/%s was already posted", record.id, post.seq, post.part)
                await storage.replays.record_progress(record.id, *next_position(post))
            return  # only the newest replay message can be the unrecorded one
    except discord.HTTPException as exc:
        log.info("replay %s: cannot read recent messages (%s)", record.id, exc.status)


@dataclass(slots=True)
class _RunState:
    storage: Storage
    replay_id: int
    sender: Sender
    pacing: Pacing
    switch_to_embeds: SwitchToEmbeds | None
    still_ours: StillOurs | None = None
    started: bool = False

    async def emit(self, posts: Sequence[Post]) -> bool:
        """Post ``posts`` in order; ``False`` as soon as a stop was requested."""
        for post in posts:
            gap = self.pacing.interval if post.part == 0 else self.pacing.part_gap
            if await self.pacing.wait(max(gap if self.started else 0, self.pacing.window_wait())):
                return False
            if self.still_ours is not None and not await self.still_ours():
                log.info("replay %s: no longer ours to run; stopping here", self.replay_id)
                return False
            if not await self._send(post):
                return False
            self.pacing.record_sent()
            self.started = True
            # Shielded: once Discord has the message, the record must be written even
            # if this task is being cancelled.
            await asyncio.shield(
                self.storage.replays.record_progress(self.replay_id, *next_position(post))
            )
        return True

    async def _send(self, post: Post) -> bool:
        """Post with retries on Discord's 429s and 5xx; ``False`` if a stop came during a wait."""
        attempt = limited = 0
        while True:
            try:
                await self.sender.send(post)
                return True
            except (discord.Forbidden, discord.NotFound) as exc:
                if self.sender.mode != "webhook" or self.switch_to_embeds is None:
                    raise ReplayFailed(f"I can no longer post there ({_why(exc)})") from exc
                log.warning("replay %s: webhook failed (%s); using embeds", self.replay_id, exc)
                try:
                    self.sender = await self.switch_to_embeds()
                except discord.HTTPException as again:
                    raise ReplayFailed(f"I can no longer post there ({_why(again)})") from again
            except discord.HTTPException as exc:
                if exc.status == 429 and limited < _RATE_LIMITED_ROUNDS:
                    limited += 1
                    wait = retry_after(exc)
                    log.warning("replay %s: rate limited, waiting %.2f s", self.replay_id, wait)
                    if await self.pacing.wait(wait):
                        return False
                    continue
                if attempt == _RETRIES or exc.status < 500:
                    raise ReplayFailed(f"Discord refused a message ({_why(exc)})") from exc
                log.warning("replay %s: %s, retrying", self.replay_id, exc)
                if await self.pacing.wait(2.0 * 2**attempt):
                    return False
                attempt += 1
