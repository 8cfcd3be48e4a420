"""Helpers for the replay tests: the seed thread's plan, a replay record, a recording sender.

No Discord: senders and channels are fakes (Discord itself is in tests/e2e/test_replay.py).
"""

from __future__ import annotations

from typing import Any
from unittest.mock import MagicMock

import discord

from bot.models import StoredThread
from bot.replay.pacing import Pacing
from bot.replay.plan import Post, article_posts, comment_posts
from bot.storage import ReplayMode, ReplayRecord, Storage

GUILD = 42
CHANNEL = 1000


async def seed_thread(db: Storage) -> StoredThread:
    threads = await db.threads.all()
    assert threads, "the seeded fixture holds the seed thread"
    return threads[0]


async def all_posts(db: Storage, thread: StoredThread) -> list[Post]:
    heads = await db.comments.heads(thread.id)
    answers: dict[int, list[tuple[int, str]]] = {}
    for edge in await db.edges.all(thread.id):
        answers.setdefault(edge.source, []).append((edge.target, edge.via))
    posts = article_posts(thread)
    for comment in await db.comments.all(thread.id):
        posts += comment_posts(comment, heads, thread.author, answers.get(comment.seq, []))
    return posts


async def new_replay(
    db: Storage,
    thread: StoredThread,
    *,
    channel: int = CHANNEL,
    first: int = 1,
    last: int | None = None,
    mode: ReplayMode = "webhook",
) -> ReplayRecord:
    record = await db.replays.start(
        guild_id=GUILD,
        channel_id=channel,
        thread_id=thread.id,
        first_seq=first,
        last_seq=thread.comment_count if last is None else last,
        speed=1.0,
        mode=mode,
        started_by=7,
    )
    assert record is not None
    return record


class RecordingSender:
    """A sender that keeps what it posted; can fail or ask to stop after some posts."""

    def __init__(
        self,
        mode: ReplayMode = "webhook",
        *,
        stop_after: int | None = None,
        pacing: Pacing | None = None,
        fail_with: list[BaseException] | None = None,
        log: list[tuple[int, int]] | None = None,
    ) -> None:
        self.mode: ReplayMode = mode
        self.sent: list[Post] = []
        self.stop_after = stop_after
        self.pacing = pacing
        self.fail_with = fail_with or []
        self.log = log if log is not None else []

    async def send(self, post: Post) -> None:
        if self.fail_with:
            raise self.fail_with.pop(0)
        self.sent.append(post)
        self.log.append((post.seq, post.part))
        if self.stop_after is not None and len(self.sent) >= self.stop_after:
            assert self.pacing is not None
            self.pacing.stop.set()


def http_error(
    cls: type[discord.HTTPException], status: int, headers: dict[str, str] | None = None
) -> discord.HTTPException:
    response = MagicMock(status=status, reason="test", headers=headers or {})
    return cls(response, {"message": "test", "code": 0})


def no_mentions(allowed: discord.AllowedMentions) -> bool:
    payload: dict[str, Any] = dict(allowed.to_dict())
    return payload == {"parse": []}
