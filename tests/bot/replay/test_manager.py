"""The manager with mocked Discord objects: targets, webhooks, refusals, restart and resume."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Sequence
from typing import Any
from unittest.mock import AsyncMock, MagicMock

import discord
import pytest

from bot.errors import Busy, UserFacingError
from bot.replay.manager import MAX_PER_GUILD, ReplayLimits, ReplayManager
from bot.replay.pacing import SPEED_MAX, SPEED_MIN, WINDOW_MESSAGES, WINDOW_SECONDS
from bot.replay.plan import Post, next_position
from bot.replay.runner import planned_post
from bot.replay.senders import EMBED_NOTICE, WEBHOOK_NAME
from bot.storage import ReplayMode, Storage
from tests.bot.replay.conftest import (
    CHANNEL,
    GUILD,
    all_posts,
    http_error,
    new_replay,
    no_mentions,
    seed_thread,
)


class FakeWebhook:
    def __init__(self, log: list[dict[str, Any]], *, signal_at: int = 0) -> None:
        self.id = 4242
        self.name = WEBHOOK_NAME
        self.token = "token"
        self.user = MagicMock(id=99)
        self.log = log
        self.signal_at = signal_at
        self.reached = asyncio.Event()

    async def send(self, content: str, **kwargs: Any) -> None:
        self.log.append({"content": content, **kwargs})
        if len(self.log) >= self.signal_at:
            self.reached.set()


async def no_history(limit: int | None = 100) -> AsyncIterator[Any]:
    """``channel.history()`` of a channel with nothing in it."""
    for message in ():
        yield message


def text_channel(
    channel_id: int = CHANNEL, *, webhooks: Sequence[Any] = (), can_thread: bool = True
) -> Any:
    channel = MagicMock(spec=discord.TextChannel)
    channel.id = channel_id
    channel.history = no_history
    thread = MagicMock(spec=discord.Thread)
    thread.id = channel_id + 1
    thread.parent = channel
    thread.parent_id = channel_id
    thread.send = AsyncMock()
    thread.history = no_history
    if can_thread:
        channel.create_thread = AsyncMock(return_value=thread)
    else:
        channel.create_thread = AsyncMock(side_effect=http_error(discord.Forbidden, 403))
    channel.webhooks = AsyncMock(return_value=list(webhooks))
    channel.send = AsyncMock()
    return channel


def manager(db: Storage, channels: dict[int, Any] | None = None) -> ReplayManager:
    client = MagicMock(spec=discord.Client)
    client.user = MagicMock(id=99)
    channels = channels or {}
    client.get_channel = MagicMock(side_effect=channels.get)
    client.fetch_channel = AsyncMock(side_effect=lambda i: channels[i])
    return ReplayManager(client, db, base_interval=0, min_interval=0, part_gap=0)


async def test_manager_creates_a_thread_and_posts_through_the_webhook(seeded: Storage) -> None:
    thread = await seed_thread(seeded)
    log: list[dict[str, Any]] = []
    hook = FakeWebhook(log)
    channel = text_channel(webhooks=[hook])
    replays = manager(seeded)
    started = await replays.start(
        channel=channel,
        guild_id=GUILD,
        user_id=7,
        thread=thread,
        first_seq=1,
        last_seq=31,
        speed=1,
        can_webhook=True,
    )
    assert started.created and started.mode == "webhook"
    assert channel.create_thread.await_args.kwargs["name"] == "Iraq Cease-Fire Over"
    await replays.wait(started.replay.id)
    expected = await all_posts(seeded, thread)
    assert [m["content"] for m in log] == [p.content for p in expected]
    for message in log:
        assert message["thread"].id == CHANNEL + 1
        assert no_mentions(message["allowed_mentions"])
        assert message["wait"] is True
        assert 1 < len(message["username"]) <= 80
    assert {m["username"] for m in log} >= {"glasnost", "Bithead", "James Joyner"}
    done = await seeded.replays.get(started.replay.id)
    assert done is not None and done.status == "finished" and done.target_id == CHANNEL + 1


async def test_manager_falls_back_to_embeds_and_to_the_channel(seeded: Storage) -> None:
    thread = await seed_thread(seeded)
    channel = text_channel(can_thread=False)
    replays = manager(seeded)
    started = await replays.start(
        channel=channel,
        guild_id=GUILD,
        user_id=7,
        thread=thread,
        first_seq=1,
        last_seq=2,
        speed=1,
        can_webhook=False,
    )
    assert not started.created and started.target is channel and started.mode == "embed"
    await replays.wait(started.replay.id)
    embeds = [c.kwargs["embed"] for c in channel.send.await_args_list]
    titles = [e.title for e in embeds if not e.title.endswith("(continued)")]
    assert titles == ["Iraq Cease-Fire Over", "glasnost", "Bithead"]
    assert all(no_mentions(c.kwargs["allowed_mentions"]) for c in channel.send.await_args_list)


async def test_manager_refuses_a_second_replay_in_the_same_channel(seeded: Storage) -> None:
    thread = await seed_thread(seeded)
    replays = manager(seeded)
    replays.base_interval = replays.min_interval = 60.0  # keep the first one running
    channel = text_channel(webhooks=[FakeWebhook([])])
    kwargs: dict[str, Any] = dict(
        guild_id=GUILD, user_id=7, thread=thread, first_seq=1, last_seq=3, speed=1.0
    )
    first = await replays.start(channel=channel, can_webhook=True, **kwargs)
    with pytest.raises(Busy):
        await replays.start(channel=channel, can_webhook=True, **kwargs)
    stopped = await replays.stop(CHANNEL, wait=True)
    assert stopped is not None and stopped.status == "stopped"
    assert not replays.is_active(first.replay.id)
    assert await replays.stop(CHANNEL) is None


async def test_restart_midway_resumes_without_duplicates(seeded: Storage) -> None:
    """A bot shut down mid-replay picks up at the next message after a restart."""
    thread = await seed_thread(seeded)
    log: list[dict[str, Any]] = []
    hook = FakeWebhook(log, signal_at=8)
    channel = text_channel(webhooks=[hook])
    created = await channel.create_thread()
    channels = {CHANNEL: channel, CHANNEL + 1: created}
    first_life = manager(seeded, channels)
    first_life.base_interval = first_life.min_interval = 0.02
    started = await first_life.start(
        channel=channel,
        guild_id=GUILD,
        user_id=7,
        thread=thread,
        first_seq=1,
        last_seq=31,
        speed=1.0,
        can_webhook=True,
    )
    await asyncio.wait_for(hook.reached.wait(), timeout=30)
    await first_life.shutdown()
    interrupted = await seeded.replays.get(started.replay.id)
    assert interrupted is not None and interrupted.status == "running"
    assert interrupted.posted == len(log) < 33

    second_life = manager(seeded, channels)
    assert await second_life.resume_all() == [started.replay.id]
    await second_life.wait(started.replay.id)
    expected = await all_posts(seeded, thread)
    assert [m["content"] for m in log] == [p.content for p in expected]
    done = await seeded.replays.get(started.replay.id)
    assert done is not None and done.status == "finished" and done.posted == len(expected)


async def test_resume_without_the_webhook_says_so_once_and_uses_embeds(seeded: Storage) -> None:
    thread = await seed_thread(seeded)
    record = await new_replay(seeded, thread, first=1, last=2)
    target = text_channel(2000)
    target.webhooks = AsyncMock(side_effect=http_error(discord.Forbidden, 403))
    await seeded.replays.set_target(record.id, 2000)
    replays = manager(seeded, {2000: target})
    assert await replays.resume_all() == [record.id]
    await replays.wait(record.id)
    contents = [c.args[0] for c in target.send.await_args_list if c.args]
    assert contents == [EMBED_NOTICE]
    stored = await seeded.replays.get(record.id)
    assert stored is not None and stored.mode == "embed" and stored.status == "finished"


async def test_resume_of_a_vanished_channel_marks_it_failed(seeded: Storage) -> None:
    thread = await seed_thread(seeded)
    record = await new_replay(seeded, thread)
    await seeded.replays.set_target(record.id, 3000)
    replays = manager(seeded)
    replays.client.fetch_channel = AsyncMock(side_effect=http_error(discord.NotFound, 404))
    assert await replays.resume_all() == []
    stored = await seeded.replays.get(record.id)
    assert stored is not None and stored.status == "failed" and stored.error
    no_target = await new_replay(seeded, thread, channel=5)
    assert await replays.resume_all() == []
    assert (await seeded.replays.get(no_target.id)).status == "failed"  # type: ignore[union-attr]


def test_limits_check_speed() -> None:
    limits = ReplayLimits()
    assert (limits.speed_min, limits.speed_max, limits.max_per_guild) == (
        SPEED_MIN,
        SPEED_MAX,
        MAX_PER_GUILD,
    )
    assert limits.check_speed(2.0) == 2.0
    with pytest.raises(UserFacingError, match=r"between 0\.25 and 2"):
        ReplayLimits(speed_max=2.0).check_speed(3.0)


async def test_a_stop_while_the_thread_is_being_made_posts_nothing(seeded: Storage) -> None:
    """``/replay stop`` can arrive while ``start`` still waits for Discord to make the thread."""
    thread = await seed_thread(seeded)
    log: list[dict[str, Any]] = []
    channel = text_channel(webhooks=[FakeWebhook(log)])
    made = await channel.create_thread()
    gate, asked = asyncio.Event(), asyncio.Event()

    async def slow_thread(**_: Any) -> Any:
        asked.set()
        await gate.wait()
        return made

    channel.create_thread = AsyncMock(side_effect=slow_thread)
    replays = manager(seeded)
    starting = asyncio.create_task(
        replays.start(
            channel=channel,
            guild_id=GUILD,
            user_id=7,
            thread=thread,
            first_seq=1,
            last_seq=3,
            speed=1.0,
            can_webhook=True,
        )
    )
    await asked.wait()
    stopped = await replays.stop(CHANNEL)
    assert stopped is not None and stopped.status == "stopped"
    gate.set()
    with pytest.raises(UserFacingError, match="stopped before its first message"):
        await starting
    assert log == [] and replays.active == 0
    stored = await seeded.replays.get(stopped.id)
    assert stored is not None and stored.status == "stopped"


def history_of(*messages: Any, error: discord.HTTPException | None = None) -> Any:
    async def history(limit: int | None = 100) -> AsyncIterator[Any]:
        if error is not None:
            raise error
        for message in messages[:limit]:
            yield message

    return history


def posted(post: Post, *, webhook_id: int | None = 4242, author: int = 1) -> Any:
    """A message as Discord returns it for ``post`` (webhook content, or an embed by the bot)."""
    message = MagicMock(spec=discord.Message)
    message.webhook_id = webhook_id
    message.author = MagicMock(id=author)
    message.content = post.content if webhook_id is not None else ""
    message.embeds = [] if webhook_id is not None else [post.embed()]
    return message


@pytest.mark.parametrize("mode", ["webhook", "embed"])
async def test_resume_skips_the_message_posted_just_before_a_crash(
    seeded: Storage, mode: ReplayMode
) -> None:
    thread = await seed_thread(seeded)
    record = await new_replay(seeded, thread, first=1, last=3, mode=mode)
    plan = await all_posts(seeded, thread)
    plan = [p for p in plan if p.seq <= 3]
    await seeded.replays.record_progress(record.id, *next_position(plan[1]), posted=2)
    record = await seeded.replays.get(record.id) or record
    assert await planned_post(seeded, record) == plan[2]
    log: list[dict[str, Any]] = []
    target = text_channel(2000, webhooks=[FakeWebhook(log)])
    hook = 4242 if mode == "webhook" else None
    # Newest first: the unrecorded message, then the recorded one, then someone else's.
    target.history = history_of(
        posted(plan[2], webhook_id=hook, author=99), posted(plan[1], webhook_id=hook, author=99)
    )
    await seeded.replays.set_target(record.id, 2000)
    replays = manager(seeded, {2000: target})
    assert await replays.resume_all() == [record.id]
    await replays.wait(record.id)
    sent = (
        [m["content"] for m in log]
        if mode == "webhook"
        else [c.kwargs["embed"].description for c in target.send.await_args_list]
    )
    expected = [p.content if mode == "webhook" else p.body for p in plan[3:]]
    assert sent == expected
    done = await seeded.replays.get(record.id)
    assert done is not None and done.status == "finished" and done.posted == len(plan)


async def test_resume_posts_the_next_message_when_it_is_not_there(seeded: Storage) -> None:
    thread = await seed_thread(seeded)
    record = await new_replay(seeded, thread, first=1, last=2)
    plan = [p for p in await all_posts(seeded, thread) if p.seq <= 2]
    await seeded.replays.record_progress(record.id, *next_position(plan[0]))
    log: list[dict[str, Any]] = []
    target = text_channel(2000, webhooks=[FakeWebhook(log)])
    stranger = posted(plan[1], webhook_id=777)  # the same text from another webhook
    target.history = history_of(stranger, posted(plan[0]))
    await seeded.replays.set_target(record.id, 2000)
    replays = manager(seeded, {2000: target})
    assert await replays.resume_all() == [record.id]
    await replays.wait(record.id)
    assert [m["content"] for m in log] == [p.content for p in plan[1:]]

    # Without Read Message History the check is skipped, the replay still resumes.
    again = await new_replay(seeded, thread, channel=3000, first=1, last=1)
    blind = text_channel(3001, webhooks=[FakeWebhook([])])
    blind.history = history_of(error=http_error(discord.Forbidden, 403))
    await seeded.replays.set_target(again.id, 3001)
    replays = manager(seeded, {3001: blind})
    assert await replays.resume_all() == [again.id]
    await replays.wait(again.id)
    stored = await seeded.replays.get(again.id)
    assert stored is not None and stored.status == "finished"


def test_the_window_follows_the_pacing_floor(seeded: Storage) -> None:
    production = ReplayManager(MagicMock(), seeded, base_interval=1.5)
    assert (production.window, production.window_seconds) == (WINDOW_MESSAGES, WINDOW_SECONDS)
    fast = ReplayManager(MagicMock(), seeded, base_interval=0.01, min_interval=0.01)
    assert fast.window_seconds == pytest.approx(WINDOW_SECONDS / 100)
    unpaced = ReplayManager(MagicMock(), seeded, base_interval=0, min_interval=0)
    assert unpaced.window_seconds == 0  # the benchmark's pacing-off run: no window either
