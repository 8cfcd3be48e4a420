"""A hostile thread end to end: mentions, markdown and huge paragraphs in every field.

The thread is imported through ``/thread import`` and then shown by every reading
command. Nobody may be pinged (``allowed_mentions`` parses nothing and no mention
token survives in any text), nothing may exceed a Discord limit (the fake refuses it
and the fixture fails the test), and markdown must show as the characters written.
"""

from __future__ import annotations

import random
import re
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot.app import ThreadBot
from bot.sources.capture import parse_thread
from bot.text import ZWSP
from bot.ui.rendering import article_messages
from tests.backends import MakeDb
from tests.e2e.conftest import run_bot
from tests.fakediscord import ADMIN_ID, GUILD_ID, Attachment, FakeDiscord
from tests.fakediscord.models import StoredMessage
from tests.fakediscord.threadbot import (
    button_id,
    buttons,
    make_threadbot,
    message_text,
    thread_file,
)

pytestmark = pytest.mark.e2e

MENTION = re.compile(r"<@[!&]?\d+>|<#\d+>|@everyone|@here")
_DISCORD_ESCAPE = re.compile(r"\\([^0-9A-Za-z\s])")
LONG_NAME = "Sir " + "Reginald " * 14 + "the Long"  # over 100 characters: autocomplete cuts it
WORDS = [
    "lorem",
    "ipsum",
    "dolor",
    "sit",
    "amet",
    "consectetur",
    "adipiscing",
    "elit",
    "sed",
    "do",
    "eiusmod",
    "tempor",
]


def long_paragraph(size: int, seed: int) -> str:
    """About ``size`` characters of made-up words, different for each seed (so that reply
    inference does not take one long paragraph for a quote of another)."""
    rng = random.Random(seed)
    words: list[str] = []
    while sum(len(w) + 1 for w in words) < size:
        words.append(
            "".join(rng.choice("abcdefghijklmnopqrstuvwxyz") for _ in range(rng.randint(2, 9)))
        )
    return (" ".join(words)[: size - 1].rstrip() + ".").capitalize()


MARKDOWN = "**bold claim** and __underlined__ and ||spoiler|| and ~~struck~~ and `code`"
HEADING = "# Heading one"
FENCE = "```python\n    print('@everyone <@123>')\n    ```"
PINGS = "@everyone and @here, <@123>, <@!123>, <@&456> and <#2000>: read this"
ARTICLE_PINGS = "Dear @everyone, <@999> and <@&777>, the article speaks to you"
ARTICLE_MARKDOWN = "The article has **strong words**, __underlines__ and ||secrets||"
COMMENTS: list[tuple[str, list[str]]] = [
    ("Mallory", [PINGS, MARKDOWN, HEADING, FENCE]),
    ("<@123>", [long_paragraph(5000, 1), long_paragraph(5000, 2), "The end of a long one."]),
    ("@everyone", [f"“{PINGS}”", "Quoting Mallory there, @everyone."]),
    (LONG_NAME, ["> not a quote", "- not a list", "1. not a list either", "-# not small"]),
    ("Mallory", ["[a masked link](https://evil.example/x) and " + "x" * 5000]),
    ("**Bold Name**", [f"Mallory, {MARKDOWN}", "<@&456> ping the role"]),
]
HOSTILE = thread_file(
    "@everyone **Hostile** <@123> thread",
    COMMENTS,
    lede="The lede pings <@&456> and @everyone with ||spoilers||.",
    body=[
        ARTICLE_PINGS,
        ARTICLE_MARKDOWN,
        "## Article heading",
        long_paragraph(5000, 3),
        long_paragraph(5000, 4),
    ],
    tags=["<@123>", "**tag**", "@here"],
    author="<@&456>",
    bio=f"A bio that pings {PINGS} and says {MARKDOWN}.",
)


def as_discord_shows(text: str) -> str:
    """What a reader sees: Discord drops a backslash before punctuation; ZWSPs are invisible."""
    return _DISCORD_ESCAPE.sub(r"\1", text).replace(ZWSP, "")


def rendered_text(message: StoredMessage) -> str:
    """The parts of a message Discord renders as markdown and mentions: content, embed
    titles, descriptions and field values (not author names or footers, shown literally)."""
    parts = [message.content]
    for embed in message.embeds:
        parts += [str(embed.get("title") or ""), str(embed.get("description") or "")]
        parts += [str(f.get("value") or "") for f in embed.get("fields") or []]
    return "\n".join(parts)


def check_safe(message: StoredMessage) -> None:
    """Nobody pinged, no mention token left in rendered text, every limit respected."""
    assert message.allowed_mentions == {"parse": []}, message
    assert message.pings() == {"users": [], "roles": [], "everyone": False}
    text = rendered_text(message)
    assert not MENTION.search(text), (MENTION.search(text), message)
    assert len(message.content) <= 2000 and len(message.embeds) <= 10
    for embed in message.embeds:
        assert len(str(embed.get("description") or "")) <= 4096
        assert len(str(embed.get("title") or "")) <= 256
    for raw in (
        "**bold",
        "**Bold",
        "**Hostile",
        "__underlined__",
        "||spoiler||",
        "~~struck~~",
        "```",
    ):
        assert raw not in text, f"{raw!r} would render as markdown in {message}"


def snap(message: StoredMessage) -> StoredMessage:
    """A copy of a message as it is now (the fake edits messages in place)."""
    copy = StoredMessage(message.id, message.channel_id, dict(message.data))
    copy.allowed_mentions = message.allowed_mentions
    return copy


async def walk(fake: FakeDiscord, message: StoredMessage) -> list[StoredMessage]:
    pages = [snap(message)]
    while "▶" in buttons(message) and not buttons(message)["▶"].get("disabled"):
        reply = await (await fake.press_button(message, button_id(message, "▶"))).response()
        assert reply.type == 7 and reply.message is not None, reply.content
        message = reply.message
        pages.append(snap(message))
    return pages


@pytest.fixture
async def bot(
    fake_discord: FakeDiscord, tmp_path: Path, make_db: MakeDb
) -> AsyncIterator[ThreadBot]:
    async with run_bot(make_threadbot(fake_discord, await make_db("bot.db")), fake_discord) as bot:
        yield bot


async def run(fake: FakeDiscord, command: str, **options: object) -> StoredMessage:
    handle = await fake.send_slash_command(command, options)
    reply = await handle.response()
    assert reply.message is not None
    assert not reply.ephemeral, reply.content
    return reply.message


def test_the_file_parses_as_intended() -> None:
    thread = parse_thread(HOSTILE, "hostile.txt")
    assert [c.author for c in thread.comments] == [name for name, _ in COMMENTS]
    assert thread.author == "<@&456>" and "<@123>" in thread.tags
    assert max(len(p) for c in thread.comments for p in c.paragraphs) >= 5000


async def test_nobody_is_pinged_and_markdown_stays_text(
    fake_discord: FakeDiscord, bot: ThreadBot
) -> None:
    imported = await (
        await fake_discord.send_slash_command(
            "thread import",
            {"file": Attachment("hostile.txt", HOSTILE.encode("utf-8"))},
            user=ADMIN_ID,
        )
    ).response()
    assert imported.ephemeral and "6 comments by 5 people" in imported.content
    check_safe(imported.message)  # type: ignore[arg-type]
    [thread] = [t for t in await bot.storage.threads.visible(GUILD_ID) if t.guild_id == GUILD_ID]
    tid = str(thread.id)
    shown: list[StoredMessage] = []

    # /thread read: the article in as many messages as the limits need.
    expected = len(article_messages(thread))
    assert expected >= 2  # the article needs followups: they are checked too
    read = await fake_discord.send_slash_command("thread read", {"thread": tid})
    await read.response()
    if expected > 1:
        await read.followups(expected - 1)
    article = (await read.response()).messages
    assert len(article) == expected
    shown += article
    article_text = as_discord_shows("\n".join(message_text(m) for m in article))
    assert ARTICLE_MARKDOWN in article_text and ARTICLE_PINGS in article_text
    assert "## Article heading" in article_text and MARKDOWN in article_text  # in the bio
    assert "||spoilers||" in article_text and "**tag**" in article_text
    assert "About <@&456>" in article_text

    # /thread comments: every comment and every part of a long one.
    pages = await walk(fake_discord, await run(fake_discord, "thread comments", thread=tid))
    shown += pages
    authors = [str(p.embeds[0]["author"]["name"]) for p in pages]
    assert authors[0] == "Mallory" and authors.count("<@123>") >= 3  # 10,000 chars: 3 parts
    assert "**Bold Name**" in authors and LONG_NAME in authors
    first = as_discord_shows(message_text(pages[0]))
    assert PINGS in first and MARKDOWN in first and HEADING in first
    assert "print('@everyone <@123>')" in first
    lists = as_discord_shows(message_text(pages[authors.index(LONG_NAME)]))
    for literal in ("> not a quote", "- not a list", "1. not a list either", "-# not small"):
        assert literal in lists
    joined = " ".join(
        as_discord_shows(message_text(p))
        for p in pages
        if "<@123>" in p.embeds[0]["author"]["name"]
    )
    assert long_paragraph(5000, 1)[:200] in joined and "The end of a long one." in joined
    # ◀ from a comment lands on the *last* part of the long comment before it.
    live = fake_discord.message(pages[-1].id)
    assert live is not None and str(live.embeds[0]["title"]).startswith("#6")
    back = await (await fake_discord.press_button(live, button_id(live, "◀"))).response()
    assert back.message is not None
    assert str(back.embeds[0]["title"]).startswith("#5")
    assert "part 3 of 3" in back.embeds[0]["footer"]["text"]
    assert "5 / 6 · part 3/3" in buttons(back)
    back = await (await fake_discord.press_button(live, button_id(live, "◀"))).response()
    assert "part 2 of 3" in back.embeds[0]["footer"]["text"]
    shown.append(snap(back.message))  # type: ignore[arg-type]

    # /author list and each person's comments (the names are hostile too).
    participants = await run(fake_discord, "author list", thread=tid)
    shown.append(participants)
    assert "**Bold Name**" in as_discord_shows(message_text(participants))
    for name in ("Mallory", "<@123>", "@everyone", "**Bold Name**"):
        shown += await walk(
            fake_discord, await run(fake_discord, "author comments", thread=tid, name=name)
        )
    searched = await run(
        fake_discord, "author comments", thread=tid, name="Mallory", query="everyone"
    )
    shown.append(searched)
    assert str(searched.embeds[0]["title"]).startswith("#1")

    # The long name arrives cut at 100 characters from autocomplete and still resolves.
    handle = await fake_discord.send_autocomplete(
        "author comments", {"thread": tid, "name": "sir"}, focused="name"
    )
    [choice] = (await handle.response()).choices or []
    assert len(choice["value"]) == 100 and len(choice["name"]) <= 100
    shown.append(await run(fake_discord, "author comments", thread=tid, name=choice["value"]))
    assert shown[-1].embeds[0]["author"]["name"] == LONG_NAME

    # /thread replies, for each comment and for the whole thread.
    for number in range(1, len(COMMENTS) + 1):
        shown.append(await run(fake_discord, "thread replies", thread=tid, comment=number))
    quoted = message_text(shown[-4])  # comment 3 quotes comment 1
    assert "#1 Mallory" in quoted
    graph = await fake_discord.send_slash_command("thread replies", {"thread": tid})
    shown += (await graph.response()).messages

    # /thread list and autocomplete show the hostile title as text.
    listing = await run(fake_discord, "thread list")
    shown.append(listing)
    assert "@everyone **Hostile** <@123> thread" in as_discord_shows(message_text(listing))

    # "Did you mean" suggestions quote thread titles and names: as text, too.
    for command, options in (
        ("author comments", {"thread": tid, "name": "Bold Nam"}),
        ("thread read", {"thread": "Hostile thred"}),
    ):
        reply = await (await fake_discord.send_slash_command(command, options)).response()
        assert reply.ephemeral and "Did you mean" in reply.content, reply.content
        assert reply.message is not None
        check_safe(reply.message)
        seen = as_discord_shows(reply.content)
        assert "“**Bold Name**”" in seen or "“@everyone **Hostile** <@123> thread”" in seen

    for message in shown:
        check_safe(message)
    for message in fake_discord.all_messages():  # ephemeral ones included
        check_safe(message)
    assert fake_discord.violations == []
