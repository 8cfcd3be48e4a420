"""``/replay`` end to end: the real ThreadBot (cogs, storage, pacing) against the fake Discord.

Every test reads back what the channel shows and compares it with the plan the
replay module makes for the seed thread, so "every comment exactly once, in order,
article first" is checked message by message. Pacing is a few milliseconds
(``REPLAY_INTERVAL`` set low, which also lowers the floor) so the suite stays fast.
"""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import aiohttp

from bot.app import ThreadBot
from bot.replay.manager import MAX_PER_GUILD
from bot.replay.plan import Post, article_posts, comment_posts, webhook_username
from bot.replay.senders import EMBED_NOTICE, WEBHOOK_NAME
from bot.settings import Settings
from bot.storage import Storage
from tests.backends import MakeDb
from tests.conftest import SEEDS
from tests.e2e.conftest import run_bot
from tests.fakediscord import (
    BASIC_PERMISSIONS,
    MODERATOR_ROLE_ID,
    PERM,
    FakeDiscord,
    FakeMember,
    StoredMessage,
)
from tests.fakediscord.threadbot import database, thread_file

WEBHOOK_ROUTE = "/webhooks/{webhook_id}/{token}"
SEED_COMMENTS = 31


def make_bot(fake: FakeDiscord, db: Path | str, *, interval: float = 0.002) -> ThreadBot:
    settings = Settings(token=fake.token, **database(db), seeds_dir=SEEDS, replay_interval=interval)
    return ThreadBot(
        settings=settings, storage=Storage(db), extensions=["cogs.replay", "cogs.threads"]
    )


async def seed_plan(bot: ThreadBot, first: int = 1, last: int = SEED_COMMENTS) -> list[Post]:
    """Every message a replay of the seed thread posts, in order (the article first)."""
    storage = bot.storage
    (thread,) = [t for t in await storage.threads.all() if t.slug == "iraq-cease-fire-over"]
    heads = await storage.comments.heads(thread.id)
    answers = await answers_of(storage, thread.id)
    posts = article_posts(thread)
    for comment in await storage.comments.all(thread.id):
        if first <= comment.seq <= last:
            posts += comment_posts(comment, heads, thread.author, answers.get(comment.seq, []))
    return posts


async def answers_of(storage: Storage, thread_id: int) -> dict[int, list[tuple[int, str]]]:
    """Each comment's ``(target, via)`` links, as the replay reads them."""
    answers: dict[int, list[tuple[int, str]]] = {}
    for edge in await storage.edges.all(thread_id):
        answers.setdefault(edge.source, []).append((edge.target, edge.via))
    return answers


def replay_messages(fake: FakeDiscord, channel_id: int) -> list[StoredMessage]:
    """What the replay webhook posted in ``channel_id`` (not interaction answers), in order."""
    return [
        m
        for m in fake.messages(channel_id)
        if m.webhook_id is not None and m.webhook_id != fake.application_id
    ]


def assert_posted_exactly(messages: list[StoredMessage], plan: list[Post]) -> None:
    """The channel shows the plan, message for message: nothing lost, doubled or swapped."""
    assert [m.content for m in messages] == [p.content for p in plan]
    assert [m.author["username"] for m in messages] == [p.persona.username for p in plan]
    assert [m.avatar_url for m in messages] == [p.persona.avatar_url for p in plan]
    for message in messages:
        assert message.allowed_mentions == {"parse": []}


def moderator(fake: FakeDiscord) -> FakeMember:
    """A new member with the Moderators role (Manage Threads): starting a replay has a
    per-person cooldown, so each start in a test comes from someone else."""
    user_id = 900 + len(fake.seed.guild.members)
    return fake.add_member(fake.seed.guild_id, user_id, f"mod-{user_id}", roles=[MODERATOR_ROLE_ID])


async def start(
    fake: FakeDiscord, options: dict[str, Any] | None = None, **kwargs: Any
) -> tuple[str, Any]:
    """``/replay start`` on the seed thread; the answer's text and the handle."""
    handle = await fake.send_slash_command(
        "replay start",
        {"thread": "iraq-cease-fire-over", **(options or {})},
        user=kwargs.pop("user", None) or moderator(fake),
        **kwargs,
    )
    reply = await handle.response()
    message = reply.message
    if message is None or not message.content:  # deferred: the answer is the edit
        reply = await handle.edits()
        message = reply.message
    assert message is not None
    return message.content, handle


def shown_text(message: StoredMessage) -> str:
    """A message's content and embeds as one string, as a reader sees it."""
    parts = [message.content]
    for embed in message.embeds:
        parts += [str(embed.get("title", "")), str(embed.get("description", ""))]
        parts += [f"{f['name']}\n{f['value']}" for f in embed.get("fields", [])]
    return "\n".join(parts)


def only_thread(fake: FakeDiscord, parent_id: int) -> dict[str, Any]:
    threads = fake.threads(parent_id)
    assert len(threads) == 1, threads
    return threads[0]


async def wait_finished(fake: FakeDiscord, bot: ThreadBot, count: int = 1) -> None:
    async def finished() -> bool:
        rows = [await bot.storage.replays.latest(c) for c in fake.channels]
        return sum(1 for r in rows if r is not None and r.status != "running") >= count

    deadline = asyncio.get_running_loop().time() + 10
    while not await finished():
        assert asyncio.get_running_loop().time() < deadline, "the replay did not end"
        await asyncio.sleep(0.01)


async def test_seed_replay_in_a_new_thread_through_the_webhook(
    fake_discord: FakeDiscord, tmp_path: Path, make_db: MakeDb
) -> None:
    fake = fake_discord
    general = fake.seed.general_id
    async with run_bot(make_bot(fake, await make_db("r.db")), fake) as bot:
        answer, _ = await start(fake)
        thread = only_thread(fake, general)
        assert thread["name"] == "Iraq Cease-Fire Over"
        assert f"<#{thread['id']}>" in answer and "31 comments" in answer
        await wait_finished(fake, bot)
        plan = await seed_plan(bot)
        messages = replay_messages(fake, int(thread["id"]))
        assert_posted_exactly(messages, plan)
        assert messages[0].content.startswith("# Iraq Cease-Fire Over")
        # One webhook, made by the bot, in the parent channel.
        hooks = fake.webhooks(general)
        assert [h["name"] for h in hooks] == [WEBHOOK_NAME]
        record = await bot.storage.replays.latest(general)
        assert record is not None and record.status == "finished"
        assert record.posted == len(plan)


async def test_a_429_storm_and_a_gateway_reconnect_midway_lose_and_double_nothing(
    fake_discord: FakeDiscord, tmp_path: Path, make_db: MakeDb
) -> None:
    """Issue 8: the seed replay with several 429s in a row on the webhook route (more than
    discord.py's own five tries for one message) and an op 7 reconnect in the middle;
    another command answers while the replay waits out the rate limit."""
    fake = fake_discord
    general = fake.seed.general_id
    async with run_bot(make_bot(fake, await make_db("s.db"), interval=0.01), fake) as bot:
        plan = await seed_plan(bot)
        await start(fake)
        target = int(only_thread(fake, general)["id"])
        await fake.wait_until(
            lambda: len(replay_messages(fake, target)) >= 8, what="the replay to get going"
        )
        storm = fake.fail_next("POST", WEBHOOK_ROUTE, status=429, count=8, retry_after=0.1)
        await fake.send_reconnect()
        await fake.wait_until(lambda: storm.served >= 1, what="the first 429")

        other = await fake.send_slash_command("thread list", {}, user=fake.seed.member)
        reply = await other.response()
        assert reply.message is not None
        assert "Iraq Cease-Fire Over" in shown_text(reply.message)
        assert storm.remaining > 0, "the command waited for the replay's rate limit"
        record = await bot.storage.replays.latest(general)
        assert record is not None and record.status == "running"

        await wait_finished(fake, bot)
        assert storm.served == 8
        assert fake.gateway.stats.resumes == 1
        assert_posted_exactly(replay_messages(fake, target), plan)
        record = await bot.storage.replays.latest(general)
        assert record is not None and record.status == "finished" and record.error is None
        assert record.posted == len(plan)


async def test_a_restart_midway_resumes_where_it_stopped(
    fake_discord: FakeDiscord, tmp_path: Path, make_db: MakeDb
) -> None:
    fake = fake_discord
    general = fake.seed.general_id
    db = await make_db("restart.db")
    async with run_bot(make_bot(fake, db, interval=0.01), fake) as bot:
        plan = await seed_plan(bot)
        await start(fake)
        target = int(only_thread(fake, general)["id"])
        await fake.wait_until(
            lambda: len(replay_messages(fake, target)) >= 12, what="a dozen messages"
        )
    # Closed mid-replay: still running in the database, paused at a known place.
    posted_before = len(replay_messages(fake, target))
    assert 12 <= posted_before < len(plan)
    async with Storage(db) as storage:
        record = await storage.replays.latest(general)
    assert record is not None and record.status == "running"
    assert record.posted == posted_before

    async with run_bot(make_bot(fake, db, interval=0.01), fake) as bot:
        await wait_finished(fake, bot)
        record = await bot.storage.replays.latest(general)
        assert record is not None and record.status == "finished"
    assert_posted_exactly(replay_messages(fake, target), plan)
    assert only_thread(fake, general)["id"] == str(target), "no second thread on resume"
    assert len(fake.webhooks(general)) == 1, "the webhook is reused"


async def test_a_forum_channel_gets_a_post(
    fake_discord: FakeDiscord, tmp_path: Path, make_db: MakeDb
) -> None:
    fake = fake_discord
    forum = fake.seed.forum_id
    async with run_bot(make_bot(fake, await make_db("f.db")), fake) as bot:
        answer, _ = await start(fake, {"from": 5, "to": 7}, channel_id=forum)
        post = only_thread(fake, forum)
        assert post["name"] == "Iraq Cease-Fire Over"
        assert f"<#{post['id']}>" in answer and "3 comments" in answer
        await wait_finished(fake, bot)
        shown = fake.messages(int(post["id"]))
        assert shown[0].webhook_id is None and "Replay of **Iraq Cease-Fire Over**" in (
            shown[0].content
        )
        assert_posted_exactly(replay_messages(fake, int(post["id"])), await seed_plan(bot, 5, 7))
        assert [h["name"] for h in fake.webhooks(forum)] == [WEBHOOK_NAME]
        # The intro and the bot's answer carry the thread's title: no mentions either.
        answers = [m for m in fake.messages(forum) if m.webhook_id == fake.application_id]
        assert answers and shown[0].allowed_mentions == {"parse": []}
        assert all(m.allowed_mentions == {"parse": []} for m in answers)


async def test_inside_a_thread_or_where_threads_are_refused_it_replays_in_place(
    fake_discord: FakeDiscord, tmp_path: Path, make_db: MakeDb
) -> None:
    fake = fake_discord
    general, bot_log = fake.seed.general_id, fake.seed.bot_log_id
    async with run_bot(make_bot(fake, await make_db("p.db")), fake) as bot:
        await start(fake, {"to": 1})
        thread_id = int(only_thread(fake, general)["id"])
        await wait_finished(fake, bot)

        # Started inside that thread: posts right there, no thread in a thread.
        answer, _ = await start(fake, {"from": 2, "to": 3}, channel_id=thread_id)
        assert "here:" in answer
        await wait_finished(fake, bot, 2)
        assert len(fake.threads(general)) == 1
        plan = await seed_plan(bot, 1, 1) + await seed_plan(bot, 2, 3)
        assert_posted_exactly(replay_messages(fake, thread_id), plan)

        # Discord refuses a new thread (no Create Public Threads): the channel itself.
        fake.fail_next("POST", "/channels/{channel_id}/threads", status=403, count=1)
        answer, _ = await start(fake, {"to": 2}, channel_id=bot_log)
        assert "here:" in answer
        await wait_finished(fake, bot, 3)
        assert fake.threads(bot_log) == []
        assert_posted_exactly(replay_messages(fake, bot_log), await seed_plan(bot, 1, 2))


async def test_without_manage_webhooks_it_uses_embeds_and_says_so(
    fake_discord: FakeDiscord, tmp_path: Path, make_db: MakeDb
) -> None:
    fake = fake_discord
    general = fake.seed.general_id
    no_hooks = fake.app_permissions & ~PERM["manage_webhooks"]
    async with run_bot(make_bot(fake, await make_db("e.db")), fake) as bot:
        answer, _ = await start(fake, {"from": 12, "to": 13}, app_permissions=no_hooks)
        assert EMBED_NOTICE in answer
        target = int(only_thread(fake, general)["id"])
        await wait_finished(fake, bot)
        plan = await seed_plan(bot, 12, 13)
        shown = fake.messages(target)
        assert fake.webhooks(general) == [] and all(m.webhook_id is None for m in shown)
        assert [m.embeds[0]["title"] for m in shown] == [p.embed().title for p in plan]
        assert [m.embeds[0]["description"] for m in shown] == [p.body for p in plan]
        assert all(m.allowed_mentions == {"parse": []} for m in shown)
        # Comment #12 quotes #6: a block quote under a "replying to" line, the author as title;
        # its "DC has it right" answers DC Loser's #7, said above it.
        twelve = shown[[p.seq for p in plan].index(12)].embeds[0]
        assert twelve["title"] == "legion"
        assert twelve["description"].startswith(
            "↪ replying to #7 (DC Loser) · by name\n\n"
            "↪ replying to #6 (Bithead) · quote\n> Because it"
        )
        assert "\n\nWha?" in twelve["description"], "own text follows, not quoted"


async def test_only_manage_threads_may_start_or_stop(
    fake_discord: FakeDiscord, tmp_path: Path, make_db: MakeDb
) -> None:
    fake = fake_discord
    general = fake.seed.general_id
    async with run_bot(make_bot(fake, await make_db("perm.db"), interval=60.0), fake) as bot:
        handle = await fake.send_slash_command(
            "replay start", {"thread": "iraq-cease-fire-over"}, user=fake.seed.member
        )
        reply = await handle.response()
        assert reply.message is not None and reply.message.ephemeral
        assert "Manage Threads" in reply.message.content
        assert fake.threads(general) == [] and fake.webhooks(general) == []
        assert await bot.storage.replays.latest(general) is None

        await start(fake)  # a moderator may; then bob may not stop it
        handle = await fake.send_slash_command("replay stop", {}, user=fake.seed.member)
        reply = await handle.response()
        assert reply.message is not None and reply.message.ephemeral
        assert "Manage Threads" in reply.message.content
        record = await bot.storage.replays.latest(general)
        assert record is not None and record.status == "running"


async def test_one_replay_per_channel_and_a_few_per_guild(
    fake_discord: FakeDiscord, tmp_path: Path, make_db: MakeDb
) -> None:
    fake = fake_discord
    guild = fake.seed.guild_id
    extra = [int(fake.add_channel(guild, f"room-{i}")["id"]) for i in range(MAX_PER_GUILD)]
    async with run_bot(make_bot(fake, await make_db("busy.db"), interval=60.0), fake) as bot:
        await start(fake, channel_id=extra[0])
        target = int(only_thread(fake, extra[0])["id"])
        for where in (extra[0], target):  # the channel, and the thread it posts into
            handle = await fake.send_slash_command(
                "replay start",
                {"thread": "iraq-cease-fire-over"},
                user=moderator(fake),
                channel_id=where,
            )
            reply = await handle.response()
            assert reply.message is not None and reply.message.ephemeral
            assert "already running here" in reply.message.content
        for channel in extra[1:]:
            await start(fake, channel_id=channel)
        handle = await fake.send_slash_command(
            "replay start", {"thread": "iraq-cease-fire-over"}, user=moderator(fake)
        )
        reply = await handle.response()
        assert reply.message is not None and reply.message.ephemeral
        assert f"already runs {MAX_PER_GUILD} replays" in reply.message.content
        assert await bot.storage.replays.count_running(guild) == MAX_PER_GUILD
        assert fake.threads(fake.seed.general_id) == []


async def test_stop_and_status(fake_discord: FakeDiscord, tmp_path: Path, make_db: MakeDb) -> None:
    fake = fake_discord
    general = fake.seed.general_id
    async with run_bot(make_bot(fake, await make_db("stop.db"), interval=60.0), fake) as bot:
        handle = await fake.send_slash_command("replay status", {}, user=fake.seed.member)
        reply = await handle.response()
        assert reply.message is not None and "No replay has run" in reply.message.content

        await start(fake, {"speed": 2.0})
        target = int(only_thread(fake, general)["id"])
        # The article is posted at once, then the 30 s pause (60 s at speed 2) begins.
        await fake.wait_until(lambda: len(replay_messages(fake, target)) == 1)
        # Discord has the article; the bot records that right after (under load, later).
        for _ in range(500):
            progress = await bot.storage.replays.latest(general)
            if progress is not None and progress.posted >= 1:
                break
            await asyncio.sleep(0.01)

        handle = await fake.send_slash_command("replay status", {}, user=fake.seed.member)
        reply = await handle.response()
        assert reply.message is not None and reply.message.ephemeral
        status = reply.message.content
        assert "**Iraq Cease-Fire Over** — running" in status
        assert "0 comments (the article is being posted) of 31 comments" in status
        assert "speed 2" in status and f"<#{target}>" in status

        handle = await fake.send_slash_command("replay stop", {}, user=fake.seed.admin)
        reply = await handle.response()
        assert reply.message is not None
        assert "Stopped the replay of **Iraq Cease-Fire Over** after 0 comments" in (
            reply.message.content
        )
        record = await bot.storage.replays.latest(general)
        assert record is not None and record.status == "stopped"
        # Stopping from inside the replay's thread works too, once there is nothing to stop:
        handle = await fake.send_slash_command(
            "replay stop", {}, user=fake.seed.admin, channel_id=target
        )
        reply = await handle.response()
        assert reply.message is not None and "No replay is running here" in (reply.message.content)
        await asyncio.sleep(0.05)
        assert len(replay_messages(fake, target)) == 1, "nothing posted after the stop"


async def test_thread_option_autocompletes(
    fake_discord: FakeDiscord, tmp_path: Path, make_db: MakeDb
) -> None:
    fake = fake_discord
    async with run_bot(make_bot(fake, await make_db("ac.db")), fake):
        handle = await fake.send_autocomplete(
            "replay start", {"thread": "iraq"}, focused="thread", user=fake.seed.admin
        )
        reply = await handle.response()
        assert [c["name"] for c in reply.choices or []] == ["Iraq Cease-Fire Over"]
        command = next(c for c in fake.commands() if c["name"] == "replay")
        start_options = {o["name"]: o for o in command["options"][0]["options"]}
        assert set(start_options) == {"thread", "from", "to", "speed"}
        assert start_options["thread"]["autocomplete"] is True
        assert (start_options["speed"]["min_value"], start_options["speed"]["max_value"]) == (
            0.25,
            4.0,
        )


async def test_hostile_text_pings_nobody_and_long_comments_split(
    fake_discord: FakeDiscord, tmp_path: Path, make_db: MakeDb
) -> None:
    """Mentions, markdown and a 5,000-character paragraph, replayed through the webhook:
    every message within Discord's limits (the fake fails the test otherwise), nothing
    pings, the long comment arrives whole across several messages, in order."""
    fake = fake_discord
    quoted = "Everyone should read this @everyone and <@123> and <@&456> right now, really."
    long_paragraph = " ".join(f"word{i}" for i in range(900))  # ~5,800 characters
    assert len(long_paragraph) > 5000
    seeds = tmp_path / "seeds"
    seeds.mkdir()
    (seeds / "hostile.txt").write_text(
        thread_file(
            "Hostile @everyone thread",
            [
                ("Zoë @everyone <@123>", [quoted, "**bold** __under__ ~~gone~~ `code` > no"]),
                ("Discord Clyde", [long_paragraph]),
                ("Bob", [quoted, "I agree with the first comment, @here."]),
            ],
        ),
        encoding="utf-8",
    )
    db = await make_db("hostile.db")
    settings = Settings(token=fake.token, **database(db), seeds_dir=seeds, replay_interval=0.002)
    bot = ThreadBot(settings=settings, storage=Storage(db), extensions=["cogs.replay"])
    async with run_bot(bot, fake) as bot:
        (thread,) = await bot.storage.threads.all()
        await start(fake, {"thread": thread.slug})
        target = int(only_thread(fake, fake.seed.general_id)["id"])
        await wait_finished(fake, bot)
        heads = await bot.storage.comments.heads(thread.id)
        answers = await answers_of(bot.storage, thread.id)
        plan = article_posts(thread)
        for comment in await bot.storage.comments.all(thread.id):
            plan += comment_posts(comment, heads, thread.author, answers.get(comment.seq, []))
        messages = replay_messages(fake, target)
        assert_posted_exactly(messages, plan)
    for message in messages:
        assert message.pings() == {"users": [], "roles": [], "everyone": False}
    long_parts = [m for m, p in zip(messages, plan, strict=True) if p.seq == 2]
    assert len(long_parts) >= 3 and all(len(m.content) <= 2000 for m in long_parts)
    words = " ".join(m.content for m in long_parts)
    assert all(f"word{i}" in words for i in (0, 450, 899))
    assert {m.author["username"] for m in long_parts} == {webhook_username("Discord Clyde")}
    bob = next(m for m, p in zip(messages, plan, strict=True) if p.seq == 3)
    assert "↪ replying to #1 (Zoë" in bob.content and "\n> Everyone should read" in bob.content


async def test_names_discord_refuses_never_fail_a_replay(
    fake_discord: FakeDiscord, tmp_path: Path, make_db: MakeDb
) -> None:
    """Names are made acceptable before sending ("Discordiscord" holds two overlapping
    words, zero-width names show nothing); a name Discord still refuses with 400 Invalid
    Form Body about ``username`` (the fake stands for an unforeseen rule with an extra
    word) is posted as "Anonymous" instead, each message exactly once, and the replay ends
    finished. Discord is asked with the refused name once, not for every message."""
    fake = fake_discord
    fake.forbidden_usernames.add("builder")
    seeds = tmp_path / "seeds"
    seeds.mkdir()
    (seeds / "names.txt").write_text(
        thread_file(
            "Names Discord refuses",
            [
                ("Bob the Builder", ["First."]),
                ("Discordiscord", ["Second."]),
                ("\u200b\u200d\u200b", ["Third."]),
                ("Bob the Builder", ["Fourth."]),
            ],
        ),
        encoding="utf-8",
    )
    db = await make_db("names.db")
    settings = Settings(token=fake.token, **database(db), seeds_dir=seeds, replay_interval=0.002)
    bot = ThreadBot(settings=settings, storage=Storage(db), extensions=["cogs.replay"])
    async with run_bot(bot, fake) as bot:
        (thread,) = await bot.storage.threads.all()
        await start(fake, {"thread": thread.slug})
        target = int(only_thread(fake, fake.seed.general_id)["id"])
        await wait_finished(fake, bot)
        record = await bot.storage.replays.latest(fake.seed.general_id)
        assert record is not None and record.status == "finished", record
        heads = await bot.storage.comments.heads(thread.id)
        answers = await answers_of(bot.storage, thread.id)
        plan = article_posts(thread)
        for comment in await bot.storage.comments.all(thread.id):
            plan += comment_posts(comment, heads, thread.author, answers.get(comment.seq, []))
        messages = replay_messages(fake, target)
        refused = fake.take_violations()
    assert [m.content for m in messages] == [p.content for p in plan]
    assert [m.author["username"] for m in messages] == [
        "Test Author",
        "Anonymous",
        "D\u200aiscord\u200aiscord",
        "Anonymous",
        "Anonymous",
    ]
    assert [(v.field, v.code) for v in refused] == [("username", "USERNAME_INVALID_CONTAINS")]
    executed = fake.requests_to("POST", "/webhooks/{webhook_id}/{token}")
    asked = [r.status for r in executed if (r.body or {}).get("username") == "Bob the Builder"]
    assert asked == [400], "asked once with the refused name; its second comment went as Anonymous"


async def test_a_configured_role_may_start_and_stop(
    fake_discord: FakeDiscord, tmp_path: Path, make_db: MakeDb
) -> None:
    """``/threadbot config``'s replay role: a member without Manage Threads but with the role."""
    fake = fake_discord
    guild, general = fake.seed.guild_id, fake.seed.general_id
    role = fake.add_role(guild, "Replayers", BASIC_PERMISSIONS)
    carol = fake.add_member(guild, 102, "carol", roles=[int(role["id"])])
    async with run_bot(make_bot(fake, await make_db("role.db"), interval=60.0), fake) as bot:
        await bot.storage.guilds.put_settings(guild, {"replay_role_id": int(role["id"])})
        refused = await fake.send_slash_command(
            "replay start", {"thread": "iraq-cease-fire-over"}, user=fake.seed.member
        )
        reply = await refused.response()
        assert reply.message is not None
        assert "Manage Threads permission or one of the roles" in reply.message.content
        answer, _ = await start(fake, user=carol)
        assert answer.startswith("Replaying **Iraq Cease-Fire Over**")
        handle = await fake.send_slash_command("replay stop", {}, user=carol)
        reply = await handle.response()
        assert reply.message is not None and reply.message.content.startswith("Stopped")
        record = await bot.storage.replays.latest(general)
        assert record is not None and record.status == "stopped" and record.started_by == 102


async def test_the_guild_settings_bound_replays(
    fake_discord: FakeDiscord, tmp_path: Path, make_db: MakeDb
) -> None:
    """One replay at once, speed capped at 1, no new threads: all read through
    ``ReplayManager.limits``."""
    fake = fake_discord
    guild, general, bot_log = fake.seed.guild_id, fake.seed.general_id, fake.seed.bot_log_id
    async with run_bot(make_bot(fake, await make_db("cfg.db"), interval=60.0), fake) as bot:
        await bot.storage.guilds.put_settings(
            guild,
            {"replay_max_running": 1, "replay_max_speed": 1.0, "replay_public_threads": False},
        )
        handle = await fake.send_slash_command(
            "replay start", {"thread": "iraq-cease-fire-over", "speed": 2.0}, user=moderator(fake)
        )
        reply = await handle.response()
        assert reply.message is not None and reply.message.ephemeral
        assert "between 0.25 and 1" in reply.message.content

        answer, _ = await start(fake)
        assert "here:" in answer and fake.threads(general) == []
        await fake.wait_until(lambda: len(replay_messages(fake, general)) == 1)

        handle = await fake.send_slash_command(
            "replay start",
            {"thread": "iraq-cease-fire-over"},
            user=moderator(fake),
            channel_id=bot_log,
        )
        reply = await handle.response()
        assert reply.message is not None and "already runs 1 replay at once" in (
            reply.message.content
        )
        assert replay_messages(fake, bot_log) == []


async def test_a_lost_session_and_a_fresh_identify_midway_change_nothing(
    fake_discord: FakeDiscord, tmp_path: Path, make_db: MakeDb
) -> None:
    """Op 9 (not resumable): discord.py identifies again and rebuilds its cache; the replay
    keeps posting through the objects it holds, each comment once."""
    fake = fake_discord
    general = fake.seed.general_id
    async with run_bot(make_bot(fake, await make_db("op9.db"), interval=0.01), fake) as bot:
        plan = await seed_plan(bot)
        await start(fake)
        target = int(only_thread(fake, general)["id"])
        await fake.wait_until(lambda: len(replay_messages(fake, target)) >= 6)
        await fake.invalidate_session(resumable=False)
        await fake.wait_until(lambda: fake.gateway.stats.identifies == 2, what="a new IDENTIFY")
        await wait_finished(fake, bot)
        assert_posted_exactly(replay_messages(fake, target), plan)


async def test_a_restart_in_the_middle_of_a_429_storm(
    fake_discord: FakeDiscord, tmp_path: Path, make_db: MakeDb
) -> None:
    """Shut down while the webhook route answers nothing but 429s: the message being retried
    was never posted, so the next start posts it, once."""
    fake = fake_discord
    general = fake.seed.general_id
    db = await make_db("storm-restart.db")
    async with run_bot(make_bot(fake, db, interval=0.01), fake) as bot:
        plan = await seed_plan(bot)
        await start(fake)
        target = int(only_thread(fake, general)["id"])
        await fake.wait_until(lambda: len(replay_messages(fake, target)) >= 10)
        storm = fake.fail_next("POST", WEBHOOK_ROUTE, status=429, count=12, retry_after=0.05)
        await fake.wait_until(lambda: storm.served >= 3, what="the storm to start")
    assert storm.remaining > 0, "closed while still rate limited"
    posted_before = len(replay_messages(fake, target))
    async with run_bot(make_bot(fake, db, interval=0.01), fake) as bot:
        await wait_finished(fake, bot)
    messages = replay_messages(fake, target)
    assert len(messages) > posted_before
    assert_posted_exactly(messages, plan)


async def test_without_pacing_the_webhook_s_rate_limit_is_honoured(
    fake_discord: FakeDiscord, tmp_path: Path, make_db: MakeDb
) -> None:
    """A steady bucket of 5 per 0.25 s on the webhook and (almost) no pacing of our own:
    discord.py waits on the announced limits and any 429, nothing is lost or doubled."""
    fake = fake_discord
    general = fake.seed.general_id
    rule = fake.rate_limit("POST", WEBHOOK_ROUTE, limit=5, per=0.25)
    async with run_bot(make_bot(fake, await make_db("steady.db"), interval=0.0001), fake) as bot:
        plan = await seed_plan(bot, 1, 12)
        await start(fake, {"to": 12})
        await wait_finished(fake, bot)
        target = int(only_thread(fake, general)["id"])
        assert_posted_exactly(replay_messages(fake, target), plan)
    assert rule.accepted == len(plan) + 1 > 10  # the +1: /replay start's own answer
    assert rule.served_429 <= 2, "the announced limits were followed, not hammered"


async def test_a_message_posted_just_before_a_crash_is_not_posted_again(
    fake_discord: FakeDiscord, tmp_path: Path, make_db: MakeDb
) -> None:
    """The crash window: Discord accepted the next message but the process died before
    SQLite recorded it. On resume the bot reads the thread back and skips that message."""
    fake = fake_discord
    general = fake.seed.general_id
    db = await make_db("crash.db")
    async with run_bot(make_bot(fake, db, interval=0.01), fake) as bot:
        plan = await seed_plan(bot)
        await start(fake)
        target = int(only_thread(fake, general)["id"])
        await fake.wait_until(lambda: len(replay_messages(fake, target)) >= 9)
    posted = len(replay_messages(fake, target))
    # What the dying process sent last, through the same webhook, never recorded.
    (hook,) = fake.webhooks(general)
    lost = plan[posted]
    async with aiohttp.ClientSession() as http:
        url = f"{fake.api_base}/webhooks/{hook['id']}/{hook['token']}"
        body = {
            "content": lost.content,
            "username": lost.persona.username,
            "avatar_url": lost.persona.avatar_url,
            "allowed_mentions": {"parse": []},
        }
        async with http.post(url, params={"wait": "true", "thread_id": str(target)}, json=body):
            pass
    async with Storage(db) as storage:
        record = await storage.replays.latest(general)
    assert record is not None and record.posted == posted, "the database does not know"

    async with run_bot(make_bot(fake, db, interval=0.01), fake) as bot:
        await wait_finished(fake, bot)
        record = await bot.storage.replays.latest(general)
    assert_posted_exactly(replay_messages(fake, target), plan)
    assert record is not None and record.status == "finished" and record.posted == len(plan)


async def delete_webhook(fake: FakeDiscord, hook: dict[str, Any]) -> None:
    """What a moderator cleaning up the channel's integrations does."""
    async with (
        aiohttp.ClientSession() as http,
        http.delete(
            f"{fake.api_base}/webhooks/{hook['id']}", headers={"Authorization": f"Bot {fake.token}"}
        ) as response,
    ):
        assert response.status == 204


async def test_a_webhook_deleted_midway_is_made_again(
    fake_discord: FakeDiscord, tmp_path: Path, make_db: MakeDb
) -> None:
    fake = fake_discord
    general = fake.seed.general_id
    async with run_bot(make_bot(fake, await make_db("hook.db"), interval=0.01), fake) as bot:
        plan = await seed_plan(bot, 1, 10)
        await start(fake, {"to": 10})
        target = int(only_thread(fake, general)["id"])
        await fake.wait_until(lambda: len(replay_messages(fake, target)) >= 4)
        (old,) = fake.webhooks(general)
        await delete_webhook(fake, old)
        await wait_finished(fake, bot)
        record = await bot.storage.replays.latest(general)
    (new,) = fake.webhooks(general)
    assert new["id"] != old["id"] and new["name"] == WEBHOOK_NAME
    messages = replay_messages(fake, target)
    assert_posted_exactly(messages, plan)
    assert {m.webhook_id for m in messages} == {int(old["id"]), int(new["id"])}
    assert record is not None and record.status == "finished" and record.mode == "webhook"


async def test_a_webhook_that_cannot_be_made_again_falls_back_to_embeds(
    fake_discord: FakeDiscord, tmp_path: Path, make_db: MakeDb
) -> None:
    fake = fake_discord
    general = fake.seed.general_id
    async with run_bot(make_bot(fake, await make_db("nohook.db"), interval=0.01), fake) as bot:
        plan = await seed_plan(bot, 1, 10)
        await start(fake, {"to": 10})
        target = int(only_thread(fake, general)["id"])
        await fake.wait_until(lambda: len(replay_messages(fake, target)) >= 4)
        # Manage Webhooks taken away, then the webhook deleted.
        fake.fail_next("GET", "/channels/{channel_id}/webhooks", status=403)
        await delete_webhook(fake, fake.webhooks(general)[0])
        await wait_finished(fake, bot)
        record = await bot.storage.replays.latest(general)
    shown = fake.messages(target)
    by_hook = [m for m in shown if m.webhook_id is not None]
    notice = [i for i, m in enumerate(shown) if m.content == EMBED_NOTICE]
    assert len(notice) == 1 and shown[notice[0]].allowed_mentions == {"parse": []}
    embeds = shown[notice[0] + 1 :]
    # Every planned message once: the first ones through the webhook, the rest as embeds.
    assert [m.content for m in by_hook] == [p.content for p in plan[: len(by_hook)]]
    assert [m.embeds[0]["description"] for m in embeds] == [p.body for p in plan[len(by_hook) :]]
    assert record is not None and record.status == "finished" and record.mode == "embed"


async def test_a_thread_locked_midway_fails_the_replay_and_status_says_why(
    fake_discord: FakeDiscord, tmp_path: Path, make_db: MakeDb
) -> None:
    fake = fake_discord
    general = fake.seed.general_id
    async with run_bot(make_bot(fake, await make_db("locked.db"), interval=0.01), fake) as bot:
        await start(fake)
        target = int(only_thread(fake, general)["id"])
        await fake.wait_until(lambda: len(replay_messages(fake, target)) >= 3)
        thread = fake.channel(target)
        assert thread is not None
        thread["thread_metadata"].update(archived=True, locked=True)  # a moderator locked it
        await wait_finished(fake, bot)
        posted = len(replay_messages(fake, target))
        record = await bot.storage.replays.latest(general)
        assert record is not None and record.status == "failed"
        assert record.error is not None and "Thread is archived" in record.error

        handle = await fake.send_slash_command("replay status", {}, user=fake.seed.member)
        reply = await handle.response()
        assert reply.message is not None
        assert "— failed (" in reply.message.content and "Thread is archived" in (
            reply.message.content
        )
        # A failed replay no longer holds the channel: a new one may start.
        answer, _ = await start(fake, {"to": 1})
        assert answer.startswith("Replaying")
    assert len(replay_messages(fake, target)) == posted, "nothing more in the locked thread"
