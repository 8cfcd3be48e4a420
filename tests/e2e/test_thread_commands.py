"""``/thread list|read|comments|replies`` end to end: the real ThreadBot, the seed thread, the
fake Discord. Every command is an INTERACTION_CREATE with real option payloads; every
assertion is on what the channel (or the user's ephemeral view) shows."""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot.app import ThreadBot
from bot.sources.capture import parse_thread
from bot.sources.loading import ingest_thread
from bot.ui import graph
from bot.ui.rendering import article_messages
from bot.workers import WorkerTimeout
from tests.backends import MakeDb
from tests.e2e.conftest import run_bot
from tests.fakediscord import GENERAL_ID, GUILD_ID, MEMBER_ID, FakeDiscord, StoredMessage
from tests.fakediscord.threadbot import (
    ROOT,
    SEED_FILE,
    SEED_SLUG,
    button_id,
    buttons,
    make_threadbot,
    message_text,
    thread_file,
)

pytestmark = pytest.mark.e2e

SEED = parse_thread(SEED_FILE.read_text(encoding="utf-8"), SEED_FILE.name)
LABELS_FILE = ROOT / "tests" / "bot" / "inference" / "seed_replies.json"
LABELS = json.loads(LABELS_FILE.read_text(encoding="utf-8"))
AUTHOR_OF = {c.number: c.author for c in SEED.comments}


@pytest.fixture
async def bot(
    fake_discord: FakeDiscord, tmp_path: Path, make_db: MakeDb
) -> AsyncIterator[ThreadBot]:
    async with run_bot(make_threadbot(fake_discord, await make_db("bot.db")), fake_discord) as bot:
        yield bot


def comment_shown(message: StoredMessage | None) -> tuple[int, str]:
    """(number, author) of the comment page a message shows: title ``#n``, author name."""
    assert message is not None
    [embed] = message.embeds
    number = int(str(embed["title"]).split()[0].lstrip("#"))
    return number, str(embed["author"]["name"])


async def press(fake: FakeDiscord, message: StoredMessage, label: str) -> StoredMessage:
    """Press a paginator button and return the message as the update left it."""
    reply = await (await fake.press_button(message, button_id(message, label))).response()
    assert reply.type == 7, f"expected an in-place update, got {reply.type}: {reply.content}"
    assert reply.message is not None and reply.message.id == message.id
    return reply.message


async def test_thread_list_shows_the_seed(fake_discord: FakeDiscord, bot: ThreadBot) -> None:
    reply = await (await fake_discord.send_slash_command("thread list")).response()
    text = message_text(reply)
    assert "Threads here" in text
    assert SEED.title in text and f"{len(SEED.comments)} comments" in text
    assert SEED_SLUG in text and SEED.author in text
    assert not reply.ephemeral and buttons(reply) == {}  # one page: no buttons
    assert [m.id for m in fake_discord.messages(GENERAL_ID)] == [reply.message.id]  # type: ignore[union-attr]

    dm = int(fake_discord.dm_channel(MEMBER_ID)["id"])
    in_dm = await (await fake_discord.send_slash_command("thread list", channel_id=dm)).response()
    assert "in DMs" in message_text(in_dm) and SEED.title in message_text(in_dm)


async def test_thread_read_posts_the_whole_article(
    fake_discord: FakeDiscord, bot: ThreadBot
) -> None:
    stored = await bot.storage.threads.find(SEED_SLUG, GUILD_ID)
    assert stored is not None
    expected = len(article_messages(stored))
    handle = await fake_discord.send_slash_command("thread read", {"thread": SEED_SLUG})
    await handle.response()
    followups = await handle.followups(expected - 1) if expected > 1 else []
    reply = await handle.response()
    messages = reply.messages
    assert len(messages) == expected == 1 + len(followups)
    text = "\n".join(message_text(m) for m in messages)
    assert messages[0].embeds[0]["title"] == SEED.title
    assert messages[0].embeds[0]["author"]["name"] == SEED.author == "James Joyner"
    assert SEED.lede in text
    for paragraph in SEED.body:  # every body paragraph, the […] elision included
        assert paragraph.strip() in text
    assert "Tags" in text and "Uncategorized" in text
    assert f"About {SEED.author}" in text and SEED.author_bio.split(".")[0] in text
    for message in messages:
        assert message.allowed_mentions == {"parse": []}
        assert len(message.content) <= 2000 and len(message.embeds) <= 10
        assert sum(len(json.dumps(e)) for e in message.embeds) < 6000 * 2  # sanity
        assert all(len(e.get("description") or "") <= 4096 for e in message.embeds)
    assert fake_discord.violations == []


async def test_comments_start_page_5_is_comment_5_by_its_author(
    fake_discord: FakeDiscord, bot: ThreadBot
) -> None:
    labelled = {c["seq"]: c["author"] for c in LABELS["comments"]}
    reply = await (
        await fake_discord.send_slash_command("thread comments", {"thread": SEED_SLUG, "start": 5})
    ).response()
    assert comment_shown(reply.message) == (5, AUTHOR_OF[5]) == (5, labelled[5])
    assert "comment 5 of 31" in message_text(reply)
    assert list(buttons(reply)) == ["⏮", "◀", "5 / 31", "▶", "⏭"]
    assert not any(b.get("disabled") for b in buttons(reply).values())

    default = await (
        await fake_discord.send_slash_command("thread comments", {"thread": SEED.title})
    ).response()
    assert comment_shown(default.message) == (1, AUTHOR_OF[1])
    assert buttons(default)["⏮"]["disabled"] and buttons(default)["◀"]["disabled"]


async def test_arrow_buttons_walk_every_comment_in_order(
    fake_discord: FakeDiscord, bot: ThreadBot
) -> None:
    reply = await (
        await fake_discord.send_slash_command("thread comments", {"thread": SEED_SLUG})
    ).response()
    assert reply.message is not None
    message = reply.message
    seen = [comment_shown(message)]
    while not buttons(message)["▶"].get("disabled"):
        message = await press(fake_discord, message, "▶")
        seen.append(comment_shown(message))
    assert seen == [(c.number, c.author) for c in SEED.comments]
    with pytest.raises(ValueError, match="disabled"):
        await fake_discord.press_button(message, button_id(message, "▶"))

    message = await press(fake_discord, message, "◀")
    assert comment_shown(message) == (30, AUTHOR_OF[30])
    message = await press(fake_discord, message, "⏮")
    assert comment_shown(message) == (1, AUTHOR_OF[1])
    assert buttons(message)["◀"]["disabled"]
    message = await press(fake_discord, message, "⏭")
    assert comment_shown(message) == (31, AUTHOR_OF[31])
    assert buttons(message)["⏭"]["disabled"] and buttons(message)["▶"]["disabled"]
    # Only the command's own message exists: every press edited it in place.
    assert [m.id for m in fake_discord.messages(GENERAL_ID)] == [message.id]


async def test_jump_modal_opens_and_jumps(fake_discord: FakeDiscord, bot: ThreadBot) -> None:
    reply = await (
        await fake_discord.send_slash_command("thread comments", {"thread": SEED_SLUG, "start": 3})
    ).response()
    assert reply.message is not None
    opened = await fake_discord.press_button(reply.message, button_id(reply, "3 / 31"))
    modal = (await opened.response()).modal
    assert modal is not None and modal["title"] == "Jump to a comment"
    submitted = await fake_discord.submit_modal(opened, {"Comment number (#)": "#12"})
    jumped = await submitted.response()
    assert jumped.type == 7 and jumped.message is not None
    assert jumped.message.id == reply.message.id
    assert comment_shown(jumped.message) == (12, AUTHOR_OF[12])

    again = await fake_discord.press_button(jumped.message, button_id(jumped, "12 / 31"))
    await again.response()
    refused = await (
        await fake_discord.submit_modal(again, {"Comment number (#)": "99"})
    ).response()
    assert refused.ephemeral and "not a page from 1 to 31" in refused.content
    assert comment_shown(fake_discord.message(reply.message.id)) == (12, AUTHOR_OF[12])


async def test_replies_of_comment_12_name_comment_6(
    fake_discord: FakeDiscord, bot: ThreadBot
) -> None:
    labelled = {c["seq"]: c for c in LABELS["comments"]}
    for number in (12, 9):
        reply = await (
            await fake_discord.send_slash_command(
                "thread replies", {"thread": SEED_SLUG, "comment": number}
            )
        ).response()
        text = message_text(reply)
        assert reply.embeds[0]["title"] == f"#{number} by {AUTHOR_OF[number]}"
        replies_to, _, replied_by = text.partition("**Replied to by**")
        for target, _via in labelled[number]["edges"]:
            assert f"#{target} {AUTHOR_OF[target]}" in replies_to
        answered_by = [c["seq"] for c in LABELS["comments"] if [number, "quote"] in c["edges"]]
        for source in answered_by:
            assert f"#{source} {AUTHOR_OF[source]}" in replied_by
        assert reply.message is not None and reply.message.allowed_mentions == {"parse": []}
    assert "#6 Bithead" in message_text(fake_discord.messages(GENERAL_ID)[0])


async def test_replies_of_the_thread_are_a_png_and_a_table(
    fake_discord: FakeDiscord, bot: ThreadBot
) -> None:
    handle = await fake_discord.send_slash_command("thread replies", {"thread": SEED_SLUG})
    reply = await handle.response()
    assert reply.type == 5  # deferred: the graph may take a while to draw
    [message] = reply.messages
    [png] = message.files
    assert png.filename == "replies.png" and png.data.startswith(b"\x89PNG\r\n\x1a\n")
    [embed] = message.embeds
    assert embed["image"]["url"] == "attachment://replies.png"
    # The table lists person → person pairs; every pair is one the hand labels have.
    number_author = {c["seq"]: c["author"] for c in LABELS["comments"]} | {0: SEED.author}
    labelled = Counter(
        (c["author"], number_author[t]) for c in LABELS["comments"] for t, _ in c["edges"]
    )
    shown: dict[tuple[str, str], int] = {}
    for line in str(embed["description"]).splitlines():
        pair, _, count = line.rpartition(": ")
        source, _, target = pair.partition(" → ")
        target = target.strip("*").removesuffix(" (article)")
        shown[(source.strip("*"), target)] = int(count)
    assert set(shown) == set(labelled)
    assert all(shown[p] <= labelled[p] for p in shown)
    busiest = max(shown.values())
    top = {p for p in shown if shown[p] == busiest}
    assert top <= {("Michael", "Bithead"), ("Bithead", "Michael")}

    # Drawing is rate limited per person; the per-comment view is not.
    again = await (
        await fake_discord.send_slash_command("thread replies", {"thread": SEED_SLUG})
    ).response()
    assert again.ephemeral and "try again in" in again.content
    one = await (
        await fake_discord.send_slash_command("thread replies", {"thread": SEED_SLUG, "comment": 2})
    ).response()
    assert not one.ephemeral and one.embeds[0]["title"] == f"#2 by {AUTHOR_OF[2]}"
    other = await (
        await fake_discord.send_slash_command(
            "thread replies", {"thread": SEED_SLUG}, user=MEMBER_ID
        )
    ).response()
    assert not other.ephemeral and other.messages[0].files[0].filename == "replies.png"
    assert len(fake_discord.messages(GENERAL_ID)) == 3


async def test_replies_table_still_answers_when_drawing_fails(
    fake_discord: FakeDiscord, bot: ThreadBot, monkeypatch: pytest.MonkeyPatch
) -> None:
    async def stuck(*args: object, **kwargs: object) -> bytes:
        raise WorkerTimeout("took longer than 30 s")

    # The cog module is loaded afresh by the bot; the worker call is looked up in bot.ui.graph.
    monkeypatch.setattr(graph, "run_in_worker", stuck)
    reply = await (
        await fake_discord.send_slash_command("thread replies", {"thread": SEED_SLUG})
    ).response()
    [message] = reply.messages
    assert message.files == []
    [embed] = message.embeds
    assert "image" not in embed and "**Michael** → **Bithead**" in str(embed["description"])


async def test_unknown_thread_and_comment_are_ephemeral_with_suggestions(
    fake_discord: FakeDiscord, bot: ThreadBot
) -> None:
    for command in ("thread read", "thread comments", "thread replies"):
        reply = await (
            await fake_discord.send_slash_command(command, {"thread": "Irak cease fire"})
        ).response()
        assert reply.ephemeral
        assert "No thread matches “Irak cease fire”" in reply.content
        assert f"Did you mean: “{SEED.title}”" in reply.content
    reply = await (
        await fake_discord.send_slash_command("thread comments", {"thread": SEED_SLUG, "start": 99})
    ).response()
    assert reply.ephemeral and "No comment matches “#99”" in reply.content
    assert "Did you mean: “#31”" in reply.content
    assert fake_discord.messages(GENERAL_ID) == []  # nothing public


async def test_thread_autocomplete_prefix_fuzzy_and_at_most_25(
    fake_discord: FakeDiscord, bot: ThreadBot
) -> None:
    async def choices(typed: str) -> list[dict[str, str]]:
        handle = await fake_discord.send_autocomplete(
            "thread comments", {"thread": typed}, focused="thread"
        )
        reply = await handle.response()
        assert reply.type == 8 and reply.choices is not None
        return reply.choices

    seed_id = str((await bot.storage.threads.find(SEED_SLUG, GUILD_ID)).id)  # type: ignore[union-attr]
    assert await choices("ira") == [{"name": SEED.title, "value": seed_id}]
    assert await choices("cease") == [{"name": SEED.title, "value": seed_id}]  # a word prefix
    assert [c["value"] for c in await choices("Irak ceasfire")] == [seed_id]  # fuzzy
    assert await choices("zzzzqqq") == []

    # Thirty more threads imported for this guild: the list is cut at Discord's 25.
    for i in range(30):
        text = thread_file(f"Topic {i:02d} of many", [("Ann", [f"Comment on topic {i}."])])
        await ingest_thread(bot.storage, parse_thread(text, f"t{i}.txt"), guild_id=GUILD_ID)
    everything = await choices("")
    assert len(everything) == 25
    topics = await choices("topic 1")
    assert 10 <= len(topics) <= 25
    # Prefix matches first (in storage order), then fuzzy ones.
    assert {c["name"] for c in topics[:10]} == {f"Topic 1{i} of many" for i in range(10)}
    # The chosen value (a thread id) is accepted by the command itself.
    reply = await (
        await fake_discord.send_slash_command("thread comments", {"thread": topics[0]["value"]})
    ).response()
    assert topics[0]["name"] in message_text(reply)


async def test_rate_limits_and_a_dropped_gateway_do_not_lose_or_double_answers(
    fake_discord: FakeDiscord, bot: ThreadBot
) -> None:
    callback = "/interactions/{interaction_id}/{token}/callback"
    fault = fake_discord.fail_next("POST", callback, retry_after=0.05)
    reply = await (
        await fake_discord.send_slash_command("thread comments", {"thread": SEED_SLUG})
    ).response()
    assert fault.served == 1 and comment_shown(reply.message) == (1, AUTHOR_OF[1])
    assert reply.message is not None
    message = reply.message

    # A 429 on the press's own callback: retried, the page moves on exactly once.
    fake_discord.fail_next("POST", callback, retry_after=0.05)
    message = await press(fake_discord, message, "▶")
    assert comment_shown(message) == (2, AUTHOR_OF[2])

    # A press while the gateway is down is replayed on RESUME and answered once.
    await fake_discord.drop_gateway(code=4000)
    handle = await fake_discord.press_button(message, button_id(message, "▶"))
    await fake_discord.wait_until(lambda: fake_discord.gateway.stats.resumes == 1)
    moved = await handle.response()
    assert moved.type == 7 and comment_shown(moved.message) == (3, AUTHOR_OF[3])
    assert len(handle.record.callbacks) == 1

    # The followup of a deferred command (the replies picture) survives a 429 too.
    webhook = fake_discord.fail_next("POST", "/webhooks/{webhook_id}/{token}", retry_after=0.05)
    graph = await (
        await fake_discord.send_slash_command("thread replies", {"thread": SEED_SLUG})
    ).response()
    assert webhook.served == 1 and len(graph.messages) == 1
    assert graph.messages[0].files[0].filename == "replies.png"
    assert len(fake_discord.messages(GENERAL_ID)) == 2  # the comments page and the picture


async def test_in_a_dm_shipped_threads_page_and_guild_threads_are_hidden(
    fake_discord: FakeDiscord, bot: ThreadBot
) -> None:
    text = SEED_FILE.read_text(encoding="utf-8").replace(SEED.title, "Guild only thread", 1)
    private = await ingest_thread(bot.storage, parse_thread(text, "g.txt"), guild_id=GUILD_ID)
    dm = int(fake_discord.dm_channel(MEMBER_ID)["id"])
    reply = await (
        await fake_discord.send_slash_command(
            "thread comments", {"thread": SEED_SLUG, "start": 30}, channel_id=dm
        )
    ).response()
    assert reply.message is not None and reply.message.channel_id == dm
    assert "guild_id" not in reply.message.data or reply.message.data["guild_id"] is None
    moved = await press(fake_discord, reply.message, "▶")
    assert comment_shown(moved) == (31, AUTHOR_OF[31])

    hidden = await (
        await fake_discord.send_slash_command(
            "thread read", {"thread": str(private.thread_id)}, channel_id=dm
        )
    ).response()
    assert hidden.ephemeral and "No thread matches" in hidden.content
    choices = await fake_discord.send_autocomplete(
        "thread read", {"thread": "guild"}, focused="thread", channel_id=dm
    )
    assert all(c["name"] != "Guild only thread" for c in (await choices.response()).choices or [])
    # A crafted button for the guild's thread, pressed in the DM, is refused.
    first = moved.custom_ids()[0]
    seed_id = str(first.split(":")[4])
    forged = first.replace(f":c:f:{seed_id}:", f":c:f:{private.thread_id}:")
    assert forged != first
    moved.data["components"][0]["components"][0]["custom_id"] = forged
    refused = await (await fake_discord.press_button(moved, forged)).response()
    assert refused.ephemeral and "isn't available here" in refused.content
    assert comment_shown(fake_discord.message(moved.id)) == (31, AUTHOR_OF[31])


async def test_thread_list_pages_ten_at_a_time(fake_discord: FakeDiscord, bot: ThreadBot) -> None:
    for i in range(24):
        text = thread_file(f"Listed {i:02d}", [("Ann", [f"Comment on list item {i}."])])
        await ingest_thread(bot.storage, parse_thread(text, f"l{i}.txt"), guild_id=GUILD_ID)
    reply = await (await fake_discord.send_slash_command("thread list")).response()
    assert reply.message is not None
    assert "1 / 3" in buttons(reply) and "Page 1 of 3 · 25 threads" in message_text(reply)
    last = await press(fake_discord, reply.message, "⏭")
    assert "Page 3 of 3" in message_text(last)
    assert message_text(last).count("**Listed") + message_text(last).count(SEED.title) == 5
    jump = await fake_discord.press_button(last, button_id(last, "3 / 3"))
    await jump.response()
    back = await (await fake_discord.submit_modal(jump, {"Page number": "2"})).response()
    assert back.type == 7 and "Page 2 of 3" in message_text(back)
