"""Replays: planning within Discord's limits, the run loop's exactly-once progress, resume,
the replays table, avatars and permissions. No Discord: senders and channels are fakes."""

from __future__ import annotations

import asyncio
import itertools
import re
import sqlite3
from collections.abc import AsyncIterator, Sequence
from pathlib import Path
from typing import Any
from unittest.mock import AsyncMock, MagicMock

import discord
import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.errors import Busy, NotAllowed, UserFacingError
from bot.guilds.permissions import ensure_allowed, is_allowed
from bot.models import QuoteRef, StoredComment, StoredParagraph, StoredThread
from bot.replay.avatars import DEFAULT_AVATAR_COUNT, author_colour, avatar_index, avatar_url
from bot.replay.runner import (
    EMBED_NOTICE,
    MAX_PER_GUILD,
    MIN_INTERVAL,
    SPEED_MAX,
    SPEED_MIN,
    WEBHOOK_NAME,
    WINDOW_MESSAGES,
    WINDOW_SECONDS,
    EmbedSender,
    Pacing,
    Post,
    ReplayFailed,
    ReplayLimits,
    ReplayManager,
    WebhookSender,
    article_posts,
    comment_posts,
    interval_for,
    next_position,
    pacing_floor,
    planned_post,
    retry_after,
    run_replay,
    split_quote,
    thread_name,
    webhook_username,
)
from bot.storage import MIGRATIONS, ReplayMode, ReplayRecord, Storage
from bot.ui.limits import CONTENT_MAX, check_message

GUILD = 42
CHANNEL = 1000


# ---- helpers ---------------------------------------------------------------------------------


async def seed_thread(db: Storage) -> StoredThread:
    threads = await db.all_threads()
    assert threads, "the seeded fixture holds the seed thread"
    return threads[0]


async def all_posts(db: Storage, thread: StoredThread) -> list[Post]:
    heads = await db.comment_heads(thread.id)
    posts = article_posts(thread)
    for comment in await db.all_comments(thread.id):
        posts += comment_posts(comment, heads, thread.author)
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
    record = await db.start_replay(
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


def comment(seq: int, *paragraphs: StoredParagraph, author: str = "Ann") -> StoredComment:
    return StoredComment(thread_id=1, seq=seq, number=seq, author=author, paragraphs=paragraphs)


# ---- text and names ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "name",
    ["Discord Fan", "CLYDE", "the clyde discord", "everyone", "Here", "x", "", "  ", "a" * 200],
)
def test_webhook_usernames_are_accepted_by_discord(name: str) -> None:
    username = webhook_username(name)
    assert 1 < len(username) <= 80
    lowered = username.lower()
    assert "discord" not in lowered and "clyde" not in lowered
    assert lowered not in ("everyone", "here")


def test_webhook_usernames_keep_readable_names() -> None:
    assert webhook_username("John Γιάννης Doe") == "John Γιάννης Doe"
    assert webhook_username("Discord Fan").replace("\u200a", "") == "Discord Fan"
    assert webhook_username("  Bit   head ") == "Bit head"
    assert webhook_username("") == "Anonymous"


@given(st.text(max_size=300))
def test_any_name_becomes_a_valid_username(name: str) -> None:
    username = webhook_username(name)
    assert 1 < len(username) <= 80
    assert not re.search("discord|clyde", username, re.IGNORECASE)


def test_thread_names_fit() -> None:
    assert thread_name("A  title\nacross lines") == "A title across lines"
    assert len(thread_name("word " * 100)) <= 100
    assert thread_name("   ") == "Replay"


@given(st.text(min_size=1, max_size=5000))
def test_quote_pieces_fit_and_every_line_is_quoted(text: str) -> None:
    for piece in split_quote(text.strip() or "x", 500):
        assert len(piece) <= 500
        assert all(line.startswith(">") for line in piece.split("\n"))


# ---- planning ---------------------------------------------------------------------------------


async def test_seed_replay_plan_fits_discord_and_never_pings(seeded: Storage) -> None:
    thread = await seed_thread(seeded)
    posts = await all_posts(seeded, thread)
    assert posts[0].seq == 0 and posts[0].content.startswith("# Iraq Cease-Fire Over")
    assert [p.seq for p in posts if p.part == 0][1:] == list(range(1, 32))
    for post in posts:
        assert not check_message(post.content), post
        assert not check_message(None, [post.embed()]), post
        assert "@everyone" not in post.content and "@here" not in post.content
        assert not re.search(r"<@[!&]?\d", post.content)


async def test_quotes_are_block_quotes_under_a_replying_to_line(seeded: Storage) -> None:
    thread = await seed_thread(seeded)
    posts = await all_posts(seeded, thread)
    second = next(p for p in posts if p.seq == 2)
    lines = second.content.split("\n")
    assert lines[0] == "-# #2"
    assert lines[1] == "↪ replying to #1 (glasnost)"
    assert lines[2].startswith("> Not much critical thinking here, James.")
    assert "At the risk of landing square" in second.content  # own text stays plain
    assert not any(line.startswith("> At the risk") for line in lines)
    first = next(p for p in posts if p.seq == 1)
    assert "↪ quoting the article (James Joyner)\n> The US blames Iran." in first.content


def test_mentions_and_markdown_in_comments_are_inert() -> None:
    text = "@everyone look <@123456789012345678> <@&123456789012345678> <#123456789012345678> **x**"
    post = comment_posts(comment(1, StoredParagraph(text)), {}, "Post Author")[0]
    assert "@everyone" not in post.content
    assert not re.search(r"<[@#]&?\d", post.content)
    assert "**x**" not in post.content


def test_a_long_comment_splits_into_parts_within_limits() -> None:
    paragraphs = tuple(StoredParagraph(f"Paragraph {i}. " + "word " * 300) for i in range(12))
    quoted = StoredParagraph("quoted " * 700, QuoteRef(0, 0))
    posts = comment_posts(comment(5, quoted, *paragraphs), {}, "Author")
    assert len(posts) > 3
    assert [p.part for p in posts] == list(range(len(posts)))
    assert all(p.parts == len(posts) for p in posts)
    assert posts[-1].last and not posts[0].last
    for post in posts:
        assert len(post.content) <= CONTENT_MAX
        assert not check_message(None, [post.embed()])
    assert posts[1].header == "-# #5 (continued)"
    words = " ".join(p.body for p in posts)
    assert all(f"Paragraph {i}." in words for i in range(12))


def test_an_empty_comment_still_posts_something() -> None:
    posts = comment_posts(comment(3), {}, "")
    assert len(posts) == 1 and posts[0].body


def test_next_position_moves_through_parts_then_comments() -> None:
    posts = comment_posts(comment(4, StoredParagraph("word " * 1000)), {}, "")
    assert len(posts) >= 2
    assert next_position(posts[0]) == (4, 1)
    assert next_position(posts[-1]) == (5, 0)


def test_pace_speed_two_is_twice_as_fast_but_never_past_the_floor() -> None:
    assert interval_for(1.0, 3.0) == 3.0
    assert interval_for(2.0, 3.0) == 1.5
    assert interval_for(0.5, 3.0) == 6.0
    assert interval_for(4.0, 1.5) == MIN_INTERVAL
    assert interval_for(100.0, 3.0, minimum=0) == 0.75  # clamped to the top speed, 4


# ---- avatars and permissions -------------------------------------------------------------------


def test_avatars_are_stable_and_per_name() -> None:
    assert avatar_url("Bithead") == avatar_url("bithead") == avatar_url(" Bithead ")
    assert re.fullmatch(r"https://cdn\.discordapp\.com/embed/avatars/[0-5]\.png", avatar_url("x"))
    indexes = {avatar_index(f"person {i}") for i in range(200)}
    assert indexes == set(range(DEFAULT_AVATAR_COUNT))
    # Fixed values: the same on every machine and Python run (no salted hash()).
    assert avatar_index("glasnost") == avatar_index("GLASNOST")
    assert author_colour("glasnost") == author_colour("glasnost") != author_colour("Bithead")
    assert 0 <= author_colour("anyone") <= 0xFFFFFF


def test_permission_defaults_and_configured_roles() -> None:
    none = discord.Permissions.none()
    assert is_allowed("import", discord.Permissions(manage_guild=True))
    assert not is_allowed("import", discord.Permissions(manage_threads=True))
    assert is_allowed("replay", discord.Permissions(manage_threads=True))
    assert not is_allowed("replay", none)
    assert is_allowed("replay", discord.Permissions(administrator=True))
    assert is_allowed("replay", none, role_ids=[5, 6], configured_roles=[6])
    assert not is_allowed("replay", none, role_ids=[5], configured_roles=[6])


def test_ensure_allowed_names_the_permission() -> None:
    interaction = MagicMock()
    interaction.guild_id = GUILD
    interaction.permissions = discord.Permissions.none()
    interaction.user = MagicMock(spec=discord.Member)
    interaction.user.roles = []
    with pytest.raises(NotAllowed, match="Manage Server"):
        ensure_allowed(interaction, "import")
    with pytest.raises(NotAllowed, match="Manage Threads"):
        ensure_allowed(interaction, "replay")
    interaction.permissions = discord.Permissions(manage_threads=True)
    ensure_allowed(interaction, "replay")
    interaction.guild_id = None
    with pytest.raises(NotAllowed, match="server"):
        ensure_allowed(interaction, "replay")


# ---- the replays table ---------------------------------------------------------------------------


async def test_one_running_replay_per_channel_and_per_target(seeded: Storage) -> None:
    thread = await seed_thread(seeded)
    first = await new_replay(seeded, thread)
    assert first.status == "running" and (first.next_seq, first.next_part) == (0, 0)
    assert (
        await seeded.start_replay(
            guild_id=GUILD,
            channel_id=CHANNEL,
            thread_id=thread.id,
            first_seq=1,
            last_seq=2,
            speed=1,
            mode="embed",
            started_by=1,
        )
        is None
    )
    await seeded.set_replay_target(first.id, 2000)
    # Starting from inside the thread the first replay posts into is busy too.
    inside = await seeded.start_replay(
        guild_id=GUILD,
        channel_id=2000,
        thread_id=thread.id,
        first_seq=1,
        last_seq=2,
        speed=1,
        mode="embed",
        started_by=1,
    )
    assert inside is None
    assert (await seeded.running_replay(2000)) == (await seeded.running_replay(CHANNEL))
    assert await seeded.end_replay(first.id, "stopped")
    assert not await seeded.end_replay(first.id, "finished")  # only a running one ends
    assert (await seeded.latest_replay(CHANNEL)).status == "stopped"  # type: ignore[union-attr]
    again = await new_replay(seeded, thread)
    assert again.id != first.id
    assert [r.id for r in await seeded.running_replays()] == [again.id]


async def test_the_index_enforces_one_running_replay_per_channel(seeded: Storage) -> None:
    thread = await seed_thread(seeded)
    await new_replay(seeded, thread)
    with pytest.raises(sqlite3.IntegrityError):
        await seeded.execute_write(
            "INSERT INTO replays (guild_id, channel_id, thread_id, first_seq, last_seq, speed, "
            "mode, status, started_by, started_at, updated_at) "
            "VALUES (1, ?, ?, 1, 1, 1, 'embed', 'running', 1, '', '')",
            (CHANNEL, thread.id),
        )


async def test_progress_mode_and_cascade(seeded: Storage) -> None:
    thread = await seed_thread(seeded)
    record = await new_replay(seeded, thread)
    await seeded.record_replay_progress(record.id, 3, 1)
    await seeded.record_replay_progress(record.id, 4, 0)
    await seeded.set_replay_mode(record.id, "embed")
    stored = await seeded.get_replay(record.id)
    assert stored is not None
    assert (stored.next_seq, stored.next_part, stored.posted, stored.mode) == (4, 0, 2, "embed")
    with pytest.raises(ValueError):
        await seeded.end_replay(record.id, "running")
    assert await seeded.delete_thread(thread.id)
    assert await seeded.get_replay(record.id) is None


async def test_migration_three_upgrades_a_version_two_database(tmp_path: Path) -> None:
    path = tmp_path / "old.db"
    conn = sqlite3.connect(path)
    for version, script in MIGRATIONS:
        if version <= 2:
            conn.executescript(script)
    conn.execute("PRAGMA user_version = 2")
    conn.commit()
    conn.close()
    async with Storage(path) as db:
        assert await db.schema_version() == MIGRATIONS[-1][0] >= 3
        assert await db.running_replays() == []


# ---- the run loop ------------------------------------------------------------------------------


async def test_a_replay_posts_everything_once_and_records_each_post(seeded: Storage) -> None:
    thread = await seed_thread(seeded)
    record = await new_replay(seeded, thread)
    sender = RecordingSender()
    status = await run_replay(seeded, record, sender, Pacing(interval=0, part_gap=0))
    assert status == "finished"
    expected = await all_posts(seeded, thread)
    assert [(p.seq, p.part) for p in sender.sent] == [(p.seq, p.part) for p in expected]
    stored = await seeded.get_replay(record.id)
    assert stored is not None
    assert (stored.next_seq, stored.next_part) == (32, 0)
    assert stored.posted == len(expected)


async def test_a_range_posts_the_article_then_only_those_comments(seeded: Storage) -> None:
    thread = await seed_thread(seeded)
    record = await new_replay(seeded, thread, first=5, last=7)
    sender = RecordingSender()
    assert await run_replay(seeded, record, sender, Pacing(interval=0, part_gap=0)) == "finished"
    assert sorted({p.seq for p in sender.sent}) == [0, 5, 6, 7]


@pytest.mark.parametrize("stop_after", [1, 2, 3, 4, 10, 20])
async def test_stop_then_resume_posts_each_message_exactly_once(
    seeded: Storage, stop_after: int
) -> None:
    thread = await seed_thread(seeded)
    record = await new_replay(seeded, thread)
    log: list[tuple[int, int]] = []
    pacing = Pacing(interval=0, part_gap=0)
    sender = RecordingSender(stop_after=stop_after, pacing=pacing, log=log)
    assert await run_replay(seeded, record, sender, pacing) == "running"
    assert len(log) == stop_after
    resumed = await seeded.get_replay(record.id)
    assert resumed is not None
    again = RecordingSender(log=log)
    assert await run_replay(seeded, resumed, again, Pacing(interval=0, part_gap=0)) == "finished"
    expected = [(p.seq, p.part) for p in await all_posts(seeded, thread)]
    assert log == expected


async def test_resume_in_the_middle_of_a_long_comment(seeded: Storage) -> None:
    thread = await seed_thread(seeded)
    record = await new_replay(seeded, thread, first=1, last=2)
    await seeded.record_replay_progress(record.id, 0, 1)  # article part 0 was posted
    resumed = await seeded.get_replay(record.id)
    assert resumed is not None
    sender = RecordingSender()
    await run_replay(seeded, resumed, sender, Pacing(interval=0, part_gap=0))
    assert (sender.sent[0].seq, sender.sent[0].part) == (0, 1)


async def test_a_dead_webhook_switches_to_embeds_once(seeded: Storage) -> None:
    thread = await seed_thread(seeded)
    record = await new_replay(seeded, thread, first=1, last=3)
    webhook = RecordingSender(fail_with=[http_error(discord.NotFound, 404)])
    embeds = RecordingSender("embed")
    switches = 0

    async def switch() -> RecordingSender:
        nonlocal switches
        switches += 1
        return embeds

    await run_replay(
        seeded, record, webhook, Pacing(interval=0, part_gap=0), switch_to_embeds=switch
    )
    assert switches == 1 and webhook.sent == []
    assert [p.seq for p in embeds.sent if p.part == 0] == [0, 1, 2, 3]


async def test_a_vanished_channel_fails_the_replay(seeded: Storage) -> None:
    thread = await seed_thread(seeded)
    record = await new_replay(seeded, thread, mode="embed")
    sender = RecordingSender("embed", fail_with=[http_error(discord.NotFound, 404)])
    with pytest.raises(ReplayFailed):
        await run_replay(seeded, record, sender, Pacing(interval=0, part_gap=0))


async def test_server_errors_are_retried(seeded: Storage) -> None:
    thread = await seed_thread(seeded)
    record = await new_replay(seeded, thread, first=1, last=1)
    sender = RecordingSender(fail_with=[http_error(discord.DiscordServerError, 503)])
    sleeps: list[float] = []

    class InstantPacing(Pacing):
        async def wait(self, seconds: float) -> bool:
            sleeps.append(seconds)
            return False

    pacing = InstantPacing(interval=0, part_gap=0)
    assert await run_replay(seeded, record, sender, pacing) == "finished"
    assert sleeps[0] == 0 and 2.0 in sleeps
    assert sender.sent[0].seq == 0


async def test_pacing_waits_the_interval_and_stops_at_once() -> None:
    pacing = Pacing(interval=600)
    waiter = asyncio.create_task(pacing.wait(600))
    await asyncio.sleep(0)
    assert not waiter.done()
    pacing.stop.set()
    # A guard, not a measurement: without the stop this wait would last ten minutes.
    assert await asyncio.wait_for(waiter, timeout=30) is True
    assert await Pacing(interval=0).wait(0.01) is False


async def test_the_loop_stays_free_while_a_replay_paces(seeded: Storage) -> None:
    """Another coroutine keeps running between replayed comments (no blocking sleeps)."""
    thread = await seed_thread(seeded)
    record = await new_replay(seeded, thread, first=1, last=3)
    ticks = 0
    seen: list[int] = []

    async def ticker() -> None:
        nonlocal ticks
        while True:
            ticks += 1
            await asyncio.sleep(0)

    class TickSender(RecordingSender):
        async def send(self, post: Post) -> None:
            seen.append(ticks)
            await super().send(post)

    tick_task = asyncio.create_task(ticker())
    await run_replay(seeded, record, TickSender(), Pacing(interval=0.01, part_gap=0.01))
    tick_task.cancel()
    # The other coroutine ran in every pause between two messages.
    assert len(seen) >= 4 and all(b > a for a, b in itertools.pairwise(seen))


# ---- the manager with mocked Discord objects -----------------------------------------------------


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
    done = await seeded.get_replay(started.replay.id)
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
    interrupted = await seeded.get_replay(started.replay.id)
    assert interrupted is not None and interrupted.status == "running"
    assert interrupted.posted == len(log) < 33

    second_life = manager(seeded, channels)
    assert await second_life.resume_all() == [started.replay.id]
    await second_life.wait(started.replay.id)
    expected = await all_posts(seeded, thread)
    assert [m["content"] for m in log] == [p.content for p in expected]
    done = await seeded.get_replay(started.replay.id)
    assert done is not None and done.status == "finished" and done.posted == len(expected)


async def test_resume_without_the_webhook_says_so_once_and_uses_embeds(seeded: Storage) -> None:
    thread = await seed_thread(seeded)
    record = await new_replay(seeded, thread, first=1, last=2)
    target = text_channel(2000)
    target.webhooks = AsyncMock(side_effect=http_error(discord.Forbidden, 403))
    await seeded.set_replay_target(record.id, 2000)
    replays = manager(seeded, {2000: target})
    assert await replays.resume_all() == [record.id]
    await replays.wait(record.id)
    contents = [c.args[0] for c in target.send.await_args_list if c.args]
    assert contents == [EMBED_NOTICE]
    stored = await seeded.get_replay(record.id)
    assert stored is not None and stored.mode == "embed" and stored.status == "finished"


async def test_resume_of_a_vanished_channel_marks_it_failed(seeded: Storage) -> None:
    thread = await seed_thread(seeded)
    record = await new_replay(seeded, thread)
    await seeded.set_replay_target(record.id, 3000)
    replays = manager(seeded)
    replays.client.fetch_channel = AsyncMock(side_effect=http_error(discord.NotFound, 404))
    assert await replays.resume_all() == []
    stored = await seeded.get_replay(record.id)
    assert stored is not None and stored.status == "failed" and stored.error
    no_target = await new_replay(seeded, thread, channel=5)
    assert await replays.resume_all() == []
    assert (await seeded.get_replay(no_target.id)).status == "failed"  # type: ignore[union-attr]


def test_senders_pass_no_mentions() -> None:
    assert WebhookSender.__dataclass_fields__["mode"].default == "webhook"
    assert EmbedSender.__dataclass_fields__["mode"].default == "embed"


# ---- rate limits, limits and pacing floors -------------------------------------------------


def rate_limited(seconds: str) -> discord.HTTPException:
    """What discord.py raises after its own five tries all came back 429."""
    return http_error(discord.HTTPException, 429, {"X-RateLimit-Reset-After": seconds})


class RecordingPacing(Pacing):
    """Records every wait instead of sleeping; ``stop_on`` seconds asks to stop."""

    def __init__(self, stop_on: float | None = None) -> None:
        super().__init__(interval=0, part_gap=0)
        self.waits: list[float] = []
        self.stop_on = stop_on

    async def wait(self, seconds: float) -> bool:
        self.waits.append(seconds)
        return seconds == self.stop_on


async def test_429s_beyond_discord_py_s_retries_are_waited_out(seeded: Storage) -> None:
    thread = await seed_thread(seeded)
    record = await new_replay(seeded, thread, first=1, last=2)
    sender = RecordingSender(fail_with=[rate_limited("0.25")] * 3)
    pacing = RecordingPacing()
    assert await run_replay(seeded, record, sender, pacing) == "finished"
    assert pacing.waits.count(0.25) == 3
    assert [(p.seq, p.part) for p in sender.sent] == [
        (p.seq, p.part) for p in await all_posts(seeded, thread) if p.seq <= 2
    ]
    stored = await seeded.get_replay(record.id)
    assert stored is not None and stored.posted == len(sender.sent)


async def test_a_429_that_never_ends_fails_the_replay(seeded: Storage) -> None:
    thread = await seed_thread(seeded)
    record = await new_replay(seeded, thread, first=1, last=1)
    sender = RecordingSender(fail_with=[rate_limited("0.01")] * 100)
    with pytest.raises(ReplayFailed, match="429"):
        await run_replay(seeded, record, sender, RecordingPacing())
    assert sender.sent == []
    assert len(sender.fail_with) < 100 - 10, "it did retry a good many times first"


async def test_a_stop_during_a_rate_limit_wait_posts_nothing_more(seeded: Storage) -> None:
    thread = await seed_thread(seeded)
    record = await new_replay(seeded, thread, first=1, last=1)
    sender = RecordingSender(fail_with=[rate_limited("7")])
    assert await run_replay(seeded, record, sender, RecordingPacing(stop_on=7.0)) == "running"
    stored = await seeded.get_replay(record.id)
    assert sender.sent == [] and stored is not None and stored.posted == 0
    assert (stored.next_seq, stored.next_part) == (0, 0), "the article is still to post"


def test_retry_after_reads_the_headers() -> None:
    assert retry_after(rate_limited("0.5")) == 0.5
    assert retry_after(http_error(discord.HTTPException, 429, {"Retry-After": "3"})) == 3.0
    assert retry_after(rate_limited("86400")) == 60.0  # bounded; a stop still ends the wait
    assert retry_after(http_error(discord.HTTPException, 429)) == 1.0
    assert retry_after(rate_limited("soon"), default=2.0) == 2.0


def test_limits_check_speed_and_pacing_floor() -> None:
    limits = ReplayLimits()
    assert (limits.speed_min, limits.speed_max, limits.max_per_guild) == (
        SPEED_MIN,
        SPEED_MAX,
        MAX_PER_GUILD,
    )
    assert limits.check_speed(2.0) == 2.0
    with pytest.raises(UserFacingError, match=r"between 0\.25 and 2"):
        ReplayLimits(speed_max=2.0).check_speed(3.0)
    # The 1 s floors hold for the production interval; a lower REPLAY_INTERVAL lowers them.
    assert pacing_floor(1.5) == (MIN_INTERVAL, 1.0)
    assert pacing_floor(0.01) == (0.01, 0.01)


async def test_the_guild_limit_is_checked_with_the_insert(seeded: Storage) -> None:
    thread = await seed_thread(seeded)

    async def start(channel: int, guild: int = GUILD) -> ReplayRecord | None:
        return await seeded.start_replay(
            guild_id=guild,
            channel_id=channel,
            thread_id=thread.id,
            first_seq=1,
            last_seq=2,
            speed=1,
            mode="webhook",
            started_by=1,
            guild_limit=2,
        )

    first = await start(1)
    assert first is not None and await start(2) is not None
    assert await start(3) is None
    assert await seeded.running_replay(3) is None, "refused for the guild, not the channel"
    assert await start(4, guild=GUILD + 1) is not None, "other guilds are not affected"
    assert await seeded.count_running_replays(GUILD) == 2
    await seeded.end_replay(first.id, "finished")
    assert await start(3) is not None
    assert await seeded.count_running_replays(GUILD) == 2


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
    stored = await seeded.get_replay(stopped.id)
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
    await seeded.record_replay_progress(record.id, *next_position(plan[1]), posted=2)
    record = await seeded.get_replay(record.id) or record
    assert await planned_post(seeded, record) == plan[2]
    log: list[dict[str, Any]] = []
    target = text_channel(2000, webhooks=[FakeWebhook(log)])
    hook = 4242 if mode == "webhook" else None
    # Newest first: the unrecorded message, then the recorded one, then someone else's.
    target.history = history_of(
        posted(plan[2], webhook_id=hook, author=99), posted(plan[1], webhook_id=hook, author=99)
    )
    await seeded.set_replay_target(record.id, 2000)
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
    done = await seeded.get_replay(record.id)
    assert done is not None and done.status == "finished" and done.posted == len(plan)


async def test_resume_posts_the_next_message_when_it_is_not_there(seeded: Storage) -> None:
    thread = await seed_thread(seeded)
    record = await new_replay(seeded, thread, first=1, last=2)
    plan = [p for p in await all_posts(seeded, thread) if p.seq <= 2]
    await seeded.record_replay_progress(record.id, *next_position(plan[0]))
    log: list[dict[str, Any]] = []
    target = text_channel(2000, webhooks=[FakeWebhook(log)])
    stranger = posted(plan[1], webhook_id=777)  # the same text from another webhook
    target.history = history_of(stranger, posted(plan[0]))
    await seeded.set_replay_target(record.id, 2000)
    replays = manager(seeded, {2000: target})
    assert await replays.resume_all() == [record.id]
    await replays.wait(record.id)
    assert [m["content"] for m in log] == [p.content for p in plan[1:]]

    # Without Read Message History the check is skipped, the replay still resumes.
    again = await new_replay(seeded, thread, channel=3000, first=1, last=1)
    blind = text_channel(3001, webhooks=[FakeWebhook([])])
    blind.history = history_of(error=http_error(discord.Forbidden, 403))
    await seeded.set_replay_target(again.id, 3001)
    replays = manager(seeded, {3001: blind})
    assert await replays.resume_all() == [again.id]
    await replays.wait(again.id)
    stored = await seeded.get_replay(again.id)
    assert stored is not None and stored.status == "finished"


async def test_no_more_than_the_window_in_any_span(seeded: Storage) -> None:
    """Discord's ~30 webhook messages a minute per channel: at most ``window`` messages in
    any ``window_seconds``, whatever the interval (a fake clock, no real waiting)."""
    thread = await seed_thread(seeded)
    record = await new_replay(seeded, thread, first=1, last=8)
    now = [0.0]
    sent: list[float] = []

    class ClockPacing(Pacing):
        async def wait(self, seconds: float) -> bool:
            now[0] += max(seconds, 0.0)
            return False

    class TimedSender(RecordingSender):
        async def send(self, post: Post) -> None:
            sent.append(now[0])
            now[0] += 0.5  # each request takes half a second
            await super().send(post)

    pacing = ClockPacing(interval=1.0, part_gap=1.0, window=4, window_seconds=20.0)
    pacing.clock = lambda: now[0]
    assert await run_replay(seeded, record, TimedSender(), pacing) == "finished"
    assert len(sent) > 8
    assert all(later - first >= 20.0 for first, later in zip(sent, sent[4:], strict=False))
    assert sent[3] - sent[0] < 20.0, "the first four go at the plain interval"


def test_the_window_follows_the_pacing_floor(seeded: Storage) -> None:
    production = ReplayManager(MagicMock(), seeded, base_interval=1.5)
    assert (production.window, production.window_seconds) == (WINDOW_MESSAGES, WINDOW_SECONDS)
    fast = ReplayManager(MagicMock(), seeded, base_interval=0.01, min_interval=0.01)
    assert fast.window_seconds == pytest.approx(WINDOW_SECONDS / 100)
    unpaced = ReplayManager(MagicMock(), seeded, base_interval=0, min_interval=0)
    assert unpaced.window_seconds == 0  # the benchmark's pacing-off run: no window either
