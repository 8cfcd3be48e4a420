"""The ``/replay`` cog without Discord: options become the right range, refusals come before
any work (nothing deferred, nothing stored), and the answers read right.

The manager is replaced by a recorder so these tests see exactly what the cog asks of
it; the manager itself is covered in tests/bot/replay/test_manager.py and end to end in
tests/e2e/test_replay.py.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import replace
from typing import Any

import discord
import pytest

from bot.app import ThreadBot
from bot.errors import Busy, NotFound, Refused, UserFacingError
from bot.models import StoredThread
from bot.replay import EMBED_NOTICE, MAX_PER_GUILD, ReplayManager, Started
from bot.storage import ReplayRecord, Storage
from cogs.replay import Replay, _progress, _range
from tests.cogs.conftest import GUILD, FakeInteraction, invoke, make_bot

CHANNEL = 555


class ReplayInteraction(FakeInteraction):
    """A guild interaction in a text channel by a member with ``permissions``."""

    def __init__(
        self,
        client: ThreadBot,
        *,
        permissions: discord.Permissions,
        app_permissions: discord.Permissions | None = None,
        channel_id: int = CHANNEL,
    ) -> None:
        super().__init__(client)
        self.permissions = permissions
        if app_permissions is None:
            app_permissions = discord.Permissions(manage_webhooks=True)
        self.app_permissions = app_permissions
        self.channel_id = channel_id
        self.channel = discord.Object(channel_id)


MODERATOR = discord.Permissions(manage_threads=True)
MEMBER = discord.Permissions(send_messages=True)


class RecordingManager(ReplayManager):
    """Records ``start`` calls and answers as the real manager would, without Discord."""

    def __init__(self, client: Any, storage: Storage, *, mode: str = "webhook") -> None:
        super().__init__(client, storage, base_interval=1.5)
        self.calls: list[dict[str, Any]] = []
        self.mode = mode

    async def start(self, **kwargs: Any) -> Started:  # type: ignore[override]
        self.calls.append(kwargs)
        thread: StoredThread = kwargs["thread"]
        record = await self.storage.replays.start(
            guild_id=kwargs["guild_id"],
            channel_id=kwargs["channel"].id,
            thread_id=thread.id,
            first_seq=kwargs["first_seq"],
            last_seq=kwargs["last_seq"],
            speed=kwargs["speed"],
            mode="webhook",
            started_by=kwargs["user_id"],
        )
        assert record is not None
        comments = kwargs["last_seq"] - kwargs["first_seq"] + 1
        mode = "embed" if not kwargs["can_webhook"] else "webhook"
        return Started(record, kwargs["channel"], 777, True, mode, comments)


@pytest.fixture
async def cog(seeded: Storage) -> AsyncIterator[Replay]:
    bot = await make_bot(seeded)
    replay = Replay(bot)
    replay.replays = RecordingManager(bot, seeded)
    yield replay


async def seed(cog: Replay) -> StoredThread:
    (thread,) = await cog.bot.storage.threads.all()
    return thread


async def run_start(cog: Replay, interaction: ReplayInteraction, **options: Any) -> None:
    thread = options.pop("thread", None) or await seed(cog)
    await invoke(cog.start, cog, interaction, thread, **options)


async def test_start_passes_the_range_speed_and_webhook_permission(cog: Replay) -> None:
    interaction = ReplayInteraction(cog.bot, permissions=MODERATOR)
    await run_start(cog, interaction, first=5, last=7, speed=2.0)
    (call,) = cog.replays.calls  # type: ignore[attr-defined]
    assert (call["first_seq"], call["last_seq"], call["speed"]) == (5, 7, 2.0)
    assert call["guild_id"] == GUILD and call["can_webhook"] is True
    assert [s.how for s in interaction.sent] == ["defer", "followup"]
    answer = interaction.last
    assert answer.content is not None
    assert "Replaying **Iraq Cease-Fire Over** in <#777>: 3 comments" in answer.content
    assert "one every 1 s" in answer.content  # 1.5 s / 2, floored at 1 s
    assert EMBED_NOTICE not in answer.content
    assert answer.problems() == []


async def test_without_manage_webhooks_the_answer_says_embeds(cog: Replay) -> None:
    interaction = ReplayInteraction(
        cog.bot, permissions=MODERATOR, app_permissions=discord.Permissions.none()
    )
    await run_start(cog, interaction)
    assert cog.replays.calls[0]["can_webhook"] is False  # type: ignore[attr-defined]
    assert interaction.last.content is not None and EMBED_NOTICE in interaction.last.content
    assert "31 comments" in interaction.last.content


@pytest.mark.parametrize(
    ("options", "error", "text"),
    [
        ({"first": 9, "last": 3}, UserFacingError, "`from` must not come after `to`"),
        ({"first": 500}, NotFound, "#31"),
        ({"speed": 9.0}, UserFacingError, "between 0.25 and 4"),
    ],
)
async def test_bad_options_are_refused_before_any_work(
    cog: Replay, options: dict[str, Any], error: type[Exception], text: str
) -> None:
    interaction = ReplayInteraction(cog.bot, permissions=MODERATOR)
    with pytest.raises(error, match=text.replace("(", r"\(")):
        await run_start(cog, interaction, **options)
    assert interaction.sent == [] and cog.replays.calls == []  # type: ignore[attr-defined]
    assert await cog.bot.storage.replays.latest(CHANNEL) is None


async def test_a_thread_without_comments_is_refused(cog: Replay) -> None:
    empty = replace(await seed(cog), comment_count=0)
    interaction = ReplayInteraction(cog.bot, permissions=MODERATOR)
    with pytest.raises(UserFacingError, match="no comments"):
        await run_start(cog, interaction, thread=empty)
    assert interaction.sent == []


async def test_members_without_manage_threads_are_refused(cog: Replay) -> None:
    for command in (cog.start, cog.stop):
        interaction = ReplayInteraction(cog.bot, permissions=MEMBER)
        with pytest.raises(Refused, match="Manage Threads"):
            if command is cog.start:
                await run_start(cog, interaction)
            else:
                await invoke(cog.stop, cog, interaction)
        assert interaction.sent == []
    assert cog.replays.calls == []  # type: ignore[attr-defined]


async def test_busy_channel_and_full_guild_are_refused_privately(cog: Replay) -> None:
    await run_start(cog, ReplayInteraction(cog.bot, permissions=MODERATOR))
    again = ReplayInteraction(cog.bot, permissions=MODERATOR)
    with pytest.raises(Busy, match="already running here"):
        await run_start(cog, again)
    assert again.sent == [], "refused before deferring, so the error stays ephemeral"

    for channel in range(1, MAX_PER_GUILD):
        await run_start(cog, ReplayInteraction(cog.bot, permissions=MODERATOR, channel_id=channel))
    full = ReplayInteraction(cog.bot, permissions=MODERATOR, channel_id=99)
    with pytest.raises(Busy, match=f"already runs {MAX_PER_GUILD} replays"):
        await run_start(cog, full)
    assert full.sent == []
    assert len(cog.replays.calls) == MAX_PER_GUILD  # type: ignore[attr-defined]


async def test_stop_and_status_answers(cog: Replay) -> None:
    status = ReplayInteraction(cog.bot, permissions=MEMBER)
    with pytest.raises(UserFacingError, match="No replay has run"):
        await invoke(cog.status, cog, status)
    stop = ReplayInteraction(cog.bot, permissions=MODERATOR)
    with pytest.raises(UserFacingError, match="No replay is running here"):
        await invoke(cog.stop, cog, stop)

    await run_start(cog, ReplayInteraction(cog.bot, permissions=MODERATOR), first=3, last=12)
    (record,) = await cog.bot.storage.replays.all_running()
    await cog.bot.storage.replays.record_progress(record.id, 5, 0, posted=4)

    status = ReplayInteraction(cog.bot, permissions=MEMBER)
    await invoke(cog.status, cog, status)
    text = status.last.content or ""
    assert status.last.ephemeral and status.last.problems() == []
    assert "**Iraq Cease-Fire Over** — running" in text
    assert "2 comments of 10 comments · 4 messages posted" in text
    assert "speed 1 · as each author (webhook)" in text

    # Anyone may ask for the status; stopping needs the permission, and the answer is public.
    stop = ReplayInteraction(cog.bot, permissions=MODERATOR)
    await invoke(cog.stop, cog, stop)
    assert stop.last.content == "Stopped the replay of **Iraq Cease-Fire Over** after 2 comments."
    assert not stop.last.ephemeral and stop.last.problems() == []
    stored = await cog.bot.storage.replays.latest(CHANNEL)
    assert stored is not None and stored.status == "stopped"


def record(**changes: Any) -> ReplayRecord:
    base = ReplayRecord(
        id=1,
        guild_id=GUILD,
        channel_id=CHANNEL,
        target_id=None,
        thread_id=1,
        first_seq=1,
        last_seq=31,
        next_seq=0,
        next_part=0,
        speed=1.0,
        mode="webhook",
        status="running",
        posted=0,
        started_by=1,
        started_at="2026-01-01T00:00:00+00:00",
        updated_at="2026-01-01T00:00:00+00:00",
        error=None,
    )
    return replace(base, **changes)


def test_progress_counts_whole_comments_of_the_range() -> None:
    assert _progress(record()) == "0 comments"
    assert _progress(record(posted=1)) == "0 comments (the article is being posted)"
    assert _progress(record(next_seq=1, posted=2)) == "0 comments"
    assert _progress(record(next_seq=2, posted=3)) == "1 comment"
    assert _progress(record(first_seq=10, next_seq=10, next_part=1, posted=3)) == "0 comments"
    assert _progress(record(next_seq=32, posted=40)) == "31 comments"
    assert _range(record(first_seq=4, last_seq=4)) == "1 comment"
    assert _range(record()) == "31 comments"
