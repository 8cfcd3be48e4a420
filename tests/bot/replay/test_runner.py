"""The run loop: every message once, in order, progress after each, resume, retries and 429s."""

from __future__ import annotations

import discord
import pytest

from bot.replay.pacing import Pacing
from bot.replay.runner import ReplayFailed, retry_after, run_replay
from bot.storage import Storage
from tests.bot.replay.conftest import (
    RecordingSender,
    all_posts,
    http_error,
    new_replay,
    seed_thread,
)

# ---- the run loop ------------------------------------------------------------------------------


async def test_a_replay_posts_everything_once_and_records_each_post(seeded: Storage) -> None:
    thread = await seed_thread(seeded)
    record = await new_replay(seeded, thread)
    sender = RecordingSender()
    status = await run_replay(seeded, record, sender, Pacing(interval=0, part_gap=0))
    assert status == "finished"
    expected = await all_posts(seeded, thread)
    assert [(p.seq, p.part) for p in sender.sent] == [(p.seq, p.part) for p in expected]
    stored = await seeded.replays.get(record.id)
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
    resumed = await seeded.replays.get(record.id)
    assert resumed is not None
    again = RecordingSender(log=log)
    assert await run_replay(seeded, resumed, again, Pacing(interval=0, part_gap=0)) == "finished"
    expected = [(p.seq, p.part) for p in await all_posts(seeded, thread)]
    assert log == expected


async def test_resume_in_the_middle_of_a_long_comment(seeded: Storage) -> None:
    thread = await seed_thread(seeded)
    record = await new_replay(seeded, thread, first=1, last=2)
    await seeded.replays.record_progress(record.id, 0, 1)  # article part 0 was posted
    resumed = await seeded.replays.get(record.id)
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
    stored = await seeded.replays.get(record.id)
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
    stored = await seeded.replays.get(record.id)
    assert sender.sent == [] and stored is not None and stored.posted == 0
    assert (stored.next_seq, stored.next_part) == (0, 0), "the article is still to post"


def test_retry_after_reads_the_headers() -> None:
    assert retry_after(rate_limited("0.5")) == 0.5
    assert retry_after(http_error(discord.HTTPException, 429, {"Retry-After": "3"})) == 3.0
    assert retry_after(rate_limited("86400")) == 60.0  # bounded; a stop still ends the wait
    assert retry_after(http_error(discord.HTTPException, 429)) == 1.0
    assert retry_after(rate_limited("soon"), default=2.0) == 2.0
